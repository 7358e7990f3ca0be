package store

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sync"
)

// Secrets keeps secret values (SIP passwords or HA1, the API token, CRM keys)
// by key, outside the configuration file. Keyring keeps them in the OS
// keyring; MemorySecrets keeps them in memory for tests. Implementations are
// safe for concurrent use and never put a value in an error.
type Secrets interface {
	// Get returns the value stored under key, or an error wrapping
	// ErrSecretNotFound when there is none.
	Get(key string) (string, error)
	// Set stores value under key, replacing any earlier value.
	Set(key, value string) error
	// Delete removes key, or returns an error wrapping ErrSecretNotFound
	// when there is none.
	Delete(key string) error
}

// ErrSecretNotFound is wrapped by the error of Secrets.Get and Delete when
// nothing is stored under the key.
var ErrSecretNotFound = errors.New("secret not found")

// ErrNoKeyring is wrapped by Keyring's errors when there is no OS keyring to
// talk to (on Linux: no D-Bus session or no Secret Service on it).
var ErrNoKeyring = errors.New("no OS keyring is available")

// APITokenKey is the key of the local API's token.
const APITokenKey = "api/token"

// AccountPasswordKey returns the key of an account's password, or of its HA1
// when the account has password_is_ha1: "account/<id>/password".
func AccountPasswordKey(accountID string) string {
	return "account/" + accountID + "/password"
}

// ICECredentialKey returns the key of the credential of a TURN server of an
// account: "account/<id>/ice/<username>@<first URL>".
func ICECredentialKey(accountID string, s ICEServer) string {
	first := ""
	if len(s.URLs) > 0 {
		first = s.URLs[0]
	}
	return "account/" + accountID + "/ice/" + s.Username + "@" + first
}

// CRMSecretKey returns the key of a CRM provider's secret (what replaces
// {secret} in its headers): "crm/<provider id>".
func CRMSecretKey(providerID string) string {
	return "crm/" + providerID
}

// SecretKey returns the key of the provider's secret (what replaces {secret}
// in its headers): CRMSecretKey of its id, or of its URL's host when it has
// no id ("crm/crm.example.com").
func (p *CRMProvider) SecretKey() string {
	if p.ID != "" {
		return CRMSecretKey(p.ID)
	}
	if u, err := url.Parse(p.URL); err == nil && u.Host != "" {
		return CRMSecretKey(u.Host)
	}
	return CRMSecretKey(p.Type)
}

// accountSecretKeys lists every key the account may have secrets under.
func accountSecretKeys(a Account) []string {
	keys := []string{AccountPasswordKey(a.ID)}
	for _, s := range a.ICEServers {
		if s.Username != "" {
			keys = append(keys, ICECredentialKey(a.ID, s))
		}
	}
	return keys
}

// MemorySecrets keeps secrets in memory. Other packages' tests use it in
// place of the OS keyring; the zero value is not usable, call
// NewMemorySecrets.
type MemorySecrets struct {
	mu     sync.Mutex
	values map[string]string // guarded by mu
}

// NewMemorySecrets returns an empty MemorySecrets.
func NewMemorySecrets() *MemorySecrets {
	return &MemorySecrets{values: map[string]string{}}
}

// Get returns the value under key.
func (m *MemorySecrets) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	if !ok {
		return "", fmt.Errorf("%w under %q (in-memory secrets)", ErrSecretNotFound, key)
	}
	return v, nil
}

// Set stores value under key.
func (m *MemorySecrets) Set(key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[key] = value
	return nil
}

// Delete removes key.
func (m *MemorySecrets) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.values[key]; !ok {
		return fmt.Errorf("%w under %q (in-memory secrets)", ErrSecretNotFound, key)
	}
	delete(m.values, key)
	return nil
}

// Keys returns the stored keys, sorted, so tests can check what was stored.
func (m *MemorySecrets) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.values))
}

// String names the store in messages ("password read from in-memory secrets").
func (m *MemorySecrets) String() string { return "in-memory secrets" }
