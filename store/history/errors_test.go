package history

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

func TestGarbageFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	garbage := bytes.Repeat([]byte("this is not a database, it is a shopping list\n"), 200)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a garbage file: %v, want ErrCorrupt", err)
	}
	var e *Error
	var se *sqlite.Error
	if !errors.As(err, &e) || e.Path != path || !errors.As(err, &se) {
		t.Errorf("the error %#v should be an *Error naming %s over an *sqlite.Error", err, path)
	}
	msg := err.Error()
	for _, want := range []string{
		"history database " + path + " is not a database (file is corrupt?)",
		"move the file aside and Ringdesk will start a new history",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	t.Log(msg)
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, garbage) {
		t.Errorf("Open changed the file it could not read (%v)", err)
	}
}

func TestFolderIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ringdesk")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "history.db")
	_, err := Open(context.Background(), path)
	var e *Error
	if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "history database "+path+": creating its folder: ") {
		t.Errorf("Open under a file: %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Path: "/h.db", Op: "recording the end of call c3", Kind: ErrDiskFull, Err: errors.New("database or disk is full (13)")},
			"history database /h.db cannot grow: the disk is full: recording the end of call c3: database or disk is full (13); free some space; the calls already recorded are kept"},
		{&Error{Path: "/h.db", Op: "listing calls", Err: errors.New("boom")},
			"history database /h.db: listing calls: boom"},
		{&Error{Path: "/h.db", Kind: ErrLocked},
			"history database /h.db is locked by another program; is another copy of Ringdesk running?"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestDamagedFile(t *testing.T) {
	path := testPath(t)
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 200; i++ {
		mustStart(t, s, call(cid(i), Inbound, "0977805845", "Jane Black", t0))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Keep the header (the file still says it is SQLite) and scribble
	// over every page after the first.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 3*4096 {
		t.Fatalf("the database is only %d bytes", len(data))
	}
	for i := 4096; i < len(data); i++ {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), path, WithHeartbeat(0))
	if err == nil {
		defer s.Close()
		_, err = s.List(t.Context(), Query{Keyword: "jane"})
	}
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("a damaged database gave %v, want ErrCorrupt naming the file", err)
	}
}
