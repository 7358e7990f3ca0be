package tone

import (
	"math"
	"testing"
)

func TestSineIsContinuousAcrossFrames(t *testing.T) {
	s := NewSine(440, 0.5)
	a := make([]int16, 160)
	b := make([]int16, 160)
	if err := s.ReadFrame(a, 8000); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadFrame(b, 8000); err != nil {
		t.Fatal(err)
	}
	want := int16(math.Round(32767 * 0.5 * math.Sin(2*math.Pi*440*160/8000)))
	if d := int(b[0]) - int(want); d > 1 || d < -1 {
		t.Errorf("second frame starts at %d, want %d", b[0], want)
	}
	peak := int16(0)
	for _, x := range append(a, b...) {
		peak = max(peak, x)
	}
	if peak < 16000 || peak > 16384 {
		t.Errorf("peak %d for amplitude 0.5", peak)
	}
	z := []int16{1, 2}
	_ = Silence{}.ReadFrame(z, 8000)
	if z[0] != 0 || z[1] != 0 {
		t.Errorf("silence gave %v", z)
	}
}
