// Package resample converts streams of mono 16-bit PCM between sample rates
// (8 kHz ↔ 48 kHz for Opus, 16 kHz, and any other ratio of small integers).
//
// A [Resampler] is a polyphase FIR filter: the input is upsampled by L
// (zeros between samples), low-pass filtered by a Kaiser-windowed sinc and
// decimated by M, computing only the outputs that are kept. The filter cuts
// at 45% of the lower of the two rates, with its passband flat to 40% and
// its stopband (at least 70 dB down) from 50%: at 8 kHz, audio up to 3.2 kHz
// passes unchanged and nothing from 4 kHz up folds back into the band.
//
// A Resampler is streaming: it keeps the last input samples and its phase
// between calls, so 20 ms frames fed one by one give exactly the samples of
// the whole signal converted at once, with no clicks at frame edges.
package resample

import (
	"fmt"
	"math"
	"time"
)

// Filter design, relative to the lower of the two rates.
const (
	passEdge    = 0.40 // flat up to here
	stopEdge    = 0.50 // at least attenuation dB down from here
	attenuation = 70.0 // stopband attenuation, dB
	maxFactor   = 1024 // largest L or M (44.1 ↔ 48 kHz needs 160/147)
)

// Resampler converts one stream of mono int16 PCM from one sample rate to
// another. It is not safe for concurrent use.
type Resampler struct {
	from, to int
	l, m     int         // upsampling and decimation factors
	k        int         // taps per phase
	phases   [][]float32 // phases[p][j] = h[p + l*(k-1-j)], reversed for a forward dot product
	hist     []float32   // the last k-1 input samples
	buf      []float32   // scratch: hist followed by the current input
	t        int         // next output's position in 1/l input samples, from the current input's start
	delay    time.Duration
}

// New returns a resampler from one rate to another, in Hz. The ratio of
// the rates, reduced, must have a numerator and denominator of at most
// 1024.
func New(from, to int) (*Resampler, error) {
	if from <= 0 || to <= 0 {
		return nil, fmt.Errorf("resample: rates must be positive, got %d and %d Hz", from, to)
	}
	g := gcd(from, to)
	l, m := to/g, from/g
	if l > maxFactor || m > maxFactor {
		return nil, fmt.Errorf("resample: %d Hz to %d Hz is a ratio of %d/%d, too fine", from, to, l, m)
	}
	r := &Resampler{from: from, to: to, l: l, m: m}
	if l == 1 && m == 1 {
		r.k = 1
		r.phases = [][]float32{{1}}
		return r, nil
	}
	h := design(from*l, min(from, to), l)
	r.k = len(h) / l
	r.phases = make([][]float32, l)
	for p := range l {
		ph := make([]float32, r.k)
		for j := range r.k {
			ph[j] = float32(h[p+l*(r.k-1-j)])
		}
		r.phases[p] = ph
	}
	r.hist = make([]float32, r.k-1)
	// The filter is symmetric: its delay is half its length at the
	// upsampled rate.
	r.delay = time.Duration(float64(len(h)-1) / 2 / float64(from*l) * float64(time.Second))
	return r, nil
}

// design returns the taps of a Kaiser-windowed sinc low-pass for a signal
// at rate (the upsampled rate), cutting between passEdge and stopEdge of
// band, scaled by gain. The length is a multiple of gain (which is L), so
// that every phase has the same number of taps.
func design(rate, band, gain int) []float64 {
	fs := float64(rate)
	fp, fst := passEdge*float64(band), stopEdge*float64(band)
	dw := 2 * math.Pi * (fst - fp) / fs
	n := int(math.Ceil((attenuation-7.95)/(2.285*dw))) + 1
	n = (n + gain - 1) / gain * gain
	beta := 0.1102 * (attenuation - 8.7)
	fc := (fp + fst) / 2 / fs // cycles per sample
	h := make([]float64, n)
	mid := float64(n-1) / 2
	i0b := besselI0(beta)
	var sum float64
	for i := range h {
		x := float64(i) - mid
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		r := 2*float64(i)/float64(n-1) - 1
		w := besselI0(beta*math.Sqrt(max(0, 1-r*r))) / i0b
		h[i] = s * w
		sum += h[i]
	}
	// Unity gain at DC for the output: each of the L phases sums to about 1.
	for i := range h {
		h[i] *= float64(gain) / sum
	}
	return h
}

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 100; k++ {
		term *= (x / 2) / float64(k)
		sum += term * term
		if term*term < sum*1e-17 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// From returns the input rate in Hz.
func (r *Resampler) From() int { return r.from }

// To returns the output rate in Hz.
func (r *Resampler) To() int { return r.to }

// Delay returns how late a signal comes out: the filter's group delay.
func (r *Resampler) Delay() time.Duration { return r.delay }

// OutLen returns how many samples the next Process call makes from n
// input samples. Between rates that divide each other, a 20 ms frame in is
// always exactly a 20 ms frame out.
func (r *Resampler) OutLen(n int) int {
	end := n * r.l
	if r.t >= end {
		return 0
	}
	return (end - r.t + r.m - 1) / r.m
}

// Reset forgets the past input, as if the resampler were new.
func (r *Resampler) Reset() {
	clear(r.hist)
	r.t = 0
}

// Process converts src, the next samples of the stream, appends the
// output to dst and returns the extended slice.
func (r *Resampler) Process(dst, src []int16) []int16 {
	if r.l == 1 && r.m == 1 {
		return append(dst, src...)
	}
	k := r.k
	r.buf = append(r.buf[:0], r.hist...)
	for _, x := range src {
		r.buf = append(r.buf, float32(x))
	}
	buf := r.buf
	end := len(src) * r.l
	for ; r.t < end; r.t += r.m {
		i, p := r.t/r.l, r.t%r.l
		dst = append(dst, toInt16(dot(r.phases[p], buf[i:i+k])))
	}
	r.t -= end
	copy(r.hist, buf[len(buf)-(k-1):])
	return dst
}

// dot returns the dot product of a and b, which have the same length.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// toInt16 rounds x to the nearest sample value, saturating.
func toInt16(x float32) int16 {
	switch {
	case x >= 32767:
		return 32767
	case x <= -32768:
		return -32768
	case x >= 0:
		return int16(x + 0.5)
	default:
		return int16(x - 0.5)
	}
}
