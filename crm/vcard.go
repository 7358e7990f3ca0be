package crm

import (
	"bytes"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
)

// parseVCard reads the vCards (RFC 2426 version 3.0, RFC 6350 version 4.0,
// and the 2.1 that phones export) in data: FN (or N when FN is missing),
// ORG, TEL (several), EMAIL, NOTE, URL and TITLE. Folded lines are joined;
// property groups ("item1.TEL"), parameters, escapes and quoted-printable
// values are understood; other properties are ignored. problems lists cards
// that were skipped.
func parseVCard(data []byte) (contacts []Contact, problems []string, err error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	lines := unfold(string(data))
	var cur *vcard
	sawBegin := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, params, val, ok := splitProperty(line)
		if !ok {
			continue
		}
		if params["ENCODING"] == "QUOTED-PRINTABLE" {
			// vCard 2.1: a value ending in "=" goes on on the next line.
			for strings.HasSuffix(val, "=") && i+1 < len(lines) {
				i++
				val = val[:len(val)-1] + strings.TrimLeft(lines[i], " \t")
			}
			if dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(val))); err == nil {
				val = string(dec)
			}
		}
		switch name {
		case "BEGIN":
			if strings.EqualFold(val, "VCARD") {
				cur, sawBegin = &vcard{}, true
			}
			continue
		case "END":
			if cur != nil && strings.EqualFold(val, "VCARD") {
				c := cur.contact()
				switch {
				case !c.empty():
					contacts = append(contacts, c)
				case len(c.Numbers) > 0:
					problems = append(problems, fmt.Sprintf("the vCard with %s has no name or organisation", c.Numbers[0]))
				}
				cur = nil
			}
			continue
		}
		if cur != nil {
			cur.set(name, params, val)
		}
	}
	if !sawBegin && len(bytes.TrimSpace(data)) > 0 {
		return nil, nil, fmt.Errorf("it holds no vCard (no BEGIN:VCARD line)")
	}
	return contacts, problems, nil
}

// vcard collects one card's properties.
type vcard struct {
	fn, n, org, note, url, title string
	tels, emails                 []string
}

func (v *vcard) set(name string, params map[string]string, val string) {
	switch name {
	case "FN":
		v.fn = unescapeText(val)
	case "N":
		v.n = val
	case "ORG":
		v.org = unescapeText(firstComponent(val))
	case "TEL":
		tel := unescapeText(val)
		if params["VALUE"] == "URI" || strings.HasPrefix(strings.ToLower(tel), "tel:") {
			tel, _ = userPart(tel)
		}
		if tel = strings.TrimSpace(tel); tel != "" {
			v.tels = append(v.tels, tel)
		}
	case "EMAIL":
		if e := strings.TrimSpace(unescapeText(val)); e != "" {
			v.emails = append(v.emails, e)
		}
	case "NOTE":
		v.note = unescapeText(val)
	case "URL":
		v.url = strings.TrimSpace(unescapeText(val))
	case "TITLE":
		v.title = unescapeText(val)
	}
}

func (v *vcard) contact() Contact {
	c := Contact{Name: strings.TrimSpace(v.fn), Company: strings.TrimSpace(v.org), Notes: v.note, Numbers: v.tels}
	if c.Name == "" && v.n != "" {
		// N is family;given;additional;prefix;suffix.
		parts := splitComponents(v.n)
		for len(parts) < 5 {
			parts = append(parts, "")
		}
		c.Name = oneLine(strings.Join([]string{parts[3], parts[1], parts[2], parts[0], parts[4]}, " "))
	}
	if strings.HasPrefix(v.url, "https://") || strings.HasPrefix(v.url, "http://") {
		c.URL = v.url
	}
	if len(v.emails) > 0 || v.title != "" {
		c.Fields = map[string]string{}
		if len(v.emails) > 0 {
			c.Fields["Email"] = strings.Join(v.emails, ", ")
		}
		if v.title != "" {
			c.Fields["Title"] = v.title
		}
	}
	return c
}

// unfold splits data into logical lines: a line starting with a space or a
// tab continues the one before (RFC 6350 section 3.2).
func unfold(data string) []string {
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	var out []string
	for _, line := range strings.Split(data, "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1] += line[1:]
			continue
		}
		out = append(out, line)
	}
	return out
}

// splitProperty splits "item1.TEL;TYPE=CELL:+84..." into its upper-cased
// name without group, its parameters (upper-cased names; a bare 2.1
// parameter such as "CELL" becomes TYPE) and its value.
func splitProperty(line string) (name string, params map[string]string, val string, ok bool) {
	quoted := false
	colon := -1
	for i, r := range line {
		if r == '"' {
			quoted = !quoted
		}
		if r == ':' && !quoted {
			colon = i
			break
		}
	}
	if colon < 0 {
		return "", nil, "", false
	}
	head, val := line[:colon], line[colon+1:]
	parts := strings.Split(head, ";")
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		name = name[dot+1:]
	}
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, hasValue := strings.Cut(p, "=")
		if !hasValue {
			k, v = "TYPE", p
			if strings.EqualFold(p, "QUOTED-PRINTABLE") {
				k = "ENCODING"
			}
		}
		params[strings.ToUpper(strings.TrimSpace(k))] = strings.ToUpper(strings.Trim(v, `"`))
	}
	return name, params, val, true
}

// unescapeText undoes vCard text escapes: \n, \N, \, \; and \\.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitComponents splits a structured value (N, ORG) on unescaped ";".
func splitComponents(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ';':
			parts = append(parts, unescapeText(s[start:i]))
			start = i + 1
		}
	}
	return append(parts, unescapeText(s[start:]))
}

// firstComponent returns the first component of a structured value,
// still escaped.
func firstComponent(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ';':
			return s[:i]
		}
	}
	return s
}
