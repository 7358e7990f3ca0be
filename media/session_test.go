package media

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// guard bounds every wait of a test; it is never how a test waits.
const guard = 10 * time.Second

func newSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	cfg.LocalIP = "127.0.0.1"
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// negotiate runs one offer/answer exchange from a to b.
func negotiate(t *testing.T, a, b *Session) (offer, answer []byte) {
	t.Helper()
	offer, err := a.Offer()
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}
	answer, err = b.Answer(offer)
	if err != nil {
		t.Fatalf("Answer: %v\noffer:\n%s", err, offer)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatalf("SetAnswer: %v\nanswer:\n%s", err, answer)
	}
	return offer, answer
}

func start(t *testing.T, sessions ...*Session) {
	t.Helper()
	for _, s := range sessions {
		if err := s.Start(); err != nil {
			t.Fatalf("Start: %v", err)
		}
	}
}

func waitFrames(t *testing.T, r *mediatest.Recorder, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := r.WaitFrames(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// TestToneCrossesTheCall plays 440 Hz from A and 1000 Hz from B for two
// seconds and checks each far end heard its tone cleanly, for a recording
// as long as the call.
func TestToneCrossesTheCall(t *testing.T) {
	for _, name := range []string{"pcmu", "pcma"} {
		t.Run(name, func(t *testing.T) {
			recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
			a := newSession(t, Config{Codecs: []string{name}, Source: NewToneSource(440, 0.5), Sink: recA})
			b := newSession(t, Config{Codecs: []string{"pcmu", "pcma"}, Source: NewToneSource(1000, 0.5), Sink: recB})
			negotiate(t, a, b)
			if a.Codec() != name || b.Codec() != name {
				t.Fatalf("negotiated %q and %q, want %q", a.Codec(), b.Codec(), name)
			}
			start(t, a)
			// The call, for B's Sink, runs from B's Start to B's Close:
			// the time Close itself takes is not part of it.
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
			if !recA.Closed() || !recB.Closed() {
				t.Error("Close did not close the sinks")
			}
			heardB, rate := recB.Samples()
			if got := mediatest.Measure(heardB, rate, 440); got.SNR < 20 || got.Level < -12 {
				t.Errorf("B heard 440 Hz at %.1f dBFS, SNR %.1f dB; want SNR > 20 dB (B: %+v)", got.Level, got.SNR, b.Stats())
			}
			heardA, _ := recA.Samples()
			if got := mediatest.Measure(heardA, rate, 1000); got.SNR < 20 {
				t.Errorf("A heard 1000 Hz with SNR %.1f dB (A: %+v)", got.SNR, a.Stats())
			}
			length := time.Duration(len(heardB)) * time.Second / time.Duration(rate)
			if d := math.Abs(float64(length-elapsed)) / float64(elapsed); d > 0.05 {
				t.Errorf("B's recording lasts %v for a call of %v (%.1f%% off)", length, elapsed, 100*d)
			}
			st := b.Stats()
			if st.PacketsReceived < 80 || st.PacketsSent < 80 || st.PacketsLost != 0 || st.Codec != name || st.BytesReceived != 160*st.PacketsReceived {
				t.Errorf("B's stats after 2 s: %+v", st)
			}
		})
	}
}

func TestDTMFArrivesOnceInOrder(t *testing.T) {
	recB := mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.3)})
	b := newSession(t, Config{Sink: recB})
	negotiate(t, a, b)
	start(t, a, b)
	for _, key := range "159#*" {
		if err := a.SendDTMF(key, 80*time.Millisecond); err != nil {
			t.Fatalf("SendDTMF(%q): %v", key, err)
		}
	}
	var got []rune
	timeout := time.After(guard)
	for len(got) < 5 {
		select {
		case k := <-b.DTMF():
			got = append(got, k)
		case <-timeout:
			t.Fatalf("received %q of 159#*", string(got))
		}
	}
	if string(got) != "159#*" {
		t.Fatalf("received %q, want 159#*", string(got))
	}
	waitFrames(t, recB, recB.Frames()+25) // half a second more: no repeat may follow
	select {
	case k := <-b.DTMF():
		t.Errorf("extra key %q after the five sent", k)
	default:
	}
	if err := a.SendDTMF('x', 0); err == nil {
		t.Error("SendDTMF('x') accepted")
	}
}

func TestDTMFNotNegotiated(t *testing.T) {
	b := newSession(t, Config{})
	offer := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n"
	answer, err := b.Answer([]byte(offer))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(answer, []byte("telephone-event")) {
		t.Errorf("answer offers telephone-event the offer lacked:\n%s", answer)
	}
	if err := b.SendDTMF('1', 0); !errors.Is(err, ErrDTMFNotNegotiated) {
		t.Errorf("SendDTMF = %v, want ErrDTMFNotNegotiated", err)
	}
}

// packetsStop waits n frames of rec and checks that count did not change
// over them.
func packetsStop(t *testing.T, what string, rec *mediatest.Recorder, count func() uint64) {
	t.Helper()
	waitFrames(t, rec, rec.Frames()+5) // a frame in flight when the direction changed may still land
	before := count()
	waitFrames(t, rec, rec.Frames()+25)
	if after := count(); after != before {
		t.Errorf("%s went on: %d then %d packets", what, before, after)
	}
}

func packetsFlow(t *testing.T, what string, rec *mediatest.Recorder, count func() uint64) {
	t.Helper()
	before := count()
	waitFrames(t, rec, rec.Frames()+25)
	if after := count(); after < before+10 {
		t.Errorf("%s does not flow: %d then %d packets", what, before, after)
	}
}

// TestHold puts A's call on hold (sendonly re-offer, B answers recvonly):
// B stops sending, A stops playing; A keeps sending (music on hold). Then
// Inactive stops A too, and resuming brings both directions back.
func TestHold(t *testing.T) {
	recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.5), Sink: recA})
	b := newSession(t, Config{Source: NewToneSource(1000, 0.5), Sink: recB})
	negotiate(t, a, b)
	start(t, a, b)
	waitFrames(t, recA, 25)
	bSent := func() uint64 { return b.Stats().PacketsSent }
	aSent := func() uint64 { return a.Stats().PacketsSent }
	aRecv := func() uint64 { return a.Stats().PacketsReceived }
	packetsFlow(t, "B to A", recA, bSent)

	a.SetDirection(SendOnly)
	offer, answer := negotiate(t, a, b)
	if !bytes.Contains(offer, []byte("a=sendonly")) || !bytes.Contains(answer, []byte("a=recvonly")) {
		t.Fatalf("hold offer/answer:\n%s\n%s", offer, answer)
	}
	if b.RemoteDirection() != SendOnly || !b.RemoteHold() || a.RemoteHold() || a.RemoteDirection() != RecvOnly || a.LocalDirection() != SendOnly {
		t.Errorf("directions: B sees %v, A sees %v", b.RemoteDirection(), a.RemoteDirection())
	}
	packetsStop(t, "B's RTP while held", recA, bSent)
	packetsStop(t, "A's reception while holding", recA, aRecv)
	packetsFlow(t, "A's music on hold", recB, aSent)
	mark := recA.Frames()
	waitFrames(t, recA, mark+25)
	heard, _ := recA.Samples()
	if lvl := mediatest.Level(heard[mark*frameLen:]); !math.IsInf(lvl, -1) {
		t.Errorf("A plays audio at %.1f dBFS while holding", lvl)
	}

	a.SetDirection(Inactive)
	if offer, _ = negotiate(t, a, b); !bytes.Contains(offer, []byte("a=inactive")) {
		t.Fatalf("inactive offer:\n%s", offer)
	}
	packetsStop(t, "A's RTP while inactive", recB, aSent)

	a.SetDirection(SendRecv)
	negotiate(t, a, b)
	packetsFlow(t, "B to A after resume", recA, bSent)
	packetsFlow(t, "A to B after resume", recB, aSent)
	mark = recA.Frames()
	waitFrames(t, recA, mark+50)
	heard, rate := recA.Samples()
	if got := mediatest.Measure(heard[mark*frameLen:], rate, 1000); got.SNR < 20 {
		t.Errorf("after resume A hears 1000 Hz with SNR %.1f dB", got.SNR)
	}
}

// TestRemoteHoldOldStyle answers an offer with c=0.0.0.0 (RFC 2543 hold):
// we must not send to it.
func TestRemoteHoldOldStyle(t *testing.T) {
	rec := mediatest.NewRecorder()
	b := newSession(t, Config{Source: NewToneSource(440, 0.5), Sink: rec})
	offer := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	answer, err := b.Answer([]byte(offer))
	if err != nil {
		t.Fatal(err)
	}
	if b.RemoteDirection() != SendOnly || !bytes.Contains(answer, []byte("a=recvonly")) {
		t.Errorf("remote direction %v, answer:\n%s", b.RemoteDirection(), answer)
	}
	start(t, b)
	waitFrames(t, rec, 10)
	if n := b.Stats().PacketsSent; n != 0 {
		t.Errorf("sent %d packets to 0.0.0.0", n)
	}
}

func TestNoCommonCodec(t *testing.T) {
	a := newSession(t, Config{Codecs: []string{"pcma"}})
	b := newSession(t, Config{Codecs: []string{"pcmu", "opus"}})
	offer, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Answer(offer); !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("Answer = %v, want ErrNotAcceptable", err)
	}
	if b.Codec() != "" {
		t.Errorf("a refused offer left codec %q", b.Codec())
	}
	if err := b.Start(); !errors.Is(err, ErrNotNegotiated) {
		t.Errorf("Start before negotiation = %v", err)
	}
	// An answer that picks a codec we did not offer.
	bogus := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	if err := a.SetAnswer([]byte(bogus)); !errors.Is(err, ErrNotAcceptable) {
		t.Errorf("SetAnswer(PCMU to a PCMA offer) = %v, want ErrNotAcceptable", err)
	}
	if err := a.SetAnswer([]byte(bogus)); err == nil || errors.Is(err, ErrNotAcceptable) {
		t.Errorf("SetAnswer without an offer = %v", err)
	}
}

func TestMalformedSDP(t *testing.T) {
	s := newSession(t, Config{})
	for _, body := range []string{"", "garbage", "v=0\r\n", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"} {
		_, err := s.Answer([]byte(body))
		if err == nil {
			t.Errorf("Answer(%q) accepted", body)
			continue
		}
		if !strings.HasPrefix(err.Error(), "media: ") {
			t.Errorf("Answer(%q) error %q does not say where it comes from", body, err)
		}
	}
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAnswer([]byte("v=0\r\nnonsense")); err == nil {
		t.Error("SetAnswer(nonsense) accepted")
	}
}

var originRE = regexp.MustCompile(`o=ringdesk (\d+) (\d+) `)

func TestOfferVersion(t *testing.T) {
	a := newSession(t, Config{})
	b := newSession(t, Config{})
	first, _ := negotiate(t, a, b)
	same, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	a.SetDirection(SendOnly)
	hold, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	v := func(b []byte) string { return originRE.FindStringSubmatch(string(b))[2] }
	id := func(b []byte) string { return originRE.FindStringSubmatch(string(b))[1] }
	if v(same) != v(first) {
		t.Errorf("an unchanged re-offer changed the version: %s then %s", v(first), v(same))
	}
	if v(hold) == v(first) || id(hold) != id(first) {
		t.Errorf("hold re-offer: o= %s %s after %s %s", id(hold), v(hold), id(first), v(first))
	}
	if !strings.Contains(string(first), "m=audio "+itoa(a.LocalAddr().Port)+" RTP/AVP 0 8 111 101 110") || !strings.Contains(string(first), "a=rtcp:"+itoa(a.LocalAddr().Port+1)) {
		t.Errorf("offer:\n%s", first)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBadInputIsDropped sends garbage, a wrong payload type and a second
// SSRC to a session in a call: they are counted and dropped, the call goes
// on.
func TestBadInputIsDropped(t *testing.T) {
	recB := mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.5)})
	b := newSession(t, Config{Sink: recB})
	negotiate(t, a, b)
	start(t, a, b)
	waitFrames(t, recB, 10)
	c, err := net.DialUDP("udp", nil, b.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wrongPT := []byte{0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3}
	otherSSRC := []byte{0x80, 0, 0, 1, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff}
	for _, pkt := range [][]byte{{1, 2, 3}, bytes.Repeat([]byte{0xff}, 200), wrongPT, otherSSRC} {
		if _, err := c.Write(pkt); err != nil {
			t.Fatal(err)
		}
	}
	rtcp, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: b.LocalAddr().Port + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rtcp.Close()
	if _, err := rtcp.Write([]byte("not rtcp")); err != nil {
		t.Fatal(err)
	}
	mark := recB.Frames()
	waitFrames(t, recB, mark+50)
	if d := b.Stats().PacketsDiscarded; d < 4 {
		t.Errorf("discarded %d packets, want the 5 bad ones (UDP on loopback does not lose them)", d)
	}
	heard, rate := recB.Samples()
	if got := mediatest.Measure(heard[mark*frameLen:], rate, 440); got.SNR < 20 {
		t.Errorf("after bad input B hears 440 Hz with SNR %.1f dB", got.SNR)
	}
}

// TestSymmetricRTP gives B an offer whose port is wrong (as behind NAT):
// with SymmetricRTP B answers to where A's packets come from.
func TestSymmetricRTP(t *testing.T) {
	recA := mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.5), Sink: recA})
	b := newSession(t, Config{Source: NewToneSource(1000, 0.5), SymmetricRTP: true})
	offer, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Replace(offer, []byte("m=audio "+itoa(a.LocalAddr().Port)), []byte("m=audio 9"), 1)
	answer, err := b.Answer(wrong)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	start(t, a, b)
	waitFrames(t, recA, 75)
	heard, rate := recA.Samples()
	if got := mediatest.Measure(heard[25*frameLen:], rate, 1000); got.SNR < 20 {
		t.Errorf("behind \"NAT\" A hears 1000 Hz with SNR %.1f dB", got.SNR)
	}
}

func TestConfig(t *testing.T) {
	if _, err := NewSession(Config{LocalIP: "not-an-ip"}); err == nil {
		t.Error("a bad LocalIP was accepted")
	}
	if _, err := NewSession(Config{LocalIP: "0.0.0.0"}); err == nil {
		t.Error("0.0.0.0 was accepted as an address to advertise")
	}
	if _, err := NewSession(Config{LocalIP: "127.0.0.1", PortMin: 30001, PortMax: 30001}); err == nil {
		t.Error("a range without an even/odd pair was accepted")
	}
	s := newSession(t, Config{PortMin: 31000, PortMax: 31999, Codecs: []string{"opus", "PCMA", "nonsense"}})
	if p := s.LocalAddr().Port; p < 31000 || p > 31998 || p%2 != 0 {
		t.Errorf("RTP port %d, want even in 31000-31998", p)
	}
	offer, err := s.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(offer, []byte("RTP/AVP 111 8 110 101\r\n")) || !bytes.Contains(offer, []byte("a=fmtp:111 minptime=10;useinbandfec=1\r\n")) {
		t.Errorf("codecs [opus PCMA nonsense] offered as:\n%s", offer)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Offer(); !errors.Is(err, ErrClosed) {
		t.Errorf("Offer after Close = %v", err)
	}
	if _, ok := <-s.DTMF(); ok {
		t.Error("DTMF channel open after Close")
	}
}

func TestDirectionString(t *testing.T) {
	for d, want := range map[Direction]string{SendRecv: "sendrecv", SendOnly: "sendonly", RecvOnly: "recvonly", Inactive: "inactive"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(d), d.String(), want)
		}
	}
}
