// Package codec describes the audio codecs a call can negotiate and turns
// 20 ms frames of linear PCM into RTP payloads and back.
//
// A [Codec] names itself for SDP and makes per-stream [Encoder] and [Decoder]
// values; a Decoder also conceals lost audio, so the jitter buffer never needs
// to know which codec it plays. G.711 (PCMU, PCMA) is here; other codecs
// (Opus, in media/codec/opus) add themselves with [Register].
package codec

import (
	"strings"
	"sync"
)

// Info is what SDP says about a codec.
type Info struct {
	// Name is the configuration name ("pcmu").
	Name string
	// EncodingName is the rtpmap encoding name ("PCMU").
	EncodingName string
	// ClockRate is the RTP clock rate in Hz. It is also the PCM sample
	// rate unless the codec says otherwise (see [PCMRate]).
	ClockRate int
	// Channels is the number of audio channels on the wire.
	Channels int
	// StaticPayloadType is the RFC 3551 payload type, or -1 for a dynamic one.
	StaticPayloadType int
}

// Codec is one audio codec.
type Codec interface {
	// Info describes the codec for SDP.
	Info() Info
	// NewEncoder returns an encoder for one outgoing stream.
	NewEncoder() Encoder
	// NewDecoder returns a decoder for one incoming stream.
	NewDecoder() Decoder
}

// Encoder turns PCM frames into RTP payloads.
type Encoder interface {
	// Encode appends the payload for pcm (mono, at the codec's clock rate)
	// to dst and returns the extended slice.
	Encode(dst []byte, pcm []int16) []byte
}

// Decoder turns RTP payloads into PCM and conceals missing audio.
type Decoder interface {
	// Samples returns how many samples payload decodes to.
	Samples(payload []byte) int
	// Decode appends the samples of payload to dst and returns the extended
	// slice.
	Decode(dst []int16, payload []byte) []int16
	// Conceal fills pcm with a guess of the audio that is missing right
	// after the last decoded or concealed samples.
	Conceal(pcm []int16)
}

// PCMU and PCMA are G.711 µ-law and A-law at 8 kHz (RFC 3551 payload types
// 0 and 8).
var (
	PCMU Codec = g711Codec{ulaw: true}
	PCMA Codec = g711Codec{}
)

var (
	regMu      sync.RWMutex
	registered []Codec
)

// Register adds c to the codecs [All] lists and [ByName] finds, after the
// built-in ones, in the order of registration. Codec packages call it from
// their init (media imports media/codec/opus for its side effect). A codec
// whose name is already known is ignored.
func Register(c Codec) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, k := range append([]Codec{PCMU, PCMA}, registered...) {
		if strings.EqualFold(k.Info().Name, c.Info().Name) {
			return
		}
	}
	registered = append(registered, c)
}

// All lists the codecs this build can negotiate, in the default preference
// order: PCMU, PCMA, then the registered ones.
func All() []Codec {
	regMu.RLock()
	defer regMu.RUnlock()
	return append([]Codec{PCMU, PCMA}, registered...)
}

// ByName finds a codec by its configuration name or SDP encoding name,
// ignoring case.
func ByName(name string) (Codec, bool) {
	for _, c := range All() {
		if strings.EqualFold(c.Info().Name, name) || strings.EqualFold(c.Info().EncodingName, name) {
			return c, true
		}
	}
	return nil, false
}

// PCMRate returns the sample rate of the PCM c's encoders take and its
// decoders give: what a PCMRate() int method says (Opus: 8000 by default
// while its RTP clock is 48000), else Info().ClockRate.
func PCMRate(c Codec) int {
	if r, ok := c.(interface{ PCMRate() int }); ok {
		return r.PCMRate()
	}
	return c.Info().ClockRate
}

// Fmtp returns the a=fmtp parameters c wants in SDP (Opus:
// "minptime=10;useinbandfec=1"), from an Fmtp() string method, else "".
func Fmtp(c Codec) string {
	if f, ok := c.(interface{ Fmtp() string }); ok {
		return f.Fmtp()
	}
	return ""
}

// FECDecoder is a Decoder that can recover lost audio from forward error
// correction data in the packet after the loss (Opus in-band FEC). The
// jitter buffer uses it, when the decoder has it, for a gap followed by a
// packet it already holds.
type FECDecoder interface {
	Decoder
	// DecodeFEC appends samples of audio lost just before next, recovered
	// from next's FEC data (or concealed when it has none), and returns the
	// extended slice. next is then decoded as usual.
	DecodeFEC(dst []int16, next []byte, samples int) ([]int16, error)
}
