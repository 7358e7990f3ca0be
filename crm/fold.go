package crm

import (
	"strings"
	"unicode"
)

// foldTable maps accented Latin letters (Vietnamese and French included)
// to their base letter, so a search for "nguyen" finds "Nguyễn" and "helene"
// finds "Hélène". The standard library has no Unicode decomposition; this
// covers the letters contacts are written with in our users' languages.
var foldTable = func() map[rune]rune {
	groups := map[rune]string{
		'a': "àáâãäåāăąǎạảấầẩẫậắằẳẵặ",
		'c': "çćĉċč",
		'd': "đďð",
		'e': "èéêëēĕėęěẹẻẽếềểễệ",
		'g': "ĝğġģ",
		'h': "ĥħ",
		'i': "ìíîïĩīĭįıǐịỉ",
		'j': "ĵ",
		'k': "ķ",
		'l': "ĺļľŀł",
		'n': "ñńņňŉ",
		'o': "òóôõöøōŏőơǒọỏốồổỗộớờởỡợ",
		'r': "ŕŗř",
		's': "śŝşšș",
		't': "ţťŧț",
		'u': "ùúûüũūŭůűųưǔụủứừửữự",
		'w': "ŵ",
		'y': "ýÿŷỳỵỷỹ",
		'z': "źżž",
	}
	m := map[rune]rune{}
	for base, accented := range groups {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// fold lower-cases s and strips accents, for accent-blind matching. ß and
// the ligatures æ, œ become ss, ae and oe.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		switch r {
		case 'ß':
			b.WriteString("ss")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case 'œ':
			b.WriteString("oe")
			continue
		}
		if base, ok := foldTable[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return b.String()
}
