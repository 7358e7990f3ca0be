package phone

import (
	"time"

	"github.com/ringdesk/ringdesk/media"
)

// mediaDirection is an SDP direction attribute (RFC 3264 §6.1).
type mediaDirection int

const (
	directionSendRecv mediaDirection = iota
	directionSendOnly
	directionRecvOnly
	directionInactive
)

// mediaSession is what a call needs from its media: SDP offer/answer and
// the stream behind it. media.Session provides it (see media_session.go).
type mediaSession interface {
	Offer() ([]byte, error)
	Answer(offer []byte) ([]byte, error)
	SetAnswer(answer []byte) error
	SetDirection(d mediaDirection)
	RemoteHold() bool
	Codec() string
	Start() error
	SetMuted(on bool)
	SendDTMF(digit rune, d time.Duration) error
	DTMF() <-chan rune
	Stats() media.Stats
	Close() error
}
