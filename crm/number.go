package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrNotANumber is wrapped by Normalize's error when the input is not a
// phone number at all ("anonymous", a SIP user name, an empty string).
var ErrNotANumber = errors.New("not a phone number")

// MaxExtensionDigits is the longest number (in digits, without a "+") that
// Normalize keeps as an internal extension instead of reading it as a phone
// number of the region: 1002 and 123456 are extensions, 1234567 is not.
const MaxExtensionDigits = 6

// Number is a caller's number in every form a lookup may need. Two inputs
// that mean the same number (0977805845 in region VN and +84977805845) have
// the same Key.
type Number struct {
	// Raw is the input as it was given to Normalize.
	Raw string `json:"raw"`
	// Digits is the number as the PBX sent it, separators removed: digits,
	// with a leading "+" when it had one ("+84977805845", "0977805845",
	// "1002", "*97").
	Digits string `json:"digits"`
	// E164 is the international form, "+84977805845"; empty for internal
	// extensions and when no region is known for a number without "+".
	E164 string `json:"e164,omitempty"`
	// National is the national form with its trunk prefix, digits only:
	// "0977805845", "2015550123" (US), "0123456789" (FR). For internal
	// extensions it equals Digits.
	National string `json:"national,omitempty"`
	// NSN is the national significant number: National without the trunk
	// prefix, "977805845". Useful where CRMs store numbers in mixed forms.
	NSN string `json:"nsn,omitempty"`
	// Extension is a phone extension written after the number ("x45",
	// ";ext=45"); it is not part of the other forms.
	Extension string `json:"extension,omitempty"`
	// Region is the ISO 3166 region the number belongs to, "VN"; empty when
	// unknown.
	Region string `json:"region,omitempty"`
	// Internal says the number is a short internal extension or a feature
	// code (1002, *97): it is looked up as it is, never read as a public
	// number, and CRM presets are not asked about it.
	Internal bool `json:"internal,omitempty"`
}

// Key is what two forms of the same number share: E164 when it is known,
// else Digits. Caches and local contacts are indexed by it.
func (n Number) Key() string {
	if n.E164 != "" {
		return n.E164
	}
	return n.Digits
}

// String returns the number's Key, for logs and messages.
func (n Number) String() string { return n.Key() }

// MarshalJSON writes the number as an object of its forms.
func (n Number) MarshalJSON() ([]byte, error) {
	type plain Number
	return json.Marshal(plain(n))
}

// Normalize reads raw, a caller id as a PBX or a user writes it, in region
// (ISO 3166, "VN"; empty when unknown) and returns all its forms.
//
// It accepts plain numbers with any separators ("+84 97-780.58 45",
// "(201) 555-0123"), international prefixes ("0084...", "011 84..." in the
// US), extensions ("... x45", "tel:+1-201-555-0123;ext=45"), and SIP or tel
// URIs including a display name ("Jane" <sip:0977805845@pbx;user=phone>),
// whose user part is the number. Short numbers of up to MaxExtensionDigits
// digits without "+", and feature codes holding * or #, are internal
// extensions and stay as they are. Without a region, a number without "+"
// has no E164 form and is matched by its digits only.
//
// Anything else ("anonymous", "sip:alice@pbx", a number too long or short
// for its country) is an error wrapping ErrNotANumber that says why.
func Normalize(raw, region string) (Number, error) {
	n := Number{Raw: raw}
	region = strings.ToUpper(strings.TrimSpace(region))
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		return n, fmt.Errorf("reading %q: %q is not a region phone numbers know: use the two capital letters of the country, like \"VN\" or \"US\"", raw, region)
	}
	user, ext := userPart(strings.TrimSpace(raw))
	if user == "" {
		return n, fmt.Errorf("%w: no number was given", ErrNotANumber)
	}
	cleaned, plus, featureCode := dialable(user)
	digitCount := len(strings.TrimPrefix(cleaned, "+"))
	switch {
	case digitCount == 0 && hasLetters(user):
		return n, fmt.Errorf("%w: %q is a name, not a number (the caller may have hidden their number)", ErrNotANumber, user)
	case digitCount == 0:
		return n, fmt.Errorf("%w: %q holds no digits", ErrNotANumber, raw)
	case featureCode || !plus && digitCount <= MaxExtensionDigits && !hasLetters(user):
		n.Digits, n.National, n.Extension, n.Internal = cleaned, cleaned, ext, true
		return n, nil
	}
	if !plus && region == "" {
		if hasLetters(user) {
			return n, fmt.Errorf("%w: %q has letters and no region is set to read it in", ErrNotANumber, user)
		}
		n.Digits, n.National, n.NSN, n.Extension = cleaned, cleaned, cleaned, ext
		return n, nil
	}
	pn, err := phonenumbers.Parse(user, region)
	if err != nil {
		return n, fmt.Errorf("%w: %q %s", ErrNotANumber, raw, parseProblem(err, region))
	}
	if why := phonenumbers.IsPossibleNumberWithReason(pn); why != phonenumbers.IS_POSSIBLE && why != phonenumbers.IS_POSSIBLE_LOCAL_ONLY {
		return n, fmt.Errorf("%w: %q %s", ErrNotANumber, raw, possibleProblem(why, pn))
	}
	if ext == "" {
		ext = pn.GetExtension()
	}
	pn.Extension = nil
	n.E164 = phonenumbers.Format(pn, phonenumbers.E164)
	n.National = digitsOnly(phonenumbers.Format(pn, phonenumbers.NATIONAL))
	n.NSN = phonenumbers.GetNationalSignificantNumber(pn)
	n.Region = phonenumbers.GetRegionCodeForNumber(pn)
	n.Extension = ext
	n.Digits = cleaned
	if hasLetters(user) {
		// A vanity number (1-800-FLOWERS): what was sent is its E.164 form.
		n.Digits = n.E164
	}
	return n, nil
}

// userPart takes the number out of a SIP or tel URI (with or without a
// display name and angle brackets) and splits off an ";ext=" parameter.
// Other input is returned as it is.
func userPart(s string) (user, ext string) {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	lower := strings.ToLower(s)
	isURI := false
	for _, scheme := range []string{"sips:", "sip:", "tel:"} {
		if strings.HasPrefix(lower, scheme) {
			s, isURI = s[len(scheme):], true
			break
		}
	}
	if !isURI {
		return s, ""
	}
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	user, params, _ := strings.Cut(s, ";")
	for _, p := range strings.Split(params, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "ext") {
			ext = digitsOnly(v)
		}
	}
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	return strings.TrimSpace(user), ext
}

// dialable keeps what can be dialled: digits, a leading "+", and * or #
// (which make it a feature code). An extension written after the number
// (" x45", " ext. 45") is left out.
func dialable(s string) (cleaned string, plus, featureCode bool) {
	if i := extensionMark(s); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
			b.WriteRune(r)
		case r == '*' || r == '#':
			featureCode = true
			b.WriteRune(r)
		case r == '+' && i > 0:
			// A second "+" is garbage; phonenumbers will say so.
		}
	}
	return b.String(), plus, featureCode
}

// extensionMark returns where an extension marker (x, ext, #) starts after
// some digits, or -1.
func extensionMark(s string) int {
	lower := strings.ToLower(s)
	seenDigit := false
	for i, r := range lower {
		if r >= '0' && r <= '9' {
			seenDigit = true
			continue
		}
		if !seenDigit {
			continue
		}
		if strings.HasPrefix(lower[i:], "ext") || r == 'x' {
			rest := strings.TrimLeft(lower[i:], "extnsio.: ")
			if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
				return i
			}
		}
	}
	return -1
}

// hasLetters reports whether the number part of s (an extension written
// after it left out) holds letters.
func hasLetters(s string) bool {
	if i := extensionMark(s); i >= 0 {
		s = s[:i]
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}) >= 0
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseProblem says, for a person, why phonenumbers refused a number.
func parseProblem(err error, region string) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		if region == "" {
			return "has no country code, and no region is set to read it in ([crm] region)"
		}
		return "starts with a country code that does not exist"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "is too short to be a phone number"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "is too long to be a phone number"
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return "is not written like a phone number"
	default:
		return "could not be read as a phone number (" + err.Error() + ")"
	}
}

// possibleProblem says why a parsed number cannot exist.
func possibleProblem(why phonenumbers.ValidationResult, pn *phonenumbers.PhoneNumber) string {
	where := phonenumbers.GetRegionCodeForNumber(pn)
	if where == "" || where == "ZZ" {
		where = fmt.Sprintf("country code +%d", pn.GetCountryCode())
	}
	switch why {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "starts with a country code that does not exist"
	case phonenumbers.TOO_SHORT:
		return "is too short for a number in " + where
	case phonenumbers.TOO_LONG:
		return "is too long for a number in " + where
	default:
		return "does not have the length of a number in " + where
	}
}
