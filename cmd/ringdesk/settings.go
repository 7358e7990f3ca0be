package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/gui"
	"github.com/ringdesk/ringdesk/store"
)

// settingsKeeper is what the window's Settings tab saves through: the
// profile, with accounts started, restarted or stopped in the engine as
// they are saved or deleted, so a change needs no restart.
type settingsKeeper struct {
	accountStarter
}

var _ gui.SettingsStore = settingsKeeper{}

// Config returns a copy of the configuration as last saved.
func (s settingsKeeper) Config() *store.Config { return s.profile.Config() }

// AccountSecret returns the account's saved password or HA1.
func (s settingsKeeper) AccountSecret(id string) (string, string, error) {
	return s.profile.AccountSecret(id)
}

// Update saves a change of the settings; no secret is in a Config.
func (s settingsKeeper) Update(change func(*store.Config) error) error {
	return s.profile.Update(change)
}

// SaveAccount saves the account (an empty secret keeps the saved one) and
// starts it again in the engine with its password.
func (s settingsKeeper) SaveAccount(acc store.Account, secret string) error {
	if err := s.profile.SaveAccount(acc, secret); err != nil {
		return err
	}
	if secret == "" {
		// Kept as saved: start the engine's account with the saved one,
		// or with none for a registrar that asks for none.
		saved, _, err := s.profile.AccountSecret(acc.ID)
		if err != nil && !errors.Is(err, store.ErrSecretNotFound) {
			return fmt.Errorf("the account was saved, but the phone could not start it: %w", err)
		}
		secret = saved
	}
	return s.restart(acc, secret)
}

// DeleteAccount removes the account and its secrets from the profile,
// then stops it in the engine (which unregisters it and ends its calls):
// when the profile cannot be saved, the account keeps running as it is
// still configured.
func (s settingsKeeper) DeleteAccount(id string) error {
	if err := s.profile.DeleteAccount(id); err != nil {
		return err
	}
	if s.pending != nil {
		s.pending.mu.Lock()
		delete(s.pending.waiting, id)
		s.pending.mu.Unlock()
	}
	if _, err := s.phone.Account(id); err == nil {
		if err := s.phone.RemoveAccount(id); err != nil {
			return fmt.Errorf("the account was deleted, but stopping it failed: %w", err)
		}
	}
	return nil
}

// apiTokenKeeper shows the running API's token in Settings and rotates it:
// a new random token goes to the keyring and into the running API at once.
type apiTokenKeeper struct {
	f       flags
	profile *store.Profile
	cfg     *store.Config
	server  *api.Server

	mu      sync.Mutex
	current string // guarded by mu; "" until read or rotated
}

var _ gui.APIToken = (*apiTokenKeeper)(nil)

// Token returns the token the API checks.
func (k *apiTokenKeeper) Token() (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.current != "" {
		return k.current, nil
	}
	token, _, err := apiToken(k.f, k.profile, k.cfg, false)
	if err != nil {
		return "", err
	}
	k.current = token
	return token, nil
}

// Rotate makes and keeps a new token. A token set outside the keyring
// (--api-token-file, or the variable [api] token_env names) is refused:
// it would come back at the next start, so it must be changed there.
func (k *apiTokenKeeper) Rotate() (string, error) {
	if k.f.apiTokenFile != "" {
		return "", fmt.Errorf("the token comes from the file %s (--api-token-file): change it there", k.f.apiTokenFile)
	}
	if env := k.cfg.API.TokenEnv; env != "" && os.Getenv(env) != "" {
		return "", fmt.Errorf("the token comes from the environment variable %s ([api] token_env): change it there", env)
	}
	if k.server == nil {
		return "", errors.New("the local API is not running")
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	token := hex.EncodeToString(buf)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.profile.SetSecret(store.APITokenKey, token); err != nil {
		return "", fmt.Errorf("keep the new token: %w (the old one stays in use)", err)
	}
	if err := k.server.SetToken(token); err != nil {
		return "", err
	}
	k.current = token
	return token, nil
}

// settingsOptions fills the window's options for the Settings tab: where
// it saves, Test registration's account conversion, and the API token.
func settingsOptions(opts *gui.Options, f flags, starter accountStarter, cfg *store.Config, s *services) {
	profile := starter.profile
	opts.Settings = settingsKeeper{starter}
	opts.PhoneAccount = phoneAccount
	if s != nil && s.api != nil {
		opts.APIToken = &apiTokenKeeper{f: f, profile: profile, cfg: cfg, server: s.api}
	}
	// opts.Audio, the device pickers' adapter, is set by windowAudio.start.
}
