package history

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader names the columns ExportCSV writes, in order.
var csvHeader = []string{
	"started_at", "direction", "number", "name", "status", "answered_at", "ended_at",
	"duration_seconds", "account", "contact_name", "contact_company", "contact_url",
	"contact_fields", "cause_code", "cause_reason", "cause_message", "ended_by", "video",
	"call_id", "sip_call_id", "headers", "data", "recording",
}

// ExportCSV writes every call q selects (all pages: q.Page and q.PageSize are
// ignored) to w as CSV, newest first: a header row, then one row per call,
// quoted as RFC 4180 says, lines ending in CRLF. Times are RFC 3339 in UTC;
// headers, data and the card's fields are JSON. A cell that begins with
// = + - @, a tab or a carriage return gets a leading apostrophe, so a
// spreadsheet shows it as text rather than running it as a formula (OWASP
// "CSV injection"); that includes numbers written +84....
//
// The rows come from one snapshot of the history, streamed: a large history
// is never held in memory. On an error, w may have received part of the
// export.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, q Query) error {
	q, err := q.normalize()
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("history: exporting calls: %w", err)
	}
	err = s.read(ctx, "exporting calls", func(tx *sql.Tx) error {
		sel, err := s.selection(ctx, tx, q)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE `+sel.where+` `+newestFirst, sel.args...)
		if err != nil {
			return err
		}
		return eachCall(rows, func(c Call) error {
			if err := cw.Write(csvRecord(c)); err != nil {
				return fmt.Errorf("writing the export: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("history: exporting calls: %w", err)
	}
	return nil
}

// csvRecord is c as a row under csvHeader, every cell made safe.
func csvRecord(c Call) []string {
	var card CallerCard
	if c.Contact != nil {
		card = *c.Contact
	}
	fields := ""
	if len(card.Fields) > 0 {
		fields = jsonText(card.Fields)
	}
	code := ""
	if c.Cause.Code != 0 {
		code = strconv.Itoa(c.Cause.Code)
	}
	rec := []string{
		csvTime(c.StartedAt), string(c.Direction), c.Number, c.Name, string(c.Status),
		csvTime(c.AnsweredAt), csvTime(c.EndedAt), strconv.Itoa(c.Duration), c.Account,
		card.Name, card.Company, card.URL, fields, code, c.Cause.Reason, c.Cause.Message,
		string(c.Cause.By), strconv.FormatBool(c.Video), c.ID, c.SIPCallID,
		jsonText(c.Headers), jsonText(c.Data), c.Recording,
	}
	for i, cell := range rec {
		rec[i] = safeCell(cell)
	}
	return rec
}

// safeCell prefixes a cell a spreadsheet would take for a formula with an
// apostrophe.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvTime is t in RFC 3339, UTC; empty for the zero time.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// jsonText encodes v, a value decoded from JSON, which therefore encodes.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
