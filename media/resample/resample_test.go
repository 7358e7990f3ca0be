package resample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/tone"
)

// sine returns n samples of a tone at amp (fraction of full scale).
func sine(t *testing.T, freq, amp float64, n, rate int) []int16 {
	t.Helper()
	pcm := make([]int16, n)
	if err := tone.NewSine(freq, amp).ReadFrame(pcm, rate); err != nil {
		t.Fatal(err)
	}
	return pcm
}

// convert runs pcm through r in 20 ms frames.
func convert(r *Resampler, pcm []int16) []int16 {
	frame := r.From() / 50
	var out []int16
	for start := 0; start < len(pcm); start += frame {
		out = r.Process(out, pcm[start:min(start+frame, len(pcm))])
	}
	return out
}

func mustNew(t testing.TB, from, to int) *Resampler {
	t.Helper()
	r, err := New(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// skip drops the filter's start-up transient: the first 40 ms.
func skip(pcm []int16, rate int) []int16 { return pcm[rate/25:] }

func TestTonesSurviveUpAndDown(t *testing.T) {
	for _, pair := range [][2]int{{8000, 48000}, {16000, 48000}, {8000, 16000}} {
		low, high := pair[0], pair[1]
		for _, freq := range []float64{440, 3000} {
			in := sine(t, freq, 0.5, low, low) // one second
			want := mediatest.Measure(skip(in, low), low, freq)

			up := convert(mustNew(t, low, high), in)
			if len(up) != high {
				t.Fatalf("%d→%d: %d samples in, %d out", low, high, len(in), len(up))
			}
			got := mediatest.Measure(skip(up, high), high, freq)
			if math.Abs(got.Level-want.Level) > 1 || got.SNR < 40 {
				t.Errorf("%v Hz %d→%d: %+v, input %+v", freq, low, high, got, want)
			}

			down := convert(mustNew(t, high, low), up)
			if len(down) != len(in) {
				t.Fatalf("%d→%d: %d samples in, %d out", high, low, len(up), len(down))
			}
			back := mediatest.Measure(skip(down, low), low, freq)
			if math.Abs(back.Level-want.Level) > 1 || back.SNR < 40 {
				t.Errorf("%v Hz %d→%d→%d: %+v, input %+v", freq, low, high, low, back, want)
			}
			t.Logf("%5v Hz %d→%d: level %+.3f dB SNR %.1f dB; back at %d: level %+.3f dB SNR %.1f dB",
				freq, low, high, got.Level-want.Level, got.SNR, low, back.Level-want.Level, back.SNR)
		}
	}
}

// TestAliasingRejected feeds tones above 4 kHz at 48 kHz to the 8 kHz
// converter: they must not fold back into the telephone band.
func TestAliasingRejected(t *testing.T) {
	for _, freq := range []float64{4500, 6000, 10000, 20000} {
		in := sine(t, freq, 0.5, 48000, 48000)
		out := convert(mustNew(t, 48000, 8000), in)
		inLevel := mediatest.Level(skip(in, 48000))
		outLevel := mediatest.Level(skip(out, 8000))
		if inLevel-outLevel < 40 {
			t.Errorf("%v Hz at 48 kHz, down to 8 kHz: attenuated by %.1f dB, want > 40", freq, inLevel-outLevel)
		}
		t.Logf("%5v Hz: attenuated by %.1f dB", freq, inLevel-outLevel)
	}
}

// TestFrameByFrameEqualsOneShot checks the streaming state: any split of
// the input gives the same output as the whole at once.
func TestFrameByFrameEqualsOneShot(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	in := make([]int16, 48000)
	for i := range in {
		in[i] = int16(rng.NormFloat64() * 6000)
	}
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {8000, 16000}, {16000, 8000}, {44100, 48000}, {48000, 48000}} {
		whole := mustNew(t, pair[0], pair[1]).Process(nil, in)
		for _, chunk := range []int{pair[0] / 50, 7, 1, 333} {
			r := mustNew(t, pair[0], pair[1])
			var parts []int16
			for start := 0; start < len(in); start += chunk {
				src := in[start:min(start+chunk, len(in))]
				n := r.OutLen(len(src))
				before := len(parts)
				parts = r.Process(parts, src)
				if len(parts)-before != n {
					t.Fatalf("%v chunk %d: OutLen said %d, Process made %d", pair, chunk, n, len(parts)-before)
				}
			}
			if !slices.Equal(parts, whole) {
				t.Errorf("%v: in chunks of %d the output differs from one-shot (%d vs %d samples)", pair, chunk, len(parts), len(whole))
			}
		}
	}
}

func TestFramesStayFrames(t *testing.T) {
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}} {
		r := mustNew(t, pair[0], pair[1])
		in := make([]int16, pair[0]/50)
		for range 10 {
			if n := len(r.Process(nil, in)); n != pair[1]/50 {
				t.Fatalf("%v: a 20 ms frame became %d samples", pair, n)
			}
		}
	}
}

func TestDCAndReset(t *testing.T) {
	r := mustNew(t, 8000, 48000)
	in := make([]int16, 800)
	for i := range in {
		in[i] = 10000
	}
	out := r.Process(nil, in)
	for i := len(out) / 2; i < len(out); i++ {
		if d := int(out[i]) - 10000; d < -3 || d > 3 {
			t.Fatalf("DC 10000 became %d at %d", out[i], i)
		}
	}
	if d := r.Delay(); d < time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("delay %v", d)
	}
	r.Reset()
	again := r.Process(nil, in)
	if !slices.Equal(out, again) {
		t.Errorf("after Reset the output differs from a new resampler's")
	}
}

// TestSaturates feeds a full-scale square wave, whose filtered edges
// overshoot: the overshoot must clip, not wrap around to the other sign.
func TestSaturates(t *testing.T) {
	square := make([]int16, 8000)
	for i := range square {
		square[i] = 32767
		if i/8%2 == 1 {
			square[i] = -32768
		}
	}
	flips := func(pcm []int16) int {
		n := 0
		for i := 1; i < len(pcm); i++ {
			if (pcm[i] < 0) != (pcm[i-1] < 0) {
				n++
			}
		}
		return n
	}
	out := mustNew(t, 8000, 48000).Process(nil, square)
	// The first 10 ms hold the filter's pre-ringing around silence.
	if got, want := flips(out[480:]), flips(square[80:]); got < want-2 || got > want+2 {
		t.Errorf("a square wave with %d sign changes came out with %d", want, got)
	}
	if slices.Max(out) != 32767 || slices.Min(out) != -32768 {
		t.Errorf("full-scale square wave peaks at %d, %d", slices.Max(out), slices.Min(out))
	}
}

func TestNewRefuses(t *testing.T) {
	for _, pair := range [][2]int{{0, 8000}, {8000, -1}, {8000, 8001}} {
		if _, err := New(pair[0], pair[1]); err == nil {
			t.Errorf("New(%d, %d) accepted", pair[0], pair[1])
		}
	}
}

func benchmark(b *testing.B, from, to int) {
	r := mustNew(b, from, to)
	in := make([]int16, from/50)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range in {
		in[i] = int16(rng.NormFloat64() * 6000)
	}
	out := make([]int16, 0, to/50)
	b.ReportAllocs()
	for b.Loop() {
		out = r.Process(out[:0], in)
	}
}

// Benchmarks convert one 20 ms frame.
func BenchmarkUp8To48(b *testing.B)   { benchmark(b, 8000, 48000) }
func BenchmarkDown48To8(b *testing.B) { benchmark(b, 48000, 8000) }
func BenchmarkUp16To48(b *testing.B)  { benchmark(b, 16000, 48000) }
func BenchmarkDown48To16(b *testing.B) {
	benchmark(b, 48000, 16000)
}
