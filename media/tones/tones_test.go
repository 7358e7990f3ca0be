package tones_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/tones"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sinks hands out recorders and remembers them.
type sinks struct {
	mu   sync.Mutex
	all  []*mediatest.Recorder
	fail error
}

func (s *sinks) open() (media.Sink, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	r := mediatest.NewRecorder()
	s.all = append(s.all, r)
	return r, nil
}

// last waits for a sink to be opened and returns the latest.
func (s *sinks) last(t *testing.T) *mediatest.Recorder {
	t.Helper()
	wait(t, "a sink to be opened", func() bool { return s.count() > 0 })
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.all[len(s.all)-1]
}

func (s *sinks) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.all)
}

func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRingbackLoopsUntilStopped(t *testing.T) {
	var s sinks
	p := tones.NewPlayer(s.open)
	defer p.Close()
	if err := p.Play(tones.Ringback); err != nil {
		t.Fatal(err)
	}
	if got := p.Playing(); got != tones.Ringback {
		t.Errorf("Playing() = %q", got)
	}
	rec := s.last(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rec.WaitFrames(ctx, 30); err != nil { // 600 ms
		t.Fatal(err)
	}
	samples, rate := rec.Samples()
	if rate != 16000 {
		t.Errorf("frames at %d Hz", rate)
	}
	if tone := mediatest.Measure(samples[:rate/2], rate, 425); tone.SNR < 30 || tone.Level < -15 {
		t.Errorf("ringback's first half second: 425 Hz %+v", tone)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	// How soon is for the benchmarks: a test on a loaded machine only
	// checks that it happens.
	wait(t, "the sink to be closed", rec.Closed)
	if got := p.Playing(); got != tones.None {
		t.Errorf("Playing() after Stop = %q", got)
	}
	n := rec.Frames()
	time.Sleep(100 * time.Millisecond)
	if rec.Frames() != n {
		t.Error("frames written after Stop")
	}
}

func TestBusyPlaysOnceAndReleasesTheSink(t *testing.T) {
	var s sinks
	p := tones.NewPlayer(s.open)
	defer p.Close()
	if err := p.Play(tones.Busy); err != nil {
		t.Fatal(err)
	}
	rec := s.last(t)
	wait(t, "the busy tone to end", rec.Closed)
	samples, rate := rec.Samples()
	if got := float64(len(samples)) / float64(rate); got < 3 || got > 3.1 {
		t.Errorf("%.2f s written, want 3", got)
	}
	// On 0.5 s, off 0.5 s.
	if on := mediatest.Measure(samples[rate/10:rate*4/10], rate, 425); on.SNR < 30 {
		t.Errorf("busy tone's first burst: %+v", on)
	}
	if off := mediatest.Level(samples[rate*6/10 : rate*9/10]); off > -80 {
		t.Errorf("busy tone's first gap at %.1f dB", off)
	}
	if p.Playing() != tones.None {
		t.Errorf("Playing() after the end = %q", p.Playing())
	}
}

func TestPlayReplaces(t *testing.T) {
	var s sinks
	p := tones.NewPlayer(s.open)
	defer p.Close()
	p.Play(tones.Ring)
	rec := s.last(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rec.WaitFrames(ctx, 10)
	p.Play(tones.Ringback)
	n := rec.Frames()
	rec.WaitFrames(ctx, n+25)
	samples, rate := rec.Samples()
	tail := samples[n*320+rate/10:]
	if tone := mediatest.Measure(tail[:rate/4], rate, 425); tone.SNR < 20 {
		t.Errorf("after Play(Ringback) over Ring: 425 Hz %+v", tone)
	}
	if s.count() != 1 {
		t.Errorf("%d sinks opened, want the same one kept", s.count())
	}
}

func TestKey(t *testing.T) {
	var s sinks
	p := tones.NewPlayer(s.open)
	defer p.Close()
	if err := p.Key('5'); err != nil {
		t.Fatal(err)
	}
	rec := s.last(t)
	wait(t, "the key's sink to close", rec.Closed)
	samples, rate := rec.Samples()
	k := mediatest.Trim(samples)
	if d := time.Duration(len(k)) * time.Second / time.Duration(rate); d < 100*time.Millisecond || d > 140*time.Millisecond {
		t.Errorf("key sounded %v, want 120 ms", d)
	}
	for _, f := range []float64{770, 1336} {
		if g := mediatest.Goertzel(k, rate, f); g < 2000 {
			t.Errorf("key 5: %v Hz at amplitude %.0f", f, g)
		}
	}
	if g := mediatest.Goertzel(k, rate, 697); g > 500 {
		t.Errorf("key 5 has 697 Hz at amplitude %.0f", g)
	}
	if err := p.Key('x'); err == nil {
		t.Error("Key('x') succeeded")
	}
}

func TestSinkThatDoesNotOpen(t *testing.T) {
	s := sinks{fail: errors.New("no speaker")}
	p := tones.NewPlayer(s.open)
	defer p.Close()
	if err := p.Play(tones.Ring); err != nil {
		t.Fatal(err)
	}
	wait(t, "the player to give up", func() bool { return p.Playing() == tones.None })
	if err := p.Play("nope"); err == nil {
		t.Error("Play of an unknown sound succeeded")
	}
}

func TestClose(t *testing.T) {
	var s sinks
	p := tones.NewPlayer(s.open)
	p.Play(tones.Ring)
	rec := s.last(t)
	p.Close()
	if !rec.Closed() {
		t.Error("Close left the sink open")
	}
	if err := p.Play(tones.Ring); !errors.Is(err, tones.ErrClosed) {
		t.Errorf("Play after Close: %v", err)
	}
	p.Close()
}
