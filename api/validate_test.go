package api

import (
	"context"
	"regexp"
	"strings"
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

// TestParseDialURI: what each kind of link dials, and that a password in a
// sip: link never reaches the logs or the question the user is asked.
func TestParseDialURI(t *testing.T) {
	p := phone.New()
	defer p.Close(context.Background())
	srv, err := New(Options{Phone: p, Token: "uri-token-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for in, want := range map[string]string{
		"tel:+84-977-805-845":                    "+84977805845",
		"tel:0901234567;phone-context=+84":       "0901234567",
		"callto://0901234567":                    "0901234567",
		"callto:0901234567?x=1":                  "0901234567",
		"sip:1002@pbx.example.com;transport=tcp": "1002",
		"sips:1002@pbx.example.com":              "1002",
		"SIP:%31002@pbx.example.com":             "1002",
	} {
		d, err := srv.ParseDialURI(in)
		if err != nil || d.Number != want {
			t.Errorf("ParseDialURI(%q) = %+v, %v; want %q", in, d, err, want)
		}
	}
	d, err := srv.ParseDialURI("sip:1002:s3cret@pbx.example.com")
	if err != nil || d.Number != "1002" || strings.Contains(d.URI, "s3cret") || strings.Contains(d.String(), "s3cret") {
		t.Errorf("a link with a password gave %+v, %v", d, err)
	}
}
