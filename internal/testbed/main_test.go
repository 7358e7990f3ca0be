package testbed

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a started peer outlived the tests or a
// goroutine leaked (go.uber.org/goleak).
func TestMain(m *testing.M) {
	code := m.Run()
	for pid, name := range startedPIDs() {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(os.Stderr, "testbed: %s (pid %d) still running after all tests\n", name, pid)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
