package history

import (
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// searchFixture records calls to search through; cN started N minutes after
// t0, so the newest is the last.
func searchFixture(t *testing.T) *Store {
	s := openTest(t)
	calls := []struct {
		dir          Direction
		number, name string
		answered     bool
		card         *CallerCard
	}{
		{Inbound, "0977805845", "Jane Black", true, nil},                              // c1
		{Inbound, "+84 977 805 845", "", false, nil},                                  // c2
		{Outbound, "1002", "Nguyễn Văn An", true, nil},                                // c3
		{Inbound, "0901234567", "", false, &CallerCard{Name: "Bob", Company: "Acme"}}, // c4
		{Outbound, "sip:alice@pbx.example.com", "ALICE", true, nil},                   // c5
		{Inbound, "100%_x", "Percent", true, nil},                                     // c6
	}
	for i, c := range calls {
		id := cid(i + 1)
		at := t0.Add(time.Duration(i+1) * time.Minute)
		in := call(id, c.dir, c.number, c.name, at)
		in.Contact = c.card
		mustStart(t, s, in)
		var answer time.Time
		if c.answered {
			answer = at.Add(time.Second)
		}
		finish(t, s, id, answer, at.Add(10*time.Second))
	}
	return s
}

func TestSearch(t *testing.T) {
	s := searchFixture(t)
	cases := []struct {
		q    Query
		want []string // newest first
	}{
		{Query{}, []string{"c6", "c5", "c4", "c3", "c2", "c1"}},
		{Query{Keyword: "0977805845"}, []string{"c1"}},
		{Query{Keyword: "0977 805 845"}, []string{"c1"}},
		{Query{Keyword: "977-805-845"}, []string{"c2", "c1"}},
		{Query{Keyword: "(977) 805.845"}, []string{"c2", "c1"}},
		{Query{Keyword: "+84 977"}, []string{"c2"}},
		{Query{Keyword: "  805845 "}, []string{"c2", "c1"}},
		{Query{Keyword: "jane"}, []string{"c1"}},
		{Query{Keyword: "BLACK"}, []string{"c1"}},
		{Query{Keyword: "nguyễn"}, []string{"c3"}},
		{Query{Keyword: "NGUYỄN VĂN"}, []string{"c3"}},
		{Query{Keyword: "alice"}, []string{"c5"}},
		{Query{Keyword: "@PBX"}, []string{"c5"}},
		{Query{Keyword: "acme"}, []string{"c4"}}, // the caller card's company
		{Query{Keyword: "bob"}, []string{"c4"}},  // the caller card's name
		{Query{Keyword: "100%"}, []string{"c6"}}, // % is not a wildcard
		{Query{Keyword: "%"}, []string{"c6"}},    // nor alone
		{Query{Keyword: "_"}, []string{"c6"}},    // nor _
		{Query{Keyword: "jane 09"}, []string{}},  // letters: no digits-only match
		{Query{Keyword: "nobody"}, []string{}},
		{Query{Direction: Outbound}, []string{"c5", "c3"}},
		{Query{Direction: Inbound, Keyword: "805"}, []string{"c2", "c1"}},
		{Query{MissedOnly: true}, []string{"c4", "c2"}},
		{Query{MissedOnly: true, Keyword: "0977"}, []string{}},
		{Query{MissedOnly: true, Keyword: "977"}, []string{"c2"}},
		{Query{MissedOnly: true, Direction: Outbound}, []string{}},
	}
	for _, tc := range cases {
		p, err := s.List(t.Context(), tc.q)
		if err != nil {
			t.Errorf("List(%+v): %v", tc.q, err)
			continue
		}
		if got := ids(p.Docs); !slices.Equal(got, tc.want) || p.TotalDocs != len(tc.want) {
			t.Errorf("List(%+v) = %v (totalDocs %d), want %v", tc.q, got, p.TotalDocs, tc.want)
		}
	}
}

func TestListRejectsBadDirection(t *testing.T) {
	s := openTest(t)
	if _, err := s.List(t.Context(), Query{Direction: "up"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("List with direction up: %v, want ErrInvalid", err)
	}
}

func TestPaging(t *testing.T) {
	s := openTest(t)
	empty, err := s.List(t.Context(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Page{Docs: []Call{}, TotalDocs: 0, Limit: 100, TotalPages: 1, Page: 1}); !reflect.DeepEqual(empty, want) {
		t.Errorf("empty history: %+v, want %+v", empty, want)
	}
	// 23 calls; c1..c20 start a second apart, c21..c23 at the same time
	// as c20 (newest first breaks the tie by insertion).
	for i := 1; i <= 23; i++ {
		at := t0.Add(time.Duration(min(i, 20)) * time.Second)
		mustStart(t, s, call(cid(i), Inbound, "1002", "", at))
	}
	cases := []struct {
		q                             Query
		wantPage, wantLimit, wantDocs int
		wantFirst                     string
		wantPages                     int
	}{
		{Query{PageSize: 10}, 1, 10, 10, "c23", 3},
		{Query{PageSize: 10, Page: 2}, 2, 10, 10, "c13", 3},
		{Query{PageSize: 10, Page: 3}, 3, 10, 3, "c3", 3},
		{Query{PageSize: 10, Page: 4}, 4, 10, 0, "", 3},
		{Query{PageSize: 10, Page: math.MaxInt}, math.MaxInt, 10, 0, "", 3},
		{Query{PageSize: 10, Page: 0}, 1, 10, 10, "c23", 3},
		{Query{PageSize: 10, Page: -3}, 1, 10, 10, "c23", 3},
		{Query{PageSize: 23}, 1, 23, 23, "c23", 1},
		{Query{PageSize: 22}, 1, 22, 22, "c23", 2},
		{Query{PageSize: 1, Page: 23}, 23, 1, 1, "c1", 23},
		{Query{}, 1, DefaultPageSize, 23, "c23", 1},
		{Query{PageSize: -1}, 1, DefaultPageSize, 23, "c23", 1},
		{Query{PageSize: 100_000}, 1, MaxPageSize, 23, "c23", 1},
	}
	for _, tc := range cases {
		p, err := s.List(t.Context(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		first := ""
		if len(p.Docs) > 0 {
			first = p.Docs[0].ID
		}
		if p.Page != tc.wantPage || p.Limit != tc.wantLimit || len(p.Docs) != tc.wantDocs ||
			first != tc.wantFirst || p.TotalPages != tc.wantPages || p.TotalDocs != 23 {
			t.Errorf("List(%+v): page %d, limit %d, %d docs from %q, totalPages %d, totalDocs %d; want %d, %d, %d from %q, %d, 23",
				tc.q, p.Page, p.Limit, len(p.Docs), first, p.TotalPages, p.TotalDocs,
				tc.wantPage, tc.wantLimit, tc.wantDocs, tc.wantFirst, tc.wantPages)
		}
	}
	// The pages put together are the whole history, newest first, once.
	var joined []string
	for page := 1; page <= 5; page++ {
		p, err := s.List(t.Context(), Query{PageSize: 5, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, ids(p.Docs)...)
	}
	want := []string{"c23", "c22", "c21", "c20"}
	for i := 19; i >= 1; i-- {
		want = append(want, cid(i))
	}
	if !slices.Equal(joined, want) {
		t.Errorf("pages joined: %v\nwant %v", joined, want)
	}
}

func TestPageJSON(t *testing.T) {
	s := searchFixture(t)
	p, err := s.List(t.Context(), Query{PageSize: 2, Keyword: "jane"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range got {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"docs", "limit", "page", "totalDocs", "totalPages"}; !slices.Equal(keys, want) {
		t.Errorf("page keys %v, want %v", keys, want)
	}
	doc := got["docs"].([]any)[0].(map[string]any)
	for k, want := range map[string]any{
		"id": "c1", "sipCallId": "sip-c1", "account": "main", "direction": "inbound",
		"number": "0977805845", "name": "Jane Black", "status": "ended", "video": false,
		"startedAt": "2026-11-23T09:16:02.114Z", "answeredAt": "2026-11-23T09:16:03.114Z",
		"endedAt": "2026-11-23T09:16:12.114Z", "duration": 9.0,
	} {
		if doc[k] != want {
			t.Errorf("doc[%q] = %#v, want %#v", k, doc[k], want)
		}
	}
	if cause, _ := doc["cause"].(map[string]any); cause["code"] != 200.0 || cause["by"] != "remote" {
		t.Errorf("doc cause = %#v", doc["cause"])
	}
	if _, ok := doc["contact"]; ok {
		t.Errorf("a call with no card has a contact: %v", doc["contact"])
	}
	for _, k := range []string{"headers", "data"} {
		if m, ok := doc[k].(map[string]any); !ok || len(m) != 0 {
			t.Errorf("doc[%q] = %#v, want {}", k, doc[k])
		}
	}
}

// TestListMatchesReference checks List against a plain Go filter over a
// history of 1,200 calls, with limits that make every way of matching a
// keyword happen: short keywords scanned, rare ones through the trigram
// index, common ones (over the limits) counted by the index and scanned in
// newest-first order, or counted by the scan when filtered.
func TestListMatchesReference(t *testing.T) {
	s := openTest(t, func(o *options) { o.sparse = sparseLimits{plain: 100, filtered: 1000} })
	names := slices.Repeat([]string{"Jane Black"}, 24) // about 1,100: over the filtered limit
	names = append(names, "Nguyễn Văn An", "Bob \"The\" Builder")
	fillHistory(t, s, 1_200, names)
	type ref struct {
		seq               int64
		number, name      string
		direction, status string
	}
	var rows []ref // newest first
	r, err := s.db.Query(`SELECT seq, number, name, direction, status FROM calls ORDER BY started_at DESC, seq DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var x ref
		if err := r.Scan(&x.seq, &x.number, &x.name, &x.direction, &x.status); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, x)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	matches := func(q Query, x ref) bool {
		if q.Direction != "" && string(q.Direction) != x.direction || q.MissedOnly && x.status != "missed" {
			return false
		}
		k := parseKeyword(q.Keyword)
		return k.text == "" || strings.Contains(fold(x.number)+"\n"+fold(x.name), k.text) ||
			k.digits != "" && strings.Contains(digitsOnly(x.number), k.digits)
	}
	for _, tc := range []struct {
		q    Query
		path string
	}{
		{Query{Keyword: "ja"}, "short"},
		{Query{Keyword: "jane"}, "dense"},
		{Query{Keyword: "jane", Page: 7}, "dense"},
		{Query{Keyword: "black", Direction: Inbound}, "dense filtered"},
		{Query{Keyword: "black", MissedOnly: true, Page: 2}, "dense filtered"},
		{Query{Keyword: "a", MissedOnly: true}, "short"},
		{Query{Keyword: "e", Direction: Outbound}, "short"},
		{Query{Keyword: "nguyễn"}, "index"},
		{Query{Keyword: "NGUYỄN", MissedOnly: true}, "index"},
		{Query{Keyword: `"the"`}, "index"}, // quotes inside an FTS phrase
		{Query{Keyword: "0977"}, "index"},
		{Query{Keyword: "09 7"}, "dense"},
		{Query{Keyword: "09", Page: 3}, "short"},
		{Query{Keyword: "jane bob"}, "index"},
		{Query{Direction: Outbound, Page: 5}, "none"},
	} {
		q := tc.q
		if path := selectionPath(t, s, q); path != tc.path {
			t.Errorf("List(%+v) goes by %s, want %s", q, path, tc.path)
		}
		var want []int64
		for _, x := range rows {
			if matches(q, x) {
				want = append(want, x.seq)
			}
		}
		p, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		var got []int64
		for _, c := range p.Docs {
			got = append(got, c.HistoryID)
		}
		from := min(len(want), (p.Page-1)*p.Limit)
		wantPage := want[from:min(len(want), from+p.Limit)]
		if p.TotalDocs != len(want) || !slices.Equal(got, wantPage) {
			t.Errorf("List(%+v): totalDocs %d, page of %d; want %d, page of %d (equal: %v)",
				q, p.TotalDocs, len(got), len(want), len(wantPage), slices.Equal(got, wantPage))
		}
	}
}

// selectionPath names the way List finds q's calls.
func selectionPath(t *testing.T, s *Store, q Query) string {
	tx, err := s.db.BeginTx(t.Context(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	sel, err := s.selection(t.Context(), tx, q)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case strings.Contains(sel.where, "calls_fts"):
		return "index"
	case !strings.Contains(sel.where, "instr"):
		return "none"
	case !parseKeyword(q.Keyword).indexable():
		return "short"
	case sel.total >= 0:
		return "dense"
	}
	return "dense filtered"
}
