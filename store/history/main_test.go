package history

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is the start of the tests' fake time.
var t0 = time.Date(2026, 11, 23, 9, 15, 2, 114_000_000, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time // guarded by mu
}

func newClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// testPath is a database path in a folder that does not exist yet.
func testPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "ringdesk", "history.db")
}

// openAt opens the store at path for the test and closes it at cleanup.
func openAt(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openTest opens a new store with the heartbeat off.
func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	return openAt(t, testPath(t), append([]Option{WithHeartbeat(0)}, opts...)...)
}

// call is a call as the engine would Start it.
func call(id string, dir Direction, number, name string, at time.Time) Call {
	return Call{ID: id, SIPCallID: "sip-" + id, Account: "main", Direction: dir, Number: number, Name: name, StartedAt: at}
}

// mustStart starts c or fails the test.
func mustStart(t testing.TB, s *Store, c Call) {
	t.Helper()
	if err := s.Start(context.Background(), c); err != nil {
		t.Fatalf("Start(%s): %v", c.ID, err)
	}
}

// finish answers (unless answer is zero) and ends call id.
func finish(t testing.TB, s *Store, id string, answer, end time.Time) {
	t.Helper()
	ctx := context.Background()
	if !answer.IsZero() {
		if err := s.Answer(ctx, id, answer); err != nil {
			t.Fatalf("Answer(%s): %v", id, err)
		}
	}
	if err := s.End(ctx, id, end, Cause{Code: 200, By: ByRemote}); err != nil {
		t.Fatalf("End(%s): %v", id, err)
	}
}

// all lists every call of s, newest first.
func all(t testing.TB, s *Store) []Call {
	t.Helper()
	p, err := s.List(context.Background(), Query{PageSize: MaxPageSize})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if p.TotalDocs > MaxPageSize {
		t.Fatalf("all: %d calls, more than a page", p.TotalDocs)
	}
	return p.Docs
}

// byID indexes calls by their engine id.
func byID(calls []Call) map[string]Call {
	m := make(map[string]Call, len(calls))
	for _, c := range calls {
		m[c.ID] = c
	}
	return m
}

// ids lists the engine ids of calls, in order.
func ids(calls []Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.ID
	}
	return out
}

// pragma reads one PRAGMA's value as text.
func pragma(t *testing.T, s *Store, name string) string {
	t.Helper()
	var v string
	if err := s.db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// cid is the engine id of the i-th call.
func cid(i int) string { return fmt.Sprintf("c%d", i) }

// checkIntegrity runs SQLite's integrity check and the full-text index's.
func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	var result string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Errorf("integrity_check: %q, %v", result, err)
	}
	if _, err := s.db.Exec(`INSERT INTO calls_fts (calls_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("the full-text index does not match the calls: %v", err)
	}
}
