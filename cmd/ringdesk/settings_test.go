package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// TestRotateAPIToken: the Settings tab's New token keeps a new random
// token in the keyring, and the running API answers 401 to the old token
// and 200 to the new one at once. A token from the environment is not
// rotated: it would come back at the next start.
func TestRotateAPIToken(t *testing.T) {
	secrets := store.NewMemorySecrets()
	profile, cfg, err := store.OpenProfile(filepath.Join(t.TempDir(), "config.toml"), secrets, nil)
	if err != nil {
		t.Fatal(err)
	}
	const first = "first-token-0123456789abcdef"
	if err := profile.SetSecret(store.APITokenKey, first); err != nil {
		t.Fatal(err)
	}
	p := phone.New()
	srv, err := api.New(api.Options{Phone: p, Token: first})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-served
		srv.Close()
		closeCtx, closeCancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer closeCancel()
		_ = p.Close(closeCtx)
	})
	status := func(token string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/v1/status", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	k := &apiTokenKeeper{profile: profile, cfg: cfg, server: srv}
	if got, err := k.Token(); err != nil || got != first {
		t.Fatalf("Token() = %q, %v", got, err)
	}
	rotated, err := k.Rotate()
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if rotated == first || len(rotated) < 32 {
		t.Errorf("the new token %q is not new or too short", rotated)
	}
	if kept, _ := secrets.Get(store.APITokenKey); kept != rotated {
		t.Error("the new token is not in the keyring")
	}
	if got := status(first); got != http.StatusUnauthorized {
		t.Errorf("the old token: %d, want 401", got)
	}
	if got := status(rotated); got != http.StatusOK {
		t.Errorf("the new token: %d, want 200", got)
	}
	if got, _ := k.Token(); got != rotated {
		t.Errorf("Token() after Rotate = %q", got)
	}

	t.Setenv("RINGDESK_TEST_API_TOKEN", "env-token-0123456789abcdef")
	k.cfg = &store.Config{API: store.API{TokenEnv: "RINGDESK_TEST_API_TOKEN"}}
	if _, err := k.Rotate(); err == nil || !strings.Contains(err.Error(), "RINGDESK_TEST_API_TOKEN") {
		t.Errorf("Rotate with the token from the environment = %v", err)
	}
	if got := status(rotated); got != http.StatusOK {
		t.Errorf("a refused rotation changed the token: %d", got)
	}
}

// TestSettingsKeeperStartsAndStopsAccounts: an account saved in Settings
// runs in the engine at once, with the saved password when none was
// typed, and a deleted one stops.
func TestSettingsKeeperStartsAndStopsAccounts(t *testing.T) {
	secrets := store.NewMemorySecrets()
	profile, _, err := store.OpenProfile(filepath.Join(t.TempDir(), "config.toml"), secrets, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := phone.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	k := settingsKeeper{accountStarter{profile: profile, phone: p}} // no pending restarts: no call here
	// A registrar that does not answer: the account runs, registering.
	acc := store.Account{ID: "main", Username: "1001", Domain: "127.0.0.1", Transport: "udp", Server: "127.0.0.1:9"}
	if err := k.SaveAccount(acc, "first-pw"); err != nil {
		t.Fatal(err)
	}
	acc.DisplayName = "Agent"
	if err := k.SaveAccount(acc, ""); err != nil {
		t.Fatalf("saving without a password: %v", err)
	}
	a, err := p.Account("main")
	if err != nil {
		t.Fatalf("the engine does not run the saved account: %v", err)
	}
	if cfg := a.Config(); cfg.Password != "first-pw" || cfg.DisplayName != "Agent" {
		t.Errorf("the engine runs %q with password %q, want the edit with the saved password", cfg.DisplayName, cfg.Password)
	}
	if pw, _ := secrets.Get(store.AccountPasswordKey("main")); pw != "first-pw" {
		t.Errorf("the keyring holds %q", pw)
	}
	// A new account with no password at all still starts.
	if err := k.SaveAccount(store.Account{ID: "open", Username: "1002", Domain: "127.0.0.1", Transport: "udp", Server: "127.0.0.1:9"}, ""); err != nil {
		t.Errorf("an account without a password: %v", err)
	}
	if err := k.DeleteAccount("main"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Account("main"); err == nil {
		t.Error("the deleted account still runs in the engine")
	}
	if cfg := k.Config(); len(cfg.Accounts) != 1 || cfg.Accounts[0].ID != "open" {
		t.Errorf("accounts after Delete: %+v", cfg.Accounts)
	}
}
