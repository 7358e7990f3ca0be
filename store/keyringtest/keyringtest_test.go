//go:build linux

package keyringtest_test

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"

	"github.com/ringdesk/ringdesk/store/keyringtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartServesSecretsAndLeavesNothingBehind(t *testing.T) {
	before, hadBefore := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
	var env *keyringtest.Env
	t.Run("session", func(t *testing.T) {
		env = keyringtest.Start(t)
		if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != env.Address {
			t.Fatalf("DBUS_SESSION_BUS_ADDRESS = %q, want %q", got, env.Address)
		}
		if err := keyring.Set("keyringtest", "probe", "value-1"); err != nil {
			t.Fatalf("storing in the private keyring: %v", err)
		}
		got, err := keyring.Get("keyringtest", "probe")
		if err != nil || got != "value-1" {
			t.Fatalf("reading back = %q, %v; want value-1", got, err)
		}
	})
	if env == nil {
		t.Skip("the session was skipped")
	}
	if len(env.PIDs()) != 2 {
		t.Fatalf("PIDs() = %v, want the bus and the keyring", env.PIDs())
	}
	for _, pid := range env.PIDs() {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after cleanup (kill -0: %v)", pid, err)
		}
	}
	if _, err := os.Stat(env.Home); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the daemons' HOME %s is still there (%v)", env.Home, err)
	}
	after, hasAfter := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
	if after != before || hasAfter != hadBefore {
		t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q (set %v) after cleanup, want %q (set %v)", after, hasAfter, before, hadBefore)
	}
}

func TestStartTwiceInARowGivesFreshKeyrings(t *testing.T) {
	for _, round := range []string{"first", "second"} {
		t.Run(round, func(t *testing.T) {
			keyringtest.Start(t)
			if _, err := keyring.Get("keyringtest", "left-over"); !errors.Is(err, keyring.ErrNotFound) {
				t.Fatalf("a fresh keyring holds left-over = %v, want ErrNotFound", err)
			}
			if err := keyring.Set("keyringtest", "left-over", round); err != nil {
				t.Fatalf("storing: %v", err)
			}
		})
	}
}

func TestStartBusHasNoSecretService(t *testing.T) {
	keyringtest.StartBus(t)
	if _, err := keyring.Get("keyringtest", "probe"); err == nil {
		t.Fatal("reading a secret on a bus without a Secret Service succeeded")
	}
}
