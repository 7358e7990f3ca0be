package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// failingSecrets fails Set (or every call) with its error.
type failingSecrets struct {
	*MemorySecrets
	setErr error
}

func (f *failingSecrets) Set(key, value string) error {
	if f.setErr != nil {
		return f.setErr
	}
	return f.MemorySecrets.Set(key, value)
}

func testAccount(id string) Account {
	return Account{ID: id, DisplayName: "Agent " + id, Username: "10" + id, Domain: "pbx.example.com",
		Transport: "udp", Server: "pbx.example.com:5060"}
}

func openTestProfile(t *testing.T, path string, secrets Secrets) *Profile {
	t.Helper()
	p, _, err := OpenProfile(path, secrets, nil)
	if err != nil {
		t.Fatalf("OpenProfile: %v", err)
	}
	return p
}

func TestProfileFirstRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ringdesk", "config.toml")
	secrets := NewMemorySecrets()
	p, cfg, err := OpenProfile(path, secrets, nil)
	if err != nil {
		t.Fatalf("OpenProfile on a missing file: %v", err)
	}
	if len(cfg.Accounts) != 0 || p.Path() != path {
		t.Fatalf("first run: accounts %v, path %q", cfg.Accounts, p.Path())
	}
	if err := p.SaveAccount(testAccount("main"), "pw-main"); err != nil {
		t.Fatalf("SaveAccount: %v", err)
	}
	loaded, err := LoadConfig(path)
	if err != nil || len(loaded.Accounts) != 1 || loaded.Accounts[0].ID != "main" {
		t.Fatalf("file after SaveAccount: %+v, %v", loaded, err)
	}
	if !reflect.DeepEqual(loaded, p.Config()) {
		t.Errorf("Config() = %+v, file holds %+v", p.Config(), loaded)
	}
	if bytes.Contains(fileBytes(t, path), []byte("pw-main")) {
		t.Error("the secret is in the configuration file")
	}
	value, source, err := p.AccountSecret("main")
	if err != nil || value != "pw-main" || source != "in-memory secrets" {
		t.Errorf("AccountSecret = %q, %q, %v", value, source, err)
	}
}

func TestProfileSaveAccountReplacesByID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	secrets := NewMemorySecrets()
	p := openTestProfile(t, path, secrets)
	for _, id := range []string{"a", "b", "c"} {
		if err := p.SaveAccount(testAccount(id), "pw-"+id); err != nil {
			t.Fatal(err)
		}
	}
	changed := testAccount("b")
	changed.DisplayName = "Renamed"
	if err := p.SaveAccount(changed, ""); err != nil { // "" keeps the stored secret
		t.Fatal(err)
	}
	cfg := p.Config()
	var ids []string
	for _, a := range cfg.Accounts {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "c"}) || cfg.Accounts[1].DisplayName != "Renamed" {
		t.Errorf("accounts after replacing b: %+v", cfg.Accounts)
	}
	if v, _, err := p.AccountSecret("b"); v != "pw-b" || err != nil {
		t.Errorf("secret of b = %q, %v; an empty secret must leave it alone", v, err)
	}
	reopened := openTestProfile(t, path, secrets)
	if !reflect.DeepEqual(reopened.Config(), cfg) {
		t.Errorf("reopened config differs:\n%+v\n%+v", reopened.Config(), cfg)
	}
}

func TestProfileConfigIsACopy(t *testing.T) {
	p := openTestProfile(t, filepath.Join(t.TempDir(), "config.toml"), NewMemorySecrets())
	if err := p.SaveAccount(testAccount("main"), ""); err != nil {
		t.Fatal(err)
	}
	cfg := p.Config()
	cfg.Accounts[0].Codecs[0] = "changed"
	*cfg.Accounts[0].Video = false
	if got := p.Config().Accounts[0]; got.Codecs[0] != "opus" || !got.VideoEnabled() {
		t.Errorf("changing the returned config changed the profile: %+v", got)
	}
}

func TestProfileOnABrokenFileRefusesToSave(t *testing.T) {
	path := writeConfig(t, with(`server = "pbx.example.com:5060"`, `server = "pbx.example.com:70000"`))
	before := fileBytes(t, path)
	secrets := NewMemorySecrets()

	p, cfg, err := OpenProfile(path, secrets, nil)
	want := path + `:7: accounts[0].server: "pbx.example.com:70000": port 70000 is out of range (use 1 to 65535)`
	if err == nil || err.Error() != want {
		t.Fatalf("OpenProfile = %v\nwant %s", err, want)
	}
	if p == nil || cfg == nil || len(cfg.Accounts) != 0 {
		t.Fatalf("OpenProfile on a broken file returned profile %v, config %+v; want a profile and an empty config", p, cfg)
	}

	err = p.SaveAccount(testAccount("other"), "pw-other")
	if !errors.Is(err, ErrConfigNotLoaded) {
		t.Fatalf("SaveAccount on a broken profile = %v, want ErrConfigNotLoaded", err)
	}
	for _, part := range []string{path, "will not overwrite", "accounts[0].server", "70000"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("refusal %q does not mention %q", err, part)
		}
	}
	if err := p.DeleteAccount("main"); !errors.Is(err, ErrConfigNotLoaded) {
		t.Errorf("DeleteAccount on a broken profile = %v, want ErrConfigNotLoaded", err)
	}
	if after := fileBytes(t, path); !bytes.Equal(after, before) {
		t.Errorf("the broken file changed:\n%s\n---\n%s", before, after)
	}
	if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{"config.toml"}) {
		t.Errorf("folder holds %v, want only config.toml", names)
	}
	if keys := secrets.Keys(); len(keys) != 0 {
		t.Errorf("a refused save stored secrets %v", keys)
	}
}

func TestProfileSaveAccountValidates(t *testing.T) {
	path := writeConfig(t, validAccount)
	before := fileBytes(t, path)
	secrets := NewMemorySecrets()
	p := openTestProfile(t, path, secrets)
	bad := testAccount("second")
	bad.Transport = "udpp"
	err := p.SaveAccount(bad, "pw-second")
	want := path + `: accounts[1].transport: "udpp" is not a transport (use udp, tcp, tls, ws or wss)`
	if err == nil || err.Error() != want {
		t.Fatalf("SaveAccount = %v\nwant %s", err, want)
	}
	if !bytes.Equal(fileBytes(t, path), before) {
		t.Error("an invalid account changed the file")
	}
	if keys := secrets.Keys(); len(keys) != 0 {
		t.Errorf("an invalid account stored secrets %v", keys)
	}
	if n := len(p.Config().Accounts); n != 1 {
		t.Errorf("the profile holds %d accounts after a refused save, want 1", n)
	}
}

func TestProfileSecretFailureLeavesTheFile(t *testing.T) {
	path := writeConfig(t, validAccount)
	before := fileBytes(t, path)
	secrets := &failingSecrets{MemorySecrets: NewMemorySecrets(), setErr: fmt.Errorf("storing in the OS keyring: %w", ErrNoKeyring)}
	p := openTestProfile(t, path, secrets)
	err := p.SaveAccount(testAccount("second"), "pw-second")
	if !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "was not changed") {
		t.Fatalf("SaveAccount = %v, want the keyring error saying the file was not changed", err)
	}
	if !bytes.Equal(fileBytes(t, path), before) {
		t.Error("the file changed although the secret could not be stored")
	}
}

func TestProfileWriteFailurePutsTheSecretBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	secrets := NewMemorySecrets()
	p := openTestProfile(t, path, secrets)
	if err := p.SaveAccount(testAccount("main"), "old-pw"); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, path)
	diskFull := errors.New("no space left on device")
	p.writeFile = func(string, []byte) error { return diskFull }

	if err := p.SaveAccount(testAccount("main"), "new-pw"); !errors.Is(err, diskFull) {
		t.Fatalf("SaveAccount = %v, want the write error", err)
	}
	if v, _ := secrets.Get(AccountPasswordKey("main")); v != "old-pw" {
		t.Errorf("secret after a failed save = %q, want the old one back", v)
	}
	if err := p.SaveAccount(testAccount("new"), "pw-new"); !errors.Is(err, diskFull) {
		t.Fatalf("SaveAccount = %v, want the write error", err)
	}
	if _, err := secrets.Get(AccountPasswordKey("new")); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("a new account's secret stayed after its save failed (%v)", err)
	}
	if !bytes.Equal(fileBytes(t, path), before) || len(p.Config().Accounts) != 1 {
		t.Error("a failed save changed the file or the profile")
	}
}

func TestProfileDoesNotOverwriteOutsideChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewMemorySecrets())
	if err := p.SaveAccount(testAccount("main"), ""); err != nil {
		t.Fatal(err)
	}
	edited := append(fileBytes(t, path), []byte("# my note\n")...)
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	err := p.SaveAccount(testAccount("second"), "")
	if !errors.Is(err, ErrConfigChanged) {
		t.Fatalf("SaveAccount after an outside edit = %v, want ErrConfigChanged", err)
	}
	if !bytes.Equal(fileBytes(t, path), edited) {
		t.Error("the outside edit was overwritten")
	}
	if err := p.DeleteAccount("main"); !errors.Is(err, ErrConfigChanged) {
		t.Errorf("DeleteAccount after an outside edit = %v, want ErrConfigChanged", err)
	}
}

func TestProfileDeleteAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	secrets := NewMemorySecrets()
	p := openTestProfile(t, path, secrets)
	acc := testAccount("main")
	acc.Transport, acc.Server = "wss", "wss://pbx.example.com:7443"
	acc.ICEServers = []ICEServer{{URLs: []string{"turn:turn.example.com"}, Username: "agent"}}
	if err := p.SaveAccount(acc, "pw-main"); err != nil {
		t.Fatal(err)
	}
	if err := p.SetSecret(ICECredentialKey("main", acc.ICEServers[0]), "turn-cred"); err != nil {
		t.Fatal(err)
	}
	if err := p.SaveAccount(testAccount("other"), "pw-other"); err != nil {
		t.Fatal(err)
	}

	if err := p.DeleteAccount("main"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	if keys := secrets.Keys(); !slices.Equal(keys, []string{AccountPasswordKey("other")}) {
		t.Errorf("secrets after deleting main: %v, want only other's password", keys)
	}
	cfg, err := LoadConfig(path)
	if err != nil || len(cfg.Accounts) != 1 || cfg.Accounts[0].ID != "other" {
		t.Errorf("file after deleting main: %+v, %v", cfg, err)
	}
	if err := p.DeleteAccount("main"); err == nil || !strings.Contains(err.Error(), "no account with that id") {
		t.Errorf("deleting a missing account = %v", err)
	}
}

func TestProfileAccountSecretSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	secrets := NewMemorySecrets()
	p := openTestProfile(t, path, secrets)
	acc := testAccount("main")
	acc.PasswordEnv = "RINGDESK_TEST_MAIN_PASSWORD"
	if err := p.SaveAccount(acc, "from-keyring"); err != nil {
		t.Fatal(err)
	}

	t.Setenv(acc.PasswordEnv, "from-env")
	v, source, err := p.AccountSecret("main")
	if err != nil || v != "from-env" || source != "environment variable RINGDESK_TEST_MAIN_PASSWORD" {
		t.Errorf("with the variable set: %q, %q, %v", v, source, err)
	}

	t.Setenv(acc.PasswordEnv, "")
	v, source, err = p.AccountSecret("main")
	if err != nil || v != "from-keyring" || source != "in-memory secrets" {
		t.Errorf("with the variable empty: %q, %q, %v", v, source, err)
	}

	if err := secrets.Delete(AccountPasswordKey("main")); err != nil {
		t.Fatal(err)
	}
	_, _, err = p.AccountSecret("main")
	if !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("with neither: %v, want ErrSecretNotFound", err)
	}
	want := `no password for account "main": environment variable RINGDESK_TEST_MAIN_PASSWORD is not set, and secret not found under "account/main/password" (in-memory secrets)`
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if _, _, err := p.AccountSecret("nobody"); err == nil {
		t.Error("AccountSecret of a missing account succeeded")
	}
}

func TestProfileConcurrentSaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewMemorySecrets())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			errs <- p.SaveAccount(testAccount(fmt.Sprint("acc", i)), fmt.Sprint("pw", i))
			_ = p.Config()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Accounts) != 8 {
		t.Errorf("after 8 concurrent saves the file holds %d accounts, want 8", len(cfg.Accounts))
	}
}

func TestOpenProfileNeedsPathAndSecrets(t *testing.T) {
	if _, _, err := OpenProfile("", NewMemorySecrets(), nil); err == nil {
		t.Error("OpenProfile with no path succeeded")
	}
	if _, _, err := OpenProfile(filepath.Join(t.TempDir(), "c.toml"), nil, nil); err == nil {
		t.Error("OpenProfile with no secrets succeeded")
	}
}
