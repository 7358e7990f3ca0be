package gui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// confirmAsync calls ConfirmDial on another goroutine, as the local API does.
func confirmAsync(ctx context.Context, w *testWindow, number, source string) <-chan bool {
	res := make(chan bool, 1)
	go func() { res <- w.ConfirmDial(ctx, number, source) }()
	return res
}

func answerOf(t *testing.T, w *testWindow, res <-chan bool) bool {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.q.drain()
		select {
		case ok := <-res:
			return ok
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("ConfirmDial did not return")
		}
	}
}

func TestConfirmDialCall(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	res := confirmAsync(context.Background(), w, "0901234567", "crm.example.com")
	w.waitUI(t, "the question", func() bool { return len(w.confirms) == 1 })
	assertShows(t, w, "Call 0901234567? (from crm.example.com)")
	test.Tap(w.confirms[0].call)
	if !answerOf(t, w, res) {
		t.Error("Call answered false")
	}
	if len(w.confirms) != 0 {
		t.Error("the dialog is still listed")
	}
	assertNotShows(t, w, "Call 0901234567?")
}

func TestConfirmDialCancel(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	res := confirmAsync(context.Background(), w, "1002", "")
	w.waitUI(t, "the question", func() bool { return len(w.confirms) == 1 })
	assertShows(t, w, "Call 1002?")
	test.Tap(w.confirms[0].cancel)
	if answerOf(t, w, res) {
		t.Error("Cancel answered true")
	}
}

func TestConfirmDialContextEnds(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	ctx, cancel := context.WithCancel(context.Background())
	res := confirmAsync(ctx, w, "1002", "tel: link")
	w.waitUI(t, "the question", func() bool { return len(w.confirms) == 1 })
	cancel()
	if answerOf(t, w, res) {
		t.Error("an ended context answered true")
	}
	w.waitUI(t, "the dialog to go", func() bool { return len(w.confirms) == 0 })
	assertNotShows(t, w, "Call 1002?")
}

func TestConfirmDialWindowCloses(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	res := confirmAsync(context.Background(), w, "1002", "")
	w.waitUI(t, "the question", func() bool { return len(w.confirms) == 1 })
	w.Window().Close()
	if answerOf(t, w, res) {
		t.Error("a closed window answered true")
	}
}
