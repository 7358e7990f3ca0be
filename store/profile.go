package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrConfigNotLoaded is wrapped by the errors of a Profile whose file failed
// to load: it refuses to save, so the user's file is never overwritten.
var ErrConfigNotLoaded = errors.New("the configuration file could not be loaded")

// ErrConfigChanged is wrapped by a Profile's save errors when another program
// changed the file since the Profile read it; the Profile does not overwrite
// those changes.
var ErrConfigChanged = errors.New("the configuration file was changed by another program")

// Profile is the configuration file and the secrets together: what the GUI's
// first-run and settings forms and cmd work with. It validates before every
// write, writes the file atomically, keeps secrets out of it and out of the
// log, and never overwrites a file it could not load or that someone else
// changed meanwhile. A Profile is safe for concurrent use.
type Profile struct {
	path      string
	secrets   Secrets
	log       *slog.Logger
	writeFile func(path string, data []byte) error // writeFileAtomic; tests replace it

	mu  sync.Mutex
	cfg *Config // guarded by mu; defaults applied
	// current is cfg as published for Config, which must not wait for a
	// save that is held up by the keyring (an unlock prompt): a call
	// ringing in reads the audio devices through it.
	current atomic.Pointer[Config]
	loadErr error     // guarded by mu; non-nil when the file failed to load
	onDisk  fileState // guarded by mu; the file as last read or written
}

// OpenProfile loads the configuration at path (see LoadConfig: a missing file
// is an empty config, the first run) and returns the Profile and a copy of
// the config. Secrets are read from and written to secrets (a *Keyring in the
// app); logger may be nil.
//
// When the file cannot be loaded, OpenProfile returns the error and leaves
// the file untouched; it still returns a Profile, holding only the defaults,
// so the app can start and show the error, but that Profile refuses to save
// (its errors wrap ErrConfigNotLoaded).
func OpenProfile(path string, secrets Secrets, logger *slog.Logger) (*Profile, *Config, error) {
	if path == "" {
		return nil, nil, errors.New("opening the Ringdesk profile: no configuration file named")
	}
	if secrets == nil {
		return nil, nil, errors.New("opening the Ringdesk profile: no secret store given")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Profile{path: path, secrets: secrets, log: logger, writeFile: writeFileAtomic}
	state, data, err := readFileState(path)
	if err == nil {
		p.onDisk = state
		p.cfg = defaultConfig()
		if state.exists {
			p.cfg, err = parseConfig(path, data)
		}
	}
	if err != nil {
		p.loadErr = err
		p.cfg = defaultConfig()
		p.log.Warn("configuration file could not be loaded; saving is disabled until it is fixed", "file", path, "error", err)
		p.setConfigLocked(p.cfg)
		return p, p.cfg.Clone(), err
	}
	p.log.Debug("configuration loaded", "file", path, "exists", state.exists, "accounts", len(p.cfg.Accounts))
	p.setConfigLocked(p.cfg)
	return p, p.cfg.Clone(), nil
}

// Path returns the configuration file's path.
func (p *Profile) Path() string { return p.path }

// Config returns a copy of the current configuration, defaults applied.
func (p *Profile) Config() *Config {
	if c := p.current.Load(); c != nil {
		return c.Clone()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Clone()
}

// setConfigLocked makes next the current configuration. Callers hold p.mu.
func (p *Profile) setConfigLocked(next *Config) {
	p.cfg = next
	p.current.Store(next.Clone())
}

// SaveAccount adds acc, or replaces the account with its ID, and saves. It
// applies the account's defaults and validates the whole config first, then
// stores secret (the password, or the HA1 when acc.PasswordIsHA1) under
// AccountPasswordKey unless secret is empty, then writes the file
// atomically. If writing the file fails, the earlier secret is put back, so
// both stay as they were as far as the keyring allows.
func (p *Profile) SaveAccount(acc Account, secret string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.writableLocked(); err != nil {
		return fmt.Errorf("saving account %q: %w", acc.ID, err)
	}
	acc = acc.Clone()
	acc.ApplyDefaults()
	next := p.cfg.Clone()
	replaced := false
	if i := p.accountIndexLocked(acc.ID); i >= 0 {
		next.Accounts[i] = acc
		replaced = true
	} else {
		next.Accounts = append(next.Accounts, acc)
	}
	data, err := encodeConfig(p.path, next)
	if err != nil {
		return err
	}
	if err := p.checkUnchangedLocked(); err != nil {
		return fmt.Errorf("saving account %q: %w", acc.ID, err)
	}

	key := AccountPasswordKey(acc.ID)
	var restore func() error
	if secret != "" {
		if restore, err = p.replaceSecret(key, secret); err != nil {
			return fmt.Errorf("saving account %q: %w (the configuration file was not changed)", acc.ID, err)
		}
	}
	if err := p.writeFile(p.path, data); err != nil {
		if restore != nil {
			if rerr := restore(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("the account's earlier secret could not be put back in the %s: %w", p.secretsName(), rerr))
			}
		}
		return fmt.Errorf("saving account %q: %w", acc.ID, err)
	}
	p.setConfigLocked(next)
	p.onDisk = stateOf(data)
	p.log.Info("account saved", "account", acc.ID, "file", p.path, "replaced", replaced,
		"secret_stored", secret != "", "secret_key", key)
	return nil
}

// DeleteAccount removes the account from the file, then deletes its secrets
// (password and TURN credentials) from the secret store. When the file was
// saved but a secret could not be deleted, the error says which.
func (p *Profile) DeleteAccount(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.writableLocked(); err != nil {
		return fmt.Errorf("deleting account %q: %w", id, err)
	}
	i := p.accountIndexLocked(id)
	if i < 0 {
		return fmt.Errorf("deleting account %q: %s has no account with that id", id, p.path)
	}
	acc := p.cfg.Accounts[i]
	next := p.cfg.Clone()
	next.Accounts = slices.Delete(next.Accounts, i, i+1)
	data, err := encodeConfig(p.path, next)
	if err != nil {
		return err
	}
	if err := p.checkUnchangedLocked(); err != nil {
		return fmt.Errorf("deleting account %q: %w", id, err)
	}
	if err := p.writeFile(p.path, data); err != nil {
		return fmt.Errorf("deleting account %q: %w", id, err)
	}
	p.setConfigLocked(next)
	p.onDisk = stateOf(data)
	p.log.Info("account deleted", "account", id, "file", p.path)

	var errs []error
	for _, key := range accountSecretKeys(acc) {
		err := p.secrets.Delete(key)
		switch {
		case err == nil:
			p.log.Info("secret deleted", "account", id, "secret_key", key)
		case errors.Is(err, ErrSecretNotFound):
		case errors.Is(err, ErrNoKeyring) && acc.PasswordEnv != "":
			// A host without a keyring, as password_env says: nothing is
			// stored there to delete.
			p.log.Debug("no keyring to delete the account's secrets from", "account", id, "secret_key", key)
		default:
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("account %q was removed from %s, but its secrets could not all be deleted from the %s: %w",
			id, p.path, p.secretsName(), errors.Join(errs...))
	}
	return nil
}

// AccountSecret returns the account's password (or HA1) and says where it
// came from, so the app can tell the user plainly: from the environment
// variable the account names in password_env when that is set and not empty
// (source "environment variable RINGDESK_MAIN_PASSWORD"), else from the
// secret store (source "OS keyring").
func (p *Profile) AccountSecret(id string) (value, source string, err error) {
	p.mu.Lock()
	i := p.accountIndexLocked(id)
	var env string
	if i >= 0 {
		env = p.cfg.Accounts[i].PasswordEnv
	}
	p.mu.Unlock()
	if i < 0 {
		return "", "", fmt.Errorf("reading the password of account %q: %s has no account with that id", id, p.path)
	}
	value, source, err = p.Secret(AccountPasswordKey(id), env)
	if err != nil {
		return "", "", fmt.Errorf("no password for account %q: %w", id, err)
	}
	return value, source, nil
}

// Secret returns the secret under key (see the Key functions), preferring
// the environment variable env when env is not empty and the variable is
// set; source says which was used, as AccountSecret's does.
func (p *Profile) Secret(key, env string) (value, source string, err error) {
	if env != "" {
		if v := os.Getenv(env); v != "" {
			source = "environment variable " + env
			p.log.Debug("secret read", "secret_key", key, "source", source)
			return v, source, nil
		}
	}
	v, err := p.secrets.Get(key)
	if err != nil {
		if env != "" {
			return "", "", fmt.Errorf("environment variable %s is not set, and %w", env, err)
		}
		return "", "", err
	}
	source = p.secretsName()
	p.log.Debug("secret read", "secret_key", key, "source", source)
	return v, source, nil
}

// SetSecret stores value under key in the secret store (the API token under
// APITokenKey, a CRM key under CRMSecretKey, ...).
func (p *Profile) SetSecret(key, value string) error {
	if err := p.secrets.Set(key, value); err != nil {
		return err
	}
	p.log.Info("secret stored", "secret_key", key, "store", p.secretsName())
	return nil
}

// replaceSecret stores value under key and returns how to put back what was
// there before.
func (p *Profile) replaceSecret(key, value string) (restore func() error, err error) {
	old, err := p.secrets.Get(key)
	hadOld := err == nil
	if err != nil && !errors.Is(err, ErrSecretNotFound) {
		return nil, err
	}
	if err := p.secrets.Set(key, value); err != nil {
		return nil, err
	}
	return func() error {
		if hadOld {
			return p.secrets.Set(key, old)
		}
		return p.secrets.Delete(key)
	}, nil
}

// writableLocked refuses to save over a file that failed to load.
func (p *Profile) writableLocked() error {
	if p.loadErr == nil {
		return nil
	}
	return fmt.Errorf("%w, so Ringdesk will not overwrite it: fix %s (or move it aside) and restart Ringdesk; the problem: %w",
		ErrConfigNotLoaded, p.path, p.loadErr)
}

// checkUnchangedLocked refuses to save when the file is no longer what the
// profile read or wrote last.
func (p *Profile) checkUnchangedLocked() error {
	now, _, err := readFileState(p.path)
	if err != nil {
		return fmt.Errorf("checking %s before saving: %w", p.path, err)
	}
	if now != p.onDisk {
		return fmt.Errorf("%w since Ringdesk read it (%s); Ringdesk did not overwrite it: restart Ringdesk to load the changes, then try again",
			ErrConfigChanged, p.path)
	}
	return nil
}

func (p *Profile) accountIndexLocked(id string) int {
	return slices.IndexFunc(p.cfg.Accounts, func(a Account) bool { return a.ID == id })
}

// secretsName names the secret store in messages: "OS keyring" for a Keyring.
func (p *Profile) secretsName() string {
	if s, ok := p.secrets.(fmt.Stringer); ok {
		return s.String()
	}
	return "secret store"
}

// fileState identifies the content of the configuration file.
type fileState struct {
	exists bool
	sum    [sha256.Size]byte
}

func stateOf(data []byte) fileState {
	return fileState{exists: true, sum: sha256.Sum256(data)}
}

// readFileState reads path; a missing file is a state, not an error.
func readFileState(path string) (fileState, []byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileState{}, nil, nil
	}
	if err != nil {
		return fileState{}, nil, fmt.Errorf("reading the configuration: %w", err)
	}
	return stateOf(data), data, nil
}
