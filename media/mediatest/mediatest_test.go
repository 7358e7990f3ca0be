package mediatest

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func sine(freq float64, amp float64, n, rate int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func TestMeasureFindsTheTone(t *testing.T) {
	x := sine(440, 0.5, 8000, 8000)
	tone := Measure(x, 8000, 440)
	if tone.SNR < 40 || math.Abs(tone.Level+6) > 0.5 {
		t.Errorf("pure 440 Hz at -6 dBFS measured as %+v", tone)
	}
	if other := Measure(x, 8000, 1000); other.SNR > -20 {
		t.Errorf("1000 Hz found in a 440 Hz tone: %+v", other)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range x {
		x[i] += int16(rng.NormFloat64() * 1000) // about -27 dB below the tone
	}
	if tone := Measure(x, 8000, 440); tone.SNR < 20 || tone.SNR > 30 {
		t.Errorf("440 Hz with noise 27 dB down measured as %+v", tone)
	}
	padded := append(append(make([]int16, 437), sine(1000, 0.5, 8000, 8000)...), make([]int16, 333)...)
	if tone := Measure(padded, 8000, 1000); tone.SNR < 40 {
		t.Errorf("a tone between silences measured as %+v: the edges must not count as noise", tone)
	}
	if n := len(Trim(padded)); n < 7990 || n > 8000 {
		t.Errorf("Trim left %d samples of an 8000-sample tone", n)
	}
	silent := make([]int16, 8000)
	if tone := Measure(silent, 8000, 440); !math.IsInf(tone.Level, -1) {
		t.Errorf("silence measured as %+v", tone)
	}
	if f := FramesWithTone(sine(1000, 0.3, 1600, 8000), 8000, 1000, 160, 20); f != 1 {
		t.Errorf("FramesWithTone = %v on a pure tone", f)
	}
	if l := Level(sine(440, 1, 8000, 8000)); math.Abs(l) > 0.1 {
		t.Errorf("full-scale sine level %v dB", l)
	}
}

func TestRecorder(t *testing.T) {
	r := NewRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.WaitFrames(ctx, 3) }()
	for range 3 {
		if err := r.WriteFrame(make([]int16, 160), 8000); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFrame(make([]int16, 160), 16000); err == nil {
		t.Error("rate change accepted")
	}
	s, rate := r.Samples()
	if len(s) != 480 || rate != 8000 || r.Frames() != 3 {
		t.Errorf("recorded %d samples at %d Hz in %d frames", len(s), rate, r.Frames())
	}
	_ = r.Close()
	if !r.Closed() || r.WriteFrame(s[:1], 8000) == nil {
		t.Error("closed recorder still records")
	}
	short, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel2()
	if err := r.WaitFrames(short, 100); err == nil {
		t.Error("WaitFrames did not time out")
	}
}
