package rtp

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/codec/g711"
)

// payloadFor is packet i's payload: 160 copies of one µ-law code that no
// other packet of the test uses, so every output frame says which packet
// it came from.
func payloadFor(i int) []byte {
	b := make([]byte, 160)
	for k := range b {
		b[k] = byte(0x80 + i%100) // positive codes, distinct and far from zero
	}
	return b
}

func packetOf(frame []int16) int {
	for i := range 100 {
		if frame[0] == g711.DecodeULaw(byte(0x80+i)) && frame[159] == frame[0] {
			return i
		}
	}
	return -1
}

func newBuffer() *JitterBuffer {
	return NewJitterBuffer(8000, map[uint8]codec.Decoder{0: codec.PCMU.NewDecoder()})
}

// run pushes packets 0..n-1 (except lost ones) at their send time plus a
// delay, reads one frame every 20 ms and returns which packet each frame
// played (-1 for silence or concealment).
func run(j *JitterBuffer, n int, delay func(i int) time.Duration, lost map[int]bool) []int {
	t0 := time.Now()
	type arrival struct {
		i  int
		at time.Duration
	}
	var arrivals []arrival
	for i := range n {
		if !lost[i] {
			arrivals = append(arrivals, arrival{i, time.Duration(i)*20*time.Millisecond + delay(i)})
		}
	}
	var played []int
	frame := make([]int16, 160)
	for tick := 0; len(arrivals) > 0 || j.level() > 0; tick++ {
		now := time.Duration(tick)*20*time.Millisecond + 10*time.Millisecond
		for k := 0; k < len(arrivals); {
			if arrivals[k].at <= now {
				a := arrivals[k]
				j.Push(uint32(1000+a.i*160), 0, payloadFor(a.i), t0.Add(a.at))
				arrivals = append(arrivals[:k], arrivals[k+1:]...)
				continue
			}
			k++
		}
		j.Read(frame)
		played = append(played, packetOf(frame))
	}
	return played
}

// inOrder checks that the played packets are 0..n-1 in order once playing
// started, allowing -1 only at the given indices.
func inOrder(t *testing.T, played []int, n int, gaps map[int]bool) {
	t.Helper()
	next := 0
	for _, p := range played {
		if p == -1 {
			if gaps[next] {
				next++
			}
			continue
		}
		if p != next%100 {
			t.Fatalf("played packet %d, want %d; sequence %v", p, next, played)
		}
		next++
	}
	if next < n {
		t.Fatalf("played up to %d of %d: %v", next, n, played)
	}
}

func TestJitterInOrder(t *testing.T) {
	j := newBuffer()
	played := run(j, 100, func(int) time.Duration { return 0 }, nil)
	inOrder(t, played, 100, nil)
	if s := j.Stats(); s.Concealed > 1 || s.Late != 0 || s.Dropped != 0 {
		t.Errorf("clean stream: %+v", s)
	}
}

func TestJitterReorders(t *testing.T) {
	j := newBuffer()
	// Odd packets are 25 ms late, so they arrive after the next even one.
	played := run(j, 100, func(i int) time.Duration { return time.Duration(i%2) * 25 * time.Millisecond }, nil)
	inOrder(t, played, 100, nil)
	if s := j.Stats(); s.Late != 0 {
		t.Errorf("reordered stream: %+v", s)
	}
}

func TestJitterConcealsLoss(t *testing.T) {
	j := newBuffer()
	lost := map[int]bool{30: true, 60: true, 61: true}
	played := run(j, 100, func(int) time.Duration { return 0 }, lost)
	inOrder(t, played, 100, lost)
	if s := j.Stats(); s.Concealed < 2 || s.Concealed > 5 {
		t.Errorf("concealed %d frames for 3 lost packets", s.Concealed)
	}
}

func TestJitterDropsLateAndDuplicates(t *testing.T) {
	j := newBuffer()
	played := run(j, 100, func(i int) time.Duration {
		if i == 50 {
			return 300 * time.Millisecond // far too late: its turn has passed
		}
		return 0
	}, nil)
	inOrder(t, played, 100, map[int]bool{50: true})
	s := j.Stats()
	if s.Late != 1 {
		t.Errorf("late %d, want 1 (%+v)", s.Late, s)
	}
	j.Push(uint32(1000+99*160), 0, payloadFor(99), time.Now())
	j.Push(uint32(1000+200*160), 0, payloadFor(0), time.Now())
	j.Push(uint32(1000+200*160), 0, payloadFor(0), time.Now())
	if s := j.Stats(); s.Duplicates != 1 || s.Late != 2 {
		t.Errorf("after a duplicate and a late packet: %+v", s)
	}
}

func TestJitterAdapts(t *testing.T) {
	j := newBuffer()
	rng := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, 500)
	for i := range delays {
		delays[i] = time.Duration(rng.IntN(40)) * time.Millisecond
	}
	played := run(j, 500, func(i int) time.Duration { return delays[i] }, nil)
	s := j.Stats()
	if s.Target <= MinDelay || s.Target > MaxDelay || s.Jitter < 5*time.Millisecond {
		t.Errorf("with 40 ms of jitter: %+v", s)
	}
	good := 0
	for _, p := range played {
		if p >= 0 {
			good++
		}
	}
	if good < 450 || s.Late > 25 {
		t.Errorf("with 40 ms of jitter only %d of 500 frames played, %d late (%+v)", good, s.Late, s)
	}
}

func TestJitterResyncsAfterPause(t *testing.T) {
	j := newBuffer()
	frame := make([]int16, 160)
	t0 := time.Now()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 20 * time.Millisecond) }
	for i := range 10 {
		j.Push(uint32(i*160), 0, payloadFor(i), at(i))
		j.Read(frame)
	}
	for range 100 { // two seconds with nothing: the far end holds
		j.Read(frame)
	}
	for i := 500; i < 510; i++ { // back, with the timestamp two seconds on
		j.Push(uint32(i*160), 0, payloadFor(i), at(i-390))
		j.Read(frame)
		if i == 502 && packetOf(frame) < 0 {
			t.Fatalf("audio after a pause is not played within 3 frames")
		}
	}
}

// TestJitterGrowsOnUnderrunAndShrinks starves the buffer for five frames
// (a sender descheduled, then bursting): the late packets still play, in
// order, after the held play point; the target grows by the underrun and
// comes back down once the stream has been steady for a while.
func TestJitterGrowsOnUnderrunAndShrinks(t *testing.T) {
	j := newBuffer()
	base := j.Stats().Target
	played := run(j, 400, func(i int) time.Duration {
		if i >= 20 && i < 26 {
			return time.Duration(26-i) * 20 * time.Millisecond // all arrive with packet 26
		}
		return 0
	}, nil)
	inOrder(t, played, 400, nil)
	s := j.Stats()
	if s.Underruns != 1 || s.Late != 0 {
		t.Errorf("after a 100 ms burst: %+v", s)
	}
	if s.Target >= base+100*time.Millisecond || s.Target < base {
		t.Errorf("target %v after 8 s, from %v: it did not come back down", s.Target, base)
	}

	j = newBuffer()
	run(j, 30, func(i int) time.Duration {
		if i >= 20 && i < 26 {
			return time.Duration(26-i) * 20 * time.Millisecond
		}
		return 0
	}, nil)
	if got := j.Stats().Target; got < base+100*time.Millisecond || got > MaxDelay {
		t.Errorf("target %v right after a 100 ms underrun, from %v", got, base)
	}
}

func TestJitterReady(t *testing.T) {
	j := newBuffer()
	frame := make([]int16, 160)
	if !j.Ready() {
		t.Error("an empty buffer that is not playing is not ready (it plays silence)")
	}
	now := time.Now()
	for i := range 4 {
		j.Push(uint32(i*160), 0, payloadFor(i), now)
	}
	for range 4 {
		if !j.Ready() {
			t.Fatal("not ready with audio buffered")
		}
		j.Read(frame)
	}
	if j.Ready() {
		t.Error("ready with the buffer run dry")
	}
	j.Push(5*160, 0, payloadFor(5), now) // packet 4 is missing
	if j.Ready() {
		t.Error("ready with a gap at the play point")
	}
	j.Push(4*160, 0, payloadFor(4), now)
	if !j.Ready() {
		t.Error("not ready once the missing packet came")
	}
}
