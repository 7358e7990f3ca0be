package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes a config.toml with the given content (leading newline
// trimmed, so tests can use raw string literals) in a fresh folder.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(strings.TrimPrefix(content, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// configErrors returns the messages of every *ConfigError in err.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var msgs []string
	var walk func(error)
	walk = func(err error) {
		var ce *ConfigError
		if errors.As(err, &ce) && ce == err {
			msgs = append(msgs, ce.Error())
			return
		}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
			return
		}
		t.Fatalf("error %q (%T) is not a *ConfigError or a join of them", err, err)
	}
	walk(err)
	return msgs
}

// validAccount is a complete udp account to build test configs from.
const validAccount = `
[[accounts]]
id = "main"
display_name = "Agent 1001"
username = "1001"
domain = "pbx.example.com"
transport = "udp"
server = "pbx.example.com:5060"
`

// fileBytes reads path or fails the test.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
