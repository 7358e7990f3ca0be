package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// numberEntry is the dialpad's one-line entry. Typing is free, so a SIP
// address can be typed; a paste is cleaned by cleanDialString first, so a
// number copied from a CRM page ("+84 (977) 805-845") arrives dialable.
type numberEntry struct {
	widget.Entry
	// onShortcut, when set, is offered the custom shortcuts (Ctrl+M, ...)
	// first: a focused entry takes them before the window's canvas does.
	onShortcut func(fyne.Shortcut) bool
	// onKey, when set, is offered each key first (the completion list's
	// Up, Down, Enter and Esc); true means it used the key.
	onKey func(*fyne.KeyEvent) bool
}

// TypedKey offers the key to onKey, then to Entry.
func (e *numberEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

func newNumberEntry() *numberEntry {
	e := &numberEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut cleans pasted text and hands every other shortcut to Entry.
func (e *numberEntry) TypedShortcut(s fyne.Shortcut) {
	if _, custom := s.(*desktop.CustomShortcut); custom && e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	paste, ok := s.(*fyne.ShortcutPaste)
	if !ok || paste.Clipboard == nil {
		e.Entry.TypedShortcut(s)
		return
	}
	// Typing the cleaned text rune by rune keeps Entry's own handling of the
	// cursor and of a selection being replaced.
	for _, r := range cleanDialString(paste.Clipboard.Content()) {
		e.TypedRune(r)
	}
}

// press types s at the cursor, as a dialpad key does.
func (e *numberEntry) press(s string) {
	for _, r := range s {
		e.TypedRune(r)
	}
}

// backspace deletes the character before the cursor, as the Backspace key does.
func (e *numberEntry) backspace() {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
}
