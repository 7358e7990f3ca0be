package gui

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// slowAudio is an AudioDevices whose level meters take a while to open, as
// a real capture device does, and that counts the meters opened and closed.
type slowAudio struct {
	mu            sync.Mutex
	opens, closes int
}

func (f *slowAudio) List() ([]string, []string, error) {
	time.Sleep(5 * time.Millisecond)
	return []string{"Built-in Mic"}, []string{"Built-in Speaker"}, nil
}

func (f *slowAudio) OpenLevelMeter(string) (LevelMeter, error) {
	time.Sleep(80 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens++
	return &countedMeter{f: f}, nil
}

func (f *slowAudio) PlayTestTone(context.Context, string) error { return nil }

// leftOpen is how many meters are open, waiting a moment for the closes,
// which run on goroutines.
func (f *slowAudio) leftOpen() (opens, open int) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		f.mu.Lock()
		opens, open = f.opens, f.opens-f.closes
		f.mu.Unlock()
		if open == 0 || time.Now().After(deadline) {
			return opens, open
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type countedMeter struct{ f *slowAudio }

func (m *countedMeter) Level() float64 { return 0 }

func (m *countedMeter) Close() error {
	m.f.mu.Lock()
	defer m.f.mu.Unlock()
	m.f.closes++
	return nil
}

// TestSettingsMeterClosedWhenShownAgain: showing the Settings tab again
// and again opens the microphone once per showing (the tab's start and its
// load both ask for the meter) and leaving the tab closes every meter
// opened, however the opens and the tab switches interleave.
func TestSettingsMeterClosedWhenShownAgain(t *testing.T) {
	dev := &slowAudio{}
	b := newSettingsBench(t, oneAccount(), Options{Audio: dev})
	w := b.w
	w.settle()
	if w.settings.audio.open == nil {
		t.Fatal("the meter did not open with the Settings tab shown")
	}
	for range 3 {
		w.selectTab(t, "Phone")
		w.switchTab(len(w.tabs.Items) - 1)
		w.settle()
	}
	// Leaving while an open is under way closes that meter when it comes.
	w.selectTab(t, "Phone")
	w.switchTab(len(w.tabs.Items) - 1)
	w.selectTab(t, "Phone")
	w.settle()
	opens, open := dev.leftOpen()
	if open != 0 {
		t.Errorf("%d level meters opened, %d still open with the Settings tab hidden", opens, open)
	}
	if opens > 6 {
		t.Errorf("%d level meters opened for 5 showings of the tab: one open per showing is enough", opens)
	}
}

// TestSettingsMeterStopsInTray: hiding the window to the tray lets the
// microphone go and stops the meter's ticker; showing it again from the
// tray, with the Settings tab still selected, listens again.
func TestSettingsMeterStopsInTray(t *testing.T) {
	profile, _, err := store.OpenProfile(filepath.Join(t.TempDir(), "config.toml"), store.NewMemorySecrets(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dev := &slowAudio{}
	w, da := newDesktopWindow(t, Options{Config: profile.Config(), Settings: profile, Audio: dev})
	w.switchTab(len(w.tabs.Items) - 1)
	w.settle()
	s := w.settings.audio
	w.waitUI(t, "the meter to open", func() bool { return s.open != nil })

	w.hideWindow() // the tray's Hide, or the close button while registered
	w.settle()
	if s.open != nil || s.stopTick != nil {
		t.Error("hidden to the tray, the window still listens to the microphone and runs the meter's ticker")
	}
	if _, open := dev.leftOpen(); open != 0 {
		t.Errorf("%d level meters still open with the window in the tray", open)
	}

	da.item(t, "Show Ringdesk").Action()
	w.waitUI(t, "the meter to open again", func() bool { return s.open != nil && s.stopTick != nil })
	if w.tray.hidden {
		t.Error("Show Ringdesk left the tray saying the window is hidden")
	}
}
