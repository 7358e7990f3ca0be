package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// write runs fn in one read-write transaction (BEGIN IMMEDIATE) and commits
// it, holding writeMu so that writers of this process queue in Go rather
// than in SQLite's busy loop. A failure rolls everything in fn back: what
// was committed before stays as it was.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbError(s.path, op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return dbError(s.path, op, err)
	}
	if err := tx.Commit(); err != nil {
		return dbError(s.path, op, err)
	}
	return nil
}

// beginRun closes the calls earlier runs left unfinished (see Open) and
// records this run, in one transaction.
func (s *Store) beginRun(ctx context.Context) error {
	return s.write(ctx, "starting a run", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE calls SET status = 'interrupted', ended_at = updated_at,
				duration = CASE WHEN answered_at IS NULL THEN 0
					ELSE max(0, (updated_at - answered_at + 500) / 1000) END
			WHERE ended_at IS NULL`)
		if err != nil {
			return fmt.Errorf("closing the calls of the last run: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO runs (started_at) VALUES (?)`, millis(s.now()))
		if err != nil {
			return err
		}
		if s.run, err = res.LastInsertId(); err != nil {
			return err
		}
		s.interrupted = int(n)
		return nil
	})
}

// Start records a call as it begins (dialled, or arriving), with status
// StatusRinging. The fields the store fills in (HistoryID, Status,
// AnsweredAt, EndedAt, Duration, Cause, Recording) are ignored; a zero
// StartedAt means now. c.ID must be new in this Store (ErrDuplicate) and
// c.Direction inbound or outbound (ErrInvalid).
func (s *Store) Start(ctx context.Context, c Call) error {
	op := fmt.Sprintf("recording the start of call %s", c.ID)
	switch {
	case c.ID == "":
		return fmt.Errorf("history: recording the start of a call: no call id: %w", ErrInvalid)
	case !c.Direction.valid():
		return fmt.Errorf("history: %s: direction %q is not inbound or outbound: %w", op, c.Direction, ErrInvalid)
	}
	started := c.StartedAt
	if started.IsZero() {
		started = s.now()
	}
	headers, err := jsonObject(c.Headers)
	if err != nil {
		return fmt.Errorf("history: %s: headers: %w", op, err)
	}
	data, err := jsonObject(c.Data)
	if err != nil {
		return fmt.Errorf("history: %s: data: %w", op, err)
	}
	card, err := cardJSON(c.Contact)
	if err != nil {
		return fmt.Errorf("history: %s: caller card: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO calls (run_id, call_id, sip_call_id, account, direction, number, name,
				started_at, updated_at, status, video, headers, data, caller_card,
				number_digits, search)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ringing', ?, ?, ?, ?, ?, ?)`,
			s.run, c.ID, c.SIPCallID, c.Account, string(c.Direction), c.Number, c.Name,
			millis(started), millis(started), c.Video, headers, data, card,
			digitsOnly(c.Number), searchText(c.Number, c.Name, c.Contact))
		if isUniqueViolation(err) {
			return fmt.Errorf("history: %s: %w", op, ErrDuplicate)
		}
		return err
	})
}

// Answer records that call id was answered at at (zero means now); the call
// becomes StatusAnswered. A call already answered or ended gives ErrState.
func (s *Store) Answer(ctx context.Context, id string, at time.Time) error {
	op := fmt.Sprintf("recording the answer of call %s", id)
	at = s.orNow(at)
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE calls SET answered_at = ?1, status = 'answered', updated_at = max(updated_at, ?1)
			WHERE run_id = ?2 AND call_id = ?3 AND answered_at IS NULL AND ended_at IS NULL`,
			millis(at), s.run, id)
		return s.checkOne(ctx, tx, op, id, res, err)
	})
}

// End records that call id ended at at (zero means now), and why. The call
// becomes StatusEnded, or StatusMissed when it was inbound and never
// answered; its Duration is the time from answer to end, rounded to the
// nearest second. A call already ended gives ErrState.
func (s *Store) End(ctx context.Context, id string, at time.Time, cause Cause) error {
	op := fmt.Sprintf("recording the end of call %s", id)
	at = s.orNow(at)
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE calls SET ended_at = ?1, updated_at = max(updated_at, ?1),
				status = CASE WHEN answered_at IS NOT NULL THEN 'ended'
					WHEN direction = 'inbound' THEN 'missed' ELSE 'ended' END,
				duration = CASE WHEN answered_at IS NULL THEN 0
					ELSE max(0, (?1 - answered_at + 500) / 1000) END,
				cause_code = ?2, cause_reason = ?3, cause_message = ?4, ended_by = ?5
			WHERE run_id = ?6 AND call_id = ?7 AND ended_at IS NULL`,
			millis(at), cause.Code, cause.Reason, cause.Message, string(cause.By), s.run, id)
		return s.checkOne(ctx, tx, op, id, res, err)
	})
}

// SetCallerCard records the caller card shown for call id (a CRM lookup may
// answer after the call ended; that is fine). Keyword search then also
// matches the card's name and company.
func (s *Store) SetCallerCard(ctx context.Context, id string, card CallerCard) error {
	op := fmt.Sprintf("recording the caller card of call %s", id)
	js, err := cardJSON(&card)
	if err != nil {
		return fmt.Errorf("history: %s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		var number, name string
		err := tx.QueryRowContext(ctx, `SELECT number, name FROM calls WHERE run_id = ? AND call_id = ?`,
			s.run, id).Scan(&number, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("history: %s: %w", op, ErrNotFound)
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE calls SET caller_card = ?, search = ?, updated_at = max(updated_at, ?)
			WHERE run_id = ? AND call_id = ?`,
			js, searchText(number, name, &card), millis(s.now()), s.run, id)
		return err
	})
}

// SetData replaces the user data attached to call id, during or after the
// call.
func (s *Store) SetData(ctx context.Context, id string, data map[string]any) error {
	op := fmt.Sprintf("recording the data of call %s", id)
	js, err := jsonObject(data)
	if err != nil {
		return fmt.Errorf("history: %s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE calls SET data = ?, updated_at = max(updated_at, ?) WHERE run_id = ? AND call_id = ?`,
			js, millis(s.now()), s.run, id)
		return s.checkOne(ctx, tx, op, id, res, err)
	})
}

// heartbeat marks this run's calls in progress as alive now, so that if
// Ringdesk stops, the next Open ends them at about the time it stopped.
func (s *Store) heartbeat(ctx context.Context) error {
	return s.write(ctx, "noting the calls in progress", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE calls SET updated_at = max(updated_at, ?) WHERE run_id = ? AND ended_at IS NULL`,
			millis(s.now()), s.run)
		return err
	})
}

// checkOne turns an UPDATE of call id that changed no row into ErrNotFound
// or ErrState, saying which step the call is at.
func (s *Store) checkOne(ctx context.Context, tx *sql.Tx, op, id string, res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM calls WHERE run_id = ? AND call_id = ?`, s.run, id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("history: %s: %w", op, ErrNotFound)
	case err != nil:
		return err
	}
	return fmt.Errorf("history: %s: the call is %s: %w", op, status, ErrState)
}

// orNow is at, or the store's clock when at is zero.
func (s *Store) orNow(at time.Time) time.Time {
	if at.IsZero() {
		return s.now()
	}
	return at
}

// millis is t as Unix milliseconds, the form every time takes in the file.
func millis(t time.Time) int64 { return t.UnixMilli() }

// jsonObject encodes a map as a JSON object; nil becomes {}.
func jsonObject[M ~map[string]V, V any](m M) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// cardJSON encodes a caller card; nil becomes SQL NULL.
func cardJSON(card *CallerCard) (sql.NullString, error) {
	if card == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(card)
	return sql.NullString{String: string(b), Valid: true}, err
}
