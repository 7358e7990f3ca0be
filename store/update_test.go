package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestProfileUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewMemorySecrets())
	if err := p.SaveAccount(testAccount("main"), "pw-main"); err != nil {
		t.Fatal(err)
	}
	err := p.Update(func(c *Config) error {
		c.UI.Language = "vi"
		c.API.AllowedOrigins = []string{"https://crm.example.com"}
		c.Audio.Microphone = "USB Headset"
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	loaded, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.UI.Language != "vi" || !slices.Equal(loaded.API.AllowedOrigins, []string{"https://crm.example.com"}) ||
		loaded.Audio.Microphone != "USB Headset" || len(loaded.Accounts) != 1 {
		t.Errorf("the file after Update: %+v", loaded)
	}
	if data := string(fileBytes(t, path)); strings.Contains(data, "pw-main") {
		t.Error("the password reached the configuration file")
	}
	if p.Config().UI.Language != "vi" {
		t.Error("Config() does not show the update")
	}
}

func TestProfileUpdateRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewMemorySecrets())
	if err := p.Update(func(c *Config) error { c.UI.Language = "en"; return nil }); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, path)

	stop := errors.New("stop")
	if err := p.Update(func(c *Config) error { c.UI.Language = "vi"; return stop }); !errors.Is(err, stop) {
		t.Errorf("Update with a failing change = %v", err)
	}
	if err := p.Update(func(c *Config) error { c.CRM.PopOn = "sometimes"; return nil }); err == nil {
		t.Error("Update saved an invalid pop_on")
	}
	if string(fileBytes(t, path)) != string(before) || p.Config().UI.Language != "en" {
		t.Error("a refused Update changed the file or the profile")
	}

	// Another program changed the file: Update does not overwrite it.
	if err := os.WriteFile(path, append(before, []byte("\n# edited\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.Update(func(c *Config) error { c.UI.Language = "vi"; return nil }); !errors.Is(err, ErrConfigChanged) {
		t.Errorf("Update over a changed file = %v, want ErrConfigChanged", err)
	}
}
