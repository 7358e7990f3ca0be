package gui

import (
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// The window's first size: narrow and tall, like a phone.
const (
	defaultWidth  = 360
	defaultHeight = 600
)

// MainWindow is Ringdesk's main window. It shows the first-run account form
// while there is no account (and the configuration loaded), and otherwise the
// account chip over the dialpad, or over the call panels while there are
// calls.
type MainWindow struct {
	win  fyne.Window
	app  fyne.App
	opts Options
	log  *slog.Logger
	// do hands a function to the UI goroutine: fyne.Do, or a queue the
	// tests drain.
	do func(func())

	// account is the account the chip shows; nil when there is none.
	account *store.Account
	chip    *accountChip
	// dialpad and form are the screen on show; the other is nil.
	dialpad *dialpadView
	form    *accountForm
	// calls holds a panel per current call.
	calls *callsView
	// tabs switches between the phone (dialpad or calls), the history and
	// the contacts; nil when neither Options.History nor
	// Options.SearchContacts is set, and the phone is the whole window.
	tabs     *container.AppTabs
	phoneTab *container.TabItem
	// history and contacts are the tabs' views; nil without their option.
	history  *historyView
	contacts *contactsView
	settings *settingsView
	// tray is the system tray icon's menu; nil where there is no tray.
	tray *trayMenu
	// popups are the incoming-call popups on show, by call id.
	popups map[string]*incomingPopup
	// confirms are the ConfirmDial dialogs waiting for an answer.
	confirms []*confirmDialog

	// engineAcc is the engine's account behind the chip; nil without one.
	engineAcc *phone.Account
	sub       *phone.Subscription
	// closed is closed when the window closes; loops are the goroutines
	// that stop then.
	closed chan struct{}
	loops  sync.WaitGroup

	// pending counts background work whose result is not yet applied; tests
	// wait on it.
	pending sync.WaitGroup
	// notifyMu sends the system notifications one at a time, off the UI
	// goroutine (notifyIncoming).
	notifyMu sync.Mutex
}

// NewMainWindow builds the main window on a; it does not show it. It must be
// called on the UI goroutine (before the app runs, or inside fyne.Do). With
// Options.Phone it follows the engine until the window closes.
func NewMainWindow(a fyne.App, opts Options) *MainWindow {
	w := &MainWindow{
		win:    a.NewWindow(appName),
		app:    a,
		opts:   opts,
		log:    opts.Logger,
		do:     opts.uiDo,
		popups: map[string]*incomingPopup{},
		closed: make(chan struct{}),
	}
	if w.do == nil {
		w.do = fyneDo
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
	w.win.Resize(w.savedSize())
	w.win.SetOnClosed(w.shutdown)
	w.addShortcuts()

	var onAdd func()
	if w.canAddAccount() {
		onAdd = w.showForm
	}
	w.chip = newAccountChip(onAdd, w.retryRegistration)
	w.calls = newCallsView(w)
	if w.opts.History != nil {
		w.history = newHistoryView(w, w.opts.History)
	}
	if w.opts.SearchContacts != nil {
		w.contacts = newContactsView(w, w.opts.SearchContacts)
	}
	if w.opts.ConfigErr != nil {
		w.opts.Settings = nil // never save over a file that did not load
	}
	if w.opts.Settings != nil {
		w.settings = newSettingsView(w)
	}
	w.setupTray()

	if w.canAddAccount() && w.account == nil {
		w.showForm()
	} else {
		w.showDialpad()
	}
	if w.opts.Phone != nil {
		w.startEngine()
	}
	return w
}

// The preferences that keep the window's size between runs. Fyne has no
// portable way to read or set a window's position (GLFW could, but Fyne's
// API does not expose it, and Wayland does not let an application place its
// windows at all), so the place is left to the window manager.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	// minSavedWidth and minSavedHeight: a smaller saved size (a window
	// closed while minimised, a corrupt preference) is not restored.
	minSavedWidth  = 240
	minSavedHeight = 320
)

// savedSize is the size the window had when it last closed, or the default.
func (w *MainWindow) savedSize() fyne.Size {
	prefs := w.app.Preferences()
	width := float32(prefs.FloatWithFallback(prefWidth, defaultWidth))
	height := float32(prefs.FloatWithFallback(prefHeight, defaultHeight))
	if width < minSavedWidth || height < minSavedHeight {
		return fyne.NewSize(defaultWidth, defaultHeight)
	}
	return fyne.NewSize(width, height)
}

// saveSize keeps the window's size for the next run.
func (w *MainWindow) saveSize() {
	s := w.win.Canvas().Size()
	if s.Width < minSavedWidth || s.Height < minSavedHeight {
		return
	}
	prefs := w.app.Preferences()
	prefs.SetFloat(prefWidth, float64(s.Width))
	prefs.SetFloat(prefHeight, float64(s.Height))
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
	w.chip.setAccount(w.account, w.opts.Phone != nil)
	if w.opts.Phone != nil && w.engineAcc != nil {
		st, cause := w.engineAcc.Registration()
		w.chip.setRegistration(st, cause)
	}
	w.dialpad = newDialpadView(w)

	top := container.NewVBox(w.chip.root)
	if w.opts.ConfigErr != nil {
		top.Add(newConfigErrorBanner(w.opts.ConfigErr, w.opts.ConfigPath))
	}
	var center fyne.CanvasObject = container.NewStack(w.dialpad.root, w.calls.root)
	if w.history != nil || w.contacts != nil || w.settings != nil {
		center = w.newTabs(center)
	}
	c := w.win.Canvas()
	c.SetOnTypedRune(w.dialpad.typedRune)
	c.SetOnTypedKey(w.typedKey)
	w.win.SetContent(container.NewPadded(container.NewBorder(top, nil, nil, nil, center)))
	w.updateScreen()
}

// newTabs puts the phone screen in the Phone tab, beside the History and
// Contacts tabs that have a source.
func (w *MainWindow) newTabs(phoneScreen fyne.CanvasObject) *container.AppTabs {
	w.phoneTab = container.NewTabItemWithIcon(txtTabPhone(), callIcon, phoneScreen)
	w.tabs = container.NewAppTabs(w.phoneTab)
	if w.history != nil {
		w.tabs.Append(container.NewTabItemWithIcon(txtTabHistory(), theme.HistoryIcon(), w.history.root))
	}
	if w.contacts != nil {
		w.tabs.Append(container.NewTabItemWithIcon(txtTabContacts(), theme.AccountIcon(), w.contacts.root))
	}
	if w.settings != nil {
		// The gear alone: four labelled tabs do not fit the narrow window
		// (Fyne would fold the last into a "…" menu). Ctrl+4 opens it too.
		w.tabs.Append(container.NewTabItemWithIcon("", theme.SettingsIcon(), w.settings.root))
	}
	// At the bottom, within reach, as on a phone.
	w.tabs.SetTabLocation(container.TabLocationBottom)
	w.tabs.OnSelected = w.tabSelected
	return w.tabs
}

// tabSelected brings the chosen tab up to date and gives its field the focus.
func (w *MainWindow) tabSelected(t *container.TabItem) {
	c := w.win.Canvas()
	if w.settings != nil && t.Content != w.settings.root {
		w.settings.hidden()
	}
	if w.dialpad != nil && t != w.phoneTab {
		w.dialpad.complete.cancel() // its rows would be stale on return
	}
	switch {
	case t == w.phoneTab:
		w.updateScreen()
	case w.history != nil && t.Content == w.history.root:
		w.history.reload()
		c.Focus(w.history.search)
	case w.contacts != nil && t.Content == w.contacts.root:
		if !w.contacts.loaded {
			w.contacts.reload()
		}
		c.Focus(w.contacts.search)
	case w.settings != nil && t.Content == w.settings.root:
		c.Unfocus()
		w.settings.shown()
	}
}

// phoneShown says whether the phone screen (dialpad or calls) is on show:
// always without tabs, else while its tab is selected.
func (w *MainWindow) phoneShown() bool {
	return w.tabs == nil || w.tabs.Selected() == w.phoneTab
}

// showPhone selects the Phone tab.
func (w *MainWindow) showPhone() {
	if w.tabs != nil && !w.phoneShown() {
		w.tabs.Select(w.phoneTab)
	}
}

// callBack dials number from the History or Contacts tab through the
// dialpad, as if typed there and Call pressed, and shows the Phone tab,
// where the call's panel, or the refusal, appears.
func (w *MainWindow) callBack(number string) {
	if w.dialpad == nil {
		return
	}
	w.showPhone()
	if w.dialpad.call.Disabled() {
		return // a dial is already under way
	}
	w.dialpad.entry.SetText(number)
	w.dialpad.dial(false)
}

// updateScreen shows the call panels while there are calls and the dialpad
// otherwise.
func (w *MainWindow) updateScreen() {
	if w.dialpad == nil {
		return
	}
	if w.calls.count() > 0 {
		w.dialpad.root.Hide()
		w.calls.root.Show()
		return
	}
	w.calls.root.Hide()
	if !w.dialpad.root.Visible() {
		w.dialpad.root.Show()
	}
	w.dialpad.focusEntry()
}

func (w *MainWindow) accountSaved(acc store.Account) {
	w.account = &acc
	w.showDialpad()
}

// background runs work off the UI goroutine and hands its error to apply
// through w.do, the one door back into the UI.
func (w *MainWindow) background(work func() error, apply func(error)) {
	w.pending.Add(1)
	go func() {
		err := work()
		w.do(func() {
			defer w.pending.Done()
			apply(err)
		})
	}()
}

// keyTone sounds a pressed dial-pad key through Options.KeyTone.
func (w *MainWindow) keyTone(key string) {
	if r := []rune(key); w.opts.KeyTone != nil && len(r) == 1 {
		w.opts.KeyTone(r[0])
	}
}
