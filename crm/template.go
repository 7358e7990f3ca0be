package crm

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// The placeholders a lookup URL, a POST body or a screen-pop URL may hold.
// Each is replaced by a form of the caller's number (see Number).
const (
	// PlaceholderNumber is the number as the PBX sent it (Number.Digits).
	PlaceholderNumber = "{number}"
	// PlaceholderE164 is the international form, "+84977805845".
	PlaceholderE164 = "{e164}"
	// PlaceholderNational is the national form, "0977805845".
	PlaceholderNational = "{national}"
	// PlaceholderNSN is the national significant number, "977805845".
	PlaceholderNSN = "{nsn}"
	// PlaceholderSecret is the provider's secret, allowed in headers and
	// POST bodies only.
	PlaceholderSecret = "{secret}"
)

// placeholderRE finds {word} tokens; JSON braces around other text are
// left alone.
var placeholderRE = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// numberPlaceholders lists the placeholders replaced by a form of the number.
var numberPlaceholders = []string{PlaceholderNumber, PlaceholderE164, PlaceholderNational, PlaceholderNSN}

// checkURLTemplate refuses a URL template with an unknown placeholder or
// with {secret}, and one that is not an http(s) address.
func checkURLTemplate(what, tmpl string) error {
	for _, ph := range placeholderRE.FindAllString(tmpl, -1) {
		switch {
		case ph == PlaceholderSecret:
			return fmt.Errorf("%s %q holds {secret}: URLs end up in logs and browser history, so put the key in a header", what, tmpl)
		case !isNumberPlaceholder(ph):
			return fmt.Errorf("%s %q holds %s, which Ringdesk does not know: use %s", what, tmpl, ph, strings.Join(numberPlaceholders, ", "))
		}
	}
	u, err := url.Parse(placeholderRE.ReplaceAllString(tmpl, "0"))
	if err != nil {
		return fmt.Errorf("%s %q is not a valid URL: %w", what, tmpl, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s %q is not a web address: it must start with https:// or http://", what, tmpl)
	}
	return nil
}

func isNumberPlaceholder(ph string) bool {
	for _, p := range numberPlaceholders {
		if p == ph {
			return true
		}
	}
	return false
}

// usesPublicForm reports whether tmpl needs a form of the number that
// internal extensions do not have ({e164}, {national}, {nsn}).
func usesPublicForm(tmpl string) bool {
	return strings.Contains(tmpl, PlaceholderE164) || strings.Contains(tmpl, PlaceholderNational) || strings.Contains(tmpl, PlaceholderNSN)
}

// numberValue returns the form of n a placeholder names.
func numberValue(ph string, n Number) string {
	switch ph {
	case PlaceholderE164:
		return n.E164
	case PlaceholderNational:
		return n.National
	case PlaceholderNSN:
		return n.NSN
	default:
		return n.Digits
	}
}

// expand replaces the number placeholders (and {secret} when secret is
// given) in tmpl, passing each value through escape.
func expand(tmpl string, n Number, secret *string, escape func(string) string) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(ph string) string {
		switch {
		case isNumberPlaceholder(ph):
			return escape(numberValue(ph, n))
		case ph == PlaceholderSecret && secret != nil:
			return escape(*secret)
		default:
			return ph
		}
	})
}

// expandURL fills a URL template, query-escaping each value ("+" becomes
// %2B, which means "+" in a path and in a query alike).
func expandURL(tmpl string, n Number) string {
	return expand(tmpl, n, nil, url.QueryEscape)
}

// jsonEscape escapes s for use inside a JSON string literal.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// numberIn returns the form of n a preset's number_format names, or
// fallback's form when format is empty.
func numberIn(format, fallback string, n Number) string {
	if format == "" {
		format = fallback
	}
	return numberValue("{"+format+"}", n)
}
