package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/ringdesk/ringdesk/phone"
)

// The window's keyboard shortcuts. Ctrl on every platform (on macOS too:
// Cmd+H and Cmd+M belong to the system there), as in MicroSIP and Zoiper
// (Ctrl+E hang up). The key names on the buttons are not translated: they
// are printed on the keyboard.
const (
	keysAnswer = "Ctrl+Enter"
	keysHangUp = "Ctrl+E"
	keysMute   = "Ctrl+M"
	keysHold   = "Ctrl+H"
	keysDial   = "Ctrl+L"
	keysEnter  = "Enter"
	keysEscape = "Esc"
	ctrl       = fyne.KeyModifierControl
)

// windowShortcut is one shortcut and what it does in the main window.
type windowShortcut struct {
	sc  *desktop.CustomShortcut
	run func(w *MainWindow)
}

var windowShortcuts = []windowShortcut{
	{&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: ctrl}, (*MainWindow).answerRinging},
	{&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: ctrl}, (*MainWindow).answerRinging},
	{&desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: ctrl}, (*MainWindow).hangUpSelected},
	{&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: ctrl}, (*MainWindow).toggleMute},
	{&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: ctrl}, (*MainWindow).toggleHold},
	{&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: ctrl}, (*MainWindow).focusDial},
	{&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: ctrl}, func(w *MainWindow) { w.switchTab(0) }},
	{&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: ctrl}, func(w *MainWindow) { w.switchTab(1) }},
	{&desktop.CustomShortcut{KeyName: fyne.Key3, Modifier: ctrl}, func(w *MainWindow) { w.switchTab(2) }},
	{&desktop.CustomShortcut{KeyName: fyne.Key4, Modifier: ctrl}, func(w *MainWindow) { w.switchTab(3) }},
}

// switchTab shows the i-th tab (from 0), as Ctrl+1 ... Ctrl+4 do.
func (w *MainWindow) switchTab(i int) {
	if w.tabs == nil || i < 0 || i >= len(w.tabs.Items) {
		return
	}
	if w.tabs.SelectedIndex() == i {
		return
	}
	w.tabs.SelectIndex(i)
	if i == 0 {
		w.focusDial()
	}
}

// addShortcuts registers the shortcuts on the window's canvas. A focused
// entry takes shortcuts before the canvas does, so the number entries hand
// the ones they do not know to typedShortcut (numberEntry.TypedShortcut).
func (w *MainWindow) addShortcuts() {
	c := w.win.Canvas()
	for _, s := range windowShortcuts {
		c.AddShortcut(s.sc, func(fyne.Shortcut) { s.run(w) })
	}
}

// typedShortcut runs the window shortcut sc; false when sc is none of them.
func (w *MainWindow) typedShortcut(sc fyne.Shortcut) bool {
	for _, s := range windowShortcuts {
		if s.sc.ShortcutName() == sc.ShortcutName() {
			s.run(w)
			return true
		}
	}
	return false
}

// selectedPanel is the panel on show; nil without calls.
func (w *MainWindow) selectedPanel() *callPanel {
	if w.calls == nil {
		return nil
	}
	return w.calls.panels[w.calls.selected]
}

// ringingPanel is the ringing call Ctrl+Enter answers: the one on show if it
// rings, else the oldest ringing call.
func (w *MainWindow) ringingPanel() *callPanel {
	if p := w.selectedPanel(); p != nil && p.ringing() {
		return p
	}
	for _, id := range w.calls.order {
		if p := w.calls.panels[id]; p.ringing() {
			return p
		}
	}
	return nil
}

func (w *MainWindow) answerRinging() {
	p := w.ringingPanel()
	if p == nil {
		return
	}
	if pop, ok := w.popups[p.info.ID]; ok {
		pop.doAnswer()
		return
	}
	p.doAnswer()
}

// hangUpSelected ends the call on show: hangs it up, or declines it while it
// rings.
func (w *MainWindow) hangUpSelected() {
	p := w.selectedPanel()
	if p == nil {
		return
	}
	if p.ringing() {
		if pop, ok := w.popups[p.info.ID]; ok {
			pop.doDecline()
			return
		}
		p.doDecline()
		return
	}
	p.doHangup()
}

func (w *MainWindow) toggleMute() {
	if p := w.selectedPanel(); p != nil && p.up() {
		p.doMute()
	}
}

func (w *MainWindow) toggleHold() {
	if p := w.selectedPanel(); p != nil && p.up() {
		p.doHold()
	}
}

// focusDial puts the cursor in the dial field while the dialpad is on show.
func (w *MainWindow) focusDial() {
	if w.dialpad == nil || !w.dialpad.root.Visible() {
		return
	}
	w.showPhone()
	w.win.Canvas().Focus(w.dialpad.entry)
}

// typedKey takes the keys that reached the window while nothing had the
// focus: the dialpad's, and Esc on a call panel, which hangs up.
func (w *MainWindow) typedKey(ev *fyne.KeyEvent) {
	if w.dialpad == nil {
		return
	}
	if ev.Name == fyne.KeyEscape && w.calls.root.Visible() && w.phoneShown() {
		w.hangUpSelected()
		return
	}
	w.dialpad.typedKey(ev)
}

// ringing says whether the call rings in, waiting for Answer.
func (p *callPanel) ringing() bool {
	return p.info.State == phone.CallStateIncoming
}

// up says whether the call is established (held or not).
func (p *callPanel) up() bool {
	return p.info.State == phone.CallStateEstablished || p.info.State == phone.CallStateHeld
}
