package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestOpusBetweenEngines calls one engine from another through Kamailio
// with Opus: the caller prefers opus, pcmu, pcma, the callee pcmu, opus,
// so the answer takes Opus (the offer's order). The caller plays 440 Hz
// and the callee 1 kHz; each must hear the other's tone at SNR > 20 dB,
// and DTMF goes as telephone-event/48000.
func TestOpusBetweenEngines(t *testing.T) {
	k := testbed.StartKamailio(t)
	heardA, heardB := mediatest.NewRecorder(), mediatest.NewRecorder()
	alice, bob := newTestPhone(t, toneMedia(440, heardA)), newTestPhone(t, toneMedia(1000, heardB))
	ra, rb := record(t, alice), record(t, bob)
	ca, cb := kamailioAccount(k, "1001", "udp"), kamailioAccount(k, "1002", "udp")
	ca.Codecs, cb.Codecs = []string{"opus", "pcmu", "pcma"}, []string{"pcmu", "opus"}
	if _, err := alice.AddAccount(ca); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AddAccount(cb); err != nil {
		t.Fatal(err)
	}
	ra.waitFor(EventRegistered, "")
	rb.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call, err := alice.Dial(ctx, "", "1002", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := rb.waitFor(EventIncomingCall, "")
	bc, err := bob.Call(in.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := bc.Answer(ctx); err != nil {
		t.Fatal(err)
	}
	if e := ra.waitFor(EventInCall, call.ID()); e.Call.Codec != "opus" {
		t.Errorf("caller's codec %q, want opus", e.Call.Codec)
	}
	if e := rb.waitFor(EventInCall, bc.ID()); e.Call.Codec != "opus" {
		t.Errorf("callee's codec %q, want opus", e.Call.Codec)
	}
	// Two seconds of audio each way.
	if err := heardB.WaitFrames(ctx, 100); err != nil {
		t.Fatalf("callee heard %d frames: %v", heardB.Frames(), err)
	}
	if err := heardA.WaitFrames(ctx, 100); err != nil {
		t.Fatalf("caller heard %d frames: %v", heardA.Frames(), err)
	}
	stA, stB := call.MediaStats(), bc.MediaStats()
	if err := call.SendDTMF(ctx, "7"); err != nil {
		t.Fatalf("DTMF: %v", err)
	}
	if d := rb.waitFor(EventDTMF, bc.ID()); d.Digit != "7" {
		t.Errorf("DTMF digit %q, want 7", d.Digit)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	ra.waitFor(EventCallEnd, call.ID())
	rb.waitFor(EventCallEnd, bc.ID())
	for who, st := range map[string]media.Stats{"caller": stA, "callee": stB} {
		if st.Codec != "opus" || st.PacketsReceived < 80 || st.PacketsDiscarded != 0 {
			t.Errorf("%s's stats: %+v", who, st)
		}
	}
	samples, rate := heardB.Samples()
	tb := mediatest.Measure(samples, rate, 440)
	if tb.SNR < 20 {
		t.Errorf("callee heard 440 Hz at SNR %.1f dB, want > 20 (stats %+v)", tb.SNR, stB)
	}
	samples, rate = heardA.Samples()
	ta := mediatest.Measure(samples, rate, 1000)
	if ta.SNR < 20 {
		t.Errorf("caller heard 1 kHz at SNR %.1f dB, want > 20 (stats %+v)", ta.SNR, stA)
	}
	t.Logf("callee heard 440 Hz at %.1f dBFS, SNR %.1f dB; caller heard 1 kHz at %.1f dBFS, SNR %.1f dB", tb.Level, tb.SNR, ta.Level, ta.SNR)
}
