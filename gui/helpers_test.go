package gui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store"
)

// fakeSaver is an AccountSaver that records what it was asked to save and
// answers with err.
type fakeSaver struct {
	mu    sync.Mutex
	calls []savedAccount
	err   error
}

type savedAccount struct {
	acc    store.Account
	secret string
}

func (f *fakeSaver) SaveAccount(acc store.Account, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, savedAccount{acc, secret})
	return f.err
}

func (f *fakeSaver) saved() []savedAccount {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]savedAccount(nil), f.calls...)
}

// uiQueue stands in for fyne.Do: Fyne's test driver runs fyne.Do at once on
// the calling goroutine, so engine events would touch widgets from the
// engine's goroutines while the test reads them. The window hands its UI work
// to the queue instead, and the test goroutine runs it (drain), so every
// widget is touched from one goroutine, as in the real app.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

// drain runs what is queued, including what that queues, until nothing is.
func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// testWindow is a main window under test with its UI queue.
type testWindow struct {
	*MainWindow
	q *uiQueue
}

// newTestWindow builds the main window on a test app that is torn down with t.
func newTestWindow(t *testing.T, opts Options) *testWindow {
	t.Helper()
	return newTestWindowOn(t, nil, opts)
}

// newTestWindowOn is newTestWindow on the app wrap makes of the test app
// (nil: the test app itself).
func newTestWindowOn(t *testing.T, wrap func(fyne.App) fyne.App, opts Options) *testWindow {
	t.Helper()
	var a fyne.App = test.NewTempApp(t)
	if wrap != nil {
		a = wrap(a)
	}
	if opts.Config == nil {
		opts.Config = &store.Config{}
	}
	q := &uiQueue{}
	opts.uiDo = q.do
	w := &testWindow{MainWindow: NewMainWindow(a, opts), q: q}
	w.Window().Show()
	t.Cleanup(func() {
		w.settle()
		if !w.isClosed() { // the test driver panics on a second Close
			w.Window().Close()
		}
		w.q.drain()
	})
	return w
}

// settle waits until background work (a dial, a save) has been applied to
// the UI, running the UI queue meanwhile.
func (w *testWindow) settle() {
	done := make(chan struct{})
	go func() {
		w.pending.Wait()
		close(done)
	}()
	for {
		w.q.drain()
		select {
		case <-done:
			w.q.drain()
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// waitUI runs the UI queue until cond holds, failing the test after 20 s.
func (w *testWindow) waitUI(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; the window shows:\n%s", what, visibleText(w))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// oneAccount is a configuration with one account, as after a first run.
func oneAccount() *store.Config {
	return &store.Config{Accounts: []store.Account{{
		ID: "main", Username: "1001", Domain: "127.0.0.1", Transport: "udp",
	}}}
}

// hasWindow is a main window or a popup under test.
type hasWindow interface{ Window() fyne.Window }

// Window is the popup's window, for the helpers below.
func (p *incomingPopup) Window() fyne.Window { return p.win }

// visibleObjects is every object a person could see in the window: hidden
// objects and their children are left out.
func visibleObjects(w hasWindow) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch x := o.(type) {
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(w.Window().Canvas().Content())
	for _, o := range w.Window().Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// visibleText joins the text of every visible label, button, check and
// drawn text, one per line.
func visibleText(w hasWindow) string {
	var b strings.Builder
	for _, o := range visibleObjects(w) {
		var s string
		switch x := o.(type) {
		case *widget.Label:
			s = x.Text
		case *widget.Button:
			s = x.Text
		case *widget.Check:
			s = x.Text
		case *canvas.Text:
			s = x.Text
		}
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func assertShows(t *testing.T, w hasWindow, want string) {
	t.Helper()
	if got := visibleText(w); !strings.Contains(got, want) {
		t.Errorf("the window does not show %q; it shows:\n%s", want, got)
	}
}

func assertNotShows(t *testing.T, w hasWindow, unwanted string) {
	t.Helper()
	if got := visibleText(w); strings.Contains(got, unwanted) {
		t.Errorf("the window shows %q; it should not:\n%s", unwanted, got)
	}
}

// hasForm says whether any widget.Form is on screen.
func hasForm(w hasWindow) bool {
	for _, o := range visibleObjects(w) {
		if _, ok := o.(*widget.Form); ok {
			return true
		}
	}
	return false
}

// The store's profile is what main passes as Options.Accounts.
var _ AccountSaver = (*store.Profile)(nil)
