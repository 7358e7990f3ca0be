package store

import (
	"path/filepath"
	"testing"
	"time"
)

// blockingSecrets holds every Set until release is closed, as a keyring
// waiting for the user to unlock it does.
type blockingSecrets struct {
	Secrets
	entered, release chan struct{}
}

func (b blockingSecrets) Set(key, value string) error {
	close(b.entered)
	<-b.release
	return b.Secrets.Set(key, value)
}

// TestConfigDoesNotWaitForTheKeyring: while a save waits on the keyring
// (an unlock prompt), Config still answers at once, with the last saved
// configuration; the call ringing in meanwhile reads its audio devices
// through it.
func TestConfigDoesNotWaitForTheKeyring(t *testing.T) {
	secrets := blockingSecrets{Secrets: NewMemorySecrets(), entered: make(chan struct{}), release: make(chan struct{})}
	p, _, err := OpenProfile(filepath.Join(t.TempDir(), "ringdesk.toml"), secrets, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved := make(chan error, 1)
	go func() {
		saved <- p.SaveAccount(Account{ID: "main", Username: "1001", Domain: "pbx.example.com"}, "secret")
	}()
	<-secrets.entered
	got := make(chan *Config, 1)
	go func() { got <- p.Config() }()
	select {
	case c := <-got:
		if len(c.Accounts) != 0 {
			t.Errorf("Config during the save shows %d accounts, want the last saved (none)", len(c.Accounts))
		}
	case <-time.After(5 * time.Second):
		t.Error("Config waited for the keyring")
	}
	close(secrets.release)
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	if c := p.Config(); len(c.Accounts) != 1 || c.Accounts[0].ID != "main" {
		t.Errorf("after the save Config shows %+v", c.Accounts)
	}
}

// TestConfigAfterUpdate: Config shows what Update saved.
func TestConfigAfterUpdate(t *testing.T) {
	p, _, err := OpenProfile(filepath.Join(t.TempDir(), "ringdesk.toml"), NewMemorySecrets(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Update(func(c *Config) error { c.Audio.Speaker = "USB Headset"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := p.Config().Audio.Speaker; got != "USB Headset" {
		t.Errorf("Config after Update: speaker %q", got)
	}
}
