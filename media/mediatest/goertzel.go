// Package mediatest holds test doubles and checks for media: a Sink that
// records what a call plays, and a Goertzel tone detector that says whether
// a recording holds a tone, how loud and how clean.
package mediatest

import (
	"math"
)

// Tone is the result of looking for one frequency in some audio.
type Tone struct {
	// Level is the tone's power in dB relative to a full-scale sine.
	Level float64
	// SNR is the tone's power over the power of everything else, in dB.
	SNR float64
}

// Goertzel returns the complex amplitude estimate of freq in samples
// (Hann-windowed), as the peak amplitude of a sine in sample units.
func Goertzel(samples []int16, rate int, freq float64) float64 {
	n := len(samples)
	if n == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2, wsum float64
	for i, x := range samples {
		win := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		wsum += win
		s0 := float64(x)*win + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	return 2 * math.Hypot(re, im) / wsum
}

// blockLen is the analysis block: 100 ms, so that whole-hertz tones at
// multiples of 10 Hz fall on a bin.
func blockLen(rate int) int { return max(rate/10, 1) }

// silenceThreshold is the largest sample value taken as silence when
// trimming: G.711 A-law has no zero, its silence decodes to ±8.
const silenceThreshold = 64

// Trim returns samples without their leading and trailing silence.
func Trim(samples []int16) []int16 {
	quiet := func(x int16) bool { return x > -silenceThreshold && x < silenceThreshold }
	for len(samples) > 0 && quiet(samples[0]) {
		samples = samples[1:]
	}
	for len(samples) > 0 && quiet(samples[len(samples)-1]) {
		samples = samples[:len(samples)-1]
	}
	return samples
}

// Measure finds freq in samples, in 100 ms blocks: the tone's power is each
// block's Goertzel power and everything else is the rest of the block's
// power, averaged over the blocks that are not silent. Leading and trailing
// silence is trimmed first, so that no block straddles the start or end of
// the tone: a recording's silence before the first packet and after the
// far end hung up spoils neither the level nor the ratio.
func Measure(samples []int16, rate int, freq float64) Tone {
	samples = Trim(samples)
	var sig, total float64
	sounding := 0
	n := blockLen(rate)
	for start := 0; start+n <= len(samples); start += n {
		s, t := blockPower(samples[start:start+n], rate, freq)
		sig += s
		total += t
		if t > 0 {
			sounding++
		}
	}
	if sounding == 0 {
		return toTone(0, 0)
	}
	return toTone(sig/float64(sounding), total/float64(sounding))
}

// FramesWithTone returns the fraction of the frameLen-sample frames of
// samples whose tone at freq is at least minSNR dB above the rest.
func FramesWithTone(samples []int16, rate int, freq float64, frameLen int, minSNR float64) float64 {
	frames, good := 0, 0
	for start := 0; start+frameLen <= len(samples); start += frameLen {
		frames++
		if toTone(blockPower(samples[start:start+frameLen], rate, freq)).SNR >= minSNR {
			good++
		}
	}
	if frames == 0 {
		return 0
	}
	return float64(good) / float64(frames)
}

func blockPower(block []int16, rate int, freq float64) (sig, total float64) {
	amp := Goertzel(block, rate, freq)
	sig = amp * amp / 2
	for _, x := range block {
		total += float64(x) * float64(x)
	}
	total /= float64(len(block))
	return min(sig, total), total
}

func toTone(sig, total float64) Tone {
	const fullScale = 32767.0 * 32767.0 / 2
	noise := total - sig
	t := Tone{Level: math.Inf(-1), SNR: math.Inf(-1)}
	if sig > 0 {
		t.Level = 10 * math.Log10(sig/fullScale)
		t.SNR = math.Inf(1)
		if noise > 0 {
			t.SNR = 10 * math.Log10(sig/noise)
		}
	}
	return t
}

// Level returns the power of samples in dB relative to a full-scale sine,
// -Inf for digital silence.
func Level(samples []int16) float64 {
	if len(samples) == 0 {
		return math.Inf(-1)
	}
	var p float64
	for _, x := range samples {
		p += float64(x) * float64(x)
	}
	return 10 * math.Log10(p/float64(len(samples))/(32767.0*32767.0/2))
}
