package store

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringdesk/ringdesk/store/keyringtest"
)

func TestKeyringRoundTrip(t *testing.T) {
	keyringtest.Start(t)
	k := NewKeyring()
	key := AccountPasswordKey("main")
	if _, err := k.Get(key); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get before Set = %v, want ErrSecretNotFound", err)
	}
	if err := k.Set(key, "first"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := k.Set(key, "second"); err != nil {
		t.Fatalf("Set again: %v", err)
	}
	if v, err := k.Get(key); err != nil || v != "second" {
		t.Fatalf("Get = %q, %v; want the last value", v, err)
	}
	if err := k.Delete(key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := k.Get(key); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("Get after Delete = %v, want ErrSecretNotFound", err)
	}
	if err := k.Delete(key); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("Delete of a missing key = %v, want ErrSecretNotFound", err)
	}
}

func TestKeyringPasswordSurvivesARestart(t *testing.T) {
	keyringtest.Start(t)
	path := filepath.Join(t.TempDir(), "config.toml")
	first := openTestProfile(t, path, NewKeyring())
	if err := first.SaveAccount(testAccount("main"), "correct horse battery staple"); err != nil {
		t.Fatalf("SaveAccount: %v", err)
	}

	// A new Profile and Keyring over the same daemon: what a restarted app sees.
	second := openTestProfile(t, path, NewKeyring())
	v, source, err := second.AccountSecret("main")
	if err != nil || v != "correct horse battery staple" || source != "OS keyring" {
		t.Fatalf("AccountSecret after restart = %q, %q, %v", v, source, err)
	}

	// Another Secret Service client sees it under service "ringdesk".
	if _, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", AccountPasswordKey("main")).Output()
		if err != nil || string(out) != "correct horse battery staple" {
			t.Errorf("secret-tool lookup = %q, %v", out, err)
		}
	}
}

func TestKeyringDeleteAccountDeletesItsSecret(t *testing.T) {
	keyringtest.Start(t)
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewKeyring())
	for _, id := range []string{"main", "other"} {
		if err := p.SaveAccount(testAccount(id), "pw-"+id); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.DeleteAccount("main"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	k := NewKeyring()
	if _, err := k.Get(AccountPasswordKey("main")); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("the deleted account's secret is still in the keyring (%v)", err)
	}
	if v, err := k.Get(AccountPasswordKey("other")); err != nil || v != "pw-other" {
		t.Errorf("the other account's secret = %q, %v", v, err)
	}
}

func TestKeyringHA1RoundTrip(t *testing.T) {
	keyringtest.Start(t)
	path := filepath.Join(t.TempDir(), "config.toml")
	acc := testAccount("main")
	acc.Realm = "asterisk"
	acc.PasswordIsHA1 = true
	sum := md5.Sum([]byte(acc.Username + ":" + acc.Realm + ":secret-password"))
	ha1 := hex.EncodeToString(sum[:])
	if err := openTestProfile(t, path, NewKeyring()).SaveAccount(acc, ha1); err != nil {
		t.Fatalf("SaveAccount: %v", err)
	}

	p := openTestProfile(t, path, NewKeyring())
	got := p.Config().Accounts[0]
	if !got.PasswordIsHA1 || got.Realm != "asterisk" {
		t.Errorf("account after reload = %+v, want password_is_ha1 and the realm", got)
	}
	v, _, err := p.AccountSecret("main")
	if err != nil || v != ha1 {
		t.Errorf("HA1 after reload = %q, %v; want %q", v, err, ha1)
	}
}

func TestKeyringWithoutSecretService(t *testing.T) {
	keyringtest.StartBus(t)
	_, err := NewKeyring().Get(AccountPasswordKey("main"))
	if !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Get with no Secret Service = %v, want ErrNoKeyring", err)
	}
	for _, part := range []string{`reading "account/main/password"`, "no Secret Service is running", "set password_env in the account"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
	if err := NewKeyring().Set(APITokenKey, "x"); !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "token_env") {
		t.Errorf("Set of the API token = %v, want ErrNoKeyring pointing at token_env", err)
	}
}

func TestKeyringWithoutSessionBus(t *testing.T) {
	runtimeDir := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runtimeDir, name)); err == nil {
			t.Skipf("this machine has a session bus at %s/%s", runtimeDir, name)
		}
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	err := NewKeyring().Set(CRMSecretKey("crm"), "x")
	if !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Set with no session bus = %v, want ErrNoKeyring", err)
	}
	if !strings.Contains(err.Error(), "no D-Bus session bus") || !strings.Contains(err.Error(), "secret_env") {
		t.Errorf("error %q does not explain the missing bus and the way out", err)
	}
}

func TestKeyringlessHostWithPasswordEnv(t *testing.T) {
	keyringtest.StartBus(t)
	path := filepath.Join(t.TempDir(), "config.toml")
	p := openTestProfile(t, path, NewKeyring())
	acc := testAccount("main")
	acc.PasswordEnv = "RINGDESK_TEST_PASSWORD"
	if err := p.SaveAccount(acc, ""); err != nil {
		t.Fatalf("SaveAccount without a secret on a keyring-less host: %v", err)
	}
	t.Setenv("RINGDESK_TEST_PASSWORD", "from-env")
	if v, source, err := p.AccountSecret("main"); err != nil || v != "from-env" || source != "environment variable RINGDESK_TEST_PASSWORD" {
		t.Errorf("AccountSecret = %q, %q, %v", v, source, err)
	}
	t.Setenv("RINGDESK_TEST_PASSWORD", "")
	if _, _, err := p.AccountSecret("main"); !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "RINGDESK_TEST_PASSWORD is not set") {
		t.Errorf("AccountSecret with neither = %v", err)
	}
	if err := p.DeleteAccount("main"); err != nil {
		t.Errorf("DeleteAccount on a keyring-less host with password_env: %v", err)
	}
}
