package applog

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// RotatingFile is an io.Writer over a log file capped in size: when a write
// would take the file past MaxBytes, the file becomes NAME.1 (older copies
// shift to NAME.2 ... NAME.<Backups>, the oldest is removed) and a new file
// is started. It is safe for concurrent use.
type RotatingFile struct {
	path     string
	maxBytes int64
	backups  int

	mu   sync.Mutex // guards file and size
	file *os.File
	size int64
}

// OpenRotatingFile opens (appending) or creates the log file at path, creating
// its directory with mode 0700. maxBytes must be positive; backups is how many
// rotated files to keep.
func OpenRotatingFile(path string, maxBytes int64, backups int) (*RotatingFile, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("log file %s: size cap must be positive, got %d", path, maxBytes)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create log folder: %w", err)
	}
	r := &RotatingFile{path: path, maxBytes: maxBytes, backups: backups}
	if err := r.openUnsafe(); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is the file currently written to.
func (r *RotatingFile) Path() string { return r.path }

// Write appends p, rotating first if p would take the file past its cap.
func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file == nil {
		return 0, fmt.Errorf("log file %s is closed", r.path)
	}
	if r.size > 0 && r.size+int64(len(p)) > r.maxBytes {
		if err := r.rotateUnsafe(); err != nil {
			return 0, err
		}
	}
	n, err := r.file.Write(p)
	r.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("write log file %s: %w", r.path, err)
	}
	return n, nil
}

// Close closes the current file.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

func (r *RotatingFile) openUnsafe() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log file: %w", err)
	}
	r.file, r.size = f, info.Size()
	return nil
}

func (r *RotatingFile) rotateUnsafe() error {
	if err := r.file.Close(); err != nil {
		return fmt.Errorf("rotate log file %s: %w", r.path, err)
	}
	r.file = nil
	if r.backups <= 0 {
		if err := os.Remove(r.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotate log file %s: %w", r.path, err)
		}
		return r.openUnsafe()
	}
	os.Remove(fmt.Sprintf("%s.%d", r.path, r.backups))
	for i := r.backups - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
	}
	if err := os.Rename(r.path, r.path+".1"); err != nil {
		return fmt.Errorf("rotate log file %s: %w", r.path, err)
	}
	return r.openUnsafe()
}
