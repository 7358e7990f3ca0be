package store

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// KeyringService is the service name Ringdesk's secrets are filed under in
// the OS keyring; the key is the item's user name.
const KeyringService = "ringdesk"

// Keyring keeps secrets in the OS keyring through go-keyring: the Secret
// Service on Linux and the BSDs (gnome-keyring, KWallet, KeePassXC), the
// Keychain on macOS, the Credential Manager on Windows.
//
// A call may block while the OS asks the user to unlock the keyring, so the
// GUI calls it off its main goroutine. On Linux, Keyring never starts a D-Bus
// session of its own: with no session bus it returns ErrNoKeyring.
type Keyring struct{}

// NewKeyring returns the OS keyring, under KeyringService.
func NewKeyring() *Keyring { return &Keyring{} }

// Get returns the secret under key.
func (k *Keyring) Get(key string) (string, error) {
	if err := sessionBusMissing(); err != nil {
		return "", keyringError("reading %q from", key, err)
	}
	v, err := keyring.Get(KeyringService, key)
	if err != nil {
		return "", keyringError("reading %q from", key, err)
	}
	return v, nil
}

// Set stores value under key, replacing any earlier value.
func (k *Keyring) Set(key, value string) error {
	if err := sessionBusMissing(); err != nil {
		return keyringError("storing %q in", key, err)
	}
	if err := keyring.Set(KeyringService, key, value); err != nil {
		return keyringError("storing %q in", key, err)
	}
	return nil
}

// Delete removes key from the keyring.
func (k *Keyring) Delete(key string) error {
	if err := sessionBusMissing(); err != nil {
		return keyringError("deleting %q from", key, err)
	}
	if err := keyring.Delete(KeyringService, key); err != nil {
		return keyringError("deleting %q from", key, err)
	}
	return nil
}

// String names the store in messages ("password read from the OS keyring").
func (k *Keyring) String() string { return "OS keyring" }

// keyringError explains err, from the operation on key that op describes
// ("reading %q from"), to the person who must fix it: what is missing and
// what to do.
func keyringError(op, key string, err error) error {
	action := fmt.Sprintf(op, key) + " the OS keyring"
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w under %q in the OS keyring", ErrSecretNotFound, key)
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return fmt.Errorf("%s: the secret is too long for this keyring", action)
	}
	if reason := unavailableReason(err); reason != "" {
		return fmt.Errorf("%s: %w: %s; %s (%v)", action, ErrNoKeyring, reason, withoutKeyringHint(key), err)
	}
	return fmt.Errorf("%s: %w", action, err)
}

// unavailableReason says why err means the keyring cannot be used at all,
// or returns "" when it means something else.
func unavailableReason(err error) string {
	var busErr dbus.Error
	if errors.As(err, &busErr) {
		switch busErr.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return "no Secret Service is running on the D-Bus session"
		case "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.Secret.Error.NoSuchObject":
			return "the keyring has no default collection: create or unlock the \"login\" keyring in your keyring app (e.g. Seahorse)"
		}
		return ""
	}
	var opErr *net.OpError
	switch {
	case errors.Is(err, errNoSessionBus), errors.As(err, &opErr):
		return "no D-Bus session bus is reachable"
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return "this system has no keyring Ringdesk can use"
	case strings.Contains(err.Error(), "failed to unlock"):
		return "the keyring stayed locked"
	}
	return ""
}

// withoutKeyringHint tells how to run without a keyring, for the kind of
// secret key names.
func withoutKeyringHint(key string) string {
	const start = "start a keyring such as gnome-keyring or KeePassXC"
	switch {
	case key == APITokenKey:
		return start + ", or set token_env in [api]"
	case strings.HasPrefix(key, "account/") && strings.Contains(key, "/ice/"):
		return start + ", or set credential_env on the ICE server"
	case strings.HasPrefix(key, "account/"):
		return start + ", or set password_env in the account"
	case strings.HasPrefix(key, "crm/"):
		return start + ", or set secret_env on the CRM provider"
	}
	return start
}
