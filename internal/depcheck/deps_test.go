package depcheck

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/ringdesk/ringdesk"

type listedPackage struct {
	ImportPath string
	Imports    []string // direct imports of the package's non-test files
	Deps       []string // every package it depends on, transitively
}

// rule forbids packages under from depending on anything with one of the
// prefixes in forbidden (an entry starting with "=" is one exact path);
// direct limits the check to direct imports.
type rule struct {
	from      string
	forbidden []string
	direct    bool
	why       string
}

var rules = []rule{
	// "=database/sql" is exact: database/sql/driver (interfaces only)
	// reaches phone through github.com/google/uuid, which sipgo uses.
	{from: "phone", forbidden: []string{"fyne.io/", "github.com/zalando/go-keyring", "=database/sql", "modernc.org/", module + "/gui", module + "/api", module + "/cmd", module + "/store", module + "/crm", module + "/media/device"},
		why: "phone takes plain config structs and emits events: it knows nothing of Fyne, the keyring, SQL, the GUI or the API"},
	{from: "phone", forbidden: []string{"net/http"}, direct: true,
		why: "phone's own files never import net/http (the API does HTTP)"},
	{from: "media", forbidden: []string{module + "/phone", "github.com/emiago/sipgo", "fyne.io/", module + "/gui", module + "/api", module + "/cmd", module + "/store", module + "/crm"},
		why: "media is below phone and knows nothing of SIP"},
	{from: "store", forbidden: []string{"fyne.io/", module + "/gui", module + "/api", module + "/cmd", module + "/phone", module + "/media", module + "/crm"},
		why: "store is a leaf: config, secrets and history"},
	{from: "crm", forbidden: []string{"fyne.io/", module + "/gui", module + "/api", module + "/cmd", module + "/phone", module + "/media"},
		why: "crm looks callers up; it may use store only"},
	{from: "gui", forbidden: []string{module + "/api", module + "/cmd"},
		why: "the GUI and the API are two clients of the same engine"},
	{from: "api", forbidden: []string{"fyne.io/", module + "/gui", module + "/cmd"},
		why: "the API serves headless runs too: no Fyne"},
}

// testOnly are packages that only tests may import.
var testOnly = []string{module + "/internal/testbed", "/phonetest", "/mediatest", "/keyringtest", "/storetest"}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages; is the module path %s?", len(pkgs), module)
	}
	return pkgs
}

func within(path, dir string) bool {
	root := module + "/" + dir
	return path == root || strings.HasPrefix(path, root+"/")
}

func matches(dep, prefix string) bool {
	if exact, ok := strings.CutPrefix(prefix, "="); ok {
		return dep == exact
	}
	if strings.HasPrefix(prefix, "/") {
		return strings.HasSuffix(dep, prefix) || strings.Contains(dep, prefix+"/")
	}
	return dep == prefix || strings.HasPrefix(dep, prefix) && (strings.HasSuffix(prefix, "/") || strings.HasPrefix(dep, prefix+"/"))
}

func TestDependencyArrows(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !within(p.ImportPath, r.from) || strings.HasSuffix(p.ImportPath, "test") {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, dep := range deps {
				for _, bad := range r.forbidden {
					if matches(dep, bad) {
						t.Errorf("%s depends on %s: %s", p.ImportPath, dep, r.why)
					}
				}
			}
		}
		for _, dep := range p.Imports {
			if within(dep, "cmd") || (within(dep, "gui") && !within(p.ImportPath, "cmd") && !within(p.ImportPath, "gui")) ||
				(within(dep, "api") && !within(p.ImportPath, "cmd") && !within(p.ImportPath, "api")) {
				t.Errorf("%s imports %s: nothing but cmd imports gui or api, and nothing imports cmd", p.ImportPath, dep)
			}
			if within(dep, "media/device") && !within(p.ImportPath, "cmd") && !within(p.ImportPath, "media/device") {
				t.Errorf("%s imports %s: only cmd opens devices, so tests never touch a sound card", p.ImportPath, dep)
			}
			for _, tp := range testOnly {
				if matches(dep, tp) && !strings.HasSuffix(p.ImportPath, "test") && !matches(p.ImportPath, tp) {
					t.Errorf("%s imports the test helper %s outside tests", p.ImportPath, dep)
				}
			}
		}
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		dep, prefix string
		want        bool
	}{
		{"fyne.io/fyne/v2", "fyne.io/", true},
		{"net/http", "net/http", true},
		{"net/http/httptest", "net/http", true},
		{"net/httpx", "net/http", false},
		{module + "/store", module + "/store", true},
		{module + "/storex", module + "/store", false},
		{module + "/phone/phonetest", "/phonetest", true},
		{module + "/phone", "/phonetest", false},
	} {
		if got := matches(tc.dep, tc.prefix); got != tc.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tc.dep, tc.prefix, got, tc.want)
		}
	}
}
