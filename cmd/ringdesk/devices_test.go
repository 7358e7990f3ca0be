package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/gui"
	"github.com/ringdesk/ringdesk/media/device"
	"github.com/ringdesk/ringdesk/media/device/devicetest"
	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/tones"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// TestWindowAudio: a call gets the configured microphone and speaker; a
// microphone that does not open leaves the call silent, with a MIC_ERROR;
// the API's microphone check and the Settings tab's tests use the same
// devices. Against a private PulseAudio with a null sink.
func TestWindowAudio(t *testing.T) {
	devicetest.StartPulse(t)
	cfg := store.Audio{Microphone: devicetest.Monitor, Speaker: devicetest.Sink, Ringer: devicetest.Sink}
	a := newWindowAudio(func() store.Audio { return cfg }, slog.New(slog.DiscardHandler))
	p := phone.New()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Close(ctx)
	}()
	var opts gui.Options
	a.start(p, &opts)
	defer a.close()
	if opts.Audio == nil {
		t.Error("the Settings tab got no audio devices")
	}
	sub := p.Subscribe()
	defer sub.Close()

	// The devices open when the call's audio starts, not when it rings,
	// and off the media loop's goroutine.
	m := a.media(phone.CallInfo{ID: "c1"})
	mic, spk := m.Source.(*lazyMicrophone), m.Sink.(*lazySpeaker)
	if mic == nil || spk == nil || mic.started || spk.started {
		t.Fatalf("before any audio the call holds %T and %T, opening: %v", m.Source, m.Sink, mic != nil && mic.started)
	}
	frame := make([]int16, 160)
	if err := spk.WriteFrame(frame, 8000); err != nil {
		t.Fatal(err)
	}
	if spk.started {
		t.Error("silence opened the speaker")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := mic.ReadFrame(frame, 8000); err != nil {
			t.Fatal(err)
		}
		frame[0] = 1000
		if err := spk.WriteFrame(frame, 8000); err != nil {
			t.Fatal(err)
		}
		src, micOK := mic.get(false)
		sink, spkOK := spk.get(false)
		if micOK && spkOK {
			if _, ok := src.(*device.Capture); !ok {
				t.Errorf("the call's source is %T, want the microphone", src)
			}
			if _, ok := sink.(*device.Playback); !ok {
				t.Errorf("the call's sink is %T, want the speaker", sink)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the devices did not open in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := mic.Close(); err != nil {
		t.Error(err)
	}
	if err := spk.Close(); err != nil {
		t.Error(err)
	}

	cfg.Microphone = "No Such Microphone"
	m = a.media(phone.CallInfo{ID: "c2"})
	frame[0] = 1000
	if err := m.Source.ReadFrame(frame, 8000); err != nil || slices.ContainsFunc(frame, func(v int16) bool { return v != 0 }) {
		t.Errorf("a microphone that is not there: %v, and the frame is not silence", err)
	}
	select {
	case e := <-sub.C:
		if e.Type != phone.EventMicError || !strings.Contains(e.Message, `"No Such Microphone"`) {
			t.Errorf("event %s %q, want MIC_ERROR naming the microphone", e.Type, e.Message)
		}
	case <-time.After(5 * time.Second):
		t.Error("no MIC_ERROR for a microphone that is not there")
	}
	_ = m.Source.(io.Closer).Close()
	_ = m.Sink.(io.Closer).Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := a.micCheck(ctx); !errors.Is(err, device.ErrNoDevice) {
		t.Errorf("mic check of a microphone that is not there: %v", err)
	}
	cfg.Microphone = devicetest.Monitor
	if level, _, err := a.micCheck(ctx); !errors.Is(err, device.ErrSilent) {
		t.Errorf("mic check of a silent microphone: %v (level %.1f)", err, level)
	}

	ins, outs, err := opts.Audio.List()
	if err != nil || !slices.Contains(ins, devicetest.Monitor) || !slices.Contains(outs, devicetest.Sink) {
		t.Errorf("List: %q, %q, %v", ins, outs, err)
	}
	meter, err := opts.Audio.OpenLevelMeter(devicetest.Monitor)
	if err != nil {
		t.Fatal(err)
	}
	defer meter.Close()
	toneCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- opts.Audio.PlayTestTone(toneCtx, devicetest.Sink) }()
	// The test tone (-15 dBFS RMS) fills about three quarters of the bar.
	deadline = time.Now().Add(5 * time.Second)
	for meter.Level() < 0.6 {
		if time.Now().After(deadline) {
			t.Fatalf("the level bar shows %.2f while the test tone plays", meter.Level())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l := meter.Level(); l > 0.85 {
		t.Errorf("the level bar shows %.2f for a -15 dBFS tone", l)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("PlayTestTone: %v", err)
	}
}

// TestLocalTonesOnDevice: the ringback plays through the configured
// speaker (heard back from the null sink's monitor) and stops at once.
func TestLocalTonesOnDevice(t *testing.T) {
	devicetest.StartPulse(t)
	a := newWindowAudio(func() store.Audio { return store.Audio{Speaker: devicetest.Sink} }, slog.New(slog.DiscardHandler))
	mic, err := device.OpenCapture(devicetest.Monitor)
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	player := tones.NewPlayer(a.opener(func(c store.Audio) string { return c.Speaker }))
	defer player.Close()

	const rate = 8000
	frame := make([]int16, rate/50)
	var window []int16 // the last 200 ms heard
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	listen := func(what string, done func() bool) {
		t.Helper()
		for i := 0; ; i++ {
			if i == 250 {
				t.Fatalf("%s: not within 5 s", what)
			}
			<-tick.C
			if err := mic.ReadFrame(frame, rate); err != nil {
				t.Fatal(err)
			}
			window = append(window, frame...)
			if len(window) > rate/5 {
				window = window[len(window)-rate/5:]
			}
			if len(window) == rate/5 && done() {
				return
			}
		}
	}
	if err := player.Play(tones.Ringback); err != nil {
		t.Fatal(err)
	}
	listen("the ringback (425 Hz) heard on the speaker", func() bool {
		return mediatest.Measure(window, rate, 425).SNR > 10
	})
	if err := player.Stop(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	listen("silence after Stop", func() bool { return mediatest.Level(window) < -60 })
	if d := time.Since(start); d > 600*time.Millisecond {
		t.Errorf("the ringback went on %v after Stop", d)
	}
}
