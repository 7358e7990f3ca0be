package phone

import (
	"context"
	"path/filepath"
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

// TestOpusWithBaresip is TestAudioWithBaresip with Opus: baresip offers
// and accepts only opus/48000/2, Ringdesk plays 440 Hz, baresip a 1 kHz
// WAV; each side must find the other's tone at SNR > 20 dB in what it
// recorded (baresip records 48 kHz stereo).
func TestOpusWithBaresip(t *testing.T) {
	k := testbed.StartKamailio(t)
	wav := filepath.Join(t.TempDir(), "1khz.wav")
	if err := testbed.WriteToneWAV(wav, 1000, 5, 48000); err != nil {
		t.Fatal(err)
	}
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(wav), testbed.BaresipCodecs("opus"))
	heard := mediatest.NewRecorder()
	p := newTestPhone(t, toneMedia(440, heard))
	rec := record(t, p)
	cfg := kamailioAccount(k, "1001", "udp")
	cfg.Codecs = []string{"opus", "pcmu", "pcma"}
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call, err := p.Dial(ctx, "", "1009", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e := rec.waitFor(EventInCall, call.ID()); e.Call.Codec != "opus" {
		t.Errorf("codec %q, want opus", e.Call.Codec)
	}
	if err := heard.WaitFrames(ctx, 100); err != nil {
		t.Fatalf("Ringdesk heard only %d frames: %v", heard.Frames(), err)
	}
	st := call.MediaStats()
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, call.ID())
	if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	if st.Codec != "opus" || st.PacketsReceived < 80 || st.PacketsDiscarded != 0 {
		t.Errorf("Ringdesk's stats: %+v", st)
	}
	samples, rate := heard.Samples()
	mine := mediatest.Measure(samples, rate, 1000)
	if mine.SNR < 20 {
		t.Errorf("Ringdesk heard baresip's 1 kHz at SNR %.1f dB (level %.1f dB), want > 20 (stats %+v)", mine.SNR, mine.Level, st)
	}
	path, err := b.ReceivedWAV(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := testbed.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	theirs := mediatest.Measure(got.Mono(), got.SampleRate, 440)
	if got.SampleRate != 48000 || theirs.SNR < 20 {
		t.Errorf("baresip heard Ringdesk's 440 Hz at SNR %.1f dB (level %.1f dB, %d Hz), want > 20", theirs.SNR, theirs.Level, got.SampleRate)
	}
	t.Logf("Ringdesk heard 1 kHz at %.1f dBFS, SNR %.1f dB; baresip heard 440 Hz at %.1f dBFS, SNR %.1f dB (%d Hz); stats %+v",
		mine.Level, mine.SNR, theirs.Level, theirs.SNR, got.SampleRate, st)
}
