package history

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The history is searched through two columns kept beside each call:
// number_digits, the number with everything but its digits removed, and
// search, the number, the display name and the caller card's name and
// company, lower-cased and joined by newlines. A keyword matches a call when
// its lower-cased form is a substring of search, or when it looks like a
// phone number and its digits are a substring of number_digits; so
// "0977 805 845" finds "0977805845", and "jane" finds "Jane Black".
//
// A trigram full-text index (calls_fts) over the two columns answers
// keywords of three characters or more; shorter ones, which a trigram index
// cannot look up, are matched by reading every row's index entry.

// digitsOnly keeps the ASCII digits of s.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold lower-cases s for case-insensitive matching (Unicode-aware, unlike
// SQLite's LIKE) and drops newlines, which separate the parts of search.
func fold(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\n", " "))
}

// searchText is the search column of a call.
func searchText(number, name string, card *CallerCard) string {
	parts := []string{fold(number), fold(name)}
	if card != nil {
		parts = append(parts, fold(card.Name), fold(card.Company))
	}
	return strings.Join(parts, "\n")
}

// keyword is a search keyword made ready for the query.
type keyword struct {
	// text is the folded keyword, matched against search; empty for none.
	text string
	// digits are the keyword's digits when it looks like a phone number
	// ("0977 805 845", "+84 (977) 805-845"), matched against
	// number_digits; empty otherwise.
	digits string
}

// parseKeyword trims and folds kw and, when it holds nothing but digits and
// the punctuation numbers are written with, extracts its digits.
func parseKeyword(kw string) keyword {
	k := keyword{text: fold(strings.TrimSpace(kw))}
	if k.text == "" {
		return k
	}
	numeric := strings.IndexFunc(k.text, func(r rune) bool {
		return !unicode.IsDigit(r) && !strings.ContainsRune(" +-().,/", r)
	}) < 0
	if numeric {
		k.digits = digitsOnly(k.text)
	}
	return k
}

// minIndexed is the shortest keyword the trigram index can look up.
const minIndexed = 3

// sparseLimits are the numbers of matching calls above which a keyword is
// matched by scanning the covering index in newest-first order rather than
// through the trigram index: plain when the query has no other filter,
// filtered when it has. The trigram index finds the matches quickly, but
// each must then be fetched from the table and sorted, about 1.5 µs apiece;
// the scan costs about 0.2 µs a row and stops at the end of the page, but
// when other filters are set it must also read every row to count the
// matches. At 100,000 calls the two costs meet near the defaults.
type sparseLimits struct{ plain, filtered int }

// defaultSparse are the sparseLimits of a Store.
var defaultSparse = sparseLimits{plain: 1_000, filtered: 10_000}

// indexable reports whether the trigram index can look k up.
func (k keyword) indexable() bool {
	return utf8.RuneCountInString(k.text) >= minIndexed && (k.digits == "" || len(k.digits) >= minIndexed)
}

// scanCond is the SQL condition matching k row by row, with its arguments.
func (k keyword) scanCond() (string, []any) {
	if k.digits != "" {
		return "(instr(search, ?) > 0 OR instr(number_digits, ?) > 0)", []any{k.text, k.digits}
	}
	return "instr(search, ?) > 0", []any{k.text}
}

// match is k as an FTS5 query on calls_fts.
func (k keyword) match() string {
	m := "search : " + ftsPhrase(k.text)
	if k.digits != "" {
		m += " OR number_digits : " + ftsPhrase(k.digits)
	}
	return m
}

// ftsPhrase quotes s as an FTS5 string: a phrase whose trigrams must all
// appear in a row, in order, which with the trigram tokenizer means s is a
// substring of the column.
func ftsPhrase(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
