package bench

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// clickPeak is the peak of a click, 0.7 of full scale, and onsetFraction
// the share of it a recorded sample must reach to count as a click's
// onset.
const (
	clickPeak     int16   = 22937
	onsetFraction float64 = 0.25
)

// clickSource is a media.Source of silence with a sharp click, 1 ms of
// a positive then a negative pulse, at the start of every second of its
// audio. It notes the time each click was read: the moment the engine
// took it from the "mouth".
type clickSource struct {
	mu     sync.Mutex
	pos    int         // samples given so far
	clicks []time.Time // when each click's first sample was read
	now    func() time.Time
}

func newClickSource() *clickSource { return &clickSource{now: time.Now} }

// ReadFrame fills samples with the next frame at rate Hz.
func (c *clickSource) ReadFrame(samples []int16, rate int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := c.now()
	width := max(rate/1000, 2) // 1 ms
	for i := range samples {
		off := (c.pos + i) % rate
		switch {
		case off < width/2:
			samples[i] = clickPeak
		case off < width:
			samples[i] = -clickPeak
		default:
			samples[i] = 0
		}
		if off == 0 {
			c.clicks = append(c.clicks, at.Add(time.Duration(i)*time.Second/time.Duration(rate)))
		}
	}
	c.pos += len(samples)
	return nil
}

// times returns when each click was read.
func (c *clickSource) times() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.clicks)
}

// clickSink is a media.Sink that keeps what it is given with the time
// each frame was written: the moment the engine handed it to the "ear".
type clickSink struct {
	mu      sync.Mutex
	samples []int16
	frames  []sinkFrame
	rate    int
	now     func() time.Time
}

type sinkFrame struct {
	at    time.Time
	start int // index of the frame's first sample
}

func newClickSink() *clickSink { return &clickSink{now: time.Now} }

// WriteFrame records a frame at rate Hz.
func (c *clickSink) WriteFrame(samples []int16, rate int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames = append(c.frames, sinkFrame{at: c.now(), start: len(c.samples)})
	c.samples = append(c.samples, samples...)
	c.rate = rate
	return nil
}

// onsets returns when each click was written: the frame's write time
// plus the offset, in the frame, of the click's first sample of at least
// onsetFraction of its amplitude, after at least 200 ms of quieter audio.
func (c *clickSink) onsets() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rate == 0 {
		return nil
	}
	thr := onsetFraction * float64(clickPeak)
	quietNeed := c.rate / 5
	quiet := quietNeed // the start of the recording counts as quiet
	var out []time.Time
	f := 0
	for i, x := range c.samples {
		for f+1 < len(c.frames) && c.frames[f+1].start <= i {
			f++
		}
		if math.Abs(float64(x)) < thr {
			quiet++
			continue
		}
		if quiet >= quietNeed {
			off := i - c.frames[f].start
			out = append(out, c.frames[f].at.Add(time.Duration(off)*time.Second/time.Duration(c.rate)))
		}
		quiet = 0
	}
	return out
}

// delays pairs each onset with the latest click read before it, less
// than maxDelay earlier, and returns how long each took; onsets with no
// such click (noise) are left out, and each click pairs at most once.
func delays(clicks, onsets []time.Time, maxDelay time.Duration) []time.Duration {
	var out []time.Duration
	used := -1
	for _, o := range onsets {
		j := -1
		for i, c := range clicks {
			if !c.After(o) && o.Sub(c) < maxDelay {
				j = i
			}
		}
		if j < 0 || j == used {
			continue
		}
		used = j
		out = append(out, o.Sub(clicks[j]))
	}
	return out
}

// percentile returns the p-th percentile (0–100) of ds by the
// nearest-rank method, 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// TestClickAnalysis checks the latency analysis on synthetic audio: a
// source's clicks written to a sink 35 ms of clock time and 12 samples
// later come out as 36.5 ms each.
func TestClickAnalysis(t *testing.T) {
	var clock time.Time
	src, sink := newClickSource(), newClickSink()
	src.now = func() time.Time { return clock }
	sink.now = func() time.Time { return clock.Add(35 * time.Millisecond) }
	const rate, frame = 8000, 160
	pending := make([]int16, 12) // the sink runs 12 samples behind
	buf := make([]int16, frame)
	for range 3 * rate / frame {
		if err := src.ReadFrame(buf, rate); err != nil {
			t.Fatal(err)
		}
		pending = append(pending, buf...)
		if len(pending) >= frame {
			if err := sink.WriteFrame(pending[:frame], rate); err != nil {
				t.Fatal(err)
			}
			pending = pending[frame:]
		}
		clock = clock.Add(20 * time.Millisecond)
	}
	clicks, on := src.times(), sink.onsets()
	if len(clicks) != 3 || len(on) != 3 {
		t.Fatalf("%d clicks, %d onsets; want 3 and 3", len(clicks), len(on))
	}
	d := delays(clicks, on, time.Second)
	want := 35*time.Millisecond + 12*time.Second/rate
	for i, x := range d {
		if x != want {
			t.Errorf("click %d: delay %s, want %s", i, x, want)
		}
	}
	if got := percentile([]time.Duration{5, 1, 4, 2, 3}, 50); got != 3 {
		t.Errorf("median of 1..5 = %d", got)
	}
	if got := percentile([]time.Duration{5, 1, 4, 2, 3}, 95); got != 5 {
		t.Errorf("p95 of 1..5 = %d", got)
	}
}
