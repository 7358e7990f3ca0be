package history

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Prune deletes the finished calls that started before olderThan and
// returns how many it deleted. Calls in progress are kept whatever their
// age. WithRetention runs it on Open.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	var n int64
	op := fmt.Sprintf("removing calls from before %s", olderThan.UTC().Format(time.RFC3339))
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE started_at < ? AND ended_at IS NOT NULL`, millis(olderThan))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			DELETE FROM runs WHERE id <> ? AND NOT EXISTS (SELECT 1 FROM calls WHERE run_id = runs.id)`, s.run)
		return err
	})
	return int(n), err
}
