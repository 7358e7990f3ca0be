package device

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/ringdesk/ringdesk/media/resample"
)

// Capture buffering, at the device rate.
const (
	captureCapacity = deviceRate / 2      // 500 ms kept at most
	captureMaxLag   = deviceRate * 3 / 25 // 120 ms: more waiting than this is old audio...
	captureLag      = deviceRate / 25     // ...and is cut back to 40 ms
	captureCushion  = deviceRate / 50     // 20 ms kept in hand after an underrun
)

// Capture is a microphone opened for a call: a media Source whose
// ReadFrame never waits for the device. It is safe for concurrent use;
// Close it when done.
type Capture struct {
	name string
	ctx  *malgo.AllocatedContext
	dev  *malgo.Device
	rate int // the device's rate

	mu     sync.Mutex
	ring   ring       // guarded by mu
	meter  levelMeter // guarded by mu
	closed bool       // guarded by mu
	// heard is closed by the callback once the meter has measured
	// hearWant samples in all; guarded by mu, nil when nobody waits.
	heard    chan struct{}
	hearWant int

	underruns atomic.Uint64
	overruns  atomic.Uint64
	received  atomic.Uint64
	cbuf      []int16 // the callback's scratch; only miniaudio's thread uses it

	rmu     sync.Mutex // serialises ReadFrame
	rs      *resample.Resampler
	in      []int16
	pending []int16 // converted, not yet delivered
	// starving is set at the start and after an underrun: ReadFrame then
	// waits for captureCushion more than a frame before delivering again,
	// so that the device's uneven bursts do not make a gap every frame.
	starving bool

	closeOnce sync.Once
}

// OpenCapture opens and starts the microphone called name (as List gives
// it; empty for the system's default). The error says in words why it did
// not open and wraps ErrNoDevice, ErrBusy or ErrPermission when one fits.
func OpenCapture(name string) (*Capture, error) {
	c := &Capture{name: name, ring: newRing(captureCapacity), meter: newLevelMeter(deviceRate), starving: true}
	ctx, dev, err := open(malgo.Capture, name, c.onData)
	if err != nil {
		return nil, err
	}
	c.ctx, c.dev, c.rate = ctx, dev, int(dev.SampleRate())
	if c.rate <= 0 {
		c.rate = deviceRate
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		freeContext(ctx)
		return nil, openError(malgo.Capture, name, err)
	}
	return c, nil
}

// onData runs on miniaudio's thread with the microphone's samples,
// 16-bit little-endian mono.
func (c *Capture) onData(_, in []byte, frames uint32) {
	n := min(int(frames), len(in)/2)
	if n == 0 {
		return
	}
	if cap(c.cbuf) < n {
		c.cbuf = make([]int16, n)
	}
	samples := c.cbuf[:n]
	for i := range samples {
		samples[i] = int16(uint16(in[2*i]) | uint16(in[2*i+1])<<8)
	}
	c.received.Add(uint64(n))
	c.mu.Lock()
	if dropped := c.ring.write(samples); dropped > 0 {
		c.overruns.Add(1)
	}
	c.meter.add(samples)
	if c.heard != nil && c.meter.totalCount >= c.hearWant {
		close(c.heard)
		c.heard = nil
	}
	c.mu.Unlock()
}

// Name returns the name the microphone was opened with ("" for the
// system's default).
func (c *Capture) Name() string { return c.name }

// ReadFrame fills samples with the next len(samples) samples of the
// microphone at rate Hz. It never waits: when the device has not
// delivered enough yet (at the start, or when it stalls) the frame is
// silence, and Underruns counts the stalls (not the start); after one it
// keeps 20 ms in hand before it delivers again. Audio waiting longer than
// about 120 ms is dropped, so the far end never hears us late.
func (c *Capture) ReadFrame(samples []int16, rate int) error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rs == nil || c.rs.To() != rate {
		rs, err := resample.New(c.rate, rate)
		if err != nil {
			clear(samples)
			return fmt.Errorf("microphone: %w", err)
		}
		c.rs, c.pending = rs, c.pending[:0]
	}
	for len(c.pending) < len(samples) {
		need := max(1, ((len(samples)-len(c.pending))*c.rate+rate-1)/rate)
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			clear(samples)
			return ErrClosed
		}
		if have := c.ring.len(); have > captureMaxLag {
			c.ring.skip(have - captureLag)
			c.overruns.Add(1)
		}
		want := need
		if c.starving {
			want += captureCushion
		}
		if c.ring.len() < want {
			c.mu.Unlock()
			if !c.starving {
				c.underruns.Add(1)
				c.starving = true
			}
			clear(samples)
			return nil
		}
		c.starving = false
		if cap(c.in) < need {
			c.in = make([]int16, need)
		}
		c.in = c.in[:need]
		c.ring.read(c.in)
		c.mu.Unlock()
		c.pending = c.rs.Process(c.pending, c.in)
	}
	copy(samples, c.pending)
	c.pending = c.pending[:copy(c.pending, c.pending[len(samples):])]
	return nil
}

// Underruns returns how many times ReadFrame ran out of audio in the
// middle of a stream and gave silence until the microphone caught up.
func (c *Capture) Underruns() uint64 { return c.underruns.Load() }

// Overruns returns how many times audio from the microphone was dropped
// because it waited too long: nobody read it, or it came faster than it
// was read.
func (c *Capture) Overruns() uint64 { return c.overruns.Load() }

// Level returns the microphone's level over the last tenth of a second.
func (c *Capture) Level() Level {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.meter.level()
}

// hear waits until the microphone has delivered d of audio in all since
// it opened, or limit passes, or ctx ends; it returns ctx's error only.
func (c *Capture) hear(ctx context.Context, d, limit time.Duration) error {
	c.mu.Lock()
	want := int(int64(c.rate) * int64(d) / int64(time.Second))
	if c.meter.totalCount >= want {
		c.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	c.heard, c.hearWant = ch, want
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.heard == ch {
			c.heard = nil
		}
		c.mu.Unlock()
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Close stops the microphone and frees it; ReadFrame then returns
// ErrClosed. It returns once miniaudio no longer calls back, which the
// sound server may take a moment to confirm (up to two seconds for the
// monitor of an idle PulseAudio null sink; a few milliseconds for a real
// microphone).
func (c *Capture) Close() error {
	c.closeOnce.Do(func() {
		c.dev.Uninit() // stops the device and waits for its callback
		freeContext(c.ctx)
		c.mu.Lock()
		c.closed = true
		c.ring.reset()
		c.mu.Unlock()
	})
	return nil
}
