package digest

import (
	"strings"
	"testing"
)

// FuzzParseChallenge feeds arbitrary header values to the parser and to the
// code that answers what it accepts. Nothing may panic; an accepted
// challenge must have a nonce and a known algorithm; and its realm, nonce
// and opaque must survive the quoting of the Authorization value unchanged.
// Seeds live in testdata/fuzz/FuzzParseChallenge.
func FuzzParseChallenge(f *testing.F) {
	f.Add(`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", qop="auth"`)
	f.Fuzz(func(t *testing.T, value string) {
		creds := Credentials{Username: "1001", Password: "pw"}
		_, _ = SelectChallenge([]string{value, value}, creds)
		_, _ = SelectChallenge([]string{value}, Credentials{Username: "1001", HA1: "0123456789abcdef0123456789abcdef"})

		ch, err := ParseChallenge(value)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "digest: ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if ch.Nonce == "" {
			t.Fatalf("accepted %q without a nonce", value)
		}
		if _, ok := ch.Algorithm.newHash(); !ok || ch.Algorithm == "" {
			t.Fatalf("accepted %q with algorithm %q", value, ch.Algorithm)
		}
		r := Responder{cnonce: func() string { return "c" }}
		v, err := r.Authorize(ch, creds, "REGISTER", "sip:pbx.example.com", []byte(value))
		if err != nil {
			return
		}
		raws, err := parseChallenges(v)
		if err != nil || len(raws) != 1 {
			t.Fatalf("Authorization %q for %q does not parse back: %v", v, value, err)
		}
		got := map[string]string{}
		for _, p := range raws[0].params {
			got[p.name] = p.value
		}
		if got["realm"] != ch.Realm || got["nonce"] != ch.Nonce || got["opaque"] != ch.Opaque {
			t.Fatalf("quoting changed values: challenge %+v, Authorization %q", ch, v)
		}
	})
}
