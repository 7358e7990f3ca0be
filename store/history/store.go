package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// Defaults for the options.
const (
	// DefaultHeartbeat is how often the store touches the calls in
	// progress, which bounds how much talk time an interrupted call loses.
	DefaultHeartbeat = 30 * time.Second
	// busyTimeout is how long a statement waits for another connection or
	// process to release the database before failing with ErrLocked.
	busyTimeout = 5 * time.Second
	// maxConns bounds the pool: one writer at a time (see Store.writeMu) and
	// a few readers, which WAL lets run beside it.
	maxConns = 4
)

// Store is the call history in one SQLite file. Its methods are safe for
// concurrent use; writes are serialised inside the process and each is one
// transaction, committed before the method returns.
type Store struct {
	db      *sql.DB
	path    string
	run     int64
	now     func() time.Time
	log     *slog.Logger
	writeMu sync.Mutex // serialises writes within the process

	interrupted int          // calls Open marked interrupted
	sparse      sparseLimits // when a keyword goes through the trigram index

	stopHeartbeat context.CancelFunc
	heartbeatDone chan struct{}
	closeOnce     sync.Once
	closeErr      error
}

// Option configures Open.
type Option func(*options)

type options struct {
	retention time.Duration
	heartbeat time.Duration
	now       func() time.Time
	log       *slog.Logger
	sparse    sparseLimits
}

// WithRetention makes Open delete the finished calls that started more than
// d ago (see Prune). Zero or less keeps every call, the default.
func WithRetention(d time.Duration) Option {
	return func(o *options) { o.retention = d }
}

// WithHeartbeat sets how often the store marks the calls in progress as
// still alive (DefaultHeartbeat); zero or less turns the heartbeat off, so
// an interrupted call's end time is its last Start, Answer or setter.
func WithHeartbeat(d time.Duration) Option {
	return func(o *options) { o.heartbeat = d }
}

// WithClock sets the clock used for times the caller does not give
// (setters, the heartbeat, retention, a zero time in Start, Answer or End).
// Tests use it; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLogger sets where the store reports what it does on its own: calls
// marked interrupted, calls pruned, heartbeat failures. The default logs
// nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// DefaultPath is where Ringdesk keeps the history: history.db beside
// config.toml in os.UserConfigDir()/ringdesk (~/.config/ringdesk on Linux,
// ~/Library/Application Support/ringdesk on macOS, %AppData%\ringdesk on
// Windows), so one folder holds everything of the user's to back up or
// remove.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the folder for the call history: %w", err)
	}
	return filepath.Join(dir, "ringdesk", "history.db"), nil
}

// Open opens the history at path, creating it (folder mode 0700, file 0600)
// if it is not there, and upgrading its schema if an older Ringdesk wrote it.
//
// The database runs in WAL mode with synchronous=FULL: every committed write
// is on disk before the method that made it returns, so neither a crash of
// Ringdesk nor a power cut loses a call already recorded (NORMAL would be
// safe from corruption but could lose the last commits to a power cut; a
// phone writes a few rows per call, so the fsync is cheap).
//
// Open then closes the calls an earlier run left unfinished, having stopped
// before their end (a crash, a kill, a power cut): each becomes
// StatusInterrupted, with its end time set to the last time the store heard
// of it (its last write or heartbeat, see WithHeartbeat) and its duration
// counted to then. Only one process may use the file at a time: a second
// Ringdesk opening it would take the first one's calls for interrupted ones.
//
// Failures are *Error values naming the file, with a kind (ErrCorrupt,
// ErrReadOnly, ErrTooNew, ...) telling what to do.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{heartbeat: DefaultHeartbeat, now: time.Now, log: slog.New(slog.DiscardHandler), sparse: defaultSparse}
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, dbError(path, "opening it", err)
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, dbError(abs, "opening it", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, path: abs, now: o.now, log: o.log, sparse: o.sparse}
	if err := s.start(ctx, o); err != nil {
		_ = db.Close()
		return nil, err
	}
	if o.heartbeat > 0 {
		hbCtx, cancel := context.WithCancel(context.Background())
		s.stopHeartbeat = cancel
		s.heartbeatDone = make(chan struct{})
		go s.heartbeatLoop(hbCtx, o.heartbeat)
	}
	return s, nil
}

// start brings a freshly opened database into use: schema, recovery of the
// last run, this run's row, retention.
func (s *Store) start(ctx context.Context, o options) error {
	if err := s.db.PingContext(ctx); err != nil {
		return dbError(s.path, "opening it", err)
	}
	if err := migrate(ctx, s.db, migrations); err != nil {
		return dbError(s.path, "opening it", err)
	}
	if err := s.beginRun(ctx); err != nil {
		return err
	}
	if s.interrupted > 0 {
		s.log.Warn("calls left unfinished by the last run were marked interrupted",
			"count", s.interrupted, "path", s.path)
	}
	if o.retention > 0 {
		n, err := s.Prune(ctx, s.now().Add(-o.retention))
		if err != nil {
			return err
		}
		if n > 0 {
			s.log.Info("old calls removed from the history", "count", n, "retention", o.retention)
		}
	}
	return nil
}

// createFile makes the folder (0700) and an empty file (0600) before SQLite
// sees path, since SQLite would create the file 0644, and its -wal and -shm
// files take the database file's mode. An existing file is opened for
// writing to find a read-only one now rather than at the first call.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return dbError(path, "creating its folder", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return dbError(path, "opening it", err)
	}
	if err := f.Close(); err != nil {
		return dbError(path, "opening it", err)
	}
	return nil
}

// dsn is the driver's name for the database at the absolute path: a file:
// URI (so no character of the path is taken for a parameter) with the
// connection settings every pooled connection applies when it opens.
// _txlock=immediate makes every read-write transaction take the write lock
// at BEGIN, so a transaction never fails half-way on a lock upgrade; reads
// use read-only transactions, which stay deferred.
func dsn(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/Users/... on Windows
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}).String()
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Interrupted is the number of calls Open found left unfinished by an
// earlier run and marked StatusInterrupted.
func (s *Store) Interrupted() int { return s.interrupted }

// Close stops the heartbeat and closes the database. Calls still in progress
// stay unfinished in the file; the next Open marks them interrupted, so the
// engine should End its calls before closing. Calling Close again does
// nothing and returns the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.stopHeartbeat != nil {
			s.stopHeartbeat()
			<-s.heartbeatDone
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = dbError(s.path, "closing it", err)
		}
	})
	return s.closeErr
}

// heartbeatLoop touches the calls in progress every interval until ctx ends.
func (s *Store) heartbeatLoop(ctx context.Context, interval time.Duration) {
	defer close(s.heartbeatDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.heartbeat(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("could not note the calls in progress in the history", "err", err)
			}
		}
	}
}
