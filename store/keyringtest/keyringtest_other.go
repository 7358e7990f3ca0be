//go:build !linux

// Package keyringtest gives a test a real, private Secret Service. It needs
// Linux (D-Bus and gnome-keyring); elsewhere Start and StartBus skip the test.
package keyringtest

import (
	"runtime"
	"testing"
)

// Env is a running private session; on this system there is none.
type Env struct {
	// Address is the session bus address.
	Address string
	// Home is the daemons' HOME.
	Home string
}

// PIDs returns the process ids of the daemons: none here.
func (e *Env) PIDs() []int { return nil }

// Start skips the test: a private Secret Service needs Linux.
func Start(t testing.TB) *Env {
	t.Helper()
	t.Skip("SKIPPED (not a pass!) keyringtest: a private Secret Service needs Linux, not " + runtime.GOOS)
	return nil
}

// StartBus skips the test: a private session bus needs Linux.
func StartBus(t testing.TB) *Env {
	t.Helper()
	t.Skip("SKIPPED (not a pass!) keyringtest: a private session bus needs Linux, not " + runtime.GOOS)
	return nil
}
