//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package store

import "errors"

// errNoSessionBus is never returned where the keyring is not on D-Bus.
var errNoSessionBus = errors.New("no D-Bus session bus")

// sessionBusMissing returns nil: macOS and Windows keyrings need no D-Bus.
func sessionBusMissing() error { return nil }
