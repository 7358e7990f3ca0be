package history

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// openSchema opens the database at path as a release knowing only the given
// migrations would, without the rest of Open.
func openSchema(t *testing.T, path string, list []migration) (*sql.DB, error) {
	t.Helper()
	if err := createFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, migrate(context.Background(), db, list)
}

// schemaVersion is the database's PRAGMA user_version.
func schemaVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrationKeepsRows builds a database as the first release did (schema
// version 1, no search columns), fills it the way that release would have,
// then opens it with this one.
func TestMigrationKeepsRows(t *testing.T) {
	path := testPath(t)
	old, err := openSchema(t, path, migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaVersion(t, old); v != 1 {
		t.Fatalf("old schema at version %d, want 1", v)
	}
	ms := func(d time.Duration) int64 { return t0.Add(d).UnixMilli() }
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO runs (id, started_at) VALUES (1, ?)`, []any{ms(0)}},
		{`INSERT INTO calls (run_id, call_id, sip_call_id, account, direction, number, name,
			started_at, answered_at, ended_at, updated_at, duration, status, cause_code, cause_reason,
			cause_message, ended_by, video, headers, data, caller_card)
			VALUES (1, 'c1', 'abc', 'main', 'inbound', '0977 805 845', 'Jane Black', ?, ?, ?, ?, 60, 'ended',
			0, '', '', 'remote', 1, '{"X-Videocall":"true"}', '{"ticket":"7"}', '{"name":"Jane B.","company":"Acme"}')`,
			[]any{ms(0), ms(time.Second), ms(61 * time.Second), ms(61 * time.Second)}},
		{`INSERT INTO calls (run_id, call_id, direction, number, started_at, updated_at, status)
			VALUES (1, 'c2', 'outbound', '1002', ?, ?, 'ringing')`, []any{ms(time.Hour), ms(time.Hour)}},
	} {
		if _, err := old.Exec(stmt.sql, stmt.args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path, WithHeartbeat(0))
	if v := schemaVersion(t, s.db); v != 2 {
		t.Errorf("upgraded schema at version %d, want 2", v)
	}
	got := byID(all(t, s))
	c1 := got["c1"]
	if len(got) != 2 || c1.SIPCallID != "abc" || c1.Number != "0977 805 845" || c1.Name != "Jane Black" ||
		!c1.StartedAt.Equal(t0) || !c1.AnsweredAt.Equal(t0.Add(time.Second)) || c1.Duration != 60 ||
		c1.Status != StatusEnded || !c1.Video || c1.Headers["X-Videocall"] != "true" || c1.Data["ticket"] != "7" ||
		c1.Contact == nil || c1.Contact.Company != "Acme" {
		t.Errorf("after the upgrade: %+v", got)
	}
	if c2 := got["c2"]; c2.Status != StatusInterrupted {
		t.Errorf("the old run's unfinished c2: %s, want interrupted", c2.Status)
	}
	// The upgrade filled in the search columns for the old rows.
	for _, kw := range []string{"0977805845", "805-845", "jane", "acme", "jane b."} {
		p, err := s.List(t.Context(), Query{Keyword: kw})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(p.Docs), []string{"c1"}) {
			t.Errorf("search %q after the upgrade: %v, want [c1]", kw, ids(p.Docs))
		}
	}
	checkIntegrity(t, s)
}

func TestMigrationFailureKeepsLastVersion(t *testing.T) {
	path := testPath(t)
	broken := slices.Clone(migrations[:1])
	broken = append(broken, migration{"half done", func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE half (x)`); err != nil {
			return err
		}
		return errors.New("out of luck")
	}})
	_, err := openSchema(t, path, broken)
	if err == nil || !strings.Contains(err.Error(), `upgrading the schema to version 2 (half done): out of luck`) {
		t.Fatalf("a failing migration: %v", err)
	}
	db, err := openSchema(t, path, migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaVersion(t, db); v != 1 {
		t.Errorf("after the failed upgrade: version %d, want 1", v)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed migration's table is there (%d, %v)", n, err)
	}
	// The full Open then upgrades it.
	s := openAt(t, path, WithHeartbeat(0))
	if v := schemaVersion(t, s.db); v != len(migrations) {
		t.Errorf("after Open: version %d, want %d", v, len(migrations))
	}
}

func TestTooNewSchema(t *testing.T) {
	path := testPath(t)
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path, WithHeartbeat(0))
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open of a schema from the future: %v, want ErrTooNew", err)
	}
	want := "history database " + path + " was written by a newer version of Ringdesk: opening it: " +
		"its schema is version 99, this Ringdesk knows versions up to 2; update Ringdesk, or move the file aside to start a new history"
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
}
