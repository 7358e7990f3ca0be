package media

import (
	"github.com/ringdesk/ringdesk/media/sdp"
	"github.com/ringdesk/ringdesk/media/tone"
	"github.com/ringdesk/ringdesk/media/wav"
)

// Direction is the direction of our audio stream as SDP says it (RFC 3264
// §5.1): whether we send, receive, both or neither.
type Direction = sdp.Direction

// The four directions. SendOnly is how we hold a call; Inactive is how we
// hold a call the far end already holds.
const (
	SendRecv = sdp.SendRecv
	SendOnly = sdp.SendOnly
	RecvOnly = sdp.RecvOnly
	Inactive = sdp.Inactive
)

// Source gives the audio the far end hears, as mono 16-bit PCM frames.
//
// ReadFrame fills samples (one frame) at rate Hz. A Source that returns
// io.EOF has ended: the session sends silence from then on and does not
// call it again. Other errors are logged and that frame is silent. The
// sources here never end: tones are endless and WAV files loop. A Source
// that also implements io.Closer is closed by Session.Close.
type Source interface {
	ReadFrame(samples []int16, rate int) error
}

// Sink takes the audio we hear, as mono 16-bit PCM frames at rate Hz. The
// session writes one frame every 20 ms from Start to Close, silence while
// nothing plays (before the first packet, or while the call is held), so a
// recording's length is the call's. A Sink that also implements io.Closer
// is closed by Session.Close.
type Sink interface {
	WriteFrame(samples []int16, rate int) error
}

// NewToneSource returns an endless sine tone of freqHz; amplitude is a
// fraction of full scale (0 to 1, 0.5 is -6 dBFS).
func NewToneSource(freqHz, amplitude float64) Source { return tone.NewSine(freqHz, amplitude) }

// NewSilenceSource returns a source of silence.
func NewSilenceSource() Source { return tone.Silence{} }

// NewWAVFileSource loads a 16-bit PCM WAV file (any rate, mono or stereo)
// and plays it in a loop. A file at another rate than the call's is
// converted by linear interpolation.
func NewWAVFileSource(path string) (Source, error) {
	s, err := wav.NewSource(path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NewWAVFileSink creates a 16-bit mono WAV recording at path, at the rate of
// the first frame written; Close completes its header.
func NewWAVFileSink(path string) (Sink, error) {
	s, err := wav.Create(path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NullSink discards audio.
var NullSink Sink = nullSink{}

type nullSink struct{}

func (nullSink) WriteFrame([]int16, int) error { return nil }
