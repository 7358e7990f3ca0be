package crm

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"
)

// Mapping says where a contact's parts are in a CRM's JSON answer. Each
// value is a gjson path (https://github.com/tidwall/gjson/blob/master/SYNTAX.md)
// such as "data.0.name", or a template holding paths in braces, such as
// "{properties.firstname} {properties.lastname}" or
// "https://crm.example.com/contacts/{id}" (in RecordURL, the values are
// URL-escaped). JSON null and false count as empty: Odoo writes false for
// an empty field.
type Mapping struct {
	// Item is the path of the matching record; the other paths are relative
	// to it. Empty means the whole answer. When the record is an array, its
	// first element is used; an empty array, a missing path or null means
	// the CRM knows no such contact.
	Item string
	// Name, Company, RecordURL and Notes locate the contact's parts.
	Name      string
	Company   string
	RecordURL string
	Notes     string
	// Fields maps labels shown on the caller card to paths.
	Fields map[string]string
}

// merge returns m with the non-empty settings of over taking precedence;
// over's Fields are added to (and replace same-named) m's.
func (m Mapping) merge(over Mapping) Mapping {
	pick := func(a, b string) string {
		if b != "" {
			return b
		}
		return a
	}
	out := Mapping{
		Item: pick(m.Item, over.Item), Name: pick(m.Name, over.Name), Company: pick(m.Company, over.Company),
		RecordURL: pick(m.RecordURL, over.RecordURL), Notes: pick(m.Notes, over.Notes),
		Fields: maps.Clone(m.Fields),
	}
	if len(over.Fields) > 0 && out.Fields == nil {
		out.Fields = map[string]string{}
	}
	maps.Copy(out.Fields, over.Fields)
	return out
}

// record returns the matching record in body, and false when there is none.
func (m Mapping) record(body []byte) (gjson.Result, bool) {
	rec := gjson.ParseBytes(body)
	if m.Item != "" {
		rec = rec.Get(m.Item)
	}
	if rec.IsArray() {
		rec = rec.Get("0")
	}
	if !rec.Exists() || rec.Type == gjson.Null || rec.Type == gjson.False {
		return gjson.Result{}, false
	}
	return rec, true
}

// Contact reads the contact out of a CRM's JSON answer; ErrNotFound when
// the answer holds no record, or a record with no name, company or URL.
func (m Mapping) Contact(body []byte) (Contact, error) {
	rec, ok := m.record(body)
	if !ok {
		return Contact{}, ErrNotFound
	}
	return m.contactOf(rec)
}

// contactOf reads the contact out of one record.
func (m Mapping) contactOf(rec gjson.Result) (Contact, error) {
	c := Contact{
		Name:    oneLine(value(rec, m.Name, nil)),
		Company: oneLine(value(rec, m.Company, nil)),
		URL:     value(rec, m.RecordURL, url.PathEscape),
		Notes:   value(rec, m.Notes, nil),
	}
	for label, path := range m.Fields {
		if v := value(rec, path, nil); v != "" {
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[label] = v
		}
	}
	if c.URL != "" && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
		c.URL = "" // not a web address: never hand the browser something else
	}
	if c.empty() {
		return Contact{}, ErrNotFound
	}
	return c, nil
}

// pathRE finds the {path}s of a template.
var pathRE = regexp.MustCompile(`\{([^{}]+)\}`)

// value evaluates one mapping entry against rec: a path, or a template of
// paths whose values pass through escape when it is not nil.
func value(rec gjson.Result, expr string, escape func(string) string) string {
	if expr == "" {
		return ""
	}
	if !strings.Contains(expr, "{") {
		return text(rec.Get(expr))
	}
	return strings.TrimSpace(pathRE.ReplaceAllStringFunc(expr, func(m string) string {
		v := text(rec.Get(m[1 : len(m)-1]))
		if escape != nil {
			v = escape(v)
		}
		return v
	}))
}

// text is a JSON value as the caller card shows it: strings as they are,
// numbers and true as written, arrays of strings joined by ", ", and null
// and false as nothing.
func text(v gjson.Result) string {
	switch {
	case v.Type == gjson.Null || v.Type == gjson.False:
		return ""
	case v.IsArray():
		var parts []string
		for _, e := range v.Array() {
			if s := text(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case v.IsObject():
		return v.Raw
	default:
		return strings.TrimSpace(v.String())
	}
}

// oneLine collapses runs of white space, so a template such as
// "{first} {middle} {last}" with an empty middle reads well.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// checkMapping refuses a mapping without a name, company or record URL.
func checkMapping(provider string, m Mapping) error {
	if m.Name == "" && m.Company == "" && m.RecordURL == "" {
		return fmt.Errorf("CRM provider %s maps no name, company or record_url: say where the contact's name is in the CRM's answer, e.g. name = \"data.0.name\"", provider)
	}
	return nil
}
