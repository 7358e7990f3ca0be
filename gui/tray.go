package gui

import (
	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/phone"
)

// trayHost is the part of desktop.App the tray needs; the desktop driver
// implements it, Fyne's test app does not (tests wrap it).
type trayHost interface {
	SetSystemTrayMenu(menu *fyne.Menu)
	SetSystemTrayIcon(icon fyne.Resource)
}

// trayMenu is the system tray icon, whose corner dot shows the
// registration state (trayicon.go), and its menu: the state in words as its
// first (disabled) line, Show/Hide, Do Not Disturb and Quit. While it
// exists, closing the window while an account is registered hides the
// window to the tray, so calls still ring; otherwise closing quits.
type trayMenu struct {
	host   trayHost
	menu   *fyne.Menu
	status *fyne.MenuItem
	show   *fyne.MenuItem
	dnd    *fyne.MenuItem
	quit   *fyne.MenuItem
	// hidden says the window was hidden to the tray.
	hidden bool
	// icon is the icon set last.
	icon fyne.Resource
}

// setupTray puts the icon and its menu in the system tray, where the
// app has one, and takes over the window's close button.
func (w *MainWindow) setupTray() {
	host, ok := w.app.(trayHost)
	if !ok {
		return
	}
	t := &trayMenu{host: host}
	t.status = fyne.NewMenuItem("", nil)
	t.status.Disabled = true
	t.show = fyne.NewMenuItem(txtTrayHide(), w.toggleShown)
	t.dnd = fyne.NewMenuItem(txtDND(), w.toggleDND)
	if w.opts.Phone == nil {
		t.dnd.Disabled = true
	}
	t.quit = fyne.NewMenuItem(txtQuit(), w.quit)
	t.quit.IsQuit = true
	t.menu = fyne.NewMenu(appName, t.status, fyne.NewMenuItemSeparator(), t.show, t.dnd, fyne.NewMenuItemSeparator(), t.quit)
	w.tray = t
	w.win.SetCloseIntercept(w.closeRequested)
	w.updateTray()
}

// updateTray shows the registration state, the window's visibility and
// Do Not Disturb in the tray menu.
func (w *MainWindow) updateTray() {
	t := w.tray
	if t == nil {
		return
	}
	t.status.Label = w.trayStatus()
	if t.hidden {
		t.show.Label = txtTrayShow()
	} else {
		t.show.Label = txtTrayHide()
	}
	t.dnd.Checked = w.opts.Phone != nil && w.opts.Phone.DND()
	t.host.SetSystemTrayMenu(t.menu)
	state := phone.RegistrationState("")
	if w.account != nil {
		state = w.chip.state
	}
	if icon := trayIcon(state); icon != t.icon {
		t.icon = icon
		t.host.SetSystemTrayIcon(icon)
	}
}

// trayStatus is the tray menu's first line: the account and where its
// registration stands, and Do Not Disturb.
func (w *MainWindow) trayStatus() string {
	if w.account == nil {
		return txtNoAccount()
	}
	var state string
	switch w.chip.state {
	case phone.RegRegistered:
		state = txtRegistered()
	case phone.RegRegistering:
		state = txtRegistering()
	case phone.RegFailed:
		state = txtRegisterFailed()
	default:
		state = txtNotRegistered()
	}
	if w.opts.Phone != nil && w.opts.Phone.DND() {
		state = txtTrayDNDState(state)
	}
	return w.account.Username + "@" + w.account.Domain + " · " + state
}

// registered says whether the chip's account is registered.
func (w *MainWindow) registered() bool {
	return w.chip != nil && w.chip.state == phone.RegRegistered
}

// closeRequested is the window's close button: hide to the tray while
// an account is registered, so calls still ring; quit otherwise.
func (w *MainWindow) closeRequested() {
	if w.tray != nil && w.registered() {
		w.hideWindow()
		return
	}
	w.quit()
}

// hideWindow hides the window to the tray, and lets the microphone go:
// the Settings tab's level meter runs only while it can be seen.
func (w *MainWindow) hideWindow() {
	w.saveSize()
	w.win.Hide()
	if w.settings != nil {
		w.settings.hidden()
	}
	if w.tray != nil {
		w.tray.hidden = true
		w.updateTray()
	}
}

// Show brings the window to the front, from the tray too: what a second
// start of Ringdesk asks of the running one. It may be called from any
// goroutine.
func (w *MainWindow) Show() { w.do(w.showWindow) }

// showWindow brings the window back from the tray, and starts again what
// the Settings tab runs while on show.
func (w *MainWindow) showWindow() {
	if w.isClosed() {
		return // a late Show or ConfirmDial: nothing to bring back
	}
	w.win.Show()
	w.win.RequestFocus()
	if w.settingsShown() && !w.settings.onShow {
		w.settings.shown()
	}
	if w.tray != nil {
		w.tray.hidden = false
		w.updateTray()
	}
}

// settingsShown says whether the Settings tab is selected.
func (w *MainWindow) settingsShown() bool {
	return w.settings != nil && w.tabs != nil && w.tabs.Selected() != nil &&
		w.tabs.Selected().Content == w.settings.root
}

func (w *MainWindow) toggleShown() {
	if w.tray != nil && w.tray.hidden {
		w.showWindow()
		return
	}
	w.hideWindow()
}

// toggleDND turns Do Not Disturb on or off; the engine refuses new calls
// with 486 while it is on.
func (w *MainWindow) toggleDND() {
	p := w.opts.Phone
	if p == nil {
		return
	}
	p.SetDND(!p.DND())
	w.updateTray()
}

// quit closes the window, which ends Ringdesk.
func (w *MainWindow) quit() {
	if w.isClosed() {
		return
	}
	w.win.Close()
}
