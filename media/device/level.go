package device

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Level is how loud a microphone is, in dB relative to full scale (dBFS):
// 0 is the loudest a sample can be, SilenceDBFS means nothing at all.
type Level struct {
	// RMS is the average power; speech close to a headset microphone is
	// usually between -40 and -15 dBFS.
	RMS float64 `json:"level"`
	// Peak is the loudest sample; near 0 the sound clips.
	Peak float64 `json:"peak"`
}

// SilenceDBFS is the level of digital silence (the floor of Level's
// values, which never are -Inf so that they encode as JSON).
const SilenceDBFS = -120.0

// silentPeak is the largest sample value a microphone that only gives
// silence delivers (dither and rounding included).
const silentPeak = 3

// dbfs returns v, a sample amplitude, in dB relative to full scale.
func dbfs(v float64) float64 {
	if v <= 0 {
		return SilenceDBFS
	}
	return max(SilenceDBFS, 20*math.Log10(v/32768))
}

// levelMeter measures samples in windows of a tenth of a second, and in
// total since it started. It is not safe for concurrent use.
type levelMeter struct {
	window     int
	sum        float64 // this window's sum of squares
	peak       int     // this window's largest |sample|
	n          int     // samples in this window
	last       Level   // the last complete window
	totalSum   float64
	totalPeak  int
	totalCount int
}

func newLevelMeter(rate int) levelMeter {
	return levelMeter{window: max(rate/10, 1), last: Level{RMS: SilenceDBFS, Peak: SilenceDBFS}}
}

// add measures samples.
func (m *levelMeter) add(samples []int16) {
	for _, x := range samples {
		v := int(x)
		if v < 0 {
			v = -v
		}
		sq := float64(v) * float64(v)
		m.sum += sq
		m.totalSum += sq
		m.peak = max(m.peak, v)
		m.totalPeak = max(m.totalPeak, v)
		m.n++
		if m.n == m.window {
			m.last = Level{RMS: dbfs(math.Sqrt(m.sum / float64(m.n))), Peak: dbfs(float64(m.peak))}
			m.sum, m.peak, m.n = 0, 0, 0
		}
	}
	m.totalCount += len(samples)
}

// level returns the last complete window's level.
func (m *levelMeter) level() Level { return m.last }

// total returns the level of everything measured, and how many samples
// that was.
func (m *levelMeter) total() (Level, int, int) {
	if m.totalCount == 0 {
		return Level{RMS: SilenceDBFS, Peak: SilenceDBFS}, 0, 0
	}
	return Level{RMS: dbfs(math.Sqrt(m.totalSum / float64(m.totalCount))), Peak: dbfs(float64(m.totalPeak))}, m.totalCount, m.totalPeak
}

// DefaultMicCheck is how long MicCheck listens when not told.
const DefaultMicCheck = time.Second

// micStartLimit is how much longer than asked MicCheck waits for a
// microphone that is slow to start.
const micStartLimit = 3 * time.Second

// MicCheck opens the microphone called name (empty: the system's default),
// listens to d of its audio (DefaultMicCheck when 0; a microphone slow
// to start is given up to 3 s more) and reports how loud it was. The
// error says in words what is wrong and wraps ErrNoDevice (not there),
// ErrBusy (another program holds it, or it sends nothing), ErrPermission
// (the system forbids it) or ErrSilent (it works but hears only digital
// silence: muted, or switched off); with ErrSilent the Level is returned
// too. When ctx ends first, MicCheck returns ctx's error.
func MicCheck(ctx context.Context, name string, d time.Duration) (Level, error) {
	if d <= 0 {
		d = DefaultMicCheck
	}
	c, err := OpenCapture(name)
	if err != nil {
		return Level{RMS: SilenceDBFS, Peak: SilenceDBFS}, err
	}
	defer c.Close()
	// Some microphones (Bluetooth headsets, a sound server waking up)
	// take a while to start: wait for d of audio, not for d.
	if err := c.hear(ctx, d, d+micStartLimit); err != nil {
		return Level{RMS: SilenceDBFS, Peak: SilenceDBFS}, err
	}
	c.mu.Lock()
	lvl, count, peak := c.meter.total()
	c.mu.Unlock()
	what := "the default microphone"
	if name != "" {
		what = fmt.Sprintf("the microphone %q", name)
	}
	switch {
	case count == 0:
		// Nothing at all.
		return lvl, wrapKind(ErrBusy, "%s opened but sent no sound in %v: another program may hold it, or it stopped working", what, d+micStartLimit)
	case peak <= silentPeak:
		return lvl, wrapKind(ErrSilent, "%s sends only silence: is it muted, switched off, or turned all the way down?", what)
	}
	return lvl, nil
}

// Meter shows a microphone's live level, for the Settings window's level
// bar. Close it when the window no longer shows it.
type Meter struct {
	c *Capture
}

// OpenLevelMeter opens the microphone called name (empty: the system's
// default) to measure it; the error is OpenCapture's.
func OpenLevelMeter(name string) (*Meter, error) {
	c, err := OpenCapture(name)
	if err != nil {
		return nil, err
	}
	return &Meter{c: c}, nil
}

// Level returns the level over the last tenth of a second (SilenceDBFS
// until the microphone has sent that much). Poll it (ten times a second
// suits a level bar).
func (m *Meter) Level() Level { return m.c.Level() }

// Close stops the microphone.
func (m *Meter) Close() error { return m.c.Close() }
