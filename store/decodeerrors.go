package store

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// unknownSetting explains a key that no Config field takes.
func unknownSetting(file string, ix *positions, de *toml.DecodeError) *ConfigError {
	line, column := de.Position()
	key := de.Key()
	name := ""
	if len(key) > 0 {
		name = key[len(key)-1]
	}
	field, ok := ix.pathAt(line, column)
	if !ok {
		field = strings.Join(key, ".")
	}
	return &ConfigError{File: file, Line: line, Field: field, Msg: unknownSettingMsg(field, name)}
}

func unknownSettingMsg(field, name string) string {
	switch strings.ToLower(name) {
	case "password", "passwd", "pass", "secret", "ha1", "token", "credential", "api_key", "apikey":
		return "secrets are never kept in this file: enter it in Ringdesk, which keeps it in the OS keyring, " +
			"or on a host without a keyring name an environment variable that holds it " +
			"(password_env, token_env, credential_env or secret_env)"
	}
	known := knownSettings(field)
	if best := closest(name, known); best != "" {
		return fmt.Sprintf("unknown setting (did you mean %q?)", best)
	}
	if len(known) > 0 {
		return "unknown setting (the settings here are " + strings.Join(known, ", ") + ")"
	}
	return "unknown setting"
}

// knownSettings lists the keys the table holding field accepts, read from
// the toml tags of the Config types.
func knownSettings(field string) []string {
	t := reflect.TypeFor[Config]()
	parts := strings.Split(field, ".")
	for _, part := range parts[:len(parts)-1] {
		name, _, _ := strings.Cut(part, "[")
		f, ok := fieldByTag(t, name)
		if !ok {
			return nil
		}
		t = f.Type
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
	}
	var names []string
	for i := range t.NumField() {
		if name := tagName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); tagName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// closest returns the candidate a typo most likely meant: the one within an
// edit distance of 2 (1 for short names), or "" when none is that close.
func closest(name string, candidates []string) string {
	limit := 2
	if len(name) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var typeMismatchRE = regexp.MustCompile(`^cannot decode TOML (.+?) into struct field \S+ of type (\S+)$`)

// typeMismatch rewrites the decoder's "cannot decode TOML string into struct
// field store.Account.Expires of type int" as "must be a whole number, not
// text in quotes".
func typeMismatch(msg string) (string, bool) {
	m := typeMismatchRE.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	got, ok := map[string]string{
		"string":       "text in quotes",
		"integer":      "a number",
		"float":        "a decimal number",
		"boolean":      "true/false",
		"bool":         "true/false",
		"array":        "a list",
		"table":        "a table",
		"inline table": "a table",
	}[strings.ToLower(m[1])]
	if !ok {
		got = "a TOML " + m[1]
	}
	want := "a table"
	switch goType := m[2]; {
	case goType == "int":
		want = "a whole number"
	case goType == "string":
		want = `text in quotes, like "this"`
	case goType == "bool" || goType == "*bool":
		want = "true or false"
	case goType == "[]string":
		want = `a list of texts in quotes, like ["a", "b"]`
	case strings.HasPrefix(goType, "[]"):
		want = "a list of tables"
	case strings.HasPrefix(goType, "map["):
		want = `a table of texts, like { Name = "value" }`
	}
	return fmt.Sprintf("must be %s, not %s", want, got), true
}

// bareWordRE matches a line whose value is an unquoted word: key = word.
var bareWordRE = regexp.MustCompile(`^\s*[A-Za-z0-9_.-]+\s*=\s*([A-Za-z][A-Za-z0-9_.:/@-]*)\s*(#.*)?$`)

// quoteHint explains the most common syntax error, text without quotes, when
// the given line of data has one.
func quoteHint(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	m := bareWordRE.FindStringSubmatch(strings.TrimRight(lines[line-1], "\r"))
	if m == nil || m[1] == "true" || m[1] == "false" {
		return ""
	}
	return fmt.Sprintf(" (text needs quotes: write \"%s\")", m[1])
}
