// Package tone generates audio: sine tones and silence, as media sources
// for tests, headless runs ("--audio-in tone:440") and, later, the local
// ringback and busy tones.
package tone

import "math"

// Sine is a continuous sine tone. Its phase carries over between frames and
// across sample-rate changes, so the tone has no clicks at frame edges.
type Sine struct {
	freq  float64
	amp   float64
	phase float64 // radians, in [0, 2π)
}

// NewSine returns a tone of freqHz at amplitude, a fraction of full scale
// (0 to 1; 0.5 is -6 dBFS). Amplitudes outside 0..1 are clamped.
func NewSine(freqHz, amplitude float64) *Sine {
	return &Sine{freq: freqHz, amp: min(max(amplitude, 0), 1)}
}

// ReadFrame fills samples with the next len(samples) samples at rate Hz.
func (s *Sine) ReadFrame(samples []int16, rate int) error {
	step := 2 * math.Pi * s.freq / float64(rate)
	for i := range samples {
		samples[i] = int16(math.Round(32767 * s.amp * math.Sin(s.phase)))
		s.phase += step
		if s.phase >= 2*math.Pi {
			s.phase -= 2 * math.Pi
		}
	}
	return nil
}

// Silence is a source of zero samples.
type Silence struct{}

// ReadFrame fills samples with zeros.
func (Silence) ReadFrame(samples []int16, _ int) error {
	clear(samples)
	return nil
}
