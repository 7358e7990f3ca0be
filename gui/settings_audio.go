package gui

import (
	"context"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store"
)

const (
	// meterInterval is how often the microphone level meter moves.
	meterInterval = 100 * time.Millisecond
	// toneTimeout bounds one test tone.
	toneTimeout = 10 * time.Second
)

// audioSection chooses the microphone, speaker and ringer ([audio]), with
// a live level meter of the microphone and a test tone for each output.
// A choice is saved at once. Without Options.Audio it says the build has
// no audio devices.
type audioSection struct {
	v       *settingsView
	devices AudioDevices
	root    *fyne.Container

	mic, speaker, ringer *widget.Select
	meter                *levelBar
	toneSpeaker          *widget.Button
	toneRinger           *widget.Button
	status               *widget.Label

	// loading is set while the selects are filled, which is no choice.
	loading bool
	// want is the latest choice, which every save in flight writes.
	want atomic.Pointer[store.Audio]
	// cfg is the [audio] section as saved; "" (the system default) is
	// the first choice of each select, shown translated.
	cfg store.Audio
	// open is the meter on the microphone while the tab is shown, and
	// openName the microphone's name.
	open     LevelMeter
	openName string
	// opening says an open of the meter is under way, on the microphone
	// pendingName; openGen numbers the opens, and only the latest one's
	// meter is kept (an older one is closed when it arrives).
	opening     bool
	pendingName string
	openGen     int
	// stopTick ends the meter's ticker; nil while it does not run.
	stopTick chan struct{}
}

func newAudioSection(v *settingsView) *audioSection {
	s := &audioSection{v: v, devices: v.w.opts.Audio, status: newStatusLabel()}
	if s.devices == nil {
		s.root = container.NewVBox(hintLabel(txtNoAudioDevices()))
		return s
	}
	s.mic = widget.NewSelect(nil, func(string) { s.changed() })
	s.speaker = widget.NewSelect(nil, func(string) { s.changed() })
	s.ringer = widget.NewSelect(nil, func(string) { s.changed() })
	s.meter = newLevelBar()
	s.toneSpeaker = widget.NewButtonWithIcon(txtTestTone(), theme.VolumeUpIcon(), func() { s.playTone(s.speaker, s.toneSpeaker) })
	s.toneRinger = widget.NewButtonWithIcon(txtTestTone(), theme.VolumeUpIcon(), func() { s.playTone(s.ringer, s.toneRinger) })
	form := &widget.Form{Orientation: widget.Vertical, Items: []*widget.FormItem{
		{Text: txtMicrophone(), Widget: withHint(container.NewVBox(s.mic, s.meter), txtMicHint())},
		{Text: txtSpeaker(), Widget: container.NewBorder(nil, nil, nil, s.toneSpeaker, s.speaker)},
		{Text: txtRinger(), Widget: container.NewBorder(nil, nil, nil, s.toneRinger, s.ringer)},
	}}
	s.root = container.NewVBox(form, s.status)
	return s
}

// load shows the saved choices and lists the devices again, off the UI
// goroutine.
func (s *audioSection) load(cfg store.Audio) {
	if s.devices == nil {
		return
	}
	s.cfg = cfg
	devs := s.devices
	var inputs, outputs []string
	s.v.w.background(func() error {
		var err error
		inputs, outputs, err = devs.List()
		return err
	}, func(err error) {
		if s.v.w.isClosed() {
			return
		}
		if err != nil {
			showLabel(s.status, txtDevicesFailed(errText(err)), widget.DangerImportance)
		}
		s.loading = true
		defer func() { s.loading = false }()
		fill := func(sel *widget.Select, names []string, chosen string) {
			opts := append([]string{txtSystemDefault()}, names...)
			if chosen != "" && !contains(names, chosen) {
				// Saved but not plugged in now: keep it chosen.
				opts = append(opts, chosen)
			}
			sel.SetOptions(opts)
			if chosen == "" {
				sel.SetSelectedIndex(0)
			} else {
				sel.SetSelected(chosen)
			}
		}
		fill(s.mic, inputs, cfg.Microphone)
		fill(s.speaker, outputs, cfg.Speaker)
		fill(s.ringer, outputs, cfg.Ringer)
		s.restartMeter()
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// chosen is a select's device name; "" for the system default.
func chosen(sel *widget.Select) string {
	if sel.SelectedIndex() <= 0 {
		return ""
	}
	return sel.Selected
}

// changed saves the three choices.
func (s *audioSection) changed() {
	if s.loading {
		return
	}
	a := store.Audio{Microphone: chosen(s.mic), Speaker: chosen(s.speaker), Ringer: chosen(s.ringer)}
	if a == s.cfg {
		return
	}
	// Saves run in the background and may finish in any order: each
	// writes the latest choice, so the last one to finish leaves it. s.cfg
	// follows only a successful save: after a failure, choosing the same
	// again tries again.
	s.want.Store(&a)
	var wrote store.Audio
	s.v.save(func(c *store.Config) error {
		wrote = *s.want.Load()
		c.Audio = wrote
		return nil
	}, func(err error) {
		if err == nil {
			s.cfg = wrote
		}
		showSaved(s.status, err, txtAudioSaved())
	})
	s.restartMeter()
}

// start runs the level meter while the Settings tab is on show.
func (s *audioSection) start() {
	if s.devices == nil || s.stopTick != nil {
		return
	}
	s.stopTick = make(chan struct{})
	stop := s.stopTick
	w := s.v.w
	w.loops.Add(1)
	go func() {
		defer w.loops.Done()
		t := time.NewTicker(meterInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-w.closed:
				return
			case <-t.C:
				w.do(s.showLevel)
			}
		}
	}()
	s.restartMeter()
}

// stop ends the level meter; a meter still being opened is closed when
// it arrives.
func (s *audioSection) stop() {
	if s.stopTick != nil {
		close(s.stopTick)
		s.stopTick = nil
	}
	s.openGen++
	s.opening = false
	s.closeMeter()
}

func (s *audioSection) closeMeter() {
	if s.open != nil {
		m := s.open
		s.open = nil
		go m.Close()
	}
	if s.meter != nil {
		s.meter.SetValue(0)
	}
}

// restartMeter listens to the chosen microphone, while the tab is shown.
// An open for the same microphone already under way is left to finish;
// a meter that arrives after a newer request (or after the tab was hidden)
// is closed, so at most one microphone is listened to.
func (s *audioSection) restartMeter() {
	if s.devices == nil || s.stopTick == nil || s.mic.SelectedIndex() < 0 {
		return
	}
	name := chosen(s.mic)
	if s.open != nil && s.openName == name {
		return
	}
	if s.opening && s.pendingName == name {
		return
	}
	s.closeMeter()
	s.openGen++
	gen := s.openGen
	s.opening, s.pendingName = true, name
	devs := s.devices
	var m LevelMeter
	s.v.w.background(func() error {
		var err error
		m, err = devs.OpenLevelMeter(name)
		return err
	}, func(err error) {
		latest := gen == s.openGen
		if latest {
			s.opening = false
		}
		switch {
		case err != nil:
			if latest {
				showLabel(s.status, txtMicFailed(errText(err)), widget.DangerImportance)
			}
		case !latest || s.stopTick == nil || s.v.w.isClosed() || chosen(s.mic) != name:
			go m.Close() // the tab closed or the choice changed meanwhile
		default:
			if s.open != nil {
				go s.open.Close()
			}
			s.open, s.openName = m, name
		}
	})
}

// showLevel moves the meter.
func (s *audioSection) showLevel() {
	if s.open == nil {
		return
	}
	s.meter.SetValue(s.open.Level())
}

// playTone plays the test tone on the output sel names.
func (s *audioSection) playTone(sel *widget.Select, b *widget.Button) {
	name := chosen(sel)
	devs := s.devices
	b.Disable()
	s.v.w.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), toneTimeout)
		defer cancel()
		return devs.PlayTestTone(ctx, name)
	}, func(err error) {
		b.Enable()
		if err != nil {
			showLabel(s.status, txtToneFailed(errText(err)), widget.DangerImportance)
		}
	})
}
