package store

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringdesk/ringdesk/store/keyringtest"
)

// TestSecretsNeverReachFilesOrLogs saves accounts with known secrets through
// every path that touches them, with a debug-level log written to a file,
// then searches every file under the test's folders (config, log, and the
// keyring daemon's HOME) and every error message for each secret.
func TestSecretsNeverReachFilesOrLogs(t *testing.T) {
	backends := []struct {
		name  string
		start func(t *testing.T) (Secrets, []string) // secrets and extra folders to scan
	}{
		{"memory", func(t *testing.T) (Secrets, []string) { return NewMemorySecrets(), nil }},
		{"OS keyring", func(t *testing.T) (Secrets, []string) {
			env := keyringtest.Start(t)
			return NewKeyring(), []string{env.Home}
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			secrets, extraDirs := b.start(t)
			root := t.TempDir()
			used := useSecrets(t, root, secrets)
			for _, dir := range append([]string{root}, extraDirs...) {
				scanForSecrets(t, dir, used)
			}
		})
	}
}

// useSecrets runs the profile's secret paths under root, checks that no
// error message holds a secret, and returns the secret values it used.
func useSecrets(t *testing.T, root string, secrets Secrets) []string {
	logPath := filepath.Join(root, "logs", "ringdesk.log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))
	path := filepath.Join(root, "config", "ringdesk", "config.toml")

	values := map[string]string{}
	for i, id := range []string{"main", "backup", "sales", "night"} {
		values[id] = fmt.Sprintf("leak-check-%s-%d-Zq8#", id, i)
	}
	envSecret := "leak-check-env-Kp3!"
	apiToken := "leak-check-api-token-Wx7"
	invalidSecret := "leak-check-invalid-Rt5"
	t.Setenv("RINGDESK_LEAK_NIGHT", envSecret)

	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	p, _, err := OpenProfile(path, secrets, logger)
	if err != nil {
		t.Fatal(err)
	}
	for id, secret := range values {
		acc := testAccount(id)
		if id == "night" {
			acc.PasswordEnv = "RINGDESK_LEAK_NIGHT"
		}
		if err := p.SaveAccount(acc, secret); err != nil {
			t.Fatalf("SaveAccount(%s): %v", id, err)
		}
	}
	bad := testAccount("broken")
	bad.Server = "pbx.example.com:70000"
	note(p.SaveAccount(bad, invalidSecret))
	note(p.SetSecret(APITokenKey, apiToken))

	reopened, _, err := OpenProfile(path, secrets, logger)
	if err != nil {
		t.Fatal(err)
	}
	for id, secret := range values {
		got, _, err := reopened.AccountSecret(id)
		note(err)
		if id != "night" && got != secret {
			t.Errorf("AccountSecret(%s) = %q, want the saved secret", id, got)
		}
	}
	if got, _, _ := reopened.AccountSecret("night"); got != envSecret {
		t.Errorf("AccountSecret(night) = %q, want the environment's", got)
	}
	_, _, err = reopened.AccountSecret("nobody")
	note(err)
	note(reopened.DeleteAccount("sales"))
	_, _, err = reopened.AccountSecret("sales")
	note(err)
	if err := logFile.Sync(); err != nil {
		t.Fatal(err)
	}
	if fi, err := logFile.Stat(); err != nil || fi.Size() == 0 {
		t.Fatalf("the log is empty (%v): the scan would prove nothing", err)
	}

	all := []string{envSecret, apiToken, invalidSecret}
	for _, v := range values {
		all = append(all, v)
	}
	for _, msg := range errs {
		for _, secret := range all {
			if strings.Contains(msg, secret) {
				t.Errorf("an error message holds a secret: %s", msg)
			}
		}
	}
	return all
}

// scanForSecrets fails the test for every file under dir that holds one of
// the secrets.
func scanForSecrets(t *testing.T, dir string, secrets []string) {
	t.Helper()
	scanned := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for _, secret := range secrets {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds the secret %q", path, secret)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scanning %s: %v", dir, err)
	}
	if scanned == 0 {
		t.Errorf("no file under %s was scanned", dir)
	}
}
