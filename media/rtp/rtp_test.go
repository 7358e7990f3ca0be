package rtp

import (
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"
)

func parse(t *testing.T, b []byte) *pionrtp.Packet {
	t.Helper()
	var p pionrtp.Packet
	if err := p.Unmarshal(b); err != nil {
		t.Fatalf("our packet does not parse: %v", err)
	}
	return &p
}

func TestSenderNumbersAndMarks(t *testing.T) {
	s := NewSender()
	payload := make([]byte, 160)
	var pkts []*pionrtp.Packet
	for range 3 {
		pkts = append(pkts, parse(t, s.AppendAudio(nil, 0, payload, 160)))
	}
	s.Pause(320)
	pkts = append(pkts, parse(t, s.AppendAudio(nil, 0, payload, 160)))
	for i, p := range pkts {
		if p.Version != 2 || p.SSRC != s.SSRC() || p.PayloadType != 0 || len(p.Payload) != 160 {
			t.Fatalf("packet %d: %v", i, p)
		}
		if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Errorf("packet %d: sequence %d after %d", i, p.SequenceNumber, pkts[i-1].SequenceNumber)
		}
	}
	if pkts[1].Timestamp-pkts[0].Timestamp != 160 || pkts[3].Timestamp-pkts[2].Timestamp != 480 {
		t.Errorf("timestamps %d %d %d %d", pkts[0].Timestamp, pkts[1].Timestamp, pkts[2].Timestamp, pkts[3].Timestamp)
	}
	if !pkts[0].Marker || pkts[1].Marker || pkts[2].Marker || !pkts[3].Marker {
		t.Errorf("markers %v %v %v %v, want a marker on each talkspurt start", pkts[0].Marker, pkts[1].Marker, pkts[2].Marker, pkts[3].Marker)
	}
	if n, o := s.Counts(); n != 4 || o != 640 {
		t.Errorf("counts %d packets %d octets", n, o)
	}
}

// TestEventPackets checks RFC 4733 §2.5: same timestamp in every packet of
// the event, marker on the first, growing duration, end bit on the last
// three, sequence numbers increasing, audio after it starting a talkspurt.
func TestEventPackets(t *testing.T) {
	s := NewSender()
	s.AppendAudio(nil, 0, make([]byte, 160), 160)
	start := s.Timestamp()
	s.StartEvent(101, 5, 800)
	var pkts []*pionrtp.Packet
	for s.InEvent() {
		var out [][]byte
		_, out = s.AppendEventFrame(nil, 160)
		for _, b := range out {
			pkts = append(pkts, parse(t, b))
		}
	}
	if len(pkts) != 4+EndRepeats {
		t.Fatalf("%d event packets, want %d", len(pkts), 4+EndRepeats)
	}
	for i, p := range pkts {
		ev, err := ParseEvent(p.Payload)
		if err != nil {
			t.Fatal(err)
		}
		wantDur := min(160*(i+1), 800)
		if p.Timestamp != start || p.PayloadType != 101 || ev.Code != 5 || int(ev.Duration) != wantDur || ev.End != (i >= 4) || p.Marker != (i == 0) {
			t.Errorf("packet %d: ts %d pt %d marker %v event %+v", i, p.Timestamp, p.PayloadType, p.Marker, ev)
		}
		if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Errorf("packet %d: sequence not increasing", i)
		}
	}
	after := parse(t, s.AppendAudio(nil, 0, make([]byte, 160), 160))
	if !after.Marker || after.Timestamp != start+800 {
		t.Errorf("audio after the event: marker %v ts %d, want true %d", after.Marker, after.Timestamp, start+800)
	}
	s.StartEvent(101, 1, 800)
	s.Pause(160)
	if s.InEvent() {
		t.Error("an event survives a pause (hold)")
	}
}

func TestEventDetectorOncePerEvent(t *testing.T) {
	s := NewSender()
	var d EventDetector
	var got []rune
	for _, key := range "159#*" {
		code, err := EventCode(key)
		if err != nil {
			t.Fatal(err)
		}
		s.StartEvent(101, code, 480)
		for s.InEvent() {
			_, out := s.AppendEventFrame(nil, 160)
			for _, b := range out {
				p := parse(t, b)
				if r, ok := d.Feed(p.Timestamp, p.Payload); ok {
					got = append(got, r)
				}
			}
		}
	}
	if string(got) != "159#*" {
		t.Errorf("detected %q, want %q", string(got), "159#*")
	}
	if _, err := EventCode('x'); err == nil {
		t.Error("EventCode('x') accepted")
	}
	for code := range uint8(17) {
		r, ok := EventDigit(code)
		back, err := EventCode(r)
		if !ok || err != nil || back != code {
			t.Errorf("event %d -> %q -> %d", code, r, back)
		}
	}
}

func TestReceptionCountsLoss(t *testing.T) {
	r := NewReception(8000)
	now := time.Now()
	seq := uint16(65530) // wraps
	for i := range 100 {
		if i%10 == 3 {
			seq++
			continue // lost
		}
		r.Update(7, seq, uint32(i*160), 160, now.Add(time.Duration(i)*20*time.Millisecond))
		seq++
	}
	if lost := r.Lost(); lost != 10 {
		t.Errorf("lost %d, want 10", lost)
	}
	rr, ok := r.Report(now)
	if !ok || rr.TotalLost != 10 || rr.SSRC != 7 || rr.FractionLost == 0 || rr.LastSequenceNumber != 1<<16+uint32(seq-1) {
		t.Errorf("report %+v", rr)
	}
	if r.Jitter() > time.Millisecond {
		t.Errorf("jitter %v on a perfectly paced stream", r.Jitter())
	}
}

func TestReportRoundTrip(t *testing.T) {
	a, b := NewSender(), NewSender()
	ra, rb := NewReception(8000), NewReception(8000)
	now := time.Now()
	for i := range 10 {
		pkt := parse(t, a.AppendAudio(nil, 0, make([]byte, 160), 160))
		rb.Update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, 160, now)
		pkt = parse(t, b.AppendAudio(nil, 0, make([]byte, 160), 160))
		ra.Update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, 160, now.Add(time.Duration(i)*time.Millisecond))
	}
	sr, err := Report(a, ra, "a@ringdesk", a.Timestamp(), true, now)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseReport(sr, b.SSRC(), now)
	if err != nil || in.SenderSSRC != a.SSRC() || in.SenderNTP == 0 {
		t.Fatalf("SR read back as %+v, %v", in, err)
	}
	rb.SenderReport(in.SenderNTP, now)
	later := now.Add(30 * time.Millisecond)
	rr, err := Report(b, rb, "b@ringdesk", b.Timestamp(), true, later)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseReport(rr, a.SSRC(), later.Add(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if back.RTT < 5*time.Millisecond || back.RTT > 15*time.Millisecond {
		t.Errorf("RTT %v, want about 10ms", back.RTT)
	}
	bye, err := Bye(a, "a@ringdesk")
	if err != nil {
		t.Fatal(err)
	}
	if in, err := ParseReport(bye, 0, now); err != nil || !in.Bye {
		t.Errorf("BYE read back as %+v, %v", in, err)
	}
	if _, err := ParseReport([]byte{1, 2, 3}, 0, now); err == nil {
		t.Error("garbage RTCP parsed")
	}
}
