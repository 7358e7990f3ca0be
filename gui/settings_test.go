package gui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/crm"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// settingsBench is the window with a real profile (a config file in a
// temporary folder, secrets in memory) behind its Settings tab.
type settingsBench struct {
	w       *testWindow
	profile *store.Profile
	secrets *store.MemorySecrets
	path    string
}

func newSettingsBench(t *testing.T, cfg *store.Config, opts Options) *settingsBench {
	t.Helper()
	b := &settingsBench{secrets: store.NewMemorySecrets(), path: filepath.Join(t.TempDir(), "config.toml")}
	var err error
	b.profile, _, err = store.OpenProfile(b.path, b.secrets, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range cfg.Accounts {
		if err := b.profile.SaveAccount(acc, "pw-"+acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	opts.Config = b.profile.Config()
	opts.ConfigPath = b.path
	opts.Settings = b.profile
	b.w = newTestWindow(t, opts)
	b.w.switchTab(len(b.w.tabs.Items) - 1)
	b.w.settle()
	return b
}

// loaded reads the configuration file again.
func (b *settingsBench) loaded(t *testing.T) *store.Config {
	t.Helper()
	cfg, err := store.LoadConfig(b.path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// noSecretInFile fails when a secret reached the configuration file.
func (b *settingsBench) noSecretInFile(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(b.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range b.secrets.Keys() {
		v, _ := b.secrets.Get(key)
		if strings.Contains(string(data), v) {
			t.Errorf("the secret under %s is in the configuration file", key)
		}
	}
}

// findButton is the visible button labelled text (the n-th, from 0).
func findButton(t *testing.T, w hasWindow, text string, n int) *widget.Button {
	t.Helper()
	for _, o := range visibleObjects(w) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			if n == 0 {
				return b
			}
			n--
		}
	}
	t.Fatalf("no button %q on screen; the window shows:\n%s", text, visibleText(w))
	return nil
}

// tapDialogButton taps the open dialog's button labelled text.
func tapDialogButton(t *testing.T, w *testWindow, text string) {
	t.Helper()
	// Overlays are walked after the content: the last match is the dialog's.
	var last *widget.Button
	for _, o := range visibleObjects(w) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			last = b
		}
	}
	if last == nil {
		t.Fatalf("no dialog button %q; the window shows:\n%s", text, visibleText(w))
	}
	test.Tap(last)
	w.settle()
}

func TestSettingsEditAddDeleteAccount(t *testing.T) {
	b := newSettingsBench(t, oneAccount(), Options{})
	w := b.w
	w.settle()
	assertShows(t, w, "1001@127.0.0.1")

	// Edit: a display name and a new password.
	test.Tap(findButton(t, w, "Edit", 0))
	form := currentAccountForm(t, w)
	if form.username.Text != "1001" || form.domain.Text != "127.0.0.1" || form.transport.Selected != "UDP" {
		t.Fatalf("the editor shows %q@%q %s", form.username.Text, form.domain.Text, form.transport.Selected)
	}
	test.Type(form.displayName, "Agent Smith")
	test.Type(form.password, "new-secret")
	test.Tap(form.save)
	w.settle()
	assertShows(t, w, "Saved Agent Smith · 1001@127.0.0.1.")
	if got := b.loaded(t).Accounts; len(got) != 1 || got[0].DisplayName != "Agent Smith" {
		t.Errorf("accounts in the file after Edit: %+v", got)
	}
	if pw, _ := b.secrets.Get(store.AccountPasswordKey("main")); pw != "new-secret" {
		t.Errorf("the keyring holds %q after Edit, want the new password", pw)
	}
	if w.account == nil || w.account.DisplayName != "Agent Smith" {
		t.Error("the account chip does not follow the edit")
	}

	// Edit again without typing a password: the saved one stays.
	test.Tap(findButton(t, w, "Edit", 0))
	form = currentAccountForm(t, w)
	form.server.SetText("127.0.0.1:5070")
	test.Tap(form.save)
	w.settle()
	if pw, _ := b.secrets.Get(store.AccountPasswordKey("main")); pw != "new-secret" {
		t.Errorf("an edit without a password changed the keyring to %q", pw)
	}
	if got := b.loaded(t).Accounts[0].Server; got != "127.0.0.1:5070" {
		t.Errorf("server in the file = %q", got)
	}

	// Add a second account.
	test.Tap(findButton(t, w, "Add account", 0))
	form = currentAccountForm(t, w)
	test.Type(form.username, "1002")
	test.Type(form.domain, "pbx.example.com")
	test.Type(form.password, "pw-1002")
	test.Tap(form.save)
	w.settle()
	accs := b.loaded(t).Accounts
	if len(accs) != 2 || accs[1].ID != "account2" || accs[1].Username != "1002" {
		t.Fatalf("accounts after Add: %+v", accs)
	}
	if pw, _ := b.secrets.Get(store.AccountPasswordKey("account2")); pw != "pw-1002" {
		t.Errorf("the new account's password in the keyring = %q", pw)
	}
	b.noSecretInFile(t)

	// Delete it, after saying yes.
	test.Tap(findButton(t, w, "Delete", 1))
	assertShows(t, w, "Delete the account?")
	tapDialogButton(t, w, "Delete")
	accs = b.loaded(t).Accounts
	if len(accs) != 1 || accs[0].ID != "main" {
		t.Fatalf("accounts after Delete: %+v", accs)
	}
	if _, err := b.secrets.Get(store.AccountPasswordKey("account2")); !errors.Is(err, store.ErrSecretNotFound) {
		t.Errorf("the deleted account's password is still in the keyring: %v", err)
	}
	assertShows(t, w, "Deleted 1002@pbx.example.com.")
}

// currentAccountForm is the account editor the Settings tab shows.
func currentAccountForm(t *testing.T, w *testWindow) *accountForm {
	t.Helper()
	w.settle()
	f := w.settings.editor
	if f == nil || w.settings.page.Objects[0] != f.root {
		t.Fatalf("the Settings tab shows no account editor; it shows:\n%s", visibleText(w))
	}
	return f
}

// TestSettingsTestRegistration: Test registration against Kamailio says
// Registered with the right password and the human 401 message, with the
// SIP code in the detail line, with a wrong one; and the account being
// tested is not saved by testing.
func TestSettingsTestRegistration(t *testing.T) {
	k := testbed.StartKamailio(t)
	cfg := &store.Config{Accounts: []store.Account{{ID: "main", Username: "1001", Domain: k.Domain(),
		Transport: "udp", Server: k.UDPAddr()}}}
	b := newSettingsBench(t, cfg, Options{PhoneAccount: testPhoneAccount})
	w := b.w
	w.settle()
	// The saved password is right.
	if err := b.secrets.Set(store.AccountPasswordKey("main"), testbed.Password("1001")); err != nil {
		t.Fatal(err)
	}

	test.Tap(findButton(t, w, "Edit", 0))
	form := currentAccountForm(t, w)
	test.Tap(form.test)
	assertShows(t, w, "Registering with the server…")
	w.waitUI(t, "the test's verdict", func() bool { return !form.test.Disabled() })
	assertShows(t, w, "Registered: the server accepted the account.")

	test.Type(form.password, "wrong-password")
	test.Tap(form.test)
	w.waitUI(t, "the test's verdict", func() bool { return !form.test.Disabled() })
	assertShows(t, w, "Wrong username or password")
	assertShows(t, w, "SIP 401 Unauthorized")
	assertNotShows(t, w, "Registered: the server accepted the account.")
	if pw, _ := b.secrets.Get(store.AccountPasswordKey("main")); pw != testbed.Password("1001") {
		t.Error("testing saved the typed password")
	}
	test.Tap(form.skip) // Cancel
	w.settle()
	if w.settings.page.Objects[0] != w.settings.scroll {
		t.Error("Cancel should go back to the sections")
	}
}

// testPhoneAccount is cmd's conversion, as far as the tests need it.
func testPhoneAccount(acc store.Account, secret string) phone.AccountConfig {
	c := phone.AccountConfig{ID: acc.ID, DisplayName: acc.DisplayName, Username: acc.Username,
		AuthUsername: acc.AuthUsername, Domain: acc.Domain, Transport: acc.Transport, Server: acc.Server,
		Register: true, Codecs: []string{"pcmu"}}
	if acc.PasswordIsHA1 {
		c.HA1 = secret
	} else {
		c.Password = secret
	}
	return c
}

// TestSettingsLookupAPILanguageSaved: the caller lookup, trusted origins
// and language are written to the file; the providers are listed with
// their type, read-only.
func TestSettingsLookupAPILanguageSaved(t *testing.T) {
	b := newSettingsBench(t, oneAccount(), Options{})
	w := b.w
	if err := b.profile.Update(func(c *store.Config) error {
		c.CRM.Providers = []store.CRMProvider{{Type: "csv", Path: "/srv/contacts.csv"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w.settings.shown()
	w.settle()
	w.settings.sections.Open(2)
	assertShows(t, w, "csv · /srv/contacts.csv")
	assertShows(t, w, "To change the providers, edit the [crm] section of "+b.path+".")

	l := w.settings.lookup
	l.region.SetText("vn")
	l.timeout.SetText("2s")
	l.popURL.SetText("https://crm.example.com/search?phone={e164}")
	l.popOn.SetSelectedIndex(1)
	test.Tap(l.save)
	w.settle()
	assertShows(t, w, "Saved. The change applies when Ringdesk starts again.")
	got := b.loaded(t).CRM
	if got.Region != "VN" || got.Timeout != "2s" || got.PopURL != "https://crm.example.com/search?phone={e164}" || got.PopOn != "answer" {
		t.Errorf("[crm] after Save: %+v", got)
	}
	if len(got.Providers) != 1 {
		t.Error("saving the lookup settings lost the providers")
	}

	// A bad value is refused with the store's words, and nothing is saved.
	l.timeout.SetText("soon")
	test.Tap(l.save)
	w.settle()
	assertShows(t, w, "Could not save the settings: ")
	if b.loaded(t).CRM.Timeout != "2s" {
		t.Error("a refused timeout reached the file")
	}

	w.settings.sections.Open(3)
	a := w.settings.api
	a.origins.SetText("https://crm.example.com/\nhttps://crm2.example.com")
	test.Tap(a.save)
	w.settle()
	if o := b.loaded(t).API.AllowedOrigins; !slices.Equal(o, []string{"https://crm.example.com", "https://crm2.example.com"}) {
		t.Errorf("allowed_origins after Save: %v", o)
	}

	w.settings.sections.Open(4)
	g := w.settings.general
	g.language.SetSelected("Tiếng Việt")
	w.settle()
	assertShows(t, w, "Saved. Restart Ringdesk to see the new language.")
	if lang := b.loaded(t).UI.Language; lang != "vi" {
		t.Errorf("[ui] language = %q, want vi", lang)
	}
	b.noSecretInFile(t)
}

// fakeToken is an APIToken in memory.
type fakeToken struct {
	mu    sync.Mutex
	token string
	err   error
}

func (f *fakeToken) Token() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token, nil
}

func (f *fakeToken) Rotate() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	f.token = "rotated-" + f.token
	return f.token, nil
}

func TestSettingsAPIToken(t *testing.T) {
	tok := &fakeToken{token: "first-token-0123456789"}
	b := newSettingsBench(t, oneAccount(), Options{APIToken: tok})
	w := b.w
	w.settings.sections.Open(3)
	w.settle()
	a := w.settings.api
	assertNotShows(t, w, "first-token-0123456789")
	test.Tap(a.show)
	assertShows(t, w, "first-token-0123456789")
	test.Tap(a.copyBtn)
	if got := w.app.Clipboard().Content(); got != "first-token-0123456789" {
		t.Errorf("clipboard = %q", got)
	}
	test.Tap(a.show)
	assertNotShows(t, w, "first-token-0123456789")

	test.Tap(a.rotate)
	assertShows(t, w, "Make a new token?")
	tapDialogButton(t, w, "New token")
	assertShows(t, w, "New token saved in the keyring and in use.")
	test.Tap(a.show)
	assertShows(t, w, "rotated-first-token-0123456789")

	tok.mu.Lock()
	tok.err = errors.New("the keyring is locked")
	tok.mu.Unlock()
	test.Tap(a.rotate)
	tapDialogButton(t, w, "New token")
	assertShows(t, w, "Could not make a new token: the keyring is locked")
}

// fakeAudio is an AudioDevices with two microphones and two outputs.
type fakeAudio struct {
	mu     sync.Mutex
	opened []string
	tones  []string
	level  float64
}

func (f *fakeAudio) List() ([]string, []string, error) {
	return []string{"Built-in Mic", "USB Headset Mic"}, []string{"Built-in Speaker", "USB Headset"}, nil
}

func (f *fakeAudio) OpenLevelMeter(input string) (LevelMeter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, input)
	return fakeMeter{f}, nil
}

func (f *fakeAudio) PlayTestTone(_ context.Context, output string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tones = append(f.tones, output)
	return nil
}

type fakeMeter struct{ f *fakeAudio }

func (m fakeMeter) Level() float64 {
	m.f.mu.Lock()
	defer m.f.mu.Unlock()
	return m.f.level
}

func (fakeMeter) Close() error { return nil }

func TestSettingsAudio(t *testing.T) {
	dev := &fakeAudio{level: 0.6}
	b := newSettingsBench(t, oneAccount(), Options{Audio: dev})
	w := b.w
	w.settings.sections.Open(1)
	w.settle()
	s := w.settings.audio
	if s.mic.Selected != "System default" || len(s.mic.Options) != 3 || len(s.ringer.Options) != 3 {
		t.Fatalf("microphones %v (chosen %q), ringers %v", s.mic.Options, s.mic.Selected, s.ringer.Options)
	}
	s.mic.SetSelected("USB Headset Mic")
	s.ringer.SetSelected("Built-in Speaker")
	w.settle()
	if got := b.loaded(t).Audio; got != (store.Audio{Microphone: "USB Headset Mic", Ringer: "Built-in Speaker"}) {
		t.Errorf("[audio] = %+v", got)
	}
	w.waitUI(t, "the level meter to move", func() bool { return s.meter.Value > 0.5 })
	dev.mu.Lock()
	opened := slices.Clone(dev.opened)
	dev.mu.Unlock()
	if !slices.Contains(opened, "USB Headset Mic") {
		t.Errorf("the meter listened to %v, not the chosen microphone", opened)
	}
	test.Tap(s.toneRinger)
	w.settle()
	dev.mu.Lock()
	tones := slices.Clone(dev.tones)
	dev.mu.Unlock()
	if !slices.Equal(tones, []string{"Built-in Speaker"}) {
		t.Errorf("test tones played on %v", tones)
	}
	// Leaving the tab stops the meter.
	w.selectTab(t, "Phone")
	if s.open != nil || s.stopTick != nil {
		t.Error("the meter still runs with the Settings tab hidden")
	}
}

func TestSettingsNoAudioDevices(t *testing.T) {
	b := newSettingsBench(t, oneAccount(), Options{})
	b.w.settings.sections.Open(1)
	assertShows(t, b.w, "No audio devices in this build")
}

func TestSettingsStartOnLogin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	b := newSettingsBench(t, oneAccount(), Options{})
	w := b.w
	w.settings.sections.Open(4)
	g := w.settings.general
	if g.autostart.Checked {
		t.Fatal("start on login is ticked with no autostart entry")
	}
	test.Tap(g.autostart)
	entry := filepath.Join(dir, "autostart", AppID+".desktop")
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no autostart entry: %v", err)
	}
	exe, _ := os.Executable()
	if !strings.Contains(string(data), "Exec="+exe) || !strings.Contains(string(data), "Type=Application") {
		t.Errorf("the autostart entry:\n%s", data)
	}
	assertShows(t, w, "Ringdesk will start when you log in.")
	test.Tap(g.autostart)
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("unticking left the entry: %v", err)
	}
}

// TestSettingsFitsTheWindow: every section opened, the Settings tab fits
// the window's width in each language.
func TestSettingsFitsTheWindow(t *testing.T) {
	t.Cleanup(func() {
		os.Setenv("LANGUAGE", "en")
		_ = loadTranslations("")
		os.Unsetenv("LANGUAGE")
	})
	for _, language := range []string{"en", "vi", "zh-Hans"} {
		if err := loadTranslations(language); err != nil {
			t.Fatal(err)
		}
		b := newSettingsBench(t, oneAccount(), Options{Audio: &fakeAudio{}, APIToken: &fakeToken{token: "x"},
			History: newHistory(t), PhoneAccount: testPhoneAccount})
		w := b.w
		w.settings.sections.MultiOpen = true
		w.settings.sections.OpenAll()
		w.settle()
		if m := w.tabs.MinSize(); m.Width > defaultWidth-2*8 {
			t.Errorf("%s: the tabs need %v, wider than the window", language, m)
		}
		w.settings.accounts.edit(&w.opts.Config.Accounts[0])
		w.settle()
		if m := w.tabs.MinSize(); m.Width > defaultWidth-2*8 {
			t.Errorf("%s: the account editor needs %v, wider than the window", language, m)
		}
		w.Window().Close()
	}
}

// TestTabShortcuts: Ctrl+1 to Ctrl+4 switch tabs, also from a focused
// entry of the Settings tab; Ctrl+1 puts the cursor in the dial field;
// the Settings tab lists the shortcuts.
func TestTabShortcuts(t *testing.T) {
	b := newSettingsBench(t, oneAccount(), Options{History: newHistory(t, threeCalls()...),
		SearchContacts: func(string) []crm.Contact { return nil }})
	w := b.w
	c := w.Window().Canvas()
	press(t, w, fyne.Key2)
	w.settle()
	if w.tabs.SelectedIndex() != 1 || c.Focused() != w.history.search {
		t.Errorf("Ctrl+2: tab %d, focus %v; want History with its search field", w.tabs.SelectedIndex(), c.Focused())
	}
	press(t, w, fyne.Key3)
	w.settle()
	if w.tabs.SelectedIndex() != 2 {
		t.Errorf("Ctrl+3: tab %d, want Contacts", w.tabs.SelectedIndex())
	}
	press(t, w, fyne.Key4)
	w.settle()
	if w.tabs.SelectedIndex() != 3 {
		t.Fatalf("Ctrl+4: tab %d, want Settings", w.tabs.SelectedIndex())
	}
	w.settings.sections.Open(5)
	assertShows(t, w, "Ctrl+4")
	assertShows(t, w, "Settings")

	w.settings.sections.Open(2)
	c.Focus(w.settings.lookup.region)
	w.settings.lookup.region.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierControl})
	w.settle()
	if w.tabs.SelectedIndex() != 0 || c.Focused() != w.dialpad.entry {
		t.Errorf("Ctrl+1 in a settings field: tab %d, focus %v; want the Phone tab's dial field", w.tabs.SelectedIndex(), c.Focused())
	}
}

// TestSettingsByKeyboard: Tab reaches every control of the accounts
// section, and Space on Edit opens the editor, whose fields Tab reaches
// up to Test registration and Save.
func TestSettingsByKeyboard(t *testing.T) {
	b := newSettingsBench(t, oneAccount(), Options{PhoneAccount: testPhoneAccount})
	w := b.w
	c := w.Window().Canvas()
	reached := func(steps int) map[fyne.Focusable]bool {
		seen := map[fyne.Focusable]bool{}
		c.Unfocus()
		for range steps {
			c.FocusNext()
			if f := c.Focused(); f != nil {
				seen[f] = true
			}
		}
		return seen
	}
	seen := reached(60)
	edit := findButton(t, w, "Edit", 0)
	for _, want := range []*widget.Button{edit, findButton(t, w, "Delete", 0), w.settings.accounts.add} {
		if !seen[want] {
			t.Errorf("Tab never reaches %q", want.Text)
		}
	}
	c.Focus(edit)
	edit.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	f := currentAccountForm(t, w)
	seen = reached(80)
	for name, want := range map[string]fyne.Focusable{"display name": f.displayName, "password": f.password,
		"server": f.server, "Test registration": f.test, "Save": f.save, "Cancel": f.skip} {
		if !seen[want] {
			t.Errorf("Tab never reaches the editor's %s", name)
		}
	}
}
