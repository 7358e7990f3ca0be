package rtp

import (
	"encoding/binary"
	"fmt"
)

// EndRepeats is how many times the final packet of a telephone event is
// sent (RFC 4733 §2.5.1.4 recommends three).
const EndRepeats = 3

// eventVolume is the power level of the tone we describe, -10 dBm0.
const eventVolume = 10

// EventCode returns the RFC 4733 event code of a DTMF key: 0-9, '*' (10),
// '#' (11), 'A'-'D' (12-15) and '!' for flash (16).
func EventCode(digit rune) (uint8, error) {
	switch {
	case digit >= '0' && digit <= '9':
		return uint8(digit - '0'), nil
	case digit == '*':
		return 10, nil
	case digit == '#':
		return 11, nil
	case digit >= 'A' && digit <= 'D':
		return uint8(digit-'A') + 12, nil
	case digit >= 'a' && digit <= 'd':
		return uint8(digit-'a') + 12, nil
	case digit == '!':
		return 16, nil
	}
	return 0, fmt.Errorf("%q is not a DTMF key (0-9, *, #, A-D, ! for flash)", digit)
}

// EventDigit is the inverse of EventCode; it reports false for other events.
func EventDigit(code uint8) (rune, bool) {
	switch {
	case code <= 9:
		return rune('0' + code), true
	case code == 10:
		return '*', true
	case code == 11:
		return '#', true
	case code <= 15:
		return rune('A' + code - 12), true
	case code == 16:
		return '!', true
	}
	return 0, false
}

// Event is the payload of a telephone-event packet (RFC 4733 §2.3).
type Event struct {
	Code     uint8
	End      bool
	Volume   uint8
	Duration uint16
}

// ParseEvent reads a telephone-event payload.
func ParseEvent(payload []byte) (Event, error) {
	if len(payload) < 4 {
		return Event{}, fmt.Errorf("telephone-event payload of %d bytes, need 4", len(payload))
	}
	return Event{Code: payload[0], End: payload[1]&0x80 != 0, Volume: payload[1] & 0x3F, Duration: binary.BigEndian.Uint16(payload[2:])}, nil
}

// Append appends the 4-byte payload of e to dst.
func (e Event) Append(dst []byte) []byte {
	flags := e.Volume & 0x3F
	if e.End {
		flags |= 0x80
	}
	return binary.BigEndian.AppendUint16(append(dst, e.Code, flags), e.Duration)
}

// eventState is a telephone event being sent.
type eventState struct {
	pt       uint8
	code     uint8
	start    uint32 // timestamp of the event: the same in all its packets
	length   uint32 // wanted duration in timestamp units
	duration uint32 // duration reached so far
}

// StartEvent begins sending DTMF key code for length timestamp units: the
// next calls to AppendEventFrame replace audio frames until the event ends.
func (s *Sender) StartEvent(pt, code uint8, length int) {
	s.event = &eventState{pt: pt, code: code, start: s.ts, length: uint32(min(max(length, 1), 0xFFFF))}
}

// InEvent reports whether an event is being sent.
func (s *Sender) InEvent() bool { return s.event != nil }

// AppendEventFrame appends the packets for the next frame (samples long) of
// the current event to dst: one packet per frame while the key is down, the
// first with the marker bit, then the end packet EndRepeats times with the
// same timestamp and duration (RFC 4733 §2.5.1). It returns the packets as
// slices of the extended dst.
func (s *Sender) AppendEventFrame(dst []byte, samples int) ([]byte, [][]byte) {
	e := s.event
	if e == nil {
		return dst, nil
	}
	marker := e.duration == 0
	e.duration = min(e.duration+uint32(samples), e.length)
	s.ts += uint32(samples)
	ev := Event{Code: e.code, Volume: eventVolume, Duration: uint16(e.duration)}
	repeats := 1
	if e.duration >= e.length {
		ev.End, repeats = true, EndRepeats
		s.event = nil
		s.talkspurt = true
	}
	pkts := make([][]byte, 0, repeats)
	for i := range repeats {
		n := len(dst)
		dst = s.appendHeader(dst, e.pt, e.start, marker && i == 0)
		dst = ev.Append(dst)
		s.octets += 4
		pkts = append(pkts, dst[n:])
	}
	return dst, pkts
}

// EventDetector turns received telephone-event packets into key presses:
// one per event, whichever of its packets arrive and however often the
// end packet is repeated.
type EventDetector struct {
	last    uint32
	haveAny bool
}

// Feed takes a packet's timestamp and payload and returns the key when the
// packet belongs to an event not reported yet.
func (d *EventDetector) Feed(ts uint32, payload []byte) (rune, bool) {
	ev, err := ParseEvent(payload)
	if err != nil {
		return 0, false
	}
	if d.haveAny && ts == d.last {
		return 0, false
	}
	digit, ok := EventDigit(ev.Code)
	if !ok {
		return 0, false
	}
	d.last, d.haveAny = ts, true
	return digit, true
}
