// Package synth computes Ringdesk's local sounds sample by sample: the
// ringtone, the ringback, busy and error tones. assets/sounds/gen writes
// them as the WAV files assets/sounds embeds, and the tests check that the
// files are what this code makes.
package synth

import (
	"math"
	"sort"
)

// Rate is the sample rate of every sound, in Hz.
const Rate = 16000

// Sounds maps each file name to its samples.
func Sounds() map[string][]int16 {
	return map[string][]int16{
		"ring.wav":     Ring(),
		"ringback.wav": Ringback(),
		"busy.wav":     Busy(),
		"error.wav":    Error(),
		"waiting.wav":  Waiting(),
	}
}

// Names returns the file names of Sounds, sorted.
func Names() []string {
	var names []string
	for n := range Sounds() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// callProgress is the frequency of the call-progress tones (ringback,
// busy): 425 Hz, ITU-T E.180's recommendation, used in Europe and Vietnam
// among many others.
const callProgress = 425

// toneLevel is the call-progress tones' amplitude, -12 dBFS: clearly
// audible, never louder than a call.
const toneLevel = 0.25

// Ringback is one cycle of the ringing tone a caller hears: 1 s of 425 Hz,
// then 4 s of silence (ITU-T E.180 §2.2, cadence 1 on 4 off).
func Ringback() []int16 {
	s := make([]float64, 5*Rate)
	burst(s, 0, Rate, toneLevel, callProgress)
	return quantise(s)
}

// Busy is the busy tone: three cycles of 425 Hz, 0.5 s on and 0.5 s off
// (ITU-T E.180 §2.4).
func Busy() []int16 {
	s := make([]float64, 3*Rate)
	for i := range 3 {
		burst(s, i*Rate, Rate/2, toneLevel, callProgress)
	}
	return quantise(s)
}

// Error is the special information tone twice (ITU-T E.180 §2.6: 950,
// 1400 and 1800 Hz, 330 ms each), then a second of silence: the number
// cannot be reached, or the service failed.
func Error() []int16 {
	const seg = Rate * 330 / 1000
	const gap = Rate * 30 / 1000
	cycle := 3*(seg+gap) + Rate
	s := make([]float64, 2*cycle)
	for c := range 2 {
		for i, f := range []float64{950, 1400, 1800} {
			burst(s, c*cycle+i*(seg+gap), seg, toneLevel, f)
		}
	}
	return quantise(s)
}

// Waiting is one cycle of the call-waiting tone played over a call when
// another one rings: two short 425 Hz beeps (0.2 s on, 0.2 s off, 0.2 s
// on, ITU-T E.180 §2.9), then 4.4 s of silence, so it does not drown the
// conversation.
func Waiting() []int16 {
	s := make([]float64, 5*Rate)
	burst(s, 0, Rate/5, toneLevel, callProgress)
	burst(s, 2*Rate/5, Rate/5, toneLevel, callProgress)
	return quantise(s)
}

// Ring is one cycle of the ringtone: two rising arpeggios of soft,
// marimba-like notes (C6 E6 G6 C7, then again), then silence: 4 s in all.
func Ring() []int16 {
	s := make([]float64, 4*Rate)
	notes := []float64{1046.50, 1318.51, 1567.98, 2093.00}
	step := Rate * 11 / 100 // 110 ms between notes
	for phrase := range 2 {
		start := phrase * Rate * 8 / 10
		for i, f := range notes {
			note(s[start+i*step:], f, 0.3)
		}
	}
	normalise(s, 0.5) // -6 dBFS peak
	return quantise(s)
}

// burst adds a sine of freq at amp to s[at:at+n], with 5 ms ramps so it
// does not click.
func burst(s []float64, at, n int, amp, freq float64) {
	ramp := Rate * 5 / 1000
	for i := range n {
		g := 1.0
		if i < ramp {
			g = float64(i) / float64(ramp)
		} else if n-i < ramp {
			g = float64(n-i) / float64(ramp)
		}
		s[at+i] += amp * g * math.Sin(2*math.Pi*freq*float64(i)/Rate)
	}
}

// note adds a struck note of freq to the start of s: a quick attack and an
// exponential decay, with a little of the fourth harmonic for brightness.
func note(s []float64, freq, amp float64) {
	attack := Rate * 3 / 1000
	n := min(len(s), Rate*6/10)
	for i := range n {
		t := float64(i) / Rate
		env := math.Exp(-t / 0.12)
		if i < attack {
			env *= float64(i) / float64(attack)
		}
		if tail := n - i; tail < attack {
			env *= float64(tail) / float64(attack)
		}
		v := math.Sin(2*math.Pi*freq*t) + 0.2*math.Exp(-t/0.04)*math.Sin(2*math.Pi*4*freq*t)
		s[i] += amp * env * v
	}
}

// normalise scales s so that its loudest sample is peak.
func normalise(s []float64, peak float64) {
	m := 0.0
	for _, v := range s {
		m = max(m, math.Abs(v))
	}
	if m == 0 {
		return
	}
	for i := range s {
		s[i] *= peak / m
	}
}

// quantise turns samples in [-1, 1] into 16-bit ones.
func quantise(s []float64) []int16 {
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = int16(math.Round(max(-1, min(1, v)) * 32767))
	}
	return out
}

// WAV returns samples as a 16-bit mono PCM WAV file at Rate.
func WAV(samples []int16) []byte {
	data := len(samples) * 2
	b := make([]byte, 0, 44+data)
	le32 := func(v int) { b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)) }
	le16 := func(v int) { b = append(b, byte(v), byte(v>>8)) }
	b = append(b, "RIFF"...)
	le32(36 + data)
	b = append(b, "WAVEfmt "...)
	le32(16)
	le16(1) // PCM
	le16(1) // mono
	le32(Rate)
	le32(Rate * 2)
	le16(2)
	le16(16)
	b = append(b, "data"...)
	le32(data)
	for _, v := range samples {
		le16(int(uint16(v)))
	}
	return b
}
