// Package rtp packetises and depacketises one audio stream (RFC 3550): the
// [Sender] numbers and stamps outgoing packets and sends RFC 4733 telephone
// events, the [JitterBuffer] reorders incoming packets and plays them out at
// a steady pace, [Reception] keeps the statistics an RTCP receiver report
// needs, and [Reports] writes and reads those reports with pion/rtcp.
//
// Nothing here touches a socket: the media session owns the sockets and the
// clock and calls these types from its goroutines.
package rtp

import (
	"math/rand/v2"

	pionrtp "github.com/pion/rtp"
)

// HeaderLen is the size of the RTP header we write (no CSRC, no extension).
const HeaderLen = 12

// Sender stamps the outgoing packets of one stream. It is not safe for
// concurrent use; the media loop owns it.
type Sender struct {
	ssrc uint32
	seq  uint16
	// ts is the RTP timestamp of the next frame: it advances with the
	// media clock whether or not packets are sent.
	ts uint32
	// talkspurt marks the next audio packet as the start of a talkspurt.
	talkspurt bool

	packets, octets uint32 // for RTCP sender reports
	lastTS          uint32 // timestamp of the last packet sent
	sentAny         bool

	event *eventState
}

// NewSender returns a sender with a random SSRC, first sequence number and
// first timestamp (RFC 3550 §5.1).
func NewSender() *Sender {
	return &Sender{ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(), talkspurt: true}
}

// SSRC returns the stream's synchronisation source.
func (s *Sender) SSRC() uint32 { return s.ssrc }

// Timestamp returns the RTP timestamp of the next frame.
func (s *Sender) Timestamp() uint32 { return s.ts }

// Counts returns the packets and payload octets sent (RFC 3550 §6.4.1).
func (s *Sender) Counts() (packets, octets uint32) { return s.packets, s.octets }

// LastTimestamp returns the timestamp of the last packet sent and whether
// any was sent.
func (s *Sender) LastTimestamp() (uint32, bool) { return s.lastTS, s.sentAny }

// AppendAudio appends one audio packet carrying payload (samples long at the
// codec clock) to dst and advances the timestamp. The first packet after
// NewSender, Pause or a telephone event has the marker bit.
func (s *Sender) AppendAudio(dst []byte, pt uint8, payload []byte, samples int) []byte {
	dst = s.appendHeader(dst, pt, s.ts, s.talkspurt)
	dst = append(dst, payload...)
	s.octets += uint32(len(payload))
	s.talkspurt = false
	s.ts += uint32(samples)
	return dst
}

// Pause advances the timestamp by samples without sending, as while on hold;
// the next audio packet starts a new talkspurt. A telephone event being
// sent is abandoned.
func (s *Sender) Pause(samples int) {
	s.ts += uint32(samples)
	s.talkspurt = true
	s.event = nil
}

func (s *Sender) appendHeader(dst []byte, pt uint8, ts uint32, marker bool) []byte {
	h := pionrtp.Header{Version: 2, Marker: marker, PayloadType: pt, SequenceNumber: s.seq, Timestamp: ts, SSRC: s.ssrc}
	n := len(dst)
	dst = append(dst, make([]byte, HeaderLen)...)
	_, _ = h.MarshalTo(dst[n:]) // cannot fail: the buffer has room for the fixed header
	s.seq++
	s.packets++
	s.lastTS = ts
	s.sentAny = true
	return dst
}
