package device

import (
	"context"
	"errors"
	"math"
	"time"
)

// TestTone is the frequency PlayTone plays for a speaker test, in Hz.
const TestTone = 440.0

// PlayTone plays a sine tone of freq Hz (TestTone when 0) at -12 dBFS on
// the speaker called name (empty: the system's default) for d, or until
// ctx ends, and returns once it has been heard. It is the Settings
// window's "Test speaker" and "Test ringer". The error says in words why
// the speaker did not open (see OpenPlayback); a cancelled ctx is not an
// error.
func PlayTone(ctx context.Context, name string, freq float64, d time.Duration) error {
	if freq <= 0 {
		freq = TestTone
	}
	p, err := OpenPlayback(name)
	if err != nil {
		return err
	}
	defer p.Close()
	const frame = 20 * time.Millisecond
	rate := p.rate
	n := rate * int(frame/time.Millisecond) / 1000
	buf := make([]int16, n)
	total := int(d / frame)
	phase, step := 0.0, 2*math.Pi*freq/float64(rate)
	const amp = 0.25 * 32767 // -12 dBFS
	fill := func(i int) {
		for j := range buf {
			// 10 ms fades at both ends, so the tone does not click.
			g := 1.0
			pos := i*n + j
			if fade := rate / 100; pos < fade {
				g = float64(pos) / float64(fade)
			} else if left := total*n - pos; left < fade {
				g = float64(left) / float64(fade)
			}
			buf[j] = int16(math.Round(amp * g * math.Sin(phase)))
			phase += step
		}
		phase = math.Mod(phase, 2*math.Pi)
	}
	// A few frames ahead, then one per tick: the device's queue never
	// runs dry and never grows.
	const ahead = 4
	i := 0
	for ; i < min(ahead, total); i++ {
		fill(i)
		if err := p.WriteFrame(buf, rate); err != nil {
			return err
		}
	}
	tick := time.NewTicker(frame)
	defer tick.Stop()
	for i < total {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		fill(i)
		if err := p.WriteFrame(buf, rate); err != nil {
			return err
		}
		i++
	}
	if err := p.Drain(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
