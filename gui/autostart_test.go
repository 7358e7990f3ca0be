package gui

import (
	"strings"
	"testing"
)

// TestDesktopExecQuote: the Exec line names the program as the Desktop
// Entry Specification reads it back: reserved characters quoted, ", `, $
// and \ escaped (and the backslashes doubled again for the string value),
// and % written %% so that it is no field code.
func TestDesktopExecQuote(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/usr/bin/ringdesk", "/usr/bin/ringdesk"},
		{"/opt/ring desk/ringdesk", `"/opt/ring desk/ringdesk"`},
		{`/tmp/ex dir/we"ird$x` + "`b\\q", `"/tmp/ex dir/we\\"ird\\$x\\` + "`b\\\\\\\\q\""},
		{"/opt/100%done/ringdesk", "/opt/100%%done/ringdesk"},
		{"/opt/100% done/%u", `"/opt/100%% done/%%u"`},
	} {
		if got := desktopExecQuote(c.path); got != c.want {
			t.Errorf("desktopExecQuote(%q) = %s, want %s", c.path, got, c.want)
		}
	}
}

// TestAutostartEntryRefusesNewline: a program path with a newline (or any
// control character) would end the Exec line and add keys to the entry: it
// is refused rather than written.
func TestAutostartEntryRefusesNewline(t *testing.T) {
	for _, p := range []string{"/tmp/a\nHidden=true/ringdesk", "/tmp/a\rb/ringdesk", "/tmp/a\tb/ringdesk"} {
		if entry, err := autostartEntry(p); err == nil {
			t.Errorf("autostartEntry(%q) wrote\n%s", p, entry)
		}
	}
	entry, err := autostartEntry("/opt/50% off/ringdesk")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(entry, "\nExec=\"/opt/50%% off/ringdesk\"\n") || strings.Count(entry, "\n") != 8 {
		t.Errorf("the entry for a path with %% and a space:\n%s", entry)
	}
}
