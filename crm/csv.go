package crm

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// utf8BOM is what spreadsheet programs put at the start of a UTF-8 CSV.
var utf8BOM = []byte("\xef\xbb\xbf")

// column roles in a contacts CSV.
const (
	colOther = iota
	colName
	colFirst
	colLast
	colNumber
	colCompany
	colEmail
	colNotes
	colURL
)

// columnRole tells what a header cell names. It knows the headers of
// Google Contacts and Outlook exports ("Phone 1 - Value", "Mobile Phone",
// "E-mail Address") and a few Vietnamese and French ones.
func columnRole(header string) int {
	h := fold(strings.TrimSpace(header))
	switch h {
	case "name", "full name", "fullname", "display name", "contact", "contact name", "ho ten", "ho va ten", "ten", "nom complet":
		return colName
	case "first name", "firstname", "given name", "prenom":
		return colFirst
	case "last name", "lastname", "family name", "surname", "nom":
		return colLast
	case "company", "company name", "organization", "organisation", "org", "organization name", "organization 1 - name", "cong ty", "societe", "entreprise":
		return colCompany
	case "notes", "note", "comment", "comments", "ghi chu":
		return colNotes
	case "url", "website", "web", "web page", "link", "record", "record url", "crm url", "website 1 - value":
		return colURL
	}
	if strings.Contains(h, "type") || strings.Contains(h, "label") {
		return colOther
	}
	switch {
	case strings.Contains(h, "mail"):
		return colEmail
	case strings.Contains(h, "phone"), strings.Contains(h, "mobile"), strings.Contains(h, "number"),
		strings.Contains(h, "tel"), strings.Contains(h, "cell"), strings.Contains(h, "dien thoai"),
		h == "sdt", h == "so dt", h == "numbers", h == "fax":
		return colNumber
	}
	return colOther
}

// splitNumbers splits a cell holding several numbers ("0977805845;
// 0912345678", Google's "a ::: b").
func splitNumbers(cell string) []string {
	cell = strings.ReplaceAll(cell, ":::", ";")
	parts := strings.FieldsFunc(cell, func(r rune) bool {
		return r == ';' || r == ',' || r == '|' || r == '/' || r == '\n'
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseCSV reads a contacts CSV: a header row naming the columns (name or
// first/last name, one or more number columns, company, email, notes, url;
// other columns become extra fields), then one contact per row. The
// separator is guessed from the header (",", ";" as European spreadsheets
// write, or tab). problems lists rows that were skipped.
func parseCSV(data []byte) (contacts []Contact, problems []string, err error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = guessSeparator(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the header row: %w", err)
	}
	roles := make([]int, len(header))
	has := map[int]bool{}
	for i, h := range header {
		roles[i] = columnRole(h)
		has[roles[i]] = true
	}
	if !has[colNumber] || !(has[colName] || has[colFirst] || has[colLast] || has[colCompany]) {
		return nil, nil, fmt.Errorf("the first row must name the columns, e.g. \"name,number,company,email,notes\"; found %q", strings.Join(header, string(r.Comma)))
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return contacts, problems, fmt.Errorf("line %d: %w", line, err)
		}
		c := contactFromRow(header, roles, rec)
		if c.empty() && len(c.Numbers) == 0 {
			continue // a blank row
		}
		if c.Name == "" && c.Company == "" {
			line, _ := r.FieldPos(0)
			problems = append(problems, fmt.Sprintf("line %d has numbers but no name or company", line))
			continue
		}
		contacts = append(contacts, c)
	}
	return contacts, problems, nil
}

// contactFromRow builds a contact from one CSV row.
func contactFromRow(header []string, roles []int, rec []string) Contact {
	var c Contact
	var first, last string
	var emails []string
	for i, cell := range rec {
		if i >= len(roles) {
			break
		}
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		switch roles[i] {
		case colName:
			c.Name = cell
		case colFirst:
			first = cell
		case colLast:
			last = cell
		case colNumber:
			c.Numbers = append(c.Numbers, splitNumbers(cell)...)
		case colCompany:
			c.Company = cell
		case colEmail:
			emails = append(emails, strings.ReplaceAll(cell, " ::: ", ", "))
		case colNotes:
			c.Notes = cell
		case colURL:
			if strings.HasPrefix(cell, "https://") || strings.HasPrefix(cell, "http://") {
				c.URL = cell
			}
		default:
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[strings.TrimSpace(header[i])] = cell
		}
	}
	if c.Name == "" {
		c.Name = oneLine(first + " " + last)
	}
	if len(emails) > 0 {
		if c.Fields == nil {
			c.Fields = map[string]string{}
		}
		c.Fields["Email"] = strings.Join(emails, ", ")
	}
	return c
}

// guessSeparator picks the separator used most in the first line, outside
// quotes.
func guessSeparator(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}
