package gui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/phone"
)

func TestDialpadKeysAndKeyboardFillEntry(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	d := w.dialpad
	for _, k := range []string{"1", "0", "0", "2"} {
		test.Tap(d.keys[k])
	}
	if d.entry.Text != "1002" {
		t.Fatalf("after tapping 1 0 0 2 the entry holds %q", d.entry.Text)
	}
	test.Type(d.entry, "*#")
	if d.entry.Text != "1002*#" {
		t.Fatalf("after typing *# the entry holds %q", d.entry.Text)
	}
	test.Tap(d.back)
	test.Tap(d.back)
	if d.entry.Text != "1002" {
		t.Fatalf("after two backspaces the entry holds %q", d.entry.Text)
	}

	// Typing with nothing focused still lands in the entry.
	c := w.Window().Canvas()
	c.Unfocus()
	test.TypeOnCanvas(c, "3")
	if d.entry.Text != "10023" {
		t.Fatalf("typing on the window gave %q", d.entry.Text)
	}
}

// TestDialpadKeysSound: each tapped key goes to Options.KeyTone.
func TestDialpadKeysSound(t *testing.T) {
	var heard []rune
	w := newTestWindow(t, Options{Config: oneAccount(), KeyTone: func(r rune) { heard = append(heard, r) }})
	for _, k := range []string{"1", "#", "0"} {
		test.Tap(w.dialpad.keys[k])
	}
	if string(heard) != "1#0" {
		t.Errorf("key tones %q, want \"1#0\"", string(heard))
	}
}

func TestZeroKeySecondaryTapTypesPlus(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	d := w.dialpad
	test.TapSecondary(d.keys["0"])
	test.Tap(d.keys["8"])
	test.TapSecondary(d.keys["5"]) // no alternative: nothing typed
	if d.entry.Text != "+8" {
		t.Fatalf("entry holds %q, want +8", d.entry.Text)
	}
}

func TestKeysShowDigitsAndLetters(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	for _, s := range []string{"1", "2", "ABC", "7", "PQRS", "9", "WXYZ", "*", "0", "+", "#"} {
		assertShows(t, w, s)
	}
}

func TestPasteIsCleaned(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	e := w.dialpad.entry
	clip := test.NewClipboard()
	clip.SetContent("+84 (977) 805-845")
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if e.Text != "+84977805845" {
		t.Errorf("pasting gave %q, want +84977805845", e.Text)
	}

	e.SetText("")
	clip.SetContent("sip:1002@pbx")
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if e.Text != "sip:1002@pbx" {
		t.Errorf("pasting a SIP URI gave %q", e.Text)
	}
}

// engineWithoutAccounts is a real engine with no account: it refuses every
// dial, which is what these tests need to see shown.
func engineWithoutAccounts(t *testing.T) *phone.Phone {
	t.Helper()
	p := phone.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	return p
}

func TestDialRefusalIsShown(t *testing.T) {
	p := engineWithoutAccounts(t)
	w := newTestWindow(t, Options{Config: oneAccount(), Phone: p})
	d := w.dialpad

	test.Type(d.entry, "090 123-4567")
	d.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.settle()
	assertShows(t, w, "Could not call 0901234567: "+phone.ErrNoSuchAccount.Error())
	if d.call.Disabled() || d.video.Disabled() {
		t.Error("call buttons stay disabled after the dial returned")
	}

	d.entry.SetText("sip:1002@pbx")
	test.Tap(d.video)
	w.settle()
	assertShows(t, w, "Could not call sip:1002@pbx: ")
}

func TestDialWithoutEngineSaysSo(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	test.Type(w.dialpad.entry, "1002")
	test.Tap(w.dialpad.call)
	assertShows(t, w, "Calling is not available in this build")

	w.dialpad.status.Hide()
	w.dialpad.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assertShows(t, w, "Calling is not available in this build")
}

func TestDialEmptyNumberAsksForOne(t *testing.T) {
	p := engineWithoutAccounts(t)
	w := newTestWindow(t, Options{Config: oneAccount(), Phone: p})
	test.Type(w.dialpad.entry, "abc")
	test.Tap(w.dialpad.call)
	assertShows(t, w, "Enter a number to call.")
	assertNotShows(t, w, "Could not call")
}
