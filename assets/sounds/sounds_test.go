package sounds

import (
	"bytes"
	"os"
	"testing"

	"github.com/ringdesk/ringdesk/assets/sounds/internal/synth"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestFilesAreGenerated fails when an embedded file is not what
// internal/synth makes: run go generate ./assets/sounds.
func TestFilesAreGenerated(t *testing.T) {
	for name, samples := range synth.Sounds() {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (run go generate ./assets/sounds)", err)
		}
		if !bytes.Equal(got, synth.WAV(samples)) {
			t.Errorf("%s is not what internal/synth makes: run go generate ./assets/sounds", name)
		}
	}
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seconds float64
		freq    float64 // a frequency the sound holds
	}{
		{Ring, 4, 1046.5},
		{Ringback, 5, 425},
		{Busy, 3, 425},
		{Error, 4.2, 950},
	} {
		samples, rate, err := Load(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if rate != synth.Rate {
			t.Errorf("%s at %d Hz", tc.name, rate)
		}
		if d := float64(len(samples)) / float64(rate); d < tc.seconds-0.1 || d > tc.seconds+0.1 {
			t.Errorf("%s lasts %.2f s, want %.1f", tc.name, d, tc.seconds)
		}
		if tone := mediatest.Measure(samples[:rate/2], rate, tc.freq); tone.Level < -30 {
			t.Errorf("%s: %.0f Hz at %.1f dB in its first half second", tc.name, tc.freq, tone.Level)
		}
	}
	if _, _, err := Load("nope"); err == nil {
		t.Error("Load of an unknown sound succeeded")
	}
}
