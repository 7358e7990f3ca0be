// Package applog sets up Ringdesk's logging: log/slog to stderr and to a
// size-capped rotating file in the OS cache folder, plus the SIP trace switch
// whose output never carries credentials.
package applog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// Default caps for the log file: 5 MiB a file, three old files kept.
const (
	DefaultMaxBytes = 5 << 20
	DefaultBackups  = 3
)

// Options configure New.
type Options struct {
	// Level is debug, info, warn or error; empty means info.
	Level string
	// File is the log file; empty means DefaultFile().
	File string
	// MaxBytes caps the file before it rotates; zero means DefaultMaxBytes.
	MaxBytes int64
	// Backups is how many rotated files to keep; zero means DefaultBackups.
	Backups int
	// Stderr receives the human-readable copy; nil means os.Stderr.
	Stderr io.Writer
	// SIPTrace turns on the SIP message trace (see Logger.TraceSIP).
	SIPTrace bool
}

// Logger is the application's logger and the file behind it.
type Logger struct {
	*slog.Logger
	file     *RotatingFile
	level    *slog.LevelVar
	sipTrace atomic.Bool
}

// DefaultFile is ringdesk.log in the OS cache folder
// (os.UserCacheDir()/ringdesk/ringdesk.log).
func DefaultFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache folder for the log file: %w", err)
	}
	return filepath.Join(dir, "ringdesk", "ringdesk.log"), nil
}

// ParseLevel reads a level name as the config file spells it.
func ParseLevel(name string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("log level %q is not one of debug, info, warn, error", name)
}

// New builds the logger: text lines to stderr and the same records to the
// rotating file. The caller closes it.
func New(opts Options) (*Logger, error) {
	level, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, err
	}
	path := opts.File
	if path == "" {
		if path, err = DefaultFile(); err != nil {
			return nil, err
		}
	}
	maxBytes, backups := opts.MaxBytes, opts.Backups
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	if backups == 0 {
		backups = DefaultBackups
	}
	file, err := OpenRotatingFile(path, maxBytes, backups)
	if err != nil {
		return nil, err
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	levelVar := new(slog.LevelVar)
	levelVar.Set(level)
	handlerOpts := &slog.HandlerOptions{Level: levelVar}
	handler := slog.NewMultiHandler(
		slog.NewTextHandler(stderr, handlerOpts),
		slog.NewTextHandler(file, handlerOpts),
	)
	l := &Logger{Logger: slog.New(handler), file: file, level: levelVar}
	l.sipTrace.Store(opts.SIPTrace)
	return l, nil
}

// SetLevel changes the level, e.g. once the config file has been read.
func (l *Logger) SetLevel(name string) error {
	level, err := ParseLevel(name)
	if err != nil {
		return err
	}
	l.level.Set(level)
	return nil
}

// SetSIPTrace turns the SIP trace on or off.
func (l *Logger) SetSIPTrace(on bool) { l.sipTrace.Store(on) }

// FilePath is the log file being written.
func (l *Logger) FilePath() string { return l.file.Path() }

// SIPTraceEnabled reports whether the SIP trace switch is on.
func (l *Logger) SIPTraceEnabled() bool { return l.sipTrace.Load() }

// TraceSIP logs one SIP message sent or received when the trace switch is
// on, with credentials removed by RedactSIP. direction is "send" or "recv".
func (l *Logger) TraceSIP(direction, transport, remote, msg string) {
	if !l.sipTrace.Load() {
		return
	}
	l.Info("sip "+direction, "transport", transport, "remote", remote, "message", RedactSIP(msg))
}

// Close flushes and closes the log file.
func (l *Logger) Close() error { return l.file.Close() }
