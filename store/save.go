package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"
)

// fileHeader opens every file SaveConfig writes. Comments in the file are not
// kept when Ringdesk rewrites it, and the header says so.
const fileHeader = `# Ringdesk configuration.
# Ringdesk rewrites this file when settings change in the app; comments other
# than this header are not kept. Passwords are never stored here: they live in
# the OS keyring, or in the environment variable an account names in
# password_env.

`

// SaveConfig checks cfg (see Validate) and writes it to path atomically: the
// file is either the old one or the whole new one, never a mix, even if the
// computer stops halfway. It writes a temporary file in the same folder,
// syncs it to disk and renames it over path; the file gets mode 0600, and a
// missing folder is created with mode 0700. When path is a symbolic link, the
// file it points to is replaced. Problems in cfg are *ConfigError values
// naming path and the field, and nothing is written.
//
// The values are written as they are in cfg: a config returned by LoadConfig
// carries its defaults, which then appear in the file.
func SaveConfig(path string, cfg *Config) error {
	data, err := encodeConfig(path, cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// encodeConfig checks cfg and renders the file's bytes.
func encodeConfig(path string, cfg *Config) ([]byte, error) {
	problems := cfg.problems()
	for _, p := range problems {
		p.File = path
	}
	if err := joinConfigErrors(problems); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	if err := toml.NewEncoder(&buf).SetIndentTables(false).Encode(cfg); err != nil {
		return nil, fmt.Errorf("encoding the configuration for %s: %w", path, err)
	}
	return buf.Bytes(), nil
}

// writeFileAtomic replaces path with data through a synced temporary file
// and a rename, leaving no temporary file behind on failure.
func writeFileAtomic(path string, data []byte) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the folder for the configuration: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("saving %s: %w (the file was left as it was)", path, err)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Some systems (Windows) cannot sync a
// folder; the rename has happened anyway, so failures are ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
