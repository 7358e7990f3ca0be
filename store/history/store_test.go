package history

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestOpenCreatesPrivateFolderAndFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	path := testPath(t)
	s := openAt(t, path, WithHeartbeat(0))
	mustStart(t, s, call("c1", Inbound, "1002", "", t0)) // makes the -wal file hold a commit
	for p, want := range map[string]os.FileMode{
		filepath.Dir(path): 0o700 | os.ModeDir,
		path:               0o600,
		path + "-wal":      0o600,
		path + "-shm":      0o600,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
		}
	}
}

func TestOpenSettings(t *testing.T) {
	s := openTest(t)
	for name, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"busy_timeout": strconv.FormatInt(busyTimeout.Milliseconds(), 10),
		"user_version": strconv.Itoa(len(migrations)),
	} {
		if got := pragma(t, s, name); got != want {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	// Characters a DSN or a URI would take for syntax.
	path := filepath.Join(t.TempDir(), "a?b#c %41&d=e", "history.db")
	s := openAt(t, path, WithHeartbeat(0))
	mustStart(t, s, call("c1", Inbound, "1002", "", t0))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %s, want %s", s.Path(), path)
	}
}

func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s := openAt(t, filepath.Join("sub", "history.db"), WithHeartbeat(0))
	if !filepath.IsAbs(s.Path()) {
		t.Errorf("Path() = %s, want an absolute path", s.Path())
	}
}

func TestDefaultPath(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME is the Linux (and BSD) config folder")
	}
	t.Setenv("XDG_CONFIG_HOME", "/home/agent/.config")
	got, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := "/home/agent/.config/ringdesk/history.db"; got != want {
		t.Errorf("DefaultPath() = %s, want %s", got, want)
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Open(context.Background(), testPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestUseAfterCloseFails(t *testing.T) {
	s, err := Open(context.Background(), testPath(t), WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), call("c1", Inbound, "1002", "", t0)); err == nil {
		t.Error("Start after Close succeeded")
	}
	if _, err := s.List(context.Background(), Query{}); err == nil {
		t.Error("List after Close succeeded")
	}
}

func TestHeartbeatLoop(t *testing.T) {
	// The clock moves a minute each time it is read and reports each read,
	// so the test knows when heartbeats have run without sleeping.
	var (
		reads = make(chan time.Time, 100)
		clock = newClock(t0)
	)
	now := func() time.Time {
		n := clock.Now()
		clock.Set(n.Add(time.Minute))
		select {
		case reads <- n:
		default:
		}
		return n
	}
	path := testPath(t)
	s, err := Open(context.Background(), path, WithClock(now), WithHeartbeat(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c := call("c1", Outbound, "1002", "", time.Time{})
	if err := s.Start(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(t.Context(), "c1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	for len(reads) > 0 {
		<-reads
	}
	// Two reads by the heartbeat: the first heartbeat has committed when
	// the second begins, since writes are serialised.
	<-reads
	<-reads
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openAt(t, path, WithHeartbeat(0))
	got := all(t, s2)[0]
	if got.Status != StatusInterrupted || got.AnsweredAt.IsZero() || !got.EndedAt.After(got.AnsweredAt) || got.Duration < 60 {
		t.Errorf("after heartbeats: status %s, answered %v, ended %v, duration %d; want interrupted, ended at a heartbeat after the answer",
			got.Status, got.AnsweredAt, got.EndedAt, got.Duration)
	}
}
