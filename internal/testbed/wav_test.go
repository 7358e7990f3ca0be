package testbed

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestToneWAVRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := WriteToneWAV(path, 1000, 0.5, 16000); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if w.SampleRate != 16000 || w.Channels != 1 || len(w.Samples) != 8000 || w.Duration() != 0.5 {
		t.Fatalf("got %d Hz, %d ch, %d samples, %.3f s", w.SampleRate, w.Channels, len(w.Samples), w.Duration())
	}
	if l := ToneLevel(w.Samples, 16000, 1000); math.Abs(l-0.5) > 0.01 {
		t.Errorf("level of the 1000 Hz tone = %.3f, want 0.5", l)
	}
	if l := ToneLevel(w.Samples, 16000, 440); l > 0.01 {
		t.Errorf("level at 440 Hz = %.3f, want about 0", l)
	}
	if l := ToneLevel(make([]int16, 800), 8000, 440); l != 0 {
		t.Errorf("level of silence = %.3f", l)
	}
}

func TestReadWAVStillBeingWritten(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "partial.wav")
	if err := WriteWAV(path, []int16{1, -2, 3, -4}, 8000); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	// A writer that has not closed its file yet leaves the data size at 0.
	raw[40], raw[41], raw[42], raw[43] = 0, 0, 0, 0
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Samples) != 4 || w.Samples[3] != -4 {
		t.Fatalf("samples = %v", w.Samples)
	}
	if _, err := ReadWAV(filepath.Join(t.TempDir(), "none.wav")); err == nil {
		t.Error("ReadWAV of a missing file succeeded")
	}
	if err := os.WriteFile(path, []byte("RIFF0000WAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadWAV(path); err == nil {
		t.Error("ReadWAV of a file without fmt/data succeeded")
	}
}
