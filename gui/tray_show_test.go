package gui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/phone"
)

// TestConfirmDialShowsFromTray: a tel: link confirmed while the window is
// in the tray brings it back the tray's way, so the tray menu offers Hide
// again rather than a Show that does nothing.
func TestConfirmDialShowsFromTray(t *testing.T) {
	w, da := newDesktopWindow(t, Options{Config: oneAccount()})
	w.hideWindow()
	if !w.tray.hidden {
		t.Fatal("hideWindow left the window shown")
	}
	res := confirmAsync(context.Background(), w, "1002", "")
	w.waitUI(t, "the question", func() bool { return len(w.confirms) == 1 })
	if w.tray.hidden {
		t.Error("the confirmation showed the window, but the tray still says it is hidden")
	}
	da.item(t, "Hide Ringdesk") // fails when the menu still offers Show
	w.confirms[0].answer(false)
	if answerOf(t, w, res) {
		t.Error("Cancel answered true")
	}
}

// blockingNotifier is a desktop app whose notifications hang until
// released, as a synchronous D-Bus call to a stuck notification daemon does.
type blockingNotifier struct {
	*desktopApp
	release chan struct{}
	once    sync.Once
}

func (a *blockingNotifier) SendNotification(n *fyne.Notification) {
	<-a.release
	a.desktopApp.SendNotification(n)
}

func (a *blockingNotifier) unblock() { a.once.Do(func() { close(a.release) }) }

// TestIncomingNotificationOffUIGoroutine: the incoming-call notification
// is sent without blocking the UI goroutine, and still arrives.
func TestIncomingNotificationOffUIGoroutine(t *testing.T) {
	var app *blockingNotifier
	w := newTestWindowOn(t, func(a fyne.App) fyne.App {
		app = &blockingNotifier{desktopApp: &desktopApp{App: a}, release: make(chan struct{})}
		return app
	}, Options{Config: oneAccount()})
	t.Cleanup(app.unblock) // before the window's cleanup waits for it

	done := make(chan struct{})
	go func() { // the UI goroutine's part of an incoming call
		w.notifyIncoming(phone.CallInfo{Number: "1003", Name: "Jane Black"})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("sending the notification blocked the UI goroutine")
	}
	app.unblock()
	w.waitUI(t, "the notification", func() bool {
		app.mu.Lock()
		defer app.mu.Unlock()
		return len(app.notifications) == 1
	})
	app.mu.Lock()
	n := app.notifications[0]
	app.mu.Unlock()
	if n.Title != "Incoming call" || n.Content != "Jane Black · 1003" {
		t.Errorf("notification %q: %q", n.Title, n.Content)
	}
}
