package rtp

import (
	"math"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/codec/opus"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// noFEC hides an Opus decoder's DecodeFEC, so the buffer can only conceal.
type noFEC struct{ codec.Decoder }

// playOpus sends frames of a 440 Hz tone at 8 kHz through an Opus encoder
// at half scale (SILK stops adding FEC to a quieter steady tone after
// about a second: its VAD takes it for noise) with RTP timestamps at
// 48 kHz (960 a frame), loses the packets in lost,
// reads one 160-sample frame per 20 ms from a buffer decoding with dec and
// returns what it played.
func playOpus(t *testing.T, dec codec.Decoder, frames int, lost func(i int) bool) ([]int16, *JitterBuffer) {
	t.Helper()
	enc, err := opus.NewEncoder(opus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	j := NewJitterBuffer(8000, nil)
	j.SetClock(opus.ClockRate, 8000)
	j.SetDecoders(map[uint8]codec.Decoder{111: dec})
	t0 := time.Now()
	pcm := make([]int16, 160)
	out := make([]int16, 160)
	var played []int16
	base := uint32(math.MaxUint32 - 5*960) // the timestamp wraps early on
	for i := 0; i < frames || j.level() > 0; i++ {
		if i < frames {
			for k := range pcm {
				pcm[k] = int16(16384 * math.Sin(2*math.Pi*440*float64(i*160+k)/8000))
			}
			payload := enc.Encode(nil, pcm)
			if !lost(i) {
				j.Push(base+uint32(i*960), 111, payload, t0.Add(time.Duration(i)*20*time.Millisecond))
			}
		}
		j.Read(out)
		played = append(played, out...)
	}
	return played, j
}

// TestJitterOpusClock checks the buffer at Opus's 48 kHz RTP clock with
// 8 kHz PCM: every frame plays once, in order, nothing concealed, and the
// delay and jitter read in real time.
func TestJitterOpusClock(t *testing.T) {
	dec, err := opus.NewDecoder(opus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	played, j := playOpus(t, dec, 150, func(int) bool { return false })
	s := j.Stats()
	if s.Concealed > 1 || s.Late != 0 || s.Dropped != 0 || s.Recovered != 0 {
		t.Errorf("clean Opus stream: %+v", s)
	}
	if s.Target < MinDelay || s.Target > 3*MinDelay {
		t.Errorf("target delay %v for a clean stream", s.Target)
	}
	if tone := mediatest.Measure(played, 8000, 440); tone.SNR < 20 {
		t.Errorf("440 Hz at SNR %.1f dB", tone.SNR)
	}
	if j.level() != 0 {
		t.Errorf("%d timestamp units left after the stream", j.level())
	}
}

// TestJitterOpusFEC loses one packet in ten: with the decoder's FEC the
// buffer rebuilds each lost frame from the packet after it, without it the
// buffer conceals; the tone must be in (nearly) every 20 ms frame with FEC.
func TestJitterOpusFEC(t *testing.T) {
	const frames = 250
	lost := func(i int) bool { return i > 10 && i%10 == 5 }
	nLost := 0
	for i := range frames {
		if lost(i) {
			nLost++
		}
	}
	for _, withFEC := range []bool{true, false} {
		d, err := opus.NewDecoder(opus.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var dec codec.Decoder = d
		if !withFEC {
			dec = noFEC{d}
		}
		played, j := playOpus(t, dec, frames, lost)
		d.Close()
		s := j.Stats()
		good := mediatest.FramesWithTone(mediatest.Trim(played), 8000, 440, 160, 10)
		t.Logf("FEC %v: %d lost, %+v; %.0f%% of frames hold the tone at SNR >= 10 dB", withFEC, nLost, s, 100*good)
		if withFEC {
			if s.Recovered != uint64(nLost) || s.Concealed > 1 {
				t.Errorf("with FEC: recovered %d and concealed %d frames for %d lost", s.Recovered, s.Concealed, nLost)
			}
			if good < 0.95 {
				t.Errorf("with FEC only %.0f%% of frames hold the tone", 100*good)
			}
		} else if s.Recovered != 0 || s.Concealed < uint64(nLost) {
			t.Errorf("without FEC: recovered %d and concealed %d frames for %d lost", s.Recovered, s.Concealed, nLost)
		}
	}
}
