package gui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestWindowTitle(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	if got := w.Window().Title(); got != "Ringdesk" {
		t.Errorf("title = %q, want Ringdesk", got)
	}
}

func TestNoAccountShowsFirstRunForm(t *testing.T) {
	w := newTestWindow(t, Options{Accounts: &fakeSaver{}})
	if w.form == nil || w.dialpad != nil {
		t.Fatal("with no account the first-run form should be the screen")
	}
	if !hasForm(w) {
		t.Error("no form on screen")
	}
	assertShows(t, w, "Set up your SIP account")
}

func TestAccountInConfigShowsDialpad(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), Accounts: &fakeSaver{}})
	if w.dialpad == nil || hasForm(w) {
		t.Fatal("with an account the dialpad should be the screen")
	}
	assertShows(t, w, "1001@127.0.0.1")
	assertShows(t, w, "Not registered (SIP engine not in this build)")
	assertNotShows(t, w, "Add account")
}

func TestChipWithEngineButNoSuchAccount(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), Phone: engineWithoutAccounts(t)})
	assertShows(t, w, "1001@127.0.0.1")
	assertShows(t, w, "Not registered")
	assertNotShows(t, w, "SIP engine not in this build")
	assertNotShows(t, w, "Registered")
}

func TestSkipGoesToDialpadAndBack(t *testing.T) {
	w := newTestWindow(t, Options{Accounts: &fakeSaver{}})
	test.Tap(w.form.skip)
	if w.dialpad == nil || hasForm(w) {
		t.Fatal("Skip should show the dialpad")
	}
	assertShows(t, w, "No account")
	if w.chip.add == nil || !w.chip.add.Visible() {
		t.Fatal("the chip should offer to add an account")
	}
	test.Tap(w.chip.add)
	if w.form == nil || !hasForm(w) {
		t.Error("Add account should bring the form back")
	}
}

func TestConfigErrorShownAndNoForm(t *testing.T) {
	cfgErr := errors.New(`config.toml:14: accounts[0].transport: "udpp" is not a transport (udp, tcp, tls, ws, wss)`)
	for _, tc := range []struct {
		name  string
		saver AccountSaver
	}{
		{"no saver", nil},
		// Even if main passed a saver by mistake, a file that failed to load
		// must not be overwritten from the window.
		{"saver anyway", &fakeSaver{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWindow(t, Options{
				ConfigPath: "/home/agent/.config/ringdesk/config.toml",
				ConfigErr:  cfgErr,
				Accounts:   tc.saver,
			})
			if w.form != nil || hasForm(w) {
				t.Fatal("no form may be shown while the configuration is broken")
			}
			assertShows(t, w, cfgErr.Error())
			assertShows(t, w, "The configuration file could not be loaded")
			assertShows(t, w, "/home/agent/.config/ringdesk/config.toml")
			assertShows(t, w, "No account")
			assertNotShows(t, w, "Add account")
		})
	}
}

func TestConfigErrorIgnoresAccounts(t *testing.T) {
	// Options promises an empty Config with ConfigErr, but a half-loaded one
	// must not be presented as if it were in force.
	w := newTestWindow(t, Options{Config: oneAccount(), ConfigErr: errors.New("config.toml:3: bad")})
	assertShows(t, w, "No account")
	assertNotShows(t, w, "1001@127.0.0.1")
}

// TestScreensFitTheWindow guards against a screen whose minimum size is
// larger than the phone-sized window, which would make the window grow.
func TestScreensFitTheWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		skip bool
	}{
		{"first run", Options{Accounts: &fakeSaver{}}, false},
		{"after skip", Options{Accounts: &fakeSaver{}}, true},
		{"dialpad", Options{Config: oneAccount()}, false},
		{"config error", Options{ConfigErr: errors.New("config.toml:14: accounts[0].transport: \"udpp\" is not a transport (use udp, tcp, tls, ws or wss)")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWindow(t, tc.opts)
			if tc.skip {
				test.Tap(w.form.skip)
			}
			if m := w.Window().Canvas().Content().MinSize(); m.Width > defaultWidth || m.Height > defaultHeight {
				t.Errorf("the screen needs %v, more than the window's %vx%v", m, defaultWidth, defaultHeight)
			}
		})
	}
}
