package api

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxNumberDigits is the longest number the API dials: E.164 numbers have
// at most 15 digits; prefixes, extensions and PBX codes leave room to 32.
const MaxNumberDigits = 32

// CleanNumber checks a number to dial and returns it without the spaces,
// dashes, dots, slashes and brackets people write in numbers. A number is
// digits with an optional leading +, and * or # for PBX codes; anything
// else (letters, an @host, characters SIP gives meaning to, line breaks)
// is refused with 422 before any SIP is sent.
func CleanNumber(raw string) (string, error) {
	invalid := func(format string, args ...any) error {
		return errorf(http.StatusUnprocessableEntity, CodeInvalid, format, args...)
	}
	if strings.TrimSpace(raw) == "" {
		return "", invalid("no number to dial: give one, e.g. 0901234567 or +84901234567")
	}
	var b strings.Builder
	digits := 0
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r == '*' || r == '#':
			b.WriteRune(r)
		case r == '+':
			if b.Len() != 0 {
				return "", invalid("%q has a + after its start: a + may only lead the number", raw)
			}
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		case r == '@':
			return "", invalid("%q is an address, not a number: the API dials numbers through your PBX account", raw)
		case r == '\r' || r == '\n' || r == 0:
			return "", invalid("the number has a line break or NUL at byte %d: a number is one line of digits", i)
		case strings.ContainsRune("<>;:,\"'?&=%\\", r):
			return "", invalid("%q has %q, which is not part of a phone number", raw, r)
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			return "", invalid("%q has letters: dial digits only (0-9, a leading +, * and #)", raw)
		default:
			return "", invalid("%q has %q, which is not part of a phone number", raw, r)
		}
	}
	switch {
	case digits == 0:
		return "", invalid("%q has no digits", raw)
	case digits > MaxNumberDigits:
		return "", invalid("the number has %d digits; at most %d can be dialled", digits, MaxNumberDigits)
	}
	return b.String(), nil
}

// headerName is what an extra INVITE header may be called: X- and a token.
var headerName = regexp.MustCompile(`^[Xx]-[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)

// cleanHeaders checks the extra INVITE headers of a dial request.
func cleanHeaders(in map[string]string) (map[string]string, error) {
	if len(in) > 20 {
		return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "%d headers are too many: send at most 20", len(in))
	}
	out := make(map[string]string, len(in))
	for name, value := range in {
		if !headerName.MatchString(name) {
			return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "header %q is not allowed: extra headers are named X-Something (letters, digits, dashes)", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") || len(value) > 1024 {
			return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "header %q must have a one-line value of at most 1024 bytes", name)
		}
		out[name] = value
	}
	return out, nil
}

// flatData turns attached data into strings: values may be strings,
// numbers, booleans or null, not objects or lists.
func flatData(in map[string]any) (map[string]string, error) {
	if len(in) > 50 {
		return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "%d data keys are too many: attach at most 50", len(in))
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		if k == "" || len(k) > 128 {
			return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "data key %q must be 1 to 128 bytes", k)
		}
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(v)
		case nil:
			out[k] = ""
		default:
			return nil, errorf(http.StatusUnprocessableEntity, CodeInvalid, "data %q is an object or a list: attached data is flat, key to string, number or boolean", k)
		}
	}
	return out, nil
}

// checkDigits checks DTMF digits to send.
func checkDigits(digits string) error {
	if digits == "" || len(digits) > 64 {
		return errorf(http.StatusUnprocessableEntity, CodeInvalid, "give 1 to 64 DTMF digits (0-9, *, #, A-D)")
	}
	for _, r := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcd", r) {
			return errorf(http.StatusUnprocessableEntity, CodeInvalid, "%q is not a DTMF digit: use 0-9, *, # and A-D", r)
		}
	}
	return nil
}

// ParseDialURI reads a tel:, sip:, sips: or callto: link into what to dial.
// A sip: link's user part is the number, dialled from the account whose
// domain is the link's host (or the first registered account); the number
// goes through CleanNumber like any other.
func (s *Server) ParseDialURI(raw string) (ExternalDial, error) {
	d := ExternalDial{URI: raw}
	invalid := func(format string, args ...any) (ExternalDial, error) {
		return d, errorf(http.StatusUnprocessableEntity, CodeInvalid, format, args...)
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), ":")
	if !ok {
		return invalid("%q is not a link to dial: give tel:NUMBER, sip:NUMBER@HOST or callto:NUMBER", raw)
	}
	rest, err := url.PathUnescape(rest)
	if err != nil {
		return invalid("%q is not a well-formed link: %v", raw, err)
	}
	var user, host string
	switch strings.ToLower(scheme) {
	case "tel":
		user, _, _ = strings.Cut(rest, ";")
	case "callto":
		user = strings.TrimPrefix(rest, "//")
		user, _, _ = strings.Cut(user, "?")
	case "sip", "sips":
		rest, _, _ = strings.Cut(rest, "?")
		rest, _, _ = strings.Cut(rest, ";")
		var found bool
		user, host, found = strings.Cut(rest, "@")
		if !found {
			user, host = rest, ""
		}
		if u, _, hasPassword := strings.Cut(user, ":"); hasPassword {
			// A password in the link is ignored, and kept out of the
			// logs and the confirmation question.
			user = u
			d.URI = scheme + ":" + u + "@" + host
		}
	default:
		return invalid("%q is not a tel:, sip: or callto: link", raw)
	}
	number, err := CleanNumber(user)
	if err != nil {
		return d, err
	}
	d.Number = number
	if host != "" {
		h := strings.ToLower(strings.Trim(host, "[]"))
		if i := strings.LastIndex(h, ":"); i > 0 && !strings.Contains(h[:i], ":") {
			h = h[:i]
		}
		for _, a := range s.phone.Accounts() {
			if strings.EqualFold(a.Config().Domain, h) {
				d.Account = a.ID()
				break
			}
		}
	}
	return d, nil
}

// String describes the dial for logs and the confirmation question.
func (d ExternalDial) String() string {
	return fmt.Sprintf("%s (from %s)", d.Number, d.URI)
}
