package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Page sizes of List.
const (
	// DefaultPageSize is the page size when a Query gives none.
	DefaultPageSize = 100
	// MaxPageSize is the largest page List returns.
	MaxPageSize = 500
)

// Query selects calls from the history, as GET /v1/history's parameters do.
type Query struct {
	// Page is the 1-based page number; less than 1 means 1.
	Page int
	// PageSize is the number of calls per page: DefaultPageSize when 0 or
	// less, at most MaxPageSize.
	PageSize int
	// Keyword, when set, keeps the calls whose number, display name or
	// caller card name or company contains it, ignoring case; a keyword
	// that looks like a number ("0977 805 845") is also matched by its
	// digits alone against the number's digits.
	Keyword string
	// Direction, when set, keeps the calls of that direction.
	Direction Direction
	// MissedOnly keeps the missed calls only.
	MissedOnly bool
}

// Page is one page of the history, in the shape GET /v1/history answers.
type Page struct {
	// Docs are the page's calls, newest first; never nil.
	Docs []Call `json:"docs"`
	// TotalDocs is the number of calls the query matches, over all pages.
	TotalDocs int `json:"totalDocs"`
	// Limit is the page size used.
	Limit int `json:"limit"`
	// TotalPages is the number of pages, at least 1 (an empty history has
	// one empty page).
	TotalPages int `json:"totalPages"`
	// Page is the 1-based number of this page. A page past the last one
	// is returned empty, with its number.
	Page int `json:"page"`
}

// normalize applies the defaults and bounds of Query's fields.
func (q Query) normalize() (Query, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	switch {
	case q.PageSize <= 0:
		q.PageSize = DefaultPageSize
	case q.PageSize > MaxPageSize:
		q.PageSize = MaxPageSize
	}
	if q.Direction != "" && !q.Direction.valid() {
		return q, fmt.Errorf("history: direction %q is not inbound or outbound: %w", q.Direction, ErrInvalid)
	}
	return q, nil
}

// selection is how to find a query's calls: an SQL condition on calls,
// and the number of calls it selects when that is already known.
type selection struct {
	where string
	args  []any
	total int // -1: not known, count them
}

// selection works out, in tx, how to find q's calls. A keyword of three
// characters or more is first counted in the trigram index; when it matches
// few calls they are fetched through that index, otherwise by scanning (see
// sparseLimits).
func (s *Store) selection(ctx context.Context, tx *sql.Tx, q Query) (selection, error) {
	conds := []string{"1"}
	sel := selection{total: -1}
	if q.Direction != "" {
		conds = append(conds, "direction = ?")
		sel.args = append(sel.args, string(q.Direction))
	}
	if q.MissedOnly {
		conds = append(conds, "status = 'missed'")
	}
	filtered := len(conds) > 1
	k := parseKeyword(q.Keyword)
	switch {
	case k.text == "":
	case !k.indexable():
		cond, args := k.scanCond()
		conds = append(conds, cond)
		sel.args = append(sel.args, args...)
	default:
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM calls_fts WHERE calls_fts MATCH ?`, k.match()).Scan(&n); err != nil {
			return sel, err
		}
		if n <= s.sparse.plain || filtered && n <= s.sparse.filtered {
			conds = append(conds, "seq IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)")
			sel.args = append(sel.args, k.match())
			break
		}
		cond, args := k.scanCond()
		conds = append(conds, cond)
		sel.args = append(sel.args, args...)
		if !filtered {
			sel.total = n
		}
	}
	sel.where = strings.Join(conds, " AND ")
	return sel, nil
}

// callColumns are the columns scanCall reads, in its order.
const callColumns = `seq, call_id, sip_call_id, account, direction, number, name, video,
	headers, data, status, started_at, answered_at, ended_at, duration,
	cause_code, cause_reason, cause_message, ended_by, caller_card, recording`

// newestFirst orders calls newest first; seq breaks ties of started_at.
const newestFirst = `ORDER BY started_at DESC, seq DESC`

// List returns one page of the calls q selects, newest first, with the
// totals of all pages, from one consistent snapshot of the history.
func (s *Store) List(ctx context.Context, q Query) (Page, error) {
	q, err := q.normalize()
	if err != nil {
		return Page{}, err
	}
	page := Page{Docs: []Call{}, Limit: q.PageSize, Page: q.Page}
	err = s.read(ctx, "listing calls", func(tx *sql.Tx) error {
		sel, err := s.selection(ctx, tx, q)
		if err != nil {
			return err
		}
		page.TotalDocs = sel.total
		if sel.total < 0 {
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM calls WHERE `+sel.where, sel.args...).Scan(&page.TotalDocs)
			if err != nil {
				return err
			}
		}
		if q.Page > (page.TotalDocs+q.PageSize-1)/q.PageSize {
			return nil // past the last page (and no overflow computing its offset)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE `+sel.where+` `+newestFirst+` LIMIT ? OFFSET ?`,
			append(sel.args, q.PageSize, (q.Page-1)*q.PageSize)...)
		if err != nil {
			return err
		}
		return eachCall(rows, func(c Call) error {
			page.Docs = append(page.Docs, c)
			return nil
		})
	})
	if err != nil {
		return Page{}, err
	}
	page.TotalPages = max(1, (page.TotalDocs+q.PageSize-1)/q.PageSize)
	return page, nil
}

// Get returns call id as this Store recorded it, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (Call, error) {
	var c Call
	err := s.read(ctx, fmt.Sprintf("reading call %s", id), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE run_id = ? AND call_id = ?`, s.run, id)
		if err != nil {
			return err
		}
		found := false
		err = eachCall(rows, func(got Call) error {
			c, found = got, true
			return nil
		})
		if err == nil && !found {
			err = fmt.Errorf("history: reading call %s: %w", id, ErrNotFound)
		}
		return err
	})
	return c, err
}

// read runs fn in a read-only transaction: one snapshot of the file, which
// WAL lets writers go on beside.
func (s *Store) read(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return dbError(s.path, op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return dbError(s.path, op, err)
	}
	return nil
}

// eachCall scans every row of rows (selected with callColumns) into a Call
// and hands it to fn, closing rows.
func eachCall(rows *sql.Rows, fn func(Call) error) error {
	defer rows.Close()
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanCall reads one row selected with callColumns.
func scanCall(rows *sql.Rows) (Call, error) {
	var (
		c                          Call
		headers, data              string
		started                    int64
		answered, ended            sql.NullInt64
		card                       sql.NullString
		direction, status, endedBy string
	)
	err := rows.Scan(&c.HistoryID, &c.ID, &c.SIPCallID, &c.Account, &direction, &c.Number, &c.Name, &c.Video,
		&headers, &data, &status, &started, &answered, &ended, &c.Duration,
		&c.Cause.Code, &c.Cause.Reason, &c.Cause.Message, &endedBy, &card, &c.Recording)
	if err != nil {
		return c, err
	}
	c.Direction, c.Status, c.Cause.By = Direction(direction), Status(status), EndedBy(endedBy)
	c.StartedAt = fromMillis(started)
	if answered.Valid {
		c.AnsweredAt = fromMillis(answered.Int64)
	}
	if ended.Valid {
		c.EndedAt = fromMillis(ended.Int64)
	}
	var errs []error
	if err := json.Unmarshal([]byte(headers), &c.Headers); err != nil {
		errs = append(errs, fmt.Errorf("headers: %w", err))
	}
	if err := json.Unmarshal([]byte(data), &c.Data); err != nil {
		errs = append(errs, fmt.Errorf("data: %w", err))
	}
	if card.Valid {
		c.Contact = new(CallerCard)
		if err := json.Unmarshal([]byte(card.String), c.Contact); err != nil {
			errs = append(errs, fmt.Errorf("caller card: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("reading call %s (history id %d): %w", c.ID, c.HistoryID, err)
	}
	return c, nil
}

// fromMillis is the UTC time of Unix milliseconds ms.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
