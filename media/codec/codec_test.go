package codec

import (
	"math"
	"testing"
)

func TestByName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Codec
	}{{"pcmu", PCMU}, {"PCMU", PCMU}, {"pcma", PCMA}, {"PcmA", PCMA}} {
		if got, ok := ByName(tc.name); !ok || got != tc.want {
			t.Errorf("ByName(%q) = %v, %v", tc.name, got, ok)
		}
	}
	if _, ok := ByName("opus"); ok {
		t.Errorf("ByName(opus) found a codec this build does not have")
	}
}

func TestG711RoundTrip(t *testing.T) {
	for _, c := range All() {
		pcm := make([]int16, 160)
		for i := range pcm {
			pcm[i] = int16(10000 * math.Sin(2*math.Pi*440*float64(i)/8000))
		}
		payload := c.NewEncoder().Encode(nil, pcm)
		dec := c.NewDecoder()
		if len(payload) != 160 || dec.Samples(payload) != 160 {
			t.Fatalf("%s: payload %d bytes, %d samples", c.Info().Name, len(payload), dec.Samples(payload))
		}
		out := dec.Decode(nil, payload)
		for i := range pcm {
			if d := math.Abs(float64(out[i] - pcm[i])); d > 400 {
				t.Fatalf("%s: sample %d: %d became %d", c.Info().Name, i, pcm[i], out[i])
			}
		}
	}
}

// TestConcealFades checks repeat-and-fade: a gap starts with the last audio
// repeated at full level and is silent after 60 ms.
func TestConcealFades(t *testing.T) {
	dec := PCMU.NewDecoder()
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = 8000
	}
	dec.Decode(nil, PCMU.NewEncoder().Encode(nil, pcm))
	gap := make([]int16, 640)
	dec.Conceal(gap)
	if gap[0] < 7000 || gap[79] < 7000 {
		t.Errorf("concealment does not start at full level: %d, %d", gap[0], gap[79])
	}
	if gap[300] >= gap[100] || gap[300] <= 0 {
		t.Errorf("concealment does not fade: %d at 12 ms, %d at 37 ms", gap[100], gap[300])
	}
	for i := 480; i < len(gap); i++ {
		if gap[i] != 0 {
			t.Fatalf("concealment still sounds at sample %d: %d", i, gap[i])
		}
	}
	out := dec.Decode(nil, PCMU.NewEncoder().Encode(nil, pcm[:10]))
	if out[0] < 7000 {
		t.Errorf("good audio after a gap decoded as %d", out[0])
	}
	fresh := make([]int16, 10)
	dec.Conceal(fresh)
	if fresh[0] < 7000 {
		t.Errorf("a new gap does not restart at full level: %d", fresh[0])
	}
}

func TestConcealWithoutHistoryIsSilent(t *testing.T) {
	gap := []int16{1, 2, 3}
	PCMA.NewDecoder().Conceal(gap)
	if gap[0] != 0 || gap[2] != 0 {
		t.Errorf("concealment before any audio = %v, want silence", gap)
	}
}
