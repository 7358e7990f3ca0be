package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringdesk/ringdesk/gui"
	"github.com/ringdesk/ringdesk/internal/localtones"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/device"
	"github.com/ringdesk/ringdesk/media/tones"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// windowAudio is the window's sound: each call's microphone and speaker,
// as the configuration's [audio] section names them (read again for
// every call, so a choice made in Settings applies to the next call), the
// local tones (ringtone on the ringer, ringback, busy, error and key
// tones on the speaker), and the Settings tab's device tests. Only the
// window uses devices: headless runs take --audio-in and --audio-out.
type windowAudio struct {
	config func() store.Audio
	log    *slog.Logger
	phone  atomic.Pointer[phone.Phone] // set by start; MIC_ERROR goes there
	tones  *localtones.Tones
}

// newWindowAudio reads the devices to use from config at each use.
func newWindowAudio(config func() store.Audio, log *slog.Logger) *windowAudio {
	return &windowAudio{config: config, log: log}
}

// media chooses a call's source and sink (phone.WithMedia): the
// configured microphone and speaker. They open when the call's audio
// starts (answered), not when it rings: a ringing call must not light the
// system's microphone indicator, and a sound card without mixing must not
// be taken from the ringtone. A device that does not open leaves the call
// with silence (microphone) or nothing heard (speaker), says so in the log
// and, for the microphone, with MIC_ERROR, and the call goes on.
func (a *windowAudio) media(call phone.CallInfo) phone.MediaOptions {
	cfg := a.config()
	mic := &lazyMicrophone{deviceOpener[media.Source]{open: func() (media.Source, error) {
		c, err := device.OpenCapture(cfg.Microphone)
		if err != nil {
			return nil, err
		}
		return c, nil
	}, failed: func(err error) {
		a.log.Warn("the call sends silence: the microphone did not open", "call", call.ID, "microphone", cfg.Microphone, "error", err)
		if p := a.phone.Load(); p != nil {
			p.PublishMicError("The microphone did not open, the other side hears silence: " + err.Error())
		}
	}}}
	spk := &lazySpeaker{deviceOpener[media.Sink]{open: func() (media.Sink, error) {
		p, err := device.OpenPlayback(cfg.Speaker)
		if err != nil {
			return nil, err
		}
		return p, nil
	}, failed: func(err error) {
		a.log.Warn("the call is not heard: the speaker did not open", "call", call.ID, "speaker", cfg.Speaker, "error", err)
		if p := a.phone.Load(); p != nil {
			p.PublishError("The speaker did not open, the call cannot be heard: " + err.Error())
		}
	}}}
	return phone.MediaOptions{Source: mic, Sink: spk}
}

// deviceOpener opens a sound device once, on a goroutine of its own: the
// media loop that asks for it must not wait for a sound server (tens of
// milliseconds, seconds for a Bluetooth headset changing profile, forever
// for one that hangs). Until the device is open, get says so and the call
// sends silence or drops what it would play.
type deviceOpener[T any] struct {
	open   func() (T, error)
	failed func(error)

	mu      sync.Mutex
	started bool
	closed  bool
	ready   bool
	dev     T
	done    chan struct{}
}

// openWait bounds how long closing a call waits for a device still
// opening; the device is closed when its opening ends.
const openWait = 2 * time.Second

// get returns the device once open; the first call with start set starts
// opening it.
func (o *deviceOpener[T]) get(start bool) (T, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if start && !o.started && !o.closed {
		o.started = true
		o.done = make(chan struct{})
		go o.run()
	}
	return o.dev, o.ready
}

func (o *deviceOpener[T]) run() {
	defer close(o.done)
	dev, err := o.open()
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err != nil:
		o.failed(err)
	case o.closed:
		closeDevice(dev)
	default:
		o.dev, o.ready = dev, true
	}
}

// close closes the device, waiting a moment for one still opening.
func (o *deviceOpener[T]) close() error {
	o.mu.Lock()
	o.closed = true
	done := o.done
	o.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-time.After(openWait):
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.ready {
		return nil
	}
	o.ready = false
	return closeDevice(o.dev)
}

func closeDevice(dev any) error {
	if c, ok := dev.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// lazyMicrophone is a media.Source that starts opening its device when
// the call's audio starts (the first frame read) and gives silence until
// it is open, or for good when it fails.
type lazyMicrophone struct{ deviceOpener[media.Source] }

// ReadFrame reads the microphone once it is open.
func (m *lazyMicrophone) ReadFrame(samples []int16, rate int) error {
	src, ok := m.get(true)
	if !ok {
		clear(samples)
		return nil
	}
	return src.ReadFrame(samples, rate)
}

// Close closes the device.
func (m *lazyMicrophone) Close() error { return m.close() }

// lazySpeaker is a media.Sink that starts opening its device on the
// first frame with sound in it (the session writes silence until the far
// end's audio comes) and drops the audio until it is open, or for good
// when it fails.
type lazySpeaker struct{ deviceOpener[media.Sink] }

// WriteFrame plays one frame once the device is open.
func (s *lazySpeaker) WriteFrame(samples []int16, rate int) error {
	sink, ok := s.get(slices.ContainsFunc(samples, func(v int16) bool { return v != 0 }))
	if !ok {
		return nil
	}
	return sink.WriteFrame(samples, rate)
}

// Close closes the device.
func (s *lazySpeaker) Close() error { return s.close() }

// start plays the local tones for p's calls and gives the Settings tab its
// device tests. Call close when the window is gone.
func (a *windowAudio) start(p *phone.Phone, opts *gui.Options) {
	a.phone.Store(p)
	a.tones = localtones.Start(localtones.Options{Phone: p, Logger: a.log,
		Ringer:  a.opener(func(c store.Audio) string { return c.Ringer }),
		Speaker: a.opener(func(c store.Audio) string { return c.Speaker })})
	opts.Audio = audioDevices{}
	opts.KeyTone = a.tones.KeyPressed
}

// opener opens the playback device which picks from the configuration,
// as it is when a sound starts.
func (a *windowAudio) opener(which func(store.Audio) string) tones.OpenFunc {
	return func() (media.Sink, error) {
		p, err := device.OpenPlayback(which(a.config()))
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// micCheck checks the configured microphone for the local API's POST
// /v1/mic-check (api.Options.MicCheck): its level and peak in dBFS.
func (a *windowAudio) micCheck(ctx context.Context) (level, peak float64, err error) {
	l, err := device.MicCheck(ctx, a.config().Microphone, device.DefaultMicCheck)
	return l.RMS, l.Peak, err
}

// close stops the local tones.
func (a *windowAudio) close() {
	if a.tones != nil {
		a.tones.Close()
	}
}

// audioDevices adapts media/device to the Settings tab (gui.AudioDevices).
type audioDevices struct{}

var _ gui.AudioDevices = audioDevices{}

// List returns the names of the microphones and of the speakers.
func (audioDevices) List() (inputs, outputs []string, err error) {
	d, err := device.List()
	if err != nil {
		return nil, nil, err
	}
	for _, in := range d.Capture {
		inputs = append(inputs, in.Name)
	}
	for _, out := range d.Playback {
		outputs = append(outputs, out.Name)
	}
	return inputs, outputs, nil
}

// OpenLevelMeter listens to the microphone called input.
func (audioDevices) OpenLevelMeter(input string) (gui.LevelMeter, error) {
	m, err := device.OpenLevelMeter(input)
	if err != nil {
		return nil, err
	}
	return levelMeter{m}, nil
}

// testToneTime is how long the Settings tab's test tone plays.
const testToneTime = 1500 * time.Millisecond

// PlayTestTone plays the test tone on the speaker called output.
func (audioDevices) PlayTestTone(ctx context.Context, output string) error {
	if err := device.PlayTone(ctx, output, device.TestTone, testToneTime); err != nil {
		return fmt.Errorf("test tone: %w", err)
	}
	return nil
}

// levelMeter shows a device.Meter as the level bar wants it.
type levelMeter struct{ m *device.Meter }

// meterFloor is the level the bar shows as empty, in dBFS.
const meterFloor = -60.0

// Level maps the last moment's RMS level from meterFloor..0 dBFS onto
// 0..1, so that speech (about -40 to -15 dBFS) fills a third to three
// quarters of the bar.
func (l levelMeter) Level() float64 {
	v := (l.m.Level().RMS - meterFloor) / -meterFloor
	return math.Min(math.Max(v, 0), 1)
}

// Close stops listening.
func (l levelMeter) Close() error { return l.m.Close() }
