package phone

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestAudioWithBaresip: Ringdesk calls baresip through Kamailio with
// PCMU and with Opus (baresip offers and takes that codec only);
// Ringdesk plays 440 Hz and baresip a 1 kHz WAV, and each side must find
// the other's tone at SNR > 20 dB in what it recorded (baresip records
// its codec's rate: 8 kHz mono for PCMU, 48 kHz for Opus).
func TestAudioWithBaresip(t *testing.T) {
	for _, tc := range []struct {
		codec, baresip string
		rate           int      // baresip's WAV and recording rate
		codecs         []string // Ringdesk's account
	}{
		{"pcmu", "PCMU", 8000, []string{"pcmu"}},
		{"opus", "opus", 48000, []string{"opus", "pcmu", "pcma"}},
	} {
		t.Run(tc.codec, func(t *testing.T) {
			k := testbed.StartKamailio(t) // no binding left from the last case
			wav := filepath.Join(t.TempDir(), "1khz.wav")
			if err := testbed.WriteToneWAV(wav, 1000, 5, tc.rate); err != nil {
				t.Fatal(err)
			}
			b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(wav), testbed.BaresipCodecs(tc.baresip))
			heard := mediatest.NewRecorder()
			p := newTestPhone(t, toneMedia(440, heard))
			rec := record(t, p)
			cfg := kamailioAccount(k, "1001", "udp")
			cfg.Codecs = tc.codecs
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
			if e := rec.waitFor(EventInCall, call.ID()); e.Call.Codec != tc.codec {
				t.Errorf("codec %q, want %s", e.Call.Codec, tc.codec)
			}
			// Two seconds of audio each way (50 frames a second).
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
			if st.Codec != tc.codec || st.PacketsReceived < 80 || st.PacketsDiscarded != 0 {
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
			if got.SampleRate != tc.rate || theirs.SNR < 20 {
				t.Errorf("baresip heard Ringdesk's 440 Hz at SNR %.1f dB (level %.1f dB, %d Hz), want > 20 at %d Hz", theirs.SNR, theirs.Level, got.SampleRate, tc.rate)
			}
			t.Logf("Ringdesk heard 1 kHz at %.1f dBFS, SNR %.1f dB; baresip heard 440 Hz at %.1f dBFS, SNR %.1f dB (%d Hz); stats %+v",
				mine.Level, mine.SNR, theirs.Level, theirs.SNR, got.SampleRate, st)
		})
	}
}
