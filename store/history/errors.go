package history

import (
	"errors"
	"io/fs"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors about calls, found with errors.Is in what Start, Answer, End and
// the setters return.
var (
	// ErrNotFound means no call of that id was started through this Store.
	ErrNotFound = errors.New("no such call in this run")
	// ErrDuplicate means Start was given an id already started through
	// this Store.
	ErrDuplicate = errors.New("a call with this id was already started")
	// ErrState means the call is past the step asked for: Answer on an
	// answered or ended call, End on an ended one.
	ErrState = errors.New("the call is past that step")
	// ErrInvalid means a Call or Query does not make sense (no id, an
	// unknown direction).
	ErrInvalid = errors.New("invalid input")
)

// Kinds of database failure, carried by *Error and found with errors.Is. Each
// reads as the end of "history database FILE ...".
var (
	// ErrCorrupt means the file is not an SQLite database, or a damaged one.
	ErrCorrupt = errors.New("is not a database (file is corrupt?)")
	// ErrReadOnly means the file or its folder cannot be written.
	ErrReadOnly = errors.New("cannot be written (read-only file or folder?)")
	// ErrDiskFull means the disk (or the process's file size limit) left no
	// room to grow the file.
	ErrDiskFull = errors.New("cannot grow: the disk is full")
	// ErrIO means the operating system failed a read or write of the file.
	ErrIO = errors.New("could not be read or written (disk full, failing or removed?)")
	// ErrLocked means another program held the database for longer than
	// the busy timeout.
	ErrLocked = errors.New("is locked by another program")
	// ErrTooNew means the file was upgraded by a newer Ringdesk, whose
	// schema this one does not know.
	ErrTooNew = errors.New("was written by a newer version of Ringdesk")
)

// hints tell a person what to do about each kind of failure.
var hints = map[error]string{
	ErrCorrupt:  "move the file aside and Ringdesk will start a new history",
	ErrReadOnly: "check that your user may write the file and its folder",
	ErrDiskFull: "free some space; the calls already recorded are kept",
	ErrIO:       "the calls already recorded are kept; check the disk",
	ErrLocked:   "is another copy of Ringdesk running?",
	ErrTooNew:   "update Ringdesk, or move the file aside to start a new history",
}

// Error is a failure of the history database, written for the person who
// has to fix it:
//
//	history database /home/a/.config/ringdesk/history.db is not a database (file is corrupt?): opening it: file is not a database (26); move the file aside and Ringdesk will start a new history
//
// errors.Is finds both the Kind (ErrCorrupt, ErrDiskFull, ...) and the error
// underneath (an *sqlite.Error, an *fs.PathError).
type Error struct {
	// Path is the database file.
	Path string
	// Op is what was being done, e.g. "recording the end of call c3".
	Op string
	// Kind is one of the kinds above, or nil for any other failure.
	Kind error
	// Err is the failure underneath.
	Err error
}

// Error formats the failure as "history database PATH [KIND]: OP: ERR[; HINT]".
func (e *Error) Error() string {
	msg := "history database " + e.Path
	if e.Kind != nil {
		msg += " " + e.Kind.Error()
	}
	if e.Op != "" {
		msg += ": " + e.Op
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if h := hints[e.Kind]; h != "" {
		msg += "; " + h
	}
	return msg
}

// Unwrap gives errors.Is and errors.As the kind and the error underneath.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// dbError wraps err, a failure while doing op on the database at path, in an
// *Error with its kind worked out. Errors that are already an *Error, or
// carry one of the call errors (ErrNotFound, ...), pass through.
func dbError(path, op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrDuplicate) ||
		errors.Is(err, ErrState) || errors.Is(err, ErrInvalid) {
		return err
	}
	return &Error{Path: path, Op: op, Kind: kindOf(err), Err: err}
}

// kindOf sorts a failure from SQLite or the file system into a kind, or nil.
func kindOf(err error) error {
	var tooNew *tooNewError
	if errors.As(err, &tooNew) {
		return ErrTooNew
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return ErrCorrupt
		case sqlite3.SQLITE_FULL:
			return ErrDiskFull
		case sqlite3.SQLITE_IOERR:
			return ErrIO
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			return ErrReadOnly
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return ErrLocked
		}
		return nil
	}
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return ErrReadOnly
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EFBIG):
		return ErrDiskFull
	}
	return nil
}

// isUniqueViolation reports whether err is SQLite refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) &&
		(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
