package media

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestWebRTCToneCrossesTheCall runs a call in the WebRTC profile between
// two sessions on loopback (ICE, DTLS-SRTP, BUNDLE, rtcp-mux by pion) and
// checks each far end heard its tone cleanly, with each codec.
func TestWebRTCToneCrossesTheCall(t *testing.T) {
	for _, name := range []string{"opus", "pcmu"} {
		t.Run(name, func(t *testing.T) {
			recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
			a := newSession(t, Config{Codecs: []string{name}, Source: NewToneSource(440, 0.5), Sink: recA, WebRTC: &WebRTCConfig{}})
			// B has no WebRTC config: a plain session still answers a
			// WebRTC offer.
			b := newSession(t, Config{Codecs: []string{"opus", "pcmu"}, Source: NewToneSource(1000, 0.5), Sink: recB})
			offer, answer := negotiate(t, a, b)
			for _, want := range []string{"UDP/TLS/RTP/SAVPF", "a=fingerprint:", "a=ice-ufrag:", "a=rtcp-mux", "a=group:BUNDLE", "a=setup:actpass", "typ host"} {
				if !bytes.Contains(offer, []byte(want)) {
					t.Errorf("the offer lacks %q:\n%s", want, offer)
				}
			}
			if !bytes.Contains(answer, []byte("a=setup:active")) || bytes.Contains(answer, []byte("a=crypto")) {
				t.Errorf("the answer should take the DTLS client role and carry no SDES key:\n%s", answer)
			}
			if a.Codec() != name || b.Codec() != name {
				t.Fatalf("negotiated %q and %q, want %q", a.Codec(), b.Codec(), name)
			}
			start(t, a, b)
			// DTLS takes a moment: count the call from the first packet.
			waitReceiving(t, a)
			waitReceiving(t, b)
			waitFrames(t, recB, recB.Frames()+100)
			waitFrames(t, recA, recA.Frames()+60)
			_ = b.Close()
			_ = a.Close()
			for _, c := range []struct {
				who  string
				rec  *mediatest.Recorder
				tone float64
				st   Stats
			}{{"B", recB, 440, b.Stats()}, {"A", recA, 1000, a.Stats()}} {
				heard, rate := c.rec.Samples()
				// The last second: the first frames are silence until DTLS
				// connects.
				tail := heard[len(heard)-rate:]
				if got := mediatest.Measure(tail, rate, c.tone); got.SNR < 20 || got.Level < -12 {
					t.Errorf("%s heard %.0f Hz at %.1f dBFS, SNR %.1f dB; want SNR > 20 dB (stats %+v)", c.who, c.tone, got.Level, got.SNR, c.st)
				}
				if c.st.SRTP != WebRTCSuite || c.st.PacketsReceived < 50 || c.st.PacketsSent < 50 {
					t.Errorf("%s's stats: %+v", c.who, c.st)
				}
			}
		})
	}
}

// TestWebRTCHoldAndDTMF holds a WebRTC call by a re-offer (the SDP says
// sendonly, and the held side stops sending) and sends RFC 4733 digits
// over it.
func TestWebRTCHoldAndDTMF(t *testing.T) {
	recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.5), Sink: recA, WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{Source: NewToneSource(1000, 0.5), Sink: recB, WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	start(t, a, b)
	waitFrames(t, recA, 25)
	bSent := func() uint64 { return b.Stats().PacketsSent }
	packetsFlow(t, "B to A", recA, bSent)

	for _, d := range "19#" {
		if err := a.SendDTMF(d, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	var got []rune
	timeout := time.After(guard)
	for len(got) < 3 {
		select {
		case d := <-b.DTMF():
			got = append(got, d)
		case <-timeout:
			t.Fatalf("B received digits %q, want \"19#\"", string(got))
		}
	}
	if string(got) != "19#" {
		t.Errorf("B received digits %q, want \"19#\"", string(got))
	}

	a.SetDirection(SendOnly)
	offer, answer := negotiate(t, a, b)
	if !bytes.Contains(offer, []byte("a=sendonly")) || !bytes.Contains(answer, []byte("a=recvonly")) {
		t.Fatalf("hold offer/answer:\n%s\n%s", offer, answer)
	}
	if b.RemoteDirection() != SendOnly || a.RemoteDirection() != RecvOnly {
		t.Errorf("directions: B sees %v, A sees %v", b.RemoteDirection(), a.RemoteDirection())
	}
	packetsStop(t, "B's RTP while held", recA, bSent)

	a.SetDirection(SendRecv)
	negotiate(t, a, b)
	packetsFlow(t, "B to A after resume", recA, bSent)
	mark := recA.Frames()
	waitFrames(t, recA, mark+50)
	heard, rate := recA.Samples()
	if got := mediatest.Measure(heard[mark*frameLen:], rate, 1000); got.SNR < 20 {
		t.Errorf("after resume A hears 1000 Hz with SNR %.1f dB", got.SNR)
	}
}

// TestWebRTCRefusals: a plain call cannot turn into a WebRTC one and the
// reverse, and a WebRTC offer without a codec we know is refused.
func TestWebRTCRefusals(t *testing.T) {
	a := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{})
	negotiate(t, a, b)
	plain := newSession(t, Config{})
	offer, err := plain.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Answer(offer); !errors.Is(err, ErrNotAcceptable) {
		t.Errorf("a plain re-offer on a WebRTC call: %v, want ErrNotAcceptable", err)
	}

	c := newSession(t, Config{})
	if _, err := c.Answer([]byte(strings.ReplaceAll(string(chromeOffer), "111 0 8 126", "96"))); !errors.Is(err, ErrNotAcceptable) {
		t.Errorf("a WebRTC offer with no common codec: %v, want ErrNotAcceptable", err)
	}
}

// TestWebRTCAnswersChrome answers an offer as Chromium writes it: the
// answer keeps its payload types and picks Opus.
func TestWebRTCAnswersChrome(t *testing.T) {
	s := newSession(t, Config{})
	answer, err := s.Answer(chromeOffer)
	if err != nil {
		t.Fatal(err)
	}
	if s.Codec() != "opus" {
		t.Errorf("codec %q, want opus", s.Codec())
	}
	for _, want := range []string{"a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "a=mid:0", "a=setup:active", "a=sendrecv"} {
		if !bytes.Contains(answer, []byte(want)) {
			t.Errorf("the answer lacks %q:\n%s", want, answer)
		}
	}
	if f := s.flow.Load(); f == nil || f.sendPT != 111 || math.Abs(float64(f.clock-48000)) > 0 {
		t.Errorf("flow %+v, want Opus on 111 at 48 kHz", f)
	}
}

// chromeOffer is an audio offer as Chromium 120 writes it (candidates cut
// to one loopback host candidate).
var chromeOffer = []byte("v=0\r\n" +
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"a=extmap-allow-mixed\r\n" +
	"a=msid-semantic: WMS stream\r\n" +
	"m=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 126\r\n" +
	"c=IN IP4 127.0.0.1\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\n" +
	"a=candidate:1 1 udp 2113937151 127.0.0.1 40000 typ host generation 0 network-cost 999\r\n" +
	"a=ice-ufrag:EsAw\r\n" +
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
	"a=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:AD:30:BC:BD:F1:9C:02\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
	"a=sendrecv\r\n" +
	"a=msid:stream track\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtcp-rsize\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"a=rtcp-fb:111 transport-cc\r\n" +
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:8 PCMA/8000\r\n" +
	"a=rtpmap:126 telephone-event/8000\r\n" +
	"a=ssrc:1001 cname:abc\r\n")
