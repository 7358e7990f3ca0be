package api

import (
	"context"
	"regexp"
	"testing"

	"github.com/ringdesk/ringdesk/phone"
)

// dialable is the only shape a number the API accepts may have.
var dialable = regexp.MustCompile(`^\+?[0-9*#]{1,64}$`)

// FuzzDialInput: whatever a CRM or a link sends, what the API would dial
// is a plain number (nothing SIP could read as a header, parameter or
// host), and nothing panics.
func FuzzDialInput(f *testing.F) {
	for _, seed := range []string{"0901234567", "+84 97 780 58 45", "1002>;evil", "1002\r\nVia: x", "sip:1002@pbx.example;transport=tcp",
		"tel:+84977805845;phone-context=x", "callto://0901234567", "sip:%31002@h", "tel:", "sip:@", "+", "١٠٠٢", "*97#"} {
		f.Add(seed)
	}
	p := phone.New()
	defer p.Close(context.Background())
	srv, err := New(Options{Phone: p, Token: "fuzz-token-0123456789"})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	f.Fuzz(func(t *testing.T, in string) {
		if n, err := CleanNumber(in); err == nil && !dialable.MatchString(n) {
			t.Errorf("CleanNumber(%q) = %q, not a plain number", in, n)
		}
		if d, err := srv.ParseDialURI(in); err == nil && !dialable.MatchString(d.Number) {
			t.Errorf("ParseDialURI(%q) = %q, not a plain number", in, d.Number)
		}
	})
}
