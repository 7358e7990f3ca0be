package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
)

// press types the shortcut Ctrl+key on the window's canvas, as the desktop
// driver does when nothing that takes shortcuts has the focus.
func press(t *testing.T, w hasWindow, key fyne.KeyName) {
	t.Helper()
	c, ok := w.Window().Canvas().(fyne.Shortcutable)
	if !ok {
		t.Fatal("the canvas takes no shortcuts")
	}
	c.TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierControl})
}

// TestShortcutsThroughEngine: Ctrl+L focuses the dial field; on a call to
// baresip (1002) Ctrl+M and Ctrl+H mute and hold and undo it (also when the
// dial field still has the focus), and Ctrl+E hangs up; a call from SIPp is
// answered with Ctrl+Enter and hung up with Esc. The buttons name their
// shortcuts.
func TestShortcutsThroughEngine(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	testbed.StartBaresip(t, testbed.BaresipRegister(b.k, "1002"))

	c := w.Window().Canvas()
	c.Unfocus()
	press(t, w, fyne.KeyL)
	if c.Focused() != w.dialpad.entry {
		t.Fatalf("Ctrl+L did not focus the dial field; %v has the focus", c.Focused())
	}
	test.Type(w.dialpad.entry, "1002")
	w.dialpad.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.waitUI(t, "a call panel", func() bool { return w.calls.count() == 1 })
	p := w.onlyPanel(t)
	w.waitState(t, p, phone.CallStateEstablished)
	assertShows(t, w, "Mute (Ctrl+M)")
	assertShows(t, w, "Hold (Ctrl+H)")
	assertShows(t, w, "Hang up (Ctrl+E)")
	if m := c.Content().MinSize(); m.Width > defaultWidth {
		t.Errorf("the call screen needs %v, wider than the window's %v", m, defaultWidth)
	}

	press(t, w, fyne.KeyM)
	w.waitUI(t, "muted by Ctrl+M", func() bool { return p.info.Muted && p.mute.Text == "Unmute (Ctrl+M)" })
	// The focused dial field hands the window's shortcuts on.
	w.dialpad.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierControl})
	w.waitUI(t, "unmuted by Ctrl+M in the dial field", func() bool { return !p.info.Muted })

	press(t, w, fyne.KeyH)
	w.waitUI(t, "held by Ctrl+H", func() bool { return p.info.LocalHold && p.hold.Text == "Resume (Ctrl+H)" })
	press(t, w, fyne.KeyH)
	w.waitUI(t, "resumed by Ctrl+H", func() bool { return !p.info.LocalHold && p.info.State == phone.CallStateEstablished })

	press(t, w, fyne.KeyE)
	w.waitUI(t, "the call hung up by Ctrl+E", func() bool { return w.calls.count() == 0 })

	// A call rings in: Ctrl+Enter on the main window answers it, Esc on
	// its panel hangs it up.
	sp := testbed.RunSIPp(t, "uac_wait_bye.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"),
		testbed.SIPpService("1001"), testbed.SIPpTimeout(30*time.Second))
	pop := w.onlyPopup(t)
	assertShows(t, pop, "Answer (Enter)")
	assertShows(t, pop, "Decline (Esc)")
	p = w.onlyPanel(t)
	assertShows(t, w, "Answer (Ctrl+Enter)")
	press(t, w, fyne.KeyReturn)
	w.waitState(t, p, phone.CallStateEstablished)
	w.waitUI(t, "the popup to close", func() bool { return pop.closed })
	c.Unfocus()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	w.waitUI(t, "the call hung up by Esc", func() bool { return w.calls.count() == 0 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}
