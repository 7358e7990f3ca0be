//go:build unix

package history

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user a root test runs the read-only cases as: file modes do
// not stop root.
const nobody = 65534

// access makes files read-only or writable for the user who opens the
// database in the read-only tests: this test's user, or nobody when the
// test runs as root.
type access struct{ asNobody bool }

// deny leaves path readable but not writable for that user.
func (a access) deny(t *testing.T, path string) {
	t.Helper()
	mode := os.FileMode(0o444)
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if fi.IsDir() {
		mode = 0o555
	}
	if a.asNobody {
		mode |= 0o200 // root's: it may write, nobody may not
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(path, mode|0o700) }) // let TempDir remove it
}

// allow makes path writable for that user.
func (a access) allow(t *testing.T, path string) {
	t.Helper()
	if a.asNobody {
		if err := os.Chown(path, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
}

// readOnlyResult is what opening and writing the database gave.
type readOnlyResult struct {
	ReadOnly bool   `json:"readOnly"`
	Msg      string `json:"msg"`
}

// TestReadOnly opens a history its user may not write, in the three ways
// that happens, and expects ErrReadOnly naming the file, with the calls
// already in the file untouched.
func TestReadOnly(t *testing.T) {
	a := access{asNobody: os.Geteuid() == 0}
	var binary string
	if a.asNobody {
		binary = copyTestBinary(t)
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir, path string)
	}{
		{"new database in a read-only folder", func(t *testing.T, dir, path string) {
			a.deny(t, dir)
		}},
		{"read-only database file", func(t *testing.T, dir, path string) {
			a.deny(t, path)
			a.allow(t, dir)
		}},
		{"writable file in a read-only folder", func(t *testing.T, dir, path string) {
			// WAL needs to create history.db-wal and -shm beside it.
			a.allow(t, path)
			a.deny(t, dir)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(publicTempDir(t, a.asNobody), "ringdesk")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "history.db")
			if tc.name != "new database in a read-only folder" {
				writeOneCall(t, path)
			}
			tc.prepare(t, dir, path)

			var got readOnlyResult
			if a.asNobody {
				got = runAsNobody(t, binary, path)
			} else {
				got = tryToWrite(path)
			}
			if !got.ReadOnly || !strings.Contains(got.Msg, "history database "+path+" cannot be written") {
				t.Errorf("got %+v; want ErrReadOnly naming %s", got, path)
			}
			t.Log(got.Msg)
			if tc.name != "new database in a read-only folder" {
				checkOneCall(t, path)
			}
		})
	}
}

// publicTempDir is a temporary folder; for a test running as nobody, it and
// its parent are opened to all, as the test binary's copy is.
func publicTempDir(t *testing.T, public bool) string {
	dir := t.TempDir()
	if public {
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// writeOneCall makes a database at path holding one finished call.
func writeOneCall(t *testing.T, path string) {
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	mustStart(t, s, call("c1", Inbound, "1002", "", t0))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Fatalf("%s%s is left after Close", path, side)
		}
	}
}

// checkOneCall checks, as this test's user, that the call writeOneCall made
// is still there.
func checkOneCall(t *testing.T, path string) {
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path, WithHeartbeat(0))
	if got := all(t, s); len(got) != 1 || got[0].ID != "c1" {
		t.Errorf("after the failed open, the history holds %v, want [c1]", ids(got))
	}
}

// tryToWrite opens the database at path and records a call.
func tryToWrite(path string) readOnlyResult {
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err == nil {
		err = s.Start(context.Background(), call("c2", Inbound, "1003", "", t0))
		err = errors.Join(err, s.Close())
	}
	if err == nil {
		return readOnlyResult{Msg: "the database was written"}
	}
	return readOnlyResult{ReadOnly: errors.Is(err, ErrReadOnly), Msg: err.Error()}
}

// copyTestBinary copies this test binary where nobody may run it (go test
// builds it in a folder only its user may enter).
func copyTestBinary(t *testing.T) string {
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(publicTempDir(t, true), "history.test")
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// runAsNobody runs tryToWrite as nobody in a helper process.
func runAsNobody(t *testing.T, binary, path string) readOnlyResult {
	cmd := helperCommand(t, binary, "TestHelperReadOnly", path)
	cmd.Dir = filepath.Dir(binary)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the helper running as nobody failed: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var r readOnlyResult
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Msg != "" {
			return r
		}
	}
	t.Fatalf("the helper printed no result:\n%s", out)
	return readOnlyResult{}
}

// TestHelperReadOnly is TestReadOnly's process running as nobody.
func TestHelperReadOnly(t *testing.T) {
	path := helperDB(t)
	b, err := json.Marshal(tryToWrite(path))
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.Write(append(b, '\n'))
}
