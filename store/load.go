package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// DefaultConfigPath returns where the configuration lives when no --config
// flag says otherwise: os.UserConfigDir()/ringdesk/config.toml (on Linux
// $XDG_CONFIG_HOME or ~/.config, on macOS ~/Library/Application Support, on
// Windows %AppData%).
func DefaultConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the folder for Ringdesk's configuration: %w (use --config FILE to name the file)", err)
	}
	return filepath.Join(dir, "ringdesk", "config.toml"), nil
}

// LoadConfig reads the configuration file at path, checks every setting and
// fills in the defaults (see ApplyDefaults).
//
// A missing file is not an error, it is the first run: LoadConfig returns a
// config holding only the defaults, with no accounts, and a nil error. Callers
// tell the first run by len(cfg.Accounts) == 0, which also covers a file that
// exists but names no account yet; both want the first-run form.
//
// Settings the program does not know are errors, so a typo is never silently
// ignored. Every problem is a *ConfigError naming the file, the line and the
// field; when there are several they are joined with errors.Join. On error
// the returned config is nil.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return defaultConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the configuration: %w", err)
	}
	return parseConfig(path, data)
}

// defaultConfig is the configuration of the first run: defaults, no accounts.
func defaultConfig() *Config {
	cfg := &Config{}
	cfg.ApplyDefaults()
	return cfg
}

// utf8BOM is what Windows Notepad puts at the start of a UTF-8 file.
var utf8BOM = []byte("\xef\xbb\xbf")

// parseConfig decodes data, read from the file named file, checks it and
// applies the defaults.
func parseConfig(file string, data []byte) (*Config, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	var cfg Config
	var problems []*ConfigError
	err := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(&cfg)
	ix := indexPositions(data)
	var strict *toml.StrictMissingError
	var decodeErr *toml.DecodeError
	switch {
	case err == nil:
	case errors.As(err, &strict):
		// The rest of the file decoded: check it too, so one pass shows
		// everything that needs fixing.
		for i := range strict.Errors {
			problems = append(problems, unknownSetting(file, ix, &strict.Errors[i]))
		}
	case errors.As(err, &decodeErr):
		return nil, decodeProblem(file, data, ix, decodeErr)
	default:
		return nil, fmt.Errorf("%s: %w", file, err)
	}

	cfg.ApplyDefaults()
	for _, p := range cfg.problems() {
		p.File = file
		p.Line = ix.lineOf(p.Field)
		problems = append(problems, p)
	}
	if err := joinConfigErrors(problems); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decodeProblem turns a syntax or type error of the TOML decoder into a
// ConfigError with its line (and, for syntax errors, column).
func decodeProblem(file string, data []byte, ix *positions, de *toml.DecodeError) *ConfigError {
	line, column := de.Position()
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	if field, ok := ix.pathAt(line, column); ok {
		if human, ok := typeMismatch(msg); ok {
			msg = human
		}
		return &ConfigError{File: file, Line: line, Field: field, Msg: msg}
	}
	return &ConfigError{File: file, Line: line, Column: column, Msg: "TOML syntax error: " + msg + quoteHint(data, line)}
}
