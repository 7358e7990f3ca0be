package store

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// positions records where each setting of a TOML document is written, so
// errors found after decoding can name their line. Paths are in the form
// ConfigError.Field uses: "api.listen", "accounts[1].server",
// "accounts[0].codecs[2]".
type positions struct {
	line   map[string]int    // path -> line of its key, table header or array element
	path   map[[2]int]string // {line, column} of a key or value -> path
	arrays map[string]int    // array-of-tables path -> tables seen so far
}

// indexPositions walks the document with go-toml's position-aware parser. It
// stops quietly at a syntax error: the decoder reports that one itself.
func indexPositions(data []byte) *positions {
	ix := &positions{line: map[string]int{}, path: map[[2]int]string{}, arrays: map[string]int{}}
	var p unstable.Parser
	p.Reset(data)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			keys := keyNodes(e)
			if len(keys) == 0 {
				continue
			}
			last := len(keys) - 1
			table = ix.resolve(keyNames(keys[:last]))
			table = joinPath(table, string(keys[last].Data))
			if e.Kind == unstable.ArrayTable {
				ix.record(&p, keys[0], table)
				ix.arrays[table]++
				table += index(ix.arrays[table] - 1)
			} else if n, ok := ix.arrays[table]; ok {
				table += index(n - 1)
			}
			ix.record(&p, keys[0], table)
		case unstable.KeyValue:
			ix.keyValue(&p, table, e)
		}
	}
	return ix
}

// keyValue records a key = value expression under prefix, descending into
// arrays and inline tables.
func (ix *positions) keyValue(p *unstable.Parser, prefix string, kv *unstable.Node) {
	keys := keyNodes(kv)
	if len(keys) == 0 {
		return
	}
	path := prefix
	for _, k := range keys {
		path = joinPath(path, string(k.Data))
	}
	ix.record(p, keys[0], path)
	ix.value(p, kv.Value(), path)
}

func (ix *positions) value(p *unstable.Parser, v *unstable.Node, path string) {
	ix.recordValue(p, v, path)
	switch v.Kind {
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			elem := it.Node()
			elemPath := path + index(i)
			ix.record(p, elem, elemPath)
			ix.value(p, elem, elemPath)
		}
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			ix.keyValue(p, path, it.Node())
		}
	}
}

// record notes that path is written where n starts.
func (ix *positions) record(p *unstable.Parser, n *unstable.Node, path string) {
	if n.Raw.Length == 0 {
		return
	}
	start := p.Shape(n.Raw).Start
	if _, seen := ix.line[path]; !seen {
		ix.line[path] = start.Line
	}
	ix.path[[2]int{start.Line, start.Column}] = path
}

// recordValue notes where a value starts without claiming the path's line
// (the key's line is the one to report).
func (ix *positions) recordValue(p *unstable.Parser, n *unstable.Node, path string) {
	if n.Raw.Length == 0 {
		return
	}
	start := p.Shape(n.Raw).Start
	if _, taken := ix.path[[2]int{start.Line, start.Column}]; !taken {
		ix.path[[2]int{start.Line, start.Column}] = path
	}
}

// resolve turns the names of a table header into a path, entering the
// latest table of each array of tables on the way ([[accounts.ice_servers]]
// belongs to the last [[accounts]]).
func (ix *positions) resolve(names []string) string {
	path := ""
	for _, name := range names {
		path = joinPath(path, name)
		if n, ok := ix.arrays[path]; ok {
			path += index(n - 1)
		}
	}
	return path
}

// lineOf returns the line a field is written on. A field the file leaves out
// (a missing id, say) gets the line of the nearest enclosing table or array
// element that is written; 0 when there is none.
func (ix *positions) lineOf(field string) int {
	for field != "" {
		if line, ok := ix.line[field]; ok {
			return line
		}
		cut := strings.LastIndexAny(field, ".[")
		if cut < 0 {
			break
		}
		field = field[:cut]
	}
	return 0
}

// pathAt returns the path whose key or value starts at line:column.
func (ix *positions) pathAt(line, column int) (string, bool) {
	path, ok := ix.path[[2]int{line, column}]
	return path, ok
}

func keyNodes(n *unstable.Node) []*unstable.Node {
	var keys []*unstable.Node
	it := n.Key()
	for it.Next() {
		keys = append(keys, it.Node())
	}
	return keys
}

func keyNames(keys []*unstable.Node) []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = string(k.Data)
	}
	return names
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func index(i int) string { return "[" + strconv.Itoa(i) + "]" }
