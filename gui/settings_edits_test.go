package gui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// flakySettings is a profile whose saves fail while failing is set, whose
// account saves fail with accountErr, and whose AccountSecret waits for
// secretGate when it is set (a keyring asking to be unlocked).
type flakySettings struct {
	*store.Profile
	mu         sync.Mutex
	failing    error
	accountErr error
	secretGate chan struct{}
}

func (f *flakySettings) Update(change func(*store.Config) error) error {
	f.mu.Lock()
	err := f.failing
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Profile.Update(change)
}

func (f *flakySettings) SaveAccount(acc store.Account, secret string) error {
	f.mu.Lock()
	err := f.accountErr
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Profile.SaveAccount(acc, secret)
}

func (f *flakySettings) AccountSecret(id string) (string, string, error) {
	f.mu.Lock()
	gate := f.secretGate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return f.Profile.AccountSecret(id)
}

func (f *flakySettings) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = err
}

// newFlakySettings is a profile in a temporary folder holding cfg's
// accounts, behind a flakySettings.
func newFlakySettings(t *testing.T, cfg *store.Config) (*flakySettings, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	profile, _, err := store.OpenProfile(path, store.NewMemorySecrets(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range cfg.Accounts {
		if err := profile.SaveAccount(acc, "pw-"+acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	return &flakySettings{Profile: profile}, path
}

// openSettings shows the Settings tab and lets it load.
func openSettings(w *testWindow) {
	w.switchTab(len(w.tabs.Items) - 1)
	w.settle()
}

func loadedConfig(t *testing.T, path string) *store.Config {
	t.Helper()
	cfg, err := store.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSettingsChoiceRetriedAfterFailedSave: after a microphone or language
// choice failed to save, choosing it again saves it: the section's idea of
// what is saved follows successful saves only.
func TestSettingsChoiceRetriedAfterFailedSave(t *testing.T) {
	st, path := newFlakySettings(t, oneAccount())
	w := newTestWindow(t, Options{Config: st.Config(), Settings: st, Audio: &fakeAudio{}})
	openSettings(w)
	s, g := w.settings.audio, w.settings.general

	st.fail(errors.New("the disk is full"))
	s.mic.SetSelected("USB Headset Mic")
	g.language.SetSelected("Tiếng Việt")
	w.settle()
	for _, status := range []string{s.status.Text, g.status.Text} {
		if !strings.Contains(status, "the disk is full") {
			t.Errorf("a failed save says %q", status)
		}
	}
	st.fail(nil)
	s.mic.SetSelected("USB Headset Mic") // the same choice, again
	g.language.SetSelected("Tiếng Việt")
	w.settle()
	cfg := loadedConfig(t, path)
	if cfg.Audio.Microphone != "USB Headset Mic" {
		t.Errorf("the microphone chosen again after a failed save: [audio] = %+v", cfg.Audio)
	}
	if cfg.UI.Language != "vi" {
		t.Errorf("the language chosen again after a failed save: [ui] language = %q", cfg.UI.Language)
	}
}

// TestSettingsAddAccountWaitsForLoad: Add account is disabled until the
// accounts are loaded (before, a new account would be given the ID main
// and replace the first account); loaded, it picks a free ID.
func TestSettingsAddAccountWaitsForLoad(t *testing.T) {
	st, _ := newFlakySettings(t, oneAccount())
	w := newTestWindow(t, Options{Config: st.Config(), Settings: st})
	a := w.settings.accounts
	if !a.add.Disabled() {
		t.Error("Add account is enabled before the accounts are loaded")
	}
	a.edit(nil)
	if w.settings.editor != nil {
		t.Fatal("an account editor opened before the accounts were loaded")
	}
	openSettings(w)
	if a.add.Disabled() {
		t.Fatal("Add account stays disabled once the accounts are loaded")
	}
	test.Tap(a.add)
	if f := currentAccountForm(t, w); f.spec.id != "account2" {
		t.Errorf("the new account's ID is %q beside main, want account2", f.spec.id)
	}
}

// TestSettingsUnsavedEditsKept: what was typed in Caller lookup and Trusted
// origins and not yet saved survives a tab switch and an account saved
// (both reload the configuration); once saved, the fields follow the file
// again.
func TestSettingsUnsavedEditsKept(t *testing.T) {
	st, path := newFlakySettings(t, oneAccount())
	w := newTestWindow(t, Options{Config: st.Config(), Settings: st})
	openSettings(w)
	l, a := w.settings.lookup, w.settings.api
	test.Type(l.region, "US")
	test.Type(l.popURL, "https://crm.example.com/?q={e164}")
	test.Type(a.origins, "https://crm.example.com")

	w.selectTab(t, "Phone")
	openSettings(w)
	if l.region.Text != "US" || l.popURL.Text != "https://crm.example.com/?q={e164}" || a.origins.Text != "https://crm.example.com" {
		t.Errorf("a tab switch overwrote the unsaved edits: region %q, screen-pop URL %q, origins %q",
			l.region.Text, l.popURL.Text, a.origins.Text)
	}

	test.Tap(findButton(t, w, "Edit", 0))
	f := currentAccountForm(t, w)
	f.displayName.SetText("Front desk")
	test.Tap(f.save)
	w.settle()
	if got := loadedConfig(t, path).Accounts[0].DisplayName; got != "Front desk" {
		t.Fatalf("the account was not saved: display name %q", got)
	}
	if l.region.Text != "US" || a.origins.Text != "https://crm.example.com" {
		t.Errorf("saving an account overwrote the unsaved edits: region %q, origins %q", l.region.Text, a.origins.Text)
	}

	test.Tap(l.save)
	w.settle()
	if got := loadedConfig(t, path).CRM; got.Region != "US" || got.PopURL != "https://crm.example.com/?q={e164}" {
		t.Fatalf("[crm] after Save: %+v", got)
	}
	// Saved, the section shows the file again.
	if err := st.Profile.Update(func(c *store.Config) error { c.CRM.Region = "JP"; return nil }); err != nil {
		t.Fatal(err)
	}
	w.selectTab(t, "Phone")
	openSettings(w)
	if l.region.Text != "JP" {
		t.Errorf("after its save the region shows %q, not the file's JP", l.region.Text)
	}
	if a.origins.Text != "https://crm.example.com" {
		t.Errorf("the unsaved origins became %q", a.origins.Text)
	}
}

// TestSettingsTestButtonWaitsForTest: a save that ends while Test
// registration runs leaves the Test button disabled until the test ends.
func TestSettingsTestButtonWaitsForTest(t *testing.T) {
	cfg := &store.Config{Accounts: []store.Account{{ID: "main", Username: "1001", Domain: "127.0.0.1",
		Transport: "tcp", Server: "127.0.0.1:1"}}} // nothing listens: the test fails at once
	st, _ := newFlakySettings(t, cfg)
	gate := make(chan struct{})
	st.secretGate = gate
	st.accountErr = errors.New("the keyring is locked")
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	w := newTestWindow(t, Options{Config: st.Config(), Settings: st, PhoneAccount: testPhoneAccount})
	openSettings(w)
	test.Tap(findButton(t, w, "Edit", 0))
	f := currentAccountForm(t, w)

	test.Tap(f.test) // waits for the keyring
	test.Tap(f.save)
	w.waitUI(t, "the save to fail", func() bool { return !f.save.Disabled() })
	assertShows(t, w, "the keyring is locked")
	if !f.test.Disabled() {
		t.Error("the failed save enabled Test registration while a test runs")
	}
	open()
	w.waitUI(t, "the test's verdict", func() bool { return !f.test.Disabled() })
	if f.test.Text != "Test registration" {
		t.Errorf("the Test button says %q after the test", f.test.Text)
	}
}

// TestSettingsTestRegistrationRegistersLiveAgain against Kamailio: Test
// registration's engine unregisters the address when it is done, which on
// a registrar keeping one binding per address removes the running
// account's binding too; the running account then registers again.
func TestSettingsTestRegistrationRegistersLiveAgain(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioNoAuth())
	live := phone.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = live.Close(ctx)
	})
	acc := store.Account{ID: "main", Username: "1001", Domain: k.Domain(), Transport: "udp", Server: k.UDPAddr()}
	if _, err := live.AddAccount(testPhoneAccount(acc, "")); err != nil {
		t.Fatal(err)
	}
	st, _ := newFlakySettings(t, &store.Config{Accounts: []store.Account{acc}})
	w := newTestWindow(t, Options{Config: st.Config(), Settings: st, Phone: live, PhoneAccount: testPhoneAccount})
	w.waitUI(t, "the chip to say Registered", func() bool { return w.chip.state == phone.RegRegistered })
	openSettings(w)
	test.Tap(findButton(t, w, "Edit", 0))
	f := currentAccountForm(t, w)

	sub := live.Subscribe()
	defer sub.Close()
	test.Tap(f.test)
	w.waitUI(t, "the test's verdict", func() bool { return !f.test.Disabled() })
	assertShows(t, w, "Registered: the server accepted the account.")
	deadline := time.After(10 * time.Second)
	for registered := false; !registered; {
		w.q.drain()
		select {
		case ev := <-sub.C:
			registered = ev.Type == phone.EventRegistered && ev.Account == "main"
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatal("the running account did not register again after Test registration")
		}
	}
	if !k.Registered("1001") {
		t.Error("1001 has no binding at the registrar after Test registration")
	}
	if !strings.Contains(visibleText(w), "Registered") {
		t.Errorf("the window shows:\n%s", visibleText(w))
	}
}
