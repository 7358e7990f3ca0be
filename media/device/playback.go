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

// Playback buffering, at the device rate.
const (
	playbackCapacity = deviceRate / 5  // 200 ms queued at most: older audio is dropped
	playbackPrefill  = deviceRate / 25 // 40 ms queued before sound starts (again)
	playbackHigh     = deviceRate / 8  // more than 125 ms queued is too late...
	playbackTarget   = deviceRate / 16 // ...and is cut back to 62.5 ms
)

// Playback is a speaker opened for a call: a media Sink whose WriteFrame
// never waits for the device. It is safe for concurrent use; Close it when
// done.
type Playback struct {
	name string
	ctx  *malgo.AllocatedContext
	dev  *malgo.Device
	rate int // the device's rate

	mu       sync.Mutex
	ring     ring // guarded by mu
	starving bool // guarded by mu: waiting for playbackPrefill before playing
	closed   bool // guarded by mu
	// drainWait is closed by the callback when the ring runs empty;
	// guarded by mu, nil when nobody waits.
	drainWait chan struct{}

	dropped   atomic.Uint64
	underruns atomic.Uint64
	cbuf      []int16 // the callback's scratch; only miniaudio's thread uses it

	wmu sync.Mutex // serialises WriteFrame
	rs  *resample.Resampler
	out []int16

	closeOnce sync.Once
}

// OpenPlayback opens and starts the speaker called name (as List gives
// it; empty for the system's default). It plays silence until frames are
// written. The error says in words why it did not open and wraps
// ErrNoDevice, ErrBusy or ErrPermission when one fits.
func OpenPlayback(name string) (*Playback, error) {
	p := &Playback{name: name, ring: newRing(playbackCapacity), starving: true}
	ctx, dev, err := open(malgo.Playback, name, p.onData)
	if err != nil {
		return nil, err
	}
	p.ctx, p.dev, p.rate = ctx, dev, int(dev.SampleRate())
	if p.rate <= 0 {
		p.rate = deviceRate
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		freeContext(ctx)
		return nil, openError(malgo.Playback, name, err)
	}
	return p, nil
}

// onData runs on miniaudio's thread and fills out with the next samples,
// 16-bit little-endian mono.
func (p *Playback) onData(out, _ []byte, frames uint32) {
	n := min(int(frames), len(out)/2)
	if cap(p.cbuf) < n {
		p.cbuf = make([]int16, n)
	}
	buf := p.cbuf[:n]
	got := 0
	p.mu.Lock()
	if p.starving && p.ring.len() >= playbackPrefill {
		p.starving = false
	}
	if !p.starving {
		got = p.ring.read(buf)
		if got < n {
			p.starving = true
			if got > 0 || p.drainWait == nil {
				p.underruns.Add(1)
			}
		}
	}
	if p.ring.len() == 0 && p.drainWait != nil {
		close(p.drainWait)
		p.drainWait = nil
	}
	p.mu.Unlock()
	clear(buf[got:])
	for i, x := range buf {
		out[2*i] = byte(x)
		out[2*i+1] = byte(uint16(x) >> 8)
	}
}

// Name returns the name the speaker was opened with ("" for the system's
// default).
func (p *Playback) Name() string { return p.name }

// WriteFrame queues samples, at rate Hz, to be played. It never waits:
// when more than 125 ms are queued (the device stalled, or frames come
// faster than it plays) the oldest audio is dropped, down to about 60 ms,
// and Dropped counts it.
func (p *Playback) WriteFrame(samples []int16, rate int) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.rs == nil || p.rs.From() != rate {
		rs, err := resample.New(rate, p.rate)
		if err != nil {
			return fmt.Errorf("speaker: %w", err)
		}
		p.rs = rs
	}
	p.out = p.rs.Process(p.out[:0], samples)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if d := p.ring.write(p.out); d > 0 {
		p.dropped.Add(uint64(d))
	}
	// Queued audio only grows when the device stalled or its clock is
	// slower than ours: cut it back at once rather than play late, and
	// keep room for the device's uneven pulls.
	if n := p.ring.len(); n > playbackHigh {
		p.ring.skip(n - playbackTarget)
		p.dropped.Add(uint64(n - playbackTarget))
	}
	return nil
}

// Flush forgets the audio queued and not yet played, so what is written
// next plays at once (a tone that stops, a call that ends).
func (p *Playback) Flush() {
	p.mu.Lock()
	p.ring.reset()
	p.starving = true
	p.mu.Unlock()
}

// Drain waits until the audio queued has been played, or ctx ends.
func (p *Playback) Drain(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if p.ring.len() > 0 && p.starving {
		p.starving = false // play what is there even if it is short
	}
	if p.ring.len() == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.drainWait == nil {
		p.drainWait = make(chan struct{})
	}
	ch := p.drainWait
	p.mu.Unlock()
	// A device period or two after the ring empties, the last samples
	// have left for the sound system.
	select {
	case <-ch:
		t := time.NewTimer(30 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Dropped returns how many samples (at the device rate, 48 per ms) were
// dropped because too much was queued.
func (p *Playback) Dropped() uint64 { return p.dropped.Load() }

// Underruns returns how many times the speaker ran out of audio in the
// middle of a stream and played silence.
func (p *Playback) Underruns() uint64 { return p.underruns.Load() }

// Close stops the speaker, dropping what is still queued, and frees it;
// WriteFrame then returns ErrClosed. It returns once miniaudio no longer
// calls back.
func (p *Playback) Close() error {
	p.closeOnce.Do(func() {
		p.dev.Uninit() // stops the device and waits for its callback
		freeContext(p.ctx)
		p.mu.Lock()
		p.closed = true
		p.ring.reset()
		if p.drainWait != nil {
			close(p.drainWait)
			p.drainWait = nil
		}
		p.mu.Unlock()
	})
	return nil
}
