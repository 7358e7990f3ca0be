// Package gui is Ringdesk's desktop window, built with Fyne.
//
// The window has two screens: the first-run account form, shown while the
// configuration has no account, and the dialpad, which gives way to the call
// panels while there are calls (calls.go). Given a history or a contacts
// search, the dialpad's screen becomes the Phone tab, beside History
// (historytab.go) and Contacts (contactstab.go). A ringing call also gets a popup
// window of its own (incoming.go) and an OS notification. With
// Options.Settings there is a Settings tab (settings*.go): accounts with a
// registration test, audio devices, caller lookup, the local API's token
// and trusted origins, language and start on login. Where the desktop has
// a system tray, Ringdesk has an icon there (tray.go) and closing the
// window while registered hides it to the tray. The dial field suggests
// recent numbers and contacts as you type (completion.go); Ctrl+1 to
// Ctrl+4 switch tabs (shortcuts.go). The window follows the engine
// (Options.Phone) through one event subscription (engine.go). Everything the user reads
// goes through Fyne's lang.L with the English text as the key (see text.go),
// and every change that starts off the UI goroutine reaches the widgets through
// fyne.Do, the one door into the UI.
package gui

import (
	"log/slog"

	"fyne.io/fyne/v2/app"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
	"github.com/ringdesk/ringdesk/store/history"
)

// AppID is the application ID, the same as in FyneApp.toml.
const AppID = "io.github.ringdesk"

// appName is the window title and product name; it is not translated.
const appName = "Ringdesk"

// Options is what main hands the GUI.
type Options struct {
	// ConfigPath is the configuration file's path, shown in messages.
	ConfigPath string
	// Config is the loaded configuration; never nil (empty on first run or
	// when ConfigErr is set).
	Config *store.Config
	// ConfigErr says why the configuration file could not be loaded. It is
	// shown to the user, and nothing may overwrite the file while it is set.
	ConfigErr error
	// Accounts saves a new account; nil when ConfigErr is set.
	Accounts AccountSaver
	// Phone is the SIP engine the window drives: the account chip shows its
	// registration, the dialpad dials through it, and its calls get a call
	// panel and, ringing in, a popup. Nil means no engine (the window says
	// so, and the first-run form still works).
	Phone *phone.Phone
	// History is the call history the History tab lists and searches;
	// nil hides the tab.
	History *history.Store
	// SearchContacts finds the contacts matching a query (every contact for
	// an empty one) for the Contacts tab; (*crm.Service).Search fits. It is
	// called off the UI goroutine. Nil hides the tab.
	SearchContacts func(query string) []crm.Contact
	// Settings keeps what the Settings tab changes; nil (or ConfigErr set)
	// shows the settings read-only.
	Settings SettingsStore
	// PhoneAccount turns an account and its password into the engine's
	// account, for Settings' Test registration; nil hides that button.
	PhoneAccount func(acc store.Account, secret string) phone.AccountConfig
	// APIToken shows and rotates the local API's token in Settings; nil
	// when the API is not running.
	APIToken APIToken
	// Audio lists and tests the sound devices in Settings; nil in a build
	// without device support.
	Audio AudioDevices
	// KeyTone, when set, sounds the key a person pressed on the dialpad or
	// on a call's keypad (local feedback; the digit goes to the far end
	// separately). It must not block.
	KeyTone func(digit rune)
	// Logger receives the GUI's log lines; nil discards them.
	Logger *slog.Logger
	// OnWindow, when set, is called by Run with the main window once it is
	// built, before the event loop starts: main keeps it to hand
	// (*MainWindow).ConfirmDial to the local API.
	OnWindow func(w *MainWindow)

	// uiDo replaces fyne.Do in tests, which run the UI on their own goroutine.
	uiDo func(func())
}

// AccountSaver saves a new account and its password (or HA1) to the keyring;
// *store.Profile implements it.
type AccountSaver interface {
	SaveAccount(acc store.Account, secret string) error
}

// Run creates the Fyne application, builds the main window, shows it and runs
// the event loop until the window closes.
func Run(opts Options) {
	language := ""
	if opts.Config != nil {
		language = opts.Config.UI.Language
	}
	if err := loadTranslations(language); err != nil && opts.Logger != nil {
		opts.Logger.Warn("the window stays in English", "error", err)
	}
	a := app.NewWithID(AppID)
	a.SetIcon(appIcon)
	a.Settings().SetTheme(ringdeskTheme{})
	w := NewMainWindow(a, opts)
	if opts.OnWindow != nil {
		opts.OnWindow(w)
	}
	w.Window().SetMaster()
	w.Window().ShowAndRun()
}
