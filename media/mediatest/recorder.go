package mediatest

import (
	"context"
	"fmt"
	"sync"
)

// Recorder is a media Sink that keeps every frame it is given, for tests to
// inspect. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	samples []int16
	frames  int
	rate    int
	closed  bool
	changed chan struct{} // closed and replaced on every write
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{changed: make(chan struct{})} }

// WriteFrame records samples at rate Hz.
func (r *Recorder) WriteFrame(samples []int16, rate int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("mediatest: write to a closed recorder")
	}
	if r.rate != 0 && r.rate != rate {
		return fmt.Errorf("mediatest: recorder at %d Hz got a frame at %d Hz", r.rate, rate)
	}
	r.rate = rate
	r.samples = append(r.samples, samples...)
	r.frames++
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

// Close marks the recorder closed; later writes fail.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// Closed reports whether Close was called.
func (r *Recorder) Closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// Samples returns a copy of everything recorded and its rate.
func (r *Recorder) Samples() ([]int16, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...), r.rate
}

// Frames returns how many frames were written.
func (r *Recorder) Frames() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames
}

// WaitFrames blocks until at least n frames were written in all, or ctx
// ends.
func (r *Recorder) WaitFrames(ctx context.Context, n int) error {
	for {
		r.mu.Lock()
		frames, ch := r.frames, r.changed
		r.mu.Unlock()
		if frames >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("mediatest: %d of %d frames recorded: %w", frames, n, context.Cause(ctx))
		}
	}
}
