package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is a form's entry that hands the window's shortcuts (Ctrl+1 to
// switch tabs, Ctrl+E to hang up, ...) on: a focused entry takes every
// shortcut before the window's canvas does, and Entry drops the ones it
// does not know.
type keyEntry struct {
	widget.Entry
	w *MainWindow
}

// newKeyEntry is a one-line entry.
func newKeyEntry(w *MainWindow) *keyEntry {
	e := &keyEntry{w: w}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newKeyPasswordEntry is a one-line entry for a password, with the eye
// that shows it.
func newKeyPasswordEntry(w *MainWindow) *keyEntry {
	e := newKeyEntry(w)
	e.Password = true // the renderer adds the eye
	return e
}

// newKeyMultiLineEntry is an entry of several lines.
func newKeyMultiLineEntry(w *MainWindow) *keyEntry {
	e := &keyEntry{w: w}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut runs a window shortcut, or hands s to Entry.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if _, custom := s.(*desktop.CustomShortcut); custom && e.w.typedShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
