package gui

import (
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/store"
)

// The window's first size: narrow and tall, like a phone.
const (
	defaultWidth  = 360
	defaultHeight = 600
)

// MainWindow is Ringdesk's main window. It shows the first-run account form
// while there is no account (and the configuration loaded), and the dialpad
// otherwise.
type MainWindow struct {
	win  fyne.Window
	opts Options
	log  *slog.Logger

	// account is the account the chip shows; nil when there is none.
	account *store.Account
	// dialpad and form are the screen on show; the other is nil.
	dialpad *dialpadView
	form    *accountForm

	// pending counts background work whose result is not yet applied; tests
	// wait on it.
	pending sync.WaitGroup
}

// NewMainWindow builds the main window on a; it does not show it. It must be
// called on the UI goroutine (before the app runs, or inside fyne.Do).
func NewMainWindow(a fyne.App, opts Options) *MainWindow {
	w := &MainWindow{
		win:  a.NewWindow(appName),
		opts: opts,
		log:  opts.Logger,
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.opts.Config == nil {
		w.opts.Config = &store.Config{}
	}
	if accs := w.opts.Config.Accounts; len(accs) > 0 && w.opts.ConfigErr == nil {
		acc := accs[0]
		w.account = &acc
	}
	w.win.SetIcon(appIcon)
	w.win.Resize(fyne.NewSize(defaultWidth, defaultHeight))

	if w.canAddAccount() && w.account == nil {
		w.showForm()
	} else {
		w.showDialpad()
	}
	return w
}

// Window returns the Fyne window, for main to show and run.
func (w *MainWindow) Window() fyne.Window { return w.win }

// canAddAccount says whether the account form may be shown: only when the
// configuration loaded and there is somewhere to save to. A file that failed
// to load is never overwritten.
func (w *MainWindow) canAddAccount() bool {
	return w.opts.ConfigErr == nil && w.opts.Accounts != nil
}

func (w *MainWindow) showForm() {
	w.dialpad = nil
	w.form = newAccountForm(w, w.accountSaved, w.showDialpad)
	c := w.win.Canvas()
	c.SetOnTypedRune(nil)
	c.SetOnTypedKey(nil)
	w.win.SetContent(w.form.root)
	c.Focus(w.form.displayName)
}

func (w *MainWindow) showDialpad() {
	w.form = nil
	var onAdd func()
	if w.canAddAccount() {
		onAdd = w.showForm
	}
	w.dialpad = newDialpadView(w, w.account, onAdd)
	c := w.win.Canvas()
	c.SetOnTypedRune(w.dialpad.typedRune)
	c.SetOnTypedKey(w.dialpad.typedKey)
	w.win.SetContent(w.dialpad.root)
	w.dialpad.focusEntry()
}

func (w *MainWindow) accountSaved(acc store.Account) {
	w.account = &acc
	w.showDialpad()
}

// background runs work off the UI goroutine and hands its error to apply
// through fyne.Do, the one door back into the UI.
func (w *MainWindow) background(work func() error, apply func(error)) {
	w.pending.Add(1)
	go func() {
		err := work()
		fyne.Do(func() {
			defer w.pending.Done()
			apply(err)
		})
	}()
}
