package wav

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRecordThenPlay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	sink, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for i := range 3 {
		for k := range frame {
			frame[k] = int16(i*1000 + k)
		}
		if err := sink.WriteFrame(frame, 8000); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.WriteFrame(frame, 16000); err == nil {
		t.Error("a frame at another rate was accepted")
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	samples, rate, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 || len(samples) != 480 || samples[0] != 0 || samples[161] != 1001 || samples[479] != 2159 {
		t.Fatalf("read back %d samples at %d Hz: %v...", len(samples), rate, samples[:3])
	}
	src, err := NewSource(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 400)
	for range 2 { // 800 samples: wraps past the end of the 480-sample file
		if err := src.ReadFrame(out, 8000); err != nil {
			t.Fatal(err)
		}
	}
	if out[80] != 0 || out[81] != 1 {
		t.Errorf("looped source gave %d, %d at the start of the second pass", out[80], out[81])
	}
	if err := src.ReadFrame(out[:10], 16000); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyRecordingIsValid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.wav")
	sink, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	samples, rate, err := Read(path)
	if err != nil || len(samples) != 0 || rate != 8000 {
		t.Fatalf("empty recording read back as %d samples at %d Hz, %v", len(samples), rate, err)
	}
	if _, err := NewSource(path); err == nil {
		t.Error("an empty file was accepted as a source")
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"short.wav":  "RIFF",
		"notwav.wav": "RIFF\x00\x00\x00\x00AVI LIST",
		"nodata.wav": "RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00",
		"8bit.wav":   "RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data\x00\x00\x00\x00",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Read(path); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
	if _, _, err := Read(filepath.Join(dir, "missing.wav")); err == nil {
		t.Error("a missing file read without error")
	}
}
