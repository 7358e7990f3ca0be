package history

import (
	"context"
	"slices"
	"testing"
	"time"
)

const day = 24 * time.Hour

// ageFixture records, at now, calls started 50 (unfinished), 40, 31, 29
// and 1 days ago, and returns the database's path.
func ageFixture(t *testing.T, now time.Time) string {
	path := testPath(t)
	s, err := Open(context.Background(), path, WithClock(newClock(now).Now), WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, age := range []int{50, 40, 31, 29, 1} {
		id := cid(i + 1)
		at := now.Add(-time.Duration(age) * day)
		mustStart(t, s, call(id, Outbound, "1002", "", at))
		if id != "c1" {
			finish(t, s, id, at.Add(time.Second), at.Add(time.Minute))
		}
	}
	return path
}

func TestPrune(t *testing.T) {
	now := t0.Add(100 * day)
	path := ageFixture(t, now)
	// The unfinished c1 of that run is interrupted at reopen, so finished.
	s := openAt(t, path, WithClock(newClock(now).Now), WithHeartbeat(0))
	mustStart(t, s, call("c9", Inbound, "1003", "", now.Add(-60*day))) // in progress: kept
	n, err := s.Prune(t.Context(), now.Add(-30*day))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("Prune removed %d calls, want 3 (c1, c2, c3)", n)
	}
	if got := ids(all(t, s)); !slices.Equal(got, []string{"c5", "c4", "c9"}) {
		t.Errorf("after Prune: %v, want [c5 c4 c9]", got)
	}
	if p, err := s.List(t.Context(), Query{Keyword: "1002"}); err != nil || !slices.Equal(ids(p.Docs), []string{"c5", "c4"}) {
		t.Errorf("search after Prune: %v, %v; want [c5 c4]", ids(p.Docs), err)
	}
	checkIntegrity(t, s)
	if n, err := s.Prune(t.Context(), now.Add(-30*day)); n != 0 || err != nil {
		t.Errorf("second Prune: %d, %v; want 0, nil", n, err)
	}
	var runs int
	if err := s.db.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("%d runs kept, want 2 (the fixture's, which has calls left, and this one)", runs)
	}
	if _, err := s.Prune(t.Context(), now.Add(day)); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("%d runs kept after pruning all but c9, want this run only", runs)
	}
}

func TestWithRetention(t *testing.T) {
	now := t0.Add(100 * day)
	path := ageFixture(t, now)
	s := openAt(t, path, WithClock(newClock(now).Now), WithHeartbeat(0), WithRetention(30*day))
	if got := ids(all(t, s)); !slices.Equal(got, []string{"c5", "c4"}) {
		t.Errorf("with 30 days' retention: %v, want [c5 c4]", got)
	}
}
