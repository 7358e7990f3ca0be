package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ConfigError is one problem in a configuration file, written so the person
// editing the file can find and fix it:
//
//	/home/agent/.config/ringdesk/config.toml:14: accounts[0].transport: "udpp" is not a transport (use udp, tcp, tls, ws or wss)
//
// When several things are wrong, LoadConfig and SaveConfig return them all,
// joined with errors.Join and ordered by line; errors.As finds the first.
type ConfigError struct {
	// File is the path of the configuration file.
	File string
	// Line is the 1-based line the problem is on, or 0 when it is not known
	// (a config that was never read from a file).
	Line int
	// Column is the 1-based column of a TOML syntax error, else 0.
	Column int
	// Field is the setting at fault in dotted form, e.g.
	// "accounts[0].server"; empty for a syntax error.
	Field string
	// Msg says what is wrong and, where it can, what to write instead.
	Msg string
}

// Error formats the problem as FILE:LINE[:COLUMN]: FIELD: MSG, leaving out
// the parts that are not known.
func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 && e.Field == "" {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// joinConfigErrors orders the problems by line (keeping the order they were
// found in within a line) and joins them; it returns nil for none and the
// *ConfigError itself for one.
func joinConfigErrors(problems []*ConfigError) error {
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	slices.SortStableFunc(problems, func(a, b *ConfigError) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}
