package phone

import (
	"fmt"

	"github.com/ringdesk/ringdesk/media"
)

// MediaOptions chooses what a call sends and where what it receives goes.
type MediaOptions struct {
	// Source is what the far end hears (nil: silence).
	Source media.Source
	// Sink receives what we hear (nil: discarded).
	Sink media.Sink
}

// errMediaNoDTMF says the far end did not accept RFC 4733 events.
var errMediaNoDTMF = media.ErrDTMFNotNegotiated

// mediaAdapter fits media.Session to what a call needs.
type mediaAdapter struct{ *media.Session }

func (m mediaAdapter) SetDirection(d mediaDirection) {
	switch d {
	case directionSendOnly:
		m.Session.SetDirection(media.SendOnly)
	case directionRecvOnly:
		m.Session.SetDirection(media.RecvOnly)
	case directionInactive:
		m.Session.SetDirection(media.Inactive)
	default:
		m.Session.SetDirection(media.SendRecv)
	}
}

// newMedia opens the call's RTP session on the account's local address
// and relays the RFC 4733 digits it receives as DTMF events.
func (p *Phone) newMedia(a *Account, c *Call) (mediaSession, error) {
	cfg := media.Config{LocalIP: a.st.localIP, Codecs: a.cfg.Codecs, Logger: a.log.With("call", c.info.ID)}
	if p.s.mediaConfig != nil {
		opts := p.s.mediaConfig(c.info)
		cfg.Source, cfg.Sink = opts.Source, opts.Sink
	}
	s, err := media.NewSession(cfg)
	if err != nil {
		return nil, fmt.Errorf("open the call's audio: %w", err)
	}
	go c.relayMediaDTMF(s.DTMF())
	return mediaAdapter{s}, nil
}
