// Package gui is Ringdesk's desktop window, built with Fyne.
//
// The window has two screens: the first-run account form, shown while the
// configuration has no account, and the dialpad. Everything the user reads
// goes through Fyne's lang.L with the English text as the key (see text.go),
// and every change that starts off the UI goroutine reaches the widgets through
// fyne.Do, the one door into the UI.
package gui

import (
	"log/slog"

	"fyne.io/fyne/v2/app"

	"github.com/ringdesk/ringdesk/store"
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
	// Dial starts a call to number, with video when video is true. Nil means
	// this build has no SIP engine yet.
	Dial func(number string, video bool) error
	// Logger receives the GUI's log lines; nil discards them.
	Logger *slog.Logger
}

// AccountSaver saves a new account and its password (or HA1) to the keyring;
// *store.Profile implements it.
type AccountSaver interface {
	SaveAccount(acc store.Account, secret string) error
}

// Run creates the Fyne application, builds the main window, shows it and runs
// the event loop until the window closes.
func Run(opts Options) {
	a := app.NewWithID(AppID)
	a.SetIcon(appIcon)
	a.Settings().SetTheme(ringdeskTheme{})
	w := NewMainWindow(a, opts)
	w.Window().SetMaster()
	w.Window().ShowAndRun()
}
