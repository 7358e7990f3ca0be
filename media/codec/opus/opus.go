// Package opus is the Opus audio codec (RFC 6716) for calls, as a
// [codec.Codec] for "opus/48000/2" (RFC 7587), over libopus through cgo.
//
// On the wire Opus always counts RTP time at 48 kHz and names two channels;
// the audio it carries here is mono. The PCM side works at [Options.PCMRate],
// 8 kHz by default so that the codec takes and gives the same 20 ms frames
// of 160 samples as G.711: libopus converts to and from its own internal
// rates itself (its API takes 8, 12, 16, 24 or 48 kHz), so no resampler runs
// in front of it.
//
// A [Decoder] conceals lost packets with Opus's own packet-loss concealment
// ([Decoder.Conceal]) and, when the packet after a loss has arrived,
// recovers the lost frame from that packet's in-band FEC
// ([Decoder.DecodeFEC]). Encoders and decoders hold C memory: Close frees
// it (a cleanup also frees it when one is garbage-collected unclosed).
package opus

import (
	"errors"
	"fmt"

	"github.com/ringdesk/ringdesk/media/codec"
)

// ClockRate is the RTP clock rate of Opus, whatever the audio's rate.
const ClockRate = 48000

// Fmtp is the format parameters line we put in SDP for Opus: we take
// packets of 10 ms and up and want in-band FEC from the far end.
const Fmtp = "minptime=10;useinbandfec=1"

// DefaultBitrate is the encoder's bitrate, in bit/s, unless Options say.
const DefaultBitrate = 24000

// DefaultLoss is the packet loss, in percent, the encoder protects against
// with in-band FEC unless Options say.
const DefaultLoss = 10

// maxPacket is the largest packet the encoder is allowed to make (the size
// libopus recommends for its output buffer).
const maxPacket = 4000

// Options configure an Opus codec. The zero value is the default: 8 kHz
// PCM, 24 kbit/s, in-band FEC for 10% loss.
type Options struct {
	// PCMRate is the sample rate of the PCM given to the encoder and taken
	// from the decoder: 8000 (the default), 12000, 16000, 24000 or 48000.
	PCMRate int
	// Bitrate is the encoder's target bitrate in bit/s (6000–510000);
	// 0 means DefaultBitrate.
	Bitrate int
	// Complexity is the encoder's complexity, 1–10; 0 leaves libopus's
	// default.
	Complexity int
	// NoFEC turns off in-band forward error correction in what we send.
	NoFEC bool
	// ExpectedLoss is the packet loss in percent (1–100) the encoder plans
	// for; 0 means DefaultLoss (or none with NoFEC).
	ExpectedLoss int
}

// normalize fills in defaults and checks o.
func (o Options) normalize() (Options, error) {
	if o.PCMRate == 0 {
		o.PCMRate = 8000
	}
	switch o.PCMRate {
	case 8000, 12000, 16000, 24000, 48000:
	default:
		return o, fmt.Errorf("opus: PCM rate %d Hz: want 8000, 12000, 16000, 24000 or 48000", o.PCMRate)
	}
	if o.Bitrate == 0 {
		o.Bitrate = DefaultBitrate
	}
	if o.Bitrate < 6000 || o.Bitrate > 510000 {
		return o, fmt.Errorf("opus: bitrate %d bit/s out of 6000–510000", o.Bitrate)
	}
	if o.Complexity < 0 || o.Complexity > 10 {
		return o, fmt.Errorf("opus: complexity %d out of 1–10", o.Complexity)
	}
	if o.ExpectedLoss < 0 || o.ExpectedLoss > 100 {
		return o, fmt.Errorf("opus: expected loss %d%% out of 0–100", o.ExpectedLoss)
	}
	if o.ExpectedLoss == 0 && !o.NoFEC {
		o.ExpectedLoss = DefaultLoss
	}
	return o, nil
}

// Codec is Opus as a [codec.Codec]. Its encoders and decoders are
// *[Encoder] and *[Decoder].
type Codec struct{ opts Options }

// Default is Opus with the default Options: 8 kHz PCM in 20 ms frames of
// 160 samples, like G.711. Importing the package registers it with
// [codec.Register], so that calls can negotiate "opus".
var Default = &Codec{opts: must(Options{}.normalize())}

func init() { codec.Register(Default) }

func must(o Options, err error) Options {
	if err != nil {
		panic(err)
	}
	return o
}

// New returns an Opus codec with the given options.
func New(o Options) (*Codec, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, err
	}
	return &Codec{opts: o}, nil
}

// Info describes Opus for SDP: "opus/48000/2", a dynamic payload type. Its
// ClockRate is the RTP clock (48000), not the PCM rate: see PCMRate.
func (c *Codec) Info() codec.Info {
	return codec.Info{Name: "opus", EncodingName: "opus", ClockRate: ClockRate, Channels: 2, StaticPayloadType: -1}
}

// Fmtp returns [Fmtp], the a=fmtp parameters of our Opus rtpmap.
func (c *Codec) Fmtp() string { return Fmtp }

// PCMRate returns the sample rate of the PCM the codec's encoders take and
// its decoders give. An RTP timestamp step is PCM samples × ClockRate /
// PCMRate (× 6 at 8 kHz).
func (c *Codec) PCMRate() int { return c.opts.PCMRate }

// Options returns the codec's options, defaults filled in.
func (c *Codec) Options() Options { return c.opts }

// NewEncoder returns a new *Encoder. It panics if libopus cannot make one,
// which with checked options means it is out of memory.
func (c *Codec) NewEncoder() codec.Encoder {
	e, err := NewEncoder(c.opts)
	if err != nil {
		panic(err)
	}
	return e
}

// NewDecoder returns a new *Decoder. It panics if libopus cannot make one,
// which with checked options means it is out of memory.
func (c *Codec) NewDecoder() codec.Decoder {
	d, err := NewDecoder(c.opts)
	if err != nil {
		panic(err)
	}
	return d
}

// Error is an error code from libopus.
type Error int

// Error returns libopus's description of the code.
func (e Error) Error() string { return "opus: " + strerror(int(e)) }

// ErrClosed is returned by an encoder or decoder used after Close.
var ErrClosed = errors.New("opus: use after Close")

// frameOK reports whether n samples at rate are one Opus frame duration:
// 2.5, 5, 10, 20, 40 or 60 ms.
func frameOK(n, rate int) bool {
	unit := rate / 400 // 2.5 ms
	switch n {
	case unit, 2 * unit, 4 * unit, 8 * unit, 16 * unit, 24 * unit:
		return true
	}
	return false
}
