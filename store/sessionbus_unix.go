//go:build linux || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"os"
)

// errNoSessionBus says no D-Bus session bus is known to this process.
var errNoSessionBus = errors.New("DBUS_SESSION_BUS_ADDRESS is not set and no bus is at /run/user/<uid>/bus")

// sessionBusMissing returns errNoSessionBus when godbus would find no
// session bus and fall back to running dbus-launch, which would leave a
// stray dbus-daemon (and a locked keyring) behind on a headless host.
func sessionBusMissing() error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	runtimeDir := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(runtimeDir + "/" + name); err == nil {
			return nil
		}
	}
	return errNoSessionBus
}
