package gui

import (
	"strings"
	"sync"
	"testing"

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

// dialCall is one call of a recording Options.Dial.
type dialCall struct {
	number string
	video  bool
}

// dialRecorder records Options.Dial calls and answers with err.
type dialRecorder struct {
	mu    sync.Mutex
	calls []dialCall
	err   error
}

func (d *dialRecorder) dial(number string, video bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, dialCall{number, video})
	return d.err
}

func (d *dialRecorder) dialled() []dialCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]dialCall(nil), d.calls...)
}

// newTestWindow builds the main window on a test app that is torn down with t.
func newTestWindow(t *testing.T, opts Options) *MainWindow {
	t.Helper()
	a := test.NewTempApp(t)
	if opts.Config == nil {
		opts.Config = &store.Config{}
	}
	w := NewMainWindow(a, opts)
	w.Window().Show()
	t.Cleanup(func() {
		w.pending.Wait()
		w.Window().Close()
	})
	return w
}

// oneAccount is a configuration with one account, as after a first run.
func oneAccount() *store.Config {
	return &store.Config{Accounts: []store.Account{{
		ID: "main", Username: "1001", Domain: "127.0.0.1", Transport: "udp",
	}}}
}

// settle waits until background work (a dial, a save) has been applied to the UI.
func (w *MainWindow) settle() { w.pending.Wait() }

// visibleObjects is every object a person could see in the window: hidden
// objects and their children are left out.
func visibleObjects(w *MainWindow) []fyne.CanvasObject {
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
func visibleText(w *MainWindow) string {
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

func assertShows(t *testing.T, w *MainWindow, want string) {
	t.Helper()
	if got := visibleText(w); !strings.Contains(got, want) {
		t.Errorf("the window does not show %q; it shows:\n%s", want, got)
	}
}

func assertNotShows(t *testing.T, w *MainWindow, unwanted string) {
	t.Helper()
	if got := visibleText(w); strings.Contains(got, unwanted) {
		t.Errorf("the window shows %q; it should not:\n%s", unwanted, got)
	}
}

// hasForm says whether any widget.Form is on screen.
func hasForm(w *MainWindow) bool {
	for _, o := range visibleObjects(w) {
		if _, ok := o.(*widget.Form); ok {
			return true
		}
	}
	return false
}

// The store's profile is what main passes as Options.Accounts.
var _ AccountSaver = (*store.Profile)(nil)
