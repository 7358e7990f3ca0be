package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// One RTP packet with a payload type pion did not negotiate (CN, 13) is
// dropped and counted; the audio after it still plays.
func TestWebRTCStrayPayloadTypeKeepsAudio(t *testing.T) {
	recA := mediatest.NewRecorder()
	a := newSession(t, Config{Codecs: []string{"opus"}, Source: NewToneSource(440, 0.5), Sink: recA, WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{Codecs: []string{"opus"}, WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	start(t, a) // B's packets are written by hand below
	seq := uint16(100)
	send := func(pt uint8) {
		pkt := make([]byte, 12+3)
		pkt[0], pkt[1] = 0x80, pt
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], uint32(seq)*960)
		seq++
		if err := b.rtc.write(pkt); err != nil && seq%25 == 0 {
			t.Log(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	deadline := time.Now().Add(guard)
	for a.Stats().PacketsReceived < 10 {
		if time.Now().After(deadline) {
			t.Fatal("DTLS never connected")
		}
		send(111)
	}
	before := a.Stats().PacketsReceived
	send(13) // one comfort-noise packet, a payload type nobody negotiated
	for range 25 {
		send(111)
	}
	if after := a.Stats().PacketsReceived; after < before+20 {
		t.Errorf("after one packet with an unnegotiated payload type, A received %d of the next 25 packets", after-before)
	}
}

// A WS account (WebRTC config) that answered a plain offer re-offers
// plain RTP (hold, or an offerless re-INVITE).
func TestWebRTCAccountReoffersPlainCall(t *testing.T) {
	a := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{})
	negotiate(t, b, a) // b offers plain, a (WS account) answers plain
	a.SetDirection(SendOnly)
	if _, err := a.Offer(); err != nil {
		t.Fatalf("hold re-offer on a plain call of a WebRTC account: %v", err)
	}
}

// The far end offers a=inactive (mutual hold), then resumes: the audio
// comes back (pion, shown inactive, would stop the transceiver for good).
func TestWebRTCMutualHoldResumes(t *testing.T) {
	recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
	a := newSession(t, Config{Source: NewToneSource(440, 0.5), Sink: recA, WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{Source: NewToneSource(1000, 0.5), Sink: recB, WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	start(t, a, b)
	waitFrames(t, recA, 25)
	aRecv := func() uint64 { return a.Stats().PacketsReceived }
	bRecv := func() uint64 { return b.Stats().PacketsReceived }
	packetsFlow(t, "B to A", recA, aRecv)

	b.SetDirection(Inactive)
	offer, answer := negotiate(t, b, a)
	t.Logf("inactive offer:\n%s\nanswer:\n%s", offer, answer)
	b.SetDirection(SendRecv)
	offer, answer = negotiate(t, b, a)
	t.Logf("resume offer:\n%s\nanswer:\n%s", offer, answer)
	time.Sleep(300 * time.Millisecond)
	packetsFlow(t, "B to A after resume", recA, aRecv)
	packetsFlow(t, "A to B after resume", recB, bRecv)
}

// Our re-offer is refused (491 glare, 488, timeout): the far end's own
// re-offer is still answered.
func TestWebRTCReofferAfterRefusedReoffer(t *testing.T) {
	a := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	start(t, a, b)
	a.SetDirection(SendOnly)
	if _, err := a.Offer(); err != nil { // re-INVITE answered 491: no SetAnswer
		t.Fatal(err)
	}
	a.SetDirection(SendRecv)
	offer, err := b.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Answer(offer); err != nil {
		t.Fatalf("answering the far end's re-offer after our refused one: %v", err)
	}
}

// After the far end offered recvonly, our next re-offer (session
// refresh) with SendRecv says sendrecv.
func TestWebRTCReofferAfterRemoteRecvonly(t *testing.T) {
	a := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	b.SetDirection(RecvOnly)
	negotiate(t, b, a)
	b.SetDirection(SendRecv)
	offer, answer := negotiate(t, a, b) // A's session refresh
	if !bytes.Contains(offer, []byte("a=sendrecv")) {
		t.Errorf("A (SendRecv) re-offers:\n%s", grepDir(offer))
	}
	t.Logf("answer dir: %s; A remote dir %v, A plays: %v", grepDir(answer), a.RemoteDirection(), a.flow.Load().play)
}

func grepDir(b []byte) string {
	var out []string
	for _, l := range strings.Split(string(b), "\r\n") {
		switch l {
		case "a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive":
			out = append(out, l)
		}
	}
	return strings.Join(out, ",")
}

// TestWebRTCNewFarEndGetsNewConnection: a re-offer with other ICE
// credentials and another DTLS certificate (a PBX that moved the call to
// another media server) is answered on a new connection, and the audio
// flows with the new far end.
func TestWebRTCNewFarEndGetsNewConnection(t *testing.T) {
	a := newSession(t, Config{Source: NewToneSource(440, 0.5), WebRTC: &WebRTCConfig{}})
	b := newSession(t, Config{WebRTC: &WebRTCConfig{}})
	negotiate(t, b, a)
	start(t, a, b)
	first := a.rtcOut.Load()

	recC := mediatest.NewRecorder()
	c := newSession(t, Config{Sink: recC, WebRTC: &WebRTCConfig{}})
	negotiate(t, c, a)
	if a.rtcOut.Load() == first {
		t.Fatal("the re-offer from a new far end kept the old connection")
	}
	start(t, c)
	waitReceiving(t, c)
	mark := recC.Frames()
	waitFrames(t, recC, mark+50)
	heard, rate := recC.Samples()
	if got := mediatest.Measure(heard[mark*frameLen:], rate, 440); got.SNR < 20 {
		t.Errorf("the new far end hears 440 Hz at SNR %.1f dB", got.SNR)
	}
}

// waitReceiving waits for s's first received packet: DTLS has connected.
func waitReceiving(t *testing.T, s *Session) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for s.Stats().PacketsReceived == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no packet received in %v: %+v", guard, s.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebRTCConnectionLost: when the far end vanishes without hanging up,
// ICE fails after LostAfter and OnConnectionLost says so, once.
func TestWebRTCConnectionLost(t *testing.T) {
	lost := make(chan error, 2)
	a := newSession(t, Config{WebRTC: &WebRTCConfig{LostAfter: 3 * time.Second}, OnConnectionLost: func(err error) { lost <- err }})
	b := newSession(t, Config{Source: NewToneSource(440, 0.5), WebRTC: &WebRTCConfig{}})
	negotiate(t, a, b)
	start(t, a, b)
	waitReceiving(t, a)
	// b's process dies: no BYE, no DTLS close, just silence on the wire.
	b.rtc.pc.SCTP().Transport().ICETransport().Stop()
	select {
	case err := <-lost:
		if !errors.Is(err, ErrConnectionLost) {
			t.Errorf("OnConnectionLost(%v), want ErrConnectionLost", err)
		}
	case <-time.After(guard + 10*time.Second):
		t.Fatal("no OnConnectionLost after the far end vanished")
	}
	select {
	case err := <-lost:
		t.Errorf("OnConnectionLost called twice (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
}
