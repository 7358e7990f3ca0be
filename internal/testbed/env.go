package testbed

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// requireBinary returns the path of the executable name, or ends the test:
// t.Skip with a loud message naming the Debian package when run outside CI,
// t.Fatal when the environment variable CI is non-empty.
func requireBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("%q not found in PATH", name), debianPackage)
	}
	return path
}

// missing ends the test because a peer or one of its parts is not installed.
func missing(t testing.TB, what, debianPackage string) {
	t.Helper()
	msg := fmt.Sprintf("TESTBED: %s: install the Debian package %q (apt-get install -y %s)",
		what, debianPackage, debianPackage)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " [CI is set: a missing peer is a failure, not a skip]")
	}
	t.Skip("SKIPPING, peer missing. " + msg)
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the working directory of the test (go test runs in the package directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testbed: finding the module root: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("testbed: no go.mod in %s or any parent directory", dir)
		}
	}
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free when asked.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testbed: finding a free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreeTCPPort returns a TCP port on 127.0.0.1 that was free when asked.
func FreeTCPPort() (int, error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testbed: finding a free TCP port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreePort returns a port on 127.0.0.1 that was free for both UDP and TCP
// when asked, for a peer that listens with both transports on one port.
func FreePort() (int, error) {
	var lastErr error
	for range 20 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testbed: finding a free TCP+UDP port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			c.Close()
			return port, nil
		}
		lastErr = err
	}
	return 0, fmt.Errorf("testbed: no port free for both TCP and UDP after 20 tries: %w", lastErr)
}
