// Package codec describes the audio codecs a call can negotiate and turns
// 20 ms frames of linear PCM into RTP payloads and back.
//
// A [Codec] names itself for SDP and makes per-stream [Encoder] and [Decoder]
// values; a Decoder also conceals lost audio, so the jitter buffer never needs
// to know which codec it plays. G.711 (PCMU, PCMA) is here; Opus comes in the
// second phase of the audio work.
package codec

import "strings"

// Info is what SDP says about a codec.
type Info struct {
	// Name is the configuration name ("pcmu").
	Name string
	// EncodingName is the rtpmap encoding name ("PCMU").
	EncodingName string
	// ClockRate is the RTP clock rate in Hz, also the PCM sample rate.
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

// All lists the codecs this build can negotiate, in the default preference
// order.
func All() []Codec { return []Codec{PCMU, PCMA} }

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
