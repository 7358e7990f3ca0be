// Package tones plays Ringdesk's local sounds — the ringtone, the
// ringback, busy and error tones of assets/sounds, and key-press (DTMF)
// feedback — on a media Sink, a frame every 20 ms, stoppable at once.
//
// It is not media/tone, which makes plain sine and silence sources for
// calls. A Player opens its sink (a speaker, in the window) only while it
// plays, so no sound device is held while the phone is quiet; the
// policy of what to play when lives in internal/localtones.
package tones

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/assets/sounds"
	"github.com/ringdesk/ringdesk/media"
)

// Sound names a local sound.
type Sound string

// The sounds a Player plays. Ring, Ringback and Waiting loop until
// stopped; Busy and Error play once.
const (
	None     Sound = ""
	Ring     Sound = sounds.Ring
	Ringback Sound = sounds.Ringback
	Waiting  Sound = sounds.Waiting
	Busy     Sound = sounds.Busy
	Error    Sound = sounds.Error
)

// Looped reports whether s plays in a loop until stopped.
func (s Sound) Looped() bool { return s == Ring || s == Ringback || s == Waiting }

// OpenFunc opens the sink a Player plays on. The Player closes it (when it
// is an io.Closer) once nothing plays.
type OpenFunc func() (media.Sink, error)

// Option configures a Player.
type Option func(*Player)

// WithLogger sets where a Player logs a sink that fails (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(p *Player) { p.log = l } }

// WithVolume scales every sound, 0 to 1 (default 1: the files' level).
func WithVolume(v float64) Option { return func(p *Player) { p.volume = min(max(v, 0), 1) } }

// ErrClosed is returned by a Player's methods after Close.
var ErrClosed = errors.New("tones: the player is closed")

// Timing of the frames written.
const (
	frameTime = 20 * time.Millisecond
	ahead     = 3 // frames written ahead of time, so the sink never runs dry
	keyTime   = 120 * time.Millisecond
	drainTime = 500 * time.Millisecond // the most a sound that ended waits to be heard
)

// Player plays one sound at a time, and key-press feedback over it, on
// the sink its OpenFunc gives. Its methods never wait for the sink; they
// are safe for concurrent use. Close it when done.
type Player struct {
	open   OpenFunc
	log    *slog.Logger
	volume float64
	cmds   chan command
	done   chan struct{}

	mu      sync.Mutex
	playing Sound // guarded by mu
	closed  bool  // guarded by mu

	closeOnce sync.Once
}

type command struct {
	sound Sound // play this (None with stop: stop)
	stop  bool
	key   rune // play this key's feedback (0: none)
}

// NewPlayer returns a Player on the sinks open gives, and starts its
// goroutine.
func NewPlayer(open OpenFunc, opts ...Option) *Player {
	p := &Player{open: open, log: slog.New(slog.DiscardHandler), volume: 1,
		cmds: make(chan command, 16), done: make(chan struct{})}
	for _, o := range opts {
		o(p)
	}
	go p.run()
	return p
}

// Play starts s at once, in place of what plays. It fails only for a sound
// it does not know or a closed Player; a sink that does not open is
// logged.
func (p *Player) Play(s Sound) error {
	switch s {
	case Ring, Ringback, Waiting, Busy, Error:
	default:
		return fmt.Errorf("tones: no sound %q", s)
	}
	return p.send(command{sound: s})
}

// Stop silences the Player at once (what the sink queued is flushed when
// it can be).
func (p *Player) Stop() error { return p.send(command{stop: true}) }

// Key plays the feedback of a dial-pad key (0-9, *, #, A-D): its DTMF pair
// for 120 ms, over whatever else plays.
func (p *Player) Key(digit rune) error {
	if _, ok := dtmf[digit]; !ok {
		return fmt.Errorf("tones: %q is not a dial-pad key", digit)
	}
	return p.send(command{key: digit})
}

// Playing returns the sound playing (None when silent or only a key
// sounds).
func (p *Player) Playing() Sound {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.playing
}

// send hands c to the player's goroutine without waiting for it: a
// backlog of commands (the goroutine stuck opening a device) drops the
// oldest pending one, since a newer Play or Stop supersedes it.
func (p *Player) send(c command) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if c.sound != None {
		p.playing = c.sound
	} else if c.stop {
		p.playing = None
	}
	for {
		select {
		case p.cmds <- c:
			return nil
		default:
		}
		select {
		case <-p.cmds:
		default:
		}
	}
}

// Close stops what plays, closes the sink and ends the Player's goroutine.
func (p *Player) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.playing = None
		close(p.cmds)
		p.mu.Unlock()
		<-p.done
	})
	return nil
}

// state is the goroutine's: what plays and where it is.
type state struct {
	sink    media.Sink
	sound   Sound
	samples []int16
	pos     int
	key     []int16
	keyPos  int
	started time.Time // when the first frame was due
	written int       // frames written since started
}

func (p *Player) run() {
	defer close(p.done)
	var st state
	var tick *time.Ticker
	var tickC <-chan time.Time
	frame := make([]int16, rate*int(frameTime/time.Millisecond)/1000)
	stopTicker := func() {
		if tick != nil {
			tick.Stop()
			tick, tickC = nil, nil
		}
	}
	defer stopTicker()
	for {
		select {
		case c, ok := <-p.cmds:
			if !ok {
				p.release(&st, false)
				return
			}
			switch {
			case c.stop:
				p.release(&st, false)
				stopTicker()
				continue
			case c.sound != None:
				samples, err := p.load(c.sound)
				if err != nil {
					p.log.Error("local sound", "sound", c.sound, "error", err)
					continue
				}
				if st.sink != nil && st.sound != None {
					// The new sound at once, not after the old one's queue:
					// drop that and write ahead again.
					p.flush(st.sink)
					st.started, st.written = time.Now(), 0
				}
				st.sound, st.samples, st.pos = c.sound, samples, 0
			case c.key != 0:
				st.key, st.keyPos = p.keyTone(c.key), 0
			}
			if st.sink == nil {
				sink, err := p.open()
				if err != nil {
					p.log.Warn("the local sounds' speaker did not open", "error", err)
					p.idle(&st)
					continue
				}
				st.sink = sink
			}
			if tick == nil {
				st.started, st.written = time.Now(), 0
				tick = time.NewTicker(frameTime)
				tickC = tick.C
			}
			if !p.catchUp(&st, frame) {
				stopTicker()
			}
		case <-tickC:
			if !p.catchUp(&st, frame) {
				stopTicker()
			}
		}
	}
}

// catchUp writes the frames due by now (and a few ahead); it returns false
// once nothing is left to play, after releasing the sink.
func (p *Player) catchUp(st *state, frame []int16) bool {
	due := int(time.Since(st.started)/frameTime) + ahead
	if due-st.written > 2*ahead {
		// The goroutine was held up (a slow sink): do not rush to catch
		// up, that would only be dropped.
		st.written = due - ahead
	}
	for st.written < due {
		if !p.fill(st, frame) {
			p.release(st, true)
			return false
		}
		if err := st.sink.WriteFrame(frame, rate); err != nil {
			p.log.Warn("the local sounds' speaker failed", "error", err)
			p.release(st, false)
			return false
		}
		st.written++
	}
	return true
}

// fill mixes the next frame of the sound and the key into frame; it
// returns false when neither has anything left.
func (p *Player) fill(st *state, frame []int16) bool {
	if st.samples == nil && st.key == nil {
		return false
	}
	clear(frame)
	if st.samples != nil {
		for i := range frame {
			if st.pos == len(st.samples) {
				if !st.sound.Looped() {
					st.samples = nil
					p.mu.Lock()
					if p.playing == st.sound {
						p.playing = None
					}
					p.mu.Unlock()
					break
				}
				st.pos = 0
			}
			frame[i] = st.samples[st.pos]
			st.pos++
		}
	}
	if st.key != nil {
		for i := range frame {
			if st.keyPos == len(st.key) {
				st.key = nil
				break
			}
			frame[i] = sat(int(frame[i]) + int(st.key[st.keyPos]))
			st.keyPos++
		}
	}
	return true
}

// release closes the sink. After a sound that ended by itself (drain), it
// first lets the sink play what it queued, when it can say so.
func (p *Player) release(st *state, drain bool) {
	if st.sink != nil {
		if d, ok := st.sink.(interface{ Drain(context.Context) error }); ok && drain {
			ctx, cancel := context.WithTimeout(context.Background(), drainTime)
			_ = d.Drain(ctx)
			cancel()
		} else if !drain {
			p.flush(st.sink)
		}
		if c, ok := st.sink.(io.Closer); ok {
			if err := c.Close(); err != nil {
				p.log.Warn("closing the local sounds' speaker", "error", err)
			}
		}
	}
	p.idle(st)
}

// idle forgets what played.
func (p *Player) idle(st *state) {
	*st = state{}
	p.mu.Lock()
	p.playing = None
	p.mu.Unlock()
}

// flush drops what the sink queued, when it can.
func (p *Player) flush(sink media.Sink) {
	if f, ok := sink.(interface{ Flush() }); ok {
		f.Flush()
	}
}

// rate is the rate of every sound, and of the frames written.
const rate = 16000

// load returns the samples of s, scaled by the volume.
func (p *Player) load(s Sound) ([]int16, error) {
	samples, r, err := sounds.Load(string(s))
	if err != nil {
		return nil, err
	}
	if r != rate {
		return nil, fmt.Errorf("sound %q is at %d Hz, not %d", s, r, rate)
	}
	if p.volume != 1 {
		for i, v := range samples {
			samples[i] = int16(math.Round(float64(v) * p.volume))
		}
	}
	return samples, nil
}

// dtmf maps each key to its row and column frequencies (ITU-T Q.23).
var dtmf = map[rune][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// keyTone returns the feedback of key: its DTMF pair, each at -18 dBFS,
// with 5 ms ramps.
func (p *Player) keyTone(key rune) []int16 {
	f := dtmf[key]
	n := rate * int(keyTime/time.Millisecond) / 1000
	ramp := rate * 5 / 1000
	out := make([]int16, n)
	for i := range out {
		g := 1.0
		if i < ramp {
			g = float64(i) / float64(ramp)
		} else if n-i < ramp {
			g = float64(n-i) / float64(ramp)
		}
		t := float64(i) / rate
		v := 0.125 * g * p.volume * (math.Sin(2*math.Pi*f[0]*t) + math.Sin(2*math.Pi*f[1]*t))
		out[i] = int16(math.Round(v * 32767))
	}
	return out
}

// sat clips v to a sample.
func sat(v int) int16 { return int16(min(max(v, math.MinInt16), math.MaxInt16)) }
