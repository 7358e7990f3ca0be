package gui

import "strings"

// cleanDialString turns text pasted or typed into the number entry into
// something a PBX can dial. A SIP address (sip:, sips:, or anything with an @)
// passes through with only the surrounding space trimmed. Anything else keeps
// digits, * and #, and a + only before the first digit; spaces, dashes,
// brackets, dots, letters and a tel: prefix are dropped, so
// "+84 (977) 805-845" becomes "+84977805845".
func cleanDialString(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") || strings.Contains(s, "@") {
		return s
	}
	if strings.HasPrefix(lower, "tel:") {
		s = s[len("tel:"):]
		if i := strings.IndexByte(s, ';'); i >= 0 { // RFC 3966 parameters
			s = s[:i]
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
