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

// TestAudioWithBaresip checks a call by what is heard: Ringdesk sends a
// 440 Hz tone and baresip plays a 1 kHz WAV; each side must find the
// other's tone, clean (SNR > 20 dB), in what it recorded.
func TestAudioWithBaresip(t *testing.T) {
	k := testbed.StartKamailio(t)
	wav := filepath.Join(t.TempDir(), "1khz.wav")
	if err := testbed.WriteToneWAV(wav, 1000, 5, 8000); err != nil {
		t.Fatal(err)
	}
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(wav), testbed.BaresipCodecs("PCMU"))
	heard := mediatest.NewRecorder()
	p := newTestPhone(t, WithMedia(func(CallInfo) MediaOptions {
		return MediaOptions{Source: media.NewToneSource(440, 0.5), Sink: heard}
	}))
	rec := record(t, p)
	cfg := kamailioAccount(k, "1001", "udp")
	cfg.Codecs = []string{"pcmu"}
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
	if e := rec.waitFor(EventInCall, call.ID()); e.Call.Codec != "pcmu" {
		t.Errorf("codec %q, want pcmu", e.Call.Codec)
	}
	// Two seconds of audio each way (50 frames a second).
	if err := heard.WaitFrames(ctx, 100); err != nil {
		t.Fatalf("Ringdesk heard only %d frames: %v", heard.Frames(), err)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, call.ID())
	if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	samples, rate := heard.Samples()
	if tone := mediatest.Measure(samples, rate, 1000); tone.SNR < 20 {
		t.Errorf("Ringdesk heard baresip's 1 kHz at SNR %.1f dB (level %.1f dB), want > 20", tone.SNR, tone.Level)
	}
	path, err := b.ReceivedWAV(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := testbed.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if tone := mediatest.Measure(got.Mono(), got.SampleRate, 440); tone.SNR < 20 {
		t.Errorf("baresip heard Ringdesk's 440 Hz at SNR %.1f dB (level %.1f dB), want > 20", tone.SNR, tone.Level)
	}
}
