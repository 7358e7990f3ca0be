package history

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkRecordCall is the cost of recording one call: Start and End (a
// missed call), and Start, Answer and End. Each step is a transaction
// synced to disk (synchronous=FULL), so this measures the disk's fsync as
// much as the store.
func BenchmarkRecordCall(b *testing.B) {
	for _, answered := range []bool{false, true} {
		name := "Start+End"
		if answered {
			name = "Start+Answer+End"
		}
		b.Run(name, func(b *testing.B) {
			s := openBench(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				id := cid(i)
				at := t0.Add(time.Duration(i) * time.Second)
				if err := s.Start(ctx, call(id, Inbound, "0977805845", "Jane Black", at)); err != nil {
					b.Fatal(err)
				}
				if answered {
					if err := s.Answer(ctx, id, at.Add(time.Second)); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.End(ctx, id, at.Add(time.Minute), Cause{Code: 200, By: ByRemote}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRows is the size of the history BenchmarkList searches.
const benchRows = 100_000

// BenchmarkList pages and searches a history of benchRows calls, built once
// in one transaction.
func BenchmarkList(b *testing.B) {
	s := openBench(b)
	fillHistory(b, s, benchRows, benchNames)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		q    Query
	}{
		{"page 1", Query{}},
		{"page 500 of 100", Query{Page: 500, PageSize: 100}},
		{"page of 500", Query{PageSize: 500}},
		{"missed", Query{MissedOnly: true}},
		{"outbound page 100", Query{Direction: Outbound, Page: 100}},
		{"keyword digits many", Query{Keyword: "097"}},
		{"keyword digits few", Query{Keyword: "0977 80"}},
		{"keyword digits none", Query{Keyword: "0977 805 845"}},
		{"keyword name many", Query{Keyword: "jane"}},
		{"keyword name none", Query{Keyword: "zzzz"}},
		{"keyword name many page 20", Query{Keyword: "nguyễn", Page: 20}},
		{"keyword short", Query{Keyword: "an"}},
		{"keyword name missed", Query{Keyword: "jane", MissedOnly: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var p Page
			for b.Loop() {
				var err error
				if p, err = s.List(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.TotalDocs), "matches")
		})
	}
}

// openBench opens a new store for a benchmark.
func openBench(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), testPathB(b), WithHeartbeat(0))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func testPathB(b *testing.B) string { return b.TempDir() + "/history.db" }

// benchNames are the display names of the benchmark's calls, equally likely.
var benchNames = []string{"", "", "Jane Black", "Nguyễn Văn An", "Trần Thị Bình", "Acme Support", "Bob"}

// fillHistory inserts n finished calls, one a minute, in one transaction:
// random Vietnamese mobile numbers, a fifth of the inbound ones missed, a
// third outbound, names drawn from names.
func fillHistory(b testing.TB, s *Store, n int, names []string) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	err := s.write(ctx, "filling the benchmark history", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO calls (run_id, call_id, direction, number, name, started_at, answered_at, ended_at,
				updated_at, duration, status, number_digits, search)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			dir, status := Inbound, StatusEnded
			if i%3 == 0 {
				dir = Outbound
			}
			number := fmt.Sprintf("09%08d", rng.IntN(100_000_000))
			name := names[rng.IntN(len(names))]
			start := t0.Add(time.Duration(i) * time.Minute).UnixMilli()
			answered, duration := any(start+5000), 55
			if dir == Inbound && i%5 == 1 {
				status, answered, duration = StatusMissed, nil, 0
			}
			if _, err := stmt.ExecContext(ctx, s.run, fmt.Sprintf("b%d", i), dir, number, name, start, answered,
				start+60_000, start+60_000, duration, status, digitsOnly(number), searchText(number, name, nil)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
