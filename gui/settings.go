package gui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// SettingsStore keeps what the Settings tab changes. *store.Profile
// implements it; main wraps it so that an account saved or deleted here is
// started or stopped in the engine at once. Every method may block (the
// keyring may ask to be unlocked): the window calls them off the UI
// goroutine.
type SettingsStore interface {
	// Config returns a copy of the current configuration.
	Config() *store.Config
	// SaveAccount adds or replaces the account and keeps secret (the
	// password or HA1) in the keyring; an empty secret keeps the saved one.
	SaveAccount(acc store.Account, secret string) error
	// DeleteAccount removes the account and its secrets.
	DeleteAccount(id string) error
	// AccountSecret returns the account's saved password (or HA1) and
	// where it came from.
	AccountSecret(id string) (value, source string, err error)
	// Update edits the configuration with change and saves it atomically.
	Update(change func(*store.Config) error) error
}

// APIToken is the local API's token as the Settings tab shows it. main
// implements it on the keyring and the running API.
type APIToken interface {
	// Token returns the token the API checks now.
	Token() (string, error)
	// Rotate makes a new random token, keeps it in the keyring and makes
	// the running API take it (and refuse the old one) at once.
	Rotate() (string, error)
}

// AudioDevices lists the system's sound devices and tests them, for the
// Settings tab's audio section. main adapts media/device to it (the GUI
// never imports device drivers); without it the section says this build
// has no audio devices.
type AudioDevices interface {
	// List returns the names of the capture (microphone) and playback
	// (speaker, ringer) devices.
	List() (inputs, outputs []string, err error)
	// OpenLevelMeter starts listening to the input device (""
	// means the system default) and measures its level.
	OpenLevelMeter(input string) (LevelMeter, error)
	// PlayTestTone plays a short tone on the output device ("" means the
	// system default) and returns when it has played or ctx ends.
	PlayTestTone(ctx context.Context, output string) error
}

// LevelMeter is a microphone being listened to.
type LevelMeter interface {
	// Level is the loudness of the last moment of sound, from 0 (silence)
	// to 1 (full scale).
	Level() float64
	// Close stops listening.
	Close() error
}

// settingsView is the Settings tab: one collapsible section per subject,
// in a scroll. Each section saves its own changes through
// Options.Settings, off the UI goroutine; a section that needs a restart
// to take effect says so.
type settingsView struct {
	w    *MainWindow
	root *fyne.Container
	// page is the section list, or an account being edited in its place.
	page      *fyne.Container
	sections  *widget.Accordion
	scroll    *container.Scroll
	accounts  *accountsSection
	audio     *audioSection
	lookup    *lookupSection
	api       *apiSection
	general   *generalSection
	shortcuts *widget.AccordionItem
	// editor is the account form on show; nil while the sections are.
	editor *accountForm
	// onShow says shown was called and hidden not since: the tab is
	// selected in a window on screen.
	onShow bool
}

func newSettingsView(w *MainWindow) *settingsView {
	v := &settingsView{w: w}
	v.accounts = newAccountsSection(v)
	v.audio = newAudioSection(v)
	v.lookup = newLookupSection(v)
	v.api = newAPISection(v)
	v.general = newGeneralSection(v)
	v.shortcuts = widget.NewAccordionItem(txtSectionKeyboard(), newShortcutsList(w))
	v.sections = widget.NewAccordion(
		widget.NewAccordionItem(txtSectionAccounts(), v.accounts.root),
		widget.NewAccordionItem(txtSectionAudio(), v.audio.root),
		widget.NewAccordionItem(txtSectionLookup(), v.lookup.root),
		widget.NewAccordionItem(txtSectionAPI(), v.api.root),
		widget.NewAccordionItem(txtSectionGeneral(), v.general.root),
		v.shortcuts,
	)
	v.sections.Open(0)
	// Room on the right keeps the scroll bar off the entries' borders.
	pad := theme.Size(theme.SizeNamePadding) * 2
	// In a VBox the open section takes the height it needs, not the
	// scroll's whole height.
	v.scroll = container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, pad), container.NewVBox(v.sections)))
	v.page = container.NewStack(v.scroll)
	v.root = container.NewStack(v.page)
	return v
}

// shown brings the tab up to date: the configuration may have changed
// since it was last on show, and the audio meter runs only while shown.
func (v *settingsView) shown() {
	v.onShow = true
	if s := v.w.opts.Settings; s != nil {
		var fresh *store.Config
		v.w.background(func() error { fresh = s.Config(); return nil }, func(error) {
			if !v.w.isClosed() {
				v.load(fresh)
			}
		})
	} else {
		v.load(v.w.opts.Config)
	}
	v.api.loadToken()
	v.audio.start()
}

// hidden stops what runs only while the tab is on show.
func (v *settingsView) hidden() {
	v.onShow = false
	v.audio.stop()
}

// load fills every section from cfg.
func (v *settingsView) load(cfg *store.Config) {
	v.w.opts.Config = cfg
	v.accounts.load(cfg)
	v.audio.load(cfg.Audio)
	v.lookup.load(cfg.CRM)
	v.api.load(cfg.API)
	v.general.load(cfg.UI)
}

// showPage puts the account editor f in place of the sections.
func (v *settingsView) showPage(f *accountForm) {
	v.editor = f
	v.page.Objects = []fyne.CanvasObject{f.root}
	v.page.Refresh()
}

// showSections goes back to the sections from an editor.
func (v *settingsView) showSections() {
	v.editor = nil
	v.page.Objects = []fyne.CanvasObject{v.scroll}
	v.page.Refresh()
}

// save runs change on the configuration through Options.Settings off the
// UI goroutine; done gets the outcome on the UI goroutine, and the
// window's copy of the configuration follows a successful save.
func (v *settingsView) save(change func(*store.Config) error, done func(error)) {
	s := v.w.opts.Settings
	if s == nil {
		done(errNoSettings)
		return
	}
	var cfg *store.Config
	v.w.background(func() error {
		if err := s.Update(change); err != nil {
			return err
		}
		cfg = s.Config()
		return nil
	}, func(err error) {
		if err != nil {
			v.w.log.Warn("saving the settings failed", "err", err)
		} else {
			v.w.opts.Config = cfg
		}
		done(err)
	})
}

// errNoSettings says the settings cannot be saved: the configuration file
// did not load (the window says why), or this window has nowhere to save.
var errNoSettings = errors.New("the settings cannot be saved in this window")

// newStatusLabel is a section's line that says how its last save went.
func newStatusLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// showLabel shows a status line with text in the colour of imp.
func showLabel(l *widget.Label, text string, imp widget.Importance) {
	l.Importance = imp
	l.SetText(text)
	l.Show()
}

func showSaved(l *widget.Label, err error, ok string) {
	if err != nil {
		showLabel(l, txtSaveSettingsFailed(err), widget.DangerImportance)
		return
	}
	showLabel(l, ok, widget.SuccessImportance)
}

// hintLabel is a small wrapped note under a setting.
func hintLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// registrationOutcome is what Test registration found.
type registrationOutcome struct {
	registered bool
	cause      *phone.Cause
}

// withHint puts a wrapped hint under a form's widget: a form's own hint
// does not wrap, and a long one would widen the window.
func withHint(o fyne.CanvasObject, hint string) fyne.CanvasObject {
	return container.New(tightVBox{}, o, hintLabel(hint))
}
