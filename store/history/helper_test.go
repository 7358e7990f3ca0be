package history

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Some tests need a second process: one to kill in the middle of its
// writes, one with a small file size limit, one running as another user.
// They run this test binary again, limited to one TestHelperXxx test, which
// only does its work when helperEnv names it.

const (
	helperEnv   = "RINGDESK_HISTORY_HELPER"    // the helper test to run
	helperDBEnv = "RINGDESK_HISTORY_HELPER_DB" // the database it works on
)

// helperTimeout bounds a helper process's life.
const helperTimeout = 2 * time.Minute

// helperCommand is the command running helper test name of binary on the
// database at db, with the extra environment env. The process is killed if
// the test ends first or it runs past helperTimeout.
func helperCommand(t *testing.T, binary, name, db string, env ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(t.Context(), helperTimeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary, "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, helperDBEnv+"="+db)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// helperDB is the database path a helper process works on; it skips the
// test when the binary was not started as that helper.
func helperDB(t *testing.T) string {
	if os.Getenv(helperEnv) != t.Name() {
		t.Skip("a helper process for another test")
	}
	return os.Getenv(helperDBEnv)
}
