package gui

import (
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// desktopApp is the test app with a system tray and a record of the
// notifications sent, as the desktop driver's app has.
type desktopApp struct {
	fyne.App
	mu            sync.Mutex
	menu          *fyne.Menu
	icon          fyne.Resource
	notifications []*fyne.Notification
}

func (a *desktopApp) SetSystemTrayMenu(m *fyne.Menu) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.menu = m
}

func (a *desktopApp) SetSystemTrayIcon(r fyne.Resource) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.icon = r
}

func (a *desktopApp) SendNotification(n *fyne.Notification) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notifications = append(a.notifications, n)
}

// item is the tray menu's item whose label starts with label.
func (a *desktopApp) item(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.menu == nil {
		t.Fatal("no tray menu")
	}
	for _, it := range a.menu.Items {
		if strings.HasPrefix(it.Label, label) {
			return it
		}
	}
	t.Fatalf("no tray menu item %q", label)
	return nil
}

func newDesktopWindow(t *testing.T, opts Options) (*testWindow, *desktopApp) {
	var da *desktopApp
	w := newTestWindowOn(t, func(a fyne.App) fyne.App { da = &desktopApp{App: a}; return da }, opts)
	return w, da
}

// TestTrayMenu: the tray menu names the account and its registration,
// shows and hides the window, and closing the window quits while nothing
// is registered.
func TestTrayMenu(t *testing.T) {
	w, da := newDesktopWindow(t, Options{Config: oneAccount()})
	if da.icon == nil || da.icon != trayIcon("") {
		t.Error("the tray icon should have the grey dot of an unregistered account")
	}
	if got := da.firstLine(); got != "1001@127.0.0.1 · Not registered" || !da.menu.Items[0].Disabled {
		t.Errorf("the tray's first line = %q (disabled %v)", got, da.menu.Items[0].Disabled)
	}
	if !da.item(t, "Do Not Disturb").Disabled {
		t.Error("Do Not Disturb without an engine should be disabled")
	}
	da.item(t, "Hide Ringdesk").Action()
	if !w.tray.hidden {
		t.Error("Hide did not hide the window")
	}
	da.item(t, "Show Ringdesk").Action()
	if w.tray.hidden {
		t.Error("Show did not show the window")
	}
	if q := da.item(t, "Quit"); !q.IsQuit {
		t.Error("Quit is not the menu's quit item")
	}
	// Not registered: the close button quits.
	w.closeRequested()
	if !w.isClosed() {
		t.Error("closing the window with nothing registered should quit")
	}
}

// TestTrayDNDAndHideOnClose against Kamailio: the tray says Registered;
// the close button then hides the window to the tray; Do Not Disturb from
// the tray makes a SIPp caller get 486 Busy Here without ringing, and off
// again a call rings with a popup and an OS notification naming the
// caller.
func TestTrayDNDAndHideOnClose(t *testing.T) {
	var da *desktopApp
	b := newEngineBenchOn(t, store.CRM{}, func(a fyne.App) fyne.App { da = &desktopApp{App: a}; return da })
	w := b.w
	w.waitUI(t, "the tray to say Registered", func() bool { return da.firstLine() == "1001@"+b.k.Domain()+" · Registered" })

	da.mu.Lock()
	if da.icon != trayIcon(phone.RegRegistered) || da.icon == trayIcon("") {
		t.Error("the tray icon should have the green dot of a registered account")
	}
	da.mu.Unlock()

	w.closeRequested()
	if w.isClosed() || !w.tray.hidden {
		t.Fatal("closing the window while registered should hide it to the tray")
	}
	da.item(t, "Show Ringdesk").Action()
	if w.tray.hidden {
		t.Error("Show Ringdesk left the window hidden")
	}
	// A second start of Ringdesk (POST /v1/show) brings it back too.
	w.closeRequested()
	w.Show()
	w.waitUI(t, "the window to come back from the tray", func() bool { return !w.tray.hidden })

	da.item(t, "Do Not Disturb").Action()
	if !b.phone.DND() {
		t.Fatal("Do Not Disturb from the tray did not reach the engine")
	}
	w.waitUI(t, "the tray to tick Do Not Disturb", func() bool { return da.item(t, "Do Not Disturb").Checked })
	if got := da.firstLine(); !strings.HasSuffix(got, "Registered, Do Not Disturb") {
		t.Errorf("the tray's first line with DND = %q", got)
	}
	rej := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1004"), testbed.SIPpService("1001"))
	if err := rej.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if code, reason := rej.FinalStatus(); code != 486 {
		t.Errorf("the caller got %d %s with Do Not Disturb on, want 486", code, reason)
	}
	w.settle()
	if len(w.popups) != 0 || len(da.notifications) != 0 {
		t.Error("a call refused by Do Not Disturb should neither pop up nor notify")
	}

	da.item(t, "Do Not Disturb").Action()
	w.waitUI(t, "the tray to untick Do Not Disturb", func() bool { return !da.item(t, "Do Not Disturb").Checked })
	sp := testbed.RunSIPp(t, "uac_cancel.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"), testbed.SIPpService("1001"))
	w.waitUI(t, "the notification", func() bool {
		da.mu.Lock()
		defer da.mu.Unlock()
		return len(da.notifications) == 1
	})
	n := da.notifications[0]
	if n.Title != "Incoming call" || !strings.Contains(n.Content, "1003") {
		t.Errorf("notification %q: %q, want the incoming call from 1003", n.Title, n.Content)
	}
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	w.waitUI(t, "the call to go", func() bool { return w.calls.count() == 0 })
}

// firstLine is the tray menu's status line.
func (a *desktopApp) firstLine() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.menu == nil || len(a.menu.Items) == 0 {
		return ""
	}
	return a.menu.Items[0].Label
}
