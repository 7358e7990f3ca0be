package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// A migration moves the schema one version up, keeping every row. The
// schema's version is SQLite's PRAGMA user_version: the number of migrations
// applied. Migrations are only ever appended to this list; one already
// released is never changed.
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the schema's history, oldest first.
var migrations = []migration{
	{"calls and runs", execAll(
		// A run is one Open of the store: the engine's call ids ("c1")
		// start again each run, so a call is known by (run, call id).
		`CREATE TABLE runs (
			id         INTEGER PRIMARY KEY,
			started_at INTEGER NOT NULL -- Unix milliseconds, as every time here
		)`,
		`CREATE TABLE calls (
			seq           INTEGER PRIMARY KEY,
			run_id        INTEGER NOT NULL REFERENCES runs(id),
			call_id       TEXT    NOT NULL,
			sip_call_id   TEXT    NOT NULL DEFAULT '',
			account       TEXT    NOT NULL DEFAULT '',
			direction     TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
			number        TEXT    NOT NULL DEFAULT '',
			name          TEXT    NOT NULL DEFAULT '',
			started_at    INTEGER NOT NULL,
			answered_at   INTEGER,
			ended_at      INTEGER,
			updated_at    INTEGER NOT NULL, -- the last time the call was touched
			duration      INTEGER NOT NULL DEFAULT 0, -- seconds
			status        TEXT    NOT NULL CHECK (status IN ('ringing', 'answered', 'ended', 'missed', 'interrupted')),
			cause_code    INTEGER NOT NULL DEFAULT 0,
			cause_reason  TEXT    NOT NULL DEFAULT '',
			cause_message TEXT    NOT NULL DEFAULT '',
			ended_by      TEXT    NOT NULL DEFAULT '',
			video         INTEGER NOT NULL DEFAULT 0,
			headers       TEXT    NOT NULL DEFAULT '{}', -- JSON object
			data          TEXT    NOT NULL DEFAULT '{}', -- JSON object
			caller_card   TEXT,                          -- JSON object or NULL
			recording     TEXT    NOT NULL DEFAULT ''
		)`,
		`CREATE UNIQUE INDEX calls_run_call ON calls(run_id, call_id)`,
		`CREATE INDEX calls_started ON calls(started_at)`,
		`CREATE INDEX calls_status_started ON calls(status, started_at)`,
		`CREATE INDEX calls_unfinished ON calls(run_id) WHERE ended_at IS NULL`,
	)},
	{"search by digits and folded names", migrateSearch},
}

// execAll is a migration made of SQL statements run in order.
func execAll(stmts ...string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}
}

// migrateSearch adds the columns keyword search reads (see search.go), fills
// them in for the calls already recorded, and replaces the indexes on
// started_at by ones that also cover every column the history filters on, so
// counting and paging a filtered history reads the index alone and touches
// the table only for the page's rows.
func migrateSearch(ctx context.Context, tx *sql.Tx) error {
	err := execAll(
		`ALTER TABLE calls ADD COLUMN number_digits TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE calls ADD COLUMN search TEXT NOT NULL DEFAULT ''`,
	)(ctx, tx)
	if err != nil {
		return err
	}
	type row struct {
		seq          int64
		number, name string
		card         sql.NullString
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, number, name, caller_card FROM calls`)
	if err != nil {
		return err
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.number, &r.name, &r.card); err != nil {
			_ = rows.Close()
			return err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	update, err := tx.PrepareContext(ctx, `UPDATE calls SET number_digits = ?, search = ? WHERE seq = ?`)
	if err != nil {
		return err
	}
	defer update.Close()
	for _, r := range all {
		var card *CallerCard
		if r.card.Valid {
			card = new(CallerCard)
			if err := json.Unmarshal([]byte(r.card.String), card); err != nil {
				card = nil // an unreadable card is left out of search, not fatal
			}
		}
		if _, err := update.ExecContext(ctx, digitsOnly(r.number), searchText(r.number, r.name, card), r.seq); err != nil {
			return err
		}
	}
	// seq is named in the indexes (it is the rowid, which every index ends
	// with anyway) so that they give newest-first order, ties included,
	// without a sort: a page is read straight off the index.
	return execAll(
		`DROP INDEX calls_started`,
		`DROP INDEX calls_status_started`,
		`CREATE INDEX calls_search ON calls(started_at, seq, direction, status, number_digits, search)`,
		`CREATE INDEX calls_status_search ON calls(status, started_at, seq, direction, number_digits, search)`,
		// A trigram full-text index over the same two columns finds the
		// calls holding a keyword of three characters or more without
		// reading every row (see Query.where).
		`CREATE VIRTUAL TABLE calls_fts USING fts5(search, number_digits,
			content = 'calls', content_rowid = 'seq', tokenize = 'trigram')`,
		`CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
			INSERT INTO calls_fts (rowid, search, number_digits) VALUES (new.seq, new.search, new.number_digits);
		END`,
		`CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
			INSERT INTO calls_fts (calls_fts, rowid, search, number_digits)
				VALUES ('delete', old.seq, old.search, old.number_digits);
		END`,
		`CREATE TRIGGER calls_fts_update AFTER UPDATE OF search, number_digits ON calls BEGIN
			INSERT INTO calls_fts (calls_fts, rowid, search, number_digits)
				VALUES ('delete', old.seq, old.search, old.number_digits);
			INSERT INTO calls_fts (rowid, search, number_digits) VALUES (new.seq, new.search, new.number_digits);
		END`,
		`INSERT INTO calls_fts (calls_fts) VALUES ('rebuild')`,
	)(ctx, tx)
}

// migrate brings the database up to the last of list, one migration per
// transaction, so a failure leaves the file at the last version that
// completed. Each transaction takes the write lock first and reads the
// version inside it, so two processes opening the file at once cannot both
// apply a migration.
func migrate(ctx context.Context, db *sql.DB, list []migration) error {
	for {
		done, err := migrateOne(ctx, db, list)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration of list, or reports done when the
// database is at the last one.
func migrateOne(ctx context.Context, db *sql.DB, list []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, see dsn
	if err != nil {
		return false, fmt.Errorf("starting the schema upgrade: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return false, fmt.Errorf("reading the schema version: %w", err)
	}
	switch {
	case version > len(list):
		return false, &tooNewError{version: version, known: len(list)}
	case version == len(list):
		return true, tx.Rollback()
	}
	m := list[version]
	if err := m.up(ctx, tx); err != nil {
		return false, fmt.Errorf("upgrading the schema to version %d (%s): %w", version+1, m.name, err)
	}
	// PRAGMA takes no bound parameters; version is an int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version+1)); err != nil {
		return false, fmt.Errorf("upgrading the schema to version %d (%s): %w", version+1, m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("upgrading the schema to version %d (%s): %w", version+1, m.name, err)
	}
	return false, nil
}

// tooNewError is a schema version above the last migration this build knows.
type tooNewError struct{ version, known int }

func (e *tooNewError) Error() string {
	return fmt.Sprintf("its schema is version %d, this Ringdesk knows versions up to %d", e.version, e.known)
}
