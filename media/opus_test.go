package media

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/rtp"
)

// TestOpusToneCrossesTheCall is TestToneCrossesTheCall with Opus: A
// prefers Opus, B prefers PCMU but has Opus, so the answer takes Opus (the
// offer's order wins). Each far end must hear its tone at SNR > 20 dB for
// a recording as long as the call, with no loss.
func TestOpusToneCrossesTheCall(t *testing.T) {
	recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
	a := newSession(t, Config{Codecs: []string{"opus", "pcmu"}, Source: NewToneSource(440, 0.5), Sink: recA})
	b := newSession(t, Config{Codecs: []string{"pcmu", "opus"}, Source: NewToneSource(1000, 0.5), Sink: recB})
	negotiate(t, a, b)
	if a.Codec() != "opus" || b.Codec() != "opus" {
		t.Fatalf("negotiated %q and %q, want opus", a.Codec(), b.Codec())
	}
	start(t, a)
	began := time.Now()
	start(t, b)
	waitFrames(t, recB, 100)
	elapsed := time.Since(began)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	heardB, rate := recB.Samples()
	tb := mediatest.Measure(heardB, rate, 440)
	if tb.SNR < 20 || tb.Level < -12 {
		t.Errorf("B heard 440 Hz at %.1f dBFS, SNR %.1f dB; want SNR > 20 dB (B: %+v)", tb.Level, tb.SNR, b.Stats())
	}
	heardA, _ := recA.Samples()
	ta := mediatest.Measure(heardA, rate, 1000)
	if ta.SNR < 20 {
		t.Errorf("A heard 1000 Hz with SNR %.1f dB (A: %+v)", ta.SNR, a.Stats())
	}
	length := time.Duration(len(heardB)) * time.Second / time.Duration(rate)
	if d := math.Abs(float64(length-elapsed)) / float64(elapsed); d > 0.05 {
		t.Errorf("B's recording lasts %v for a call of %v (%.1f%% off)", length, elapsed, 100*d)
	}
	st := b.Stats()
	if st.PacketsReceived < 80 || st.PacketsSent < 80 || st.PacketsLost != 0 || st.Codec != "opus" || st.BytesReceived >= 160*st.PacketsReceived {
		t.Errorf("B's stats after 2 s: %+v", st)
	}
	if st.Jitter > 50*time.Millisecond {
		t.Errorf("B measured %v of jitter on loopback: are timestamps read at the wrong clock?", st.Jitter)
	}
	t.Logf("B heard 440 Hz at %.1f dBFS, SNR %.1f dB; A heard 1000 Hz at %.1f dBFS, SNR %.1f dB; %.1f kbit/s; B: %+v",
		tb.Level, tb.SNR, ta.Level, ta.SNR, float64(st.BytesReceived*8)/elapsed.Seconds()/1000, st)
}

// TestOpusSDP checks what we offer and answer with Opus: opus/48000/2
// with its fmtp in the configured order, telephone-event at 48000 next to
// Opus and at 8000 next to G.711; the answer takes the offer's first
// codec we have and the telephone-event of its clock.
func TestOpusSDP(t *testing.T) {
	a := newSession(t, Config{Codecs: []string{"opus", "pcmu", "pcma"}})
	offer, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m=audio " + itoa(a.LocalAddr().Port) + " RTP/AVP 111 0 8 110 101\r\n",
		"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n",
		"a=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-16\r\n", "a=rtpmap:101 telephone-event/8000\r\n"} {
		if !bytes.Contains(offer, []byte(want)) {
			t.Errorf("the offer lacks %q:\n%s", want, offer)
		}
	}
	for _, tc := range []struct {
		codecs        []string
		want, notWant []string
	}{
		{[]string{"pcma", "opus"}, []string{"RTP/AVP 111 110\r\n", "a=rtpmap:111 opus/48000/2\r\n", "a=fmtp:111 minptime=10;useinbandfec=1\r\n", "a=rtpmap:110 telephone-event/48000\r\n"}, []string{"/8000"}},
		{[]string{"pcmu"}, []string{"RTP/AVP 0 101\r\n", "a=rtpmap:101 telephone-event/8000\r\n"}, []string{"opus", "48000"}},
	} {
		b := newSession(t, Config{Codecs: tc.codecs})
		answer, err := b.Answer(offer)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !bytes.Contains(answer, []byte(w)) {
				t.Errorf("%v: the answer lacks %q:\n%s", tc.codecs, w, answer)
			}
		}
		for _, w := range tc.notWant {
			if bytes.Contains(answer, []byte(w)) {
				t.Errorf("%v: the answer has %q:\n%s", tc.codecs, w, answer)
			}
		}
	}
	// The offerer reads an answer in its own payload types, with a far
	// end's own numbers for Opus and its telephone-event.
	answer := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 96 97\r\n" +
		"a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=rtpmap:97 telephone-event/48000\r\n"
	if err := a.SetAnswer([]byte(answer)); err != nil {
		t.Fatal(err)
	}
	if f := a.flow.Load(); a.Codec() != "opus" || f.sendPT != 96 || f.sendEvt != 97 || f.recvEvt != 110 || f.ticks != 960 || f.clock != 48000 || f.recvPT[111] == nil || f.recvPT[0] != nil {
		t.Errorf("after an Opus answer: codec %q, flow %+v", a.Codec(), f)
	}
}

// TestOpusOnTheWire reads what an Opus session sends: timestamps 960 apart
// for 20 ms frames (the 48 kHz clock), the marker on the first packet, and
// a DTMF key as telephone-event/48000 whose durations count 48 kHz.
func TestOpusOnTheWire(t *testing.T) {
	far, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	a := newSession(t, Config{Codecs: []string{"opus"}, Source: NewToneSource(440, 0.5)})
	if _, err := a.Offer(); err != nil {
		t.Fatal(err)
	}
	port := far.LocalAddr().(*net.UDPAddr).Port
	answer := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 111 110\r\n"+
		"a=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\na=sendrecv\r\n", port)
	if err := a.SetAnswer([]byte(answer)); err != nil {
		t.Fatal(err)
	}
	start(t, a)
	if err := far.SetReadDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	read := func() pionrtp.Packet {
		t.Helper()
		n, err := far.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		var p pionrtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := read()
	if first.PayloadType != 111 || !first.Marker {
		t.Errorf("first packet: PT %d, marker %v", first.PayloadType, first.Marker)
	}
	prev := first
	for range 10 {
		p := read()
		if p.PayloadType != 111 || p.Timestamp-prev.Timestamp != 960 || p.SequenceNumber != prev.SequenceNumber+1 || len(p.Payload) == 0 || len(p.Payload) > 200 {
			t.Fatalf("after ts %d seq %d: PT %d ts %d seq %d, %d bytes", prev.Timestamp, prev.SequenceNumber, p.PayloadType, p.Timestamp, p.SequenceNumber, len(p.Payload))
		}
		prev = p
	}
	if err := a.SendDTMF('7', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var durations []uint16
	for {
		p := read()
		if p.PayloadType != 110 {
			continue
		}
		ev, err := rtp.ParseEvent(p.Payload)
		if err != nil || ev.Code != 7 {
			t.Fatalf("event %+v, %v", ev, err)
		}
		durations = append(durations, ev.Duration)
		if ev.End {
			break
		}
	}
	for i, d := range durations {
		if d != uint16(min(960*(i+1), 4800)) {
			t.Fatalf("event durations %v, want 960 more a frame up to 4800 (100 ms at 48 kHz)", durations)
		}
	}
}

// TestOpusDTMF sends keys between two Opus sessions (telephone-event/48000).
func TestOpusDTMF(t *testing.T) {
	a := newSession(t, Config{Codecs: []string{"opus"}, Source: NewToneSource(440, 0.3)})
	b := newSession(t, Config{Codecs: []string{"opus", "pcmu"}})
	negotiate(t, a, b)
	start(t, a, b)
	for _, key := range "42#" {
		if err := a.SendDTMF(key, 80*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	var got []rune
	timeout := time.After(guard)
	for len(got) < 3 {
		select {
		case k := <-b.DTMF():
			got = append(got, k)
		case <-timeout:
			t.Fatalf("received %q of 42#", string(got))
		}
	}
	if string(got) != "42#" {
		t.Errorf("received %q, want 42#", string(got))
	}
}
