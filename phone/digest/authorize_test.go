package digest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// fixedCnonce returns a Responder whose client nonce is always cnonce.
func fixedCnonce(cnonce string) *Responder {
	return &Responder{cnonce: func() string { return cnonce }}
}

// authParams parses an Authorization value back into its parameters.
func authParams(t *testing.T, value string) map[string]string {
	t.Helper()
	raws, err := parseChallenges(value)
	if err != nil || len(raws) != 1 || raws[0].scheme != "Digest" {
		t.Fatalf("Authorization %q does not parse as one Digest credential: %v", value, err)
	}
	m := map[string]string{}
	for _, p := range raws[0].params {
		if _, dup := m[p.name]; dup {
			t.Fatalf("parameter %q twice in %q", p.name, value)
		}
		m[p.name] = p.value
	}
	return m
}

func mustParse(t *testing.T, value string) *Challenge {
	t.Helper()
	ch, err := ParseChallenge(value)
	if err != nil {
		t.Fatalf("ParseChallenge(%q): %v", value, err)
	}
	return ch
}

// TestRFC2617Example is the worked example of RFC 2617 §3.5.
func TestRFC2617Example(t *testing.T) {
	ch := mustParse(t, `Digest realm="testrealm@host.com", qop="auth,auth-int", `+
		`nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	got, err := fixedCnonce("0a4f113b").Authorize(ch,
		Credentials{Username: "Mufasa", Password: "Circle Of Life"}, "GET", "/dir/index.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	const want = `Digest username="Mufasa", realm="testrealm@host.com", ` +
		`nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ` +
		`response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", ` +
		`opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001`
	if got != want {
		t.Errorf("Authorization =\n %s\nwant\n %s", got, want)
	}
}

// TestRFC7616Examples are the MD5 and SHA-256 examples of RFC 7616 §3.9.1.
func TestRFC7616Examples(t *testing.T) {
	const challenge = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=%s, ` +
		`nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
	tests := []struct {
		algorithm string
		response  string
	}{
		{"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	}
	for _, tt := range tests {
		t.Run(tt.algorithm, func(t *testing.T) {
			ch := mustParse(t, fmt.Sprintf(challenge, tt.algorithm))
			got, err := fixedCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ").Authorize(ch,
				Credentials{Username: "Mufasa", Password: "Circle of Life"}, "GET", "/dir/index.html", nil)
			if err != nil {
				t.Fatal(err)
			}
			p := authParams(t, got)
			want := map[string]string{
				"username":  "Mufasa",
				"realm":     "http-auth@example.org",
				"uri":       "/dir/index.html",
				"algorithm": tt.algorithm,
				"nonce":     "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				"nc":        "00000001",
				"cnonce":    "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
				"qop":       "auth",
				"response":  tt.response,
				"opaque":    "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
			}
			if fmt.Sprint(p) != fmt.Sprint(want) {
				t.Errorf("Authorization parameters =\n %v\nwant\n %v", p, want)
			}
		})
	}
}

// SIP examples. The expected responses were computed outside Go with
// openssl dgst (-md5, -sha256, -sha512-256) from the formulas of RFC 7616
// §3.4, for username 1001, realm pbx.example.com, password s3cret-Pa55,
// nonce 5f9a7c1e0b3d4a6b and cnonce 0a4f113b.
const (
	sipUser     = "1001"
	sipRealm    = "pbx.example.com"
	sipPassword = "s3cret-Pa55"
	sipHA1      = "dfa603ac3796569f1d3dfd67c270e354" // MD5(1001:pbx.example.com:s3cret-Pa55)
	sipNonce    = "5f9a7c1e0b3d4a6b"
	sipCnonce   = "0a4f113b"
	sipSDP      = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
)

func TestSIPExamples(t *testing.T) {
	tests := []struct {
		name      string
		algorithm string // "" leaves the parameter out
		qop       string // "" leaves the parameter out
		method    string
		uri       string
		body      string
		response  string
	}{
		{"MD5 without qop (RFC 2069 form)", "", "", "REGISTER", "sip:pbx.example.com", "", "d3b366d7354c8b32a659e79329c9d149"},
		{"MD5 auth", "MD5", "auth", "REGISTER", "sip:pbx.example.com", "", "7b00fda8c7079117b4adcfe4dcddd98e"},
		{"MD5-sess auth", "MD5-sess", "auth", "REGISTER", "sip:pbx.example.com", "", "c940766340e3f9adff9fb97508051544"},
		{"SHA-256 auth", "SHA-256", "auth", "REGISTER", "sip:pbx.example.com", "", "30ec5c002582fb27f95f664efbfef78cf4afd13c779ad5c3ea58749bf72ad23d"},
		{"SHA-256-sess auth", "SHA-256-sess", "auth", "REGISTER", "sip:pbx.example.com", "", "26e4b3b32da48e735422810ba0b48422073598066dfb5d02cc297bd0c9b57c82"},
		{"SHA-512-256 auth", "SHA-512-256", "auth", "REGISTER", "sip:pbx.example.com", "", "7539771749e378b5b971023183a623be8893082c9d3d8d704b898f17e283cc11"},
		{"MD5 auth-int on an INVITE with SDP", "MD5", "auth-int", "INVITE", "sip:2000@pbx.example.com", sipSDP, "bc27c8a2bc0127c13aa136fd84dca9ef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value := fmt.Sprintf(`Digest realm="%s", nonce="%s"`, sipRealm, sipNonce)
			if tt.algorithm != "" {
				value += ", algorithm=" + tt.algorithm
			}
			if tt.qop != "" {
				value += `, qop="` + tt.qop + `"`
			}
			ch := mustParse(t, value)
			got, err := fixedCnonce(sipCnonce).Authorize(ch,
				Credentials{Username: sipUser, Password: sipPassword}, tt.method, tt.uri, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			p := authParams(t, got)
			if p["response"] != tt.response {
				t.Errorf("response = %s, want %s\nin %s", p["response"], tt.response, got)
			}
			wantAlg := tt.algorithm
			if wantAlg == "" {
				wantAlg = "MD5"
			}
			if p["algorithm"] != wantAlg || p["uri"] != tt.uri || p["username"] != sipUser || p["realm"] != sipRealm {
				t.Errorf("echoed parameters wrong in %s", got)
			}
			_, hasCnonce := p["cnonce"]
			_, hasNC := p["nc"]
			if tt.qop == "" {
				if hasNC || p["qop"] != "" || hasCnonce {
					t.Errorf("without qop, nc, qop and cnonce must be absent: %s", got)
				}
			} else if p["qop"] != tt.qop || p["nc"] != "00000001" || p["cnonce"] != sipCnonce {
				t.Errorf("qop, nc or cnonce wrong: %s", got)
			}
			if _, ok := p["opaque"]; ok {
				t.Errorf("opaque sent though the server gave none: %s", got)
			}
		})
	}
}

// TestHA1MatchesPassword proves that a precomputed HA1 gives byte for byte
// the header the password gives, for MD5 and MD5-sess, with and without qop.
func TestHA1MatchesPassword(t *testing.T) {
	sum := md5.Sum([]byte(sipUser + ":" + sipRealm + ":" + sipPassword))
	if hex.EncodeToString(sum[:]) != sipHA1 {
		t.Fatalf("test constant sipHA1 is wrong")
	}
	for _, value := range []string{
		`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b"`,
		`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", qop="auth", opaque="op"`,
		`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", algorithm=MD5-sess, qop="auth"`,
		`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", algorithm=md5-sess`,
		`Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", qop="auth-int"`,
	} {
		ch := mustParse(t, value)
		byPassword, err := fixedCnonce(sipCnonce).Authorize(ch,
			Credentials{Username: sipUser, Password: sipPassword}, "REGISTER", "sip:pbx.example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ha1 := range []string{sipHA1, strings.ToUpper(sipHA1)} {
			byHA1, err := fixedCnonce(sipCnonce).Authorize(ch,
				Credentials{Username: sipUser, HA1: ha1}, "REGISTER", "sip:pbx.example.com", nil)
			if err != nil {
				t.Fatal(err)
			}
			if byHA1 != byPassword {
				t.Errorf("%s:\nHA1 gives      %s\npassword gives %s", value, byHA1, byPassword)
			}
		}
	}
}

func TestNonceCount(t *testing.T) {
	r := fixedCnonce(sipCnonce)
	creds := Credentials{Username: sipUser, Password: sipPassword}
	first := mustParse(t, `Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b", qop="auth"`)
	nc := func(ch *Challenge) map[string]string {
		t.Helper()
		v, err := r.Authorize(ch, creds, "REGISTER", "sip:pbx.example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		return authParams(t, v)
	}
	if p := nc(first); p["nc"] != "00000001" || p["response"] != "7b00fda8c7079117b4adcfe4dcddd98e" {
		t.Errorf("first use: %v", p)
	}
	// The second use of the same nonce: response computed with openssl as above, nc=00000002.
	if p := nc(first); p["nc"] != "00000002" || p["response"] != "48012699f43b7dde6b376365fe38013c" {
		t.Errorf("second use: %v", p)
	}
	if p := nc(first); p["nc"] != "00000003" {
		t.Errorf("third use: nc = %s", p["nc"])
	}
	other := mustParse(t, `Digest realm="pbx.example.com", nonce="fresh", qop="auth"`)
	if p := nc(other); p["nc"] != "00000001" {
		t.Errorf("new nonce: nc = %s, want 00000001", p["nc"])
	}
	if p := nc(first); p["nc"] != "00000004" {
		t.Errorf("old nonce again: nc = %s, want 00000004", p["nc"])
	}
	if p := nc(mustParse(t, `Digest realm="pbx.example.com", nonce="5f9a7c1e0b3d4a6b"`)); p["nc"] != "" {
		t.Errorf("no qop: nc = %q, want none", p["nc"])
	}
}

func TestNonceCountForgetsOldest(t *testing.T) {
	var r Responder
	for i := range maxNonces + 10 {
		r.next(fmt.Sprint("nonce", i))
	}
	if len(r.counts) != maxNonces || len(r.order) != maxNonces {
		t.Fatalf("remembered %d counts, %d keys; want %d", len(r.counts), len(r.order), maxNonces)
	}
	if got := r.next("nonce0"); got != 1 {
		t.Errorf("forgotten nonce restarts at %d, want 1", got)
	}
	if got := r.next(fmt.Sprint("nonce", maxNonces+9)); got != 2 {
		t.Errorf("recent nonce counts %d, want 2", got)
	}
}

// TestConcurrentNonceCount runs under -race: concurrent answers to one
// nonce get distinct counts 1..n.
func TestConcurrentNonceCount(t *testing.T) {
	var r Responder
	ch := mustParse(t, `Digest realm="r", nonce="n", qop="auth"`)
	const n = 50
	var wg sync.WaitGroup
	ncs := make(chan string, n)
	for range n {
		wg.Go(func() {
			v, err := r.Authorize(ch, Credentials{Username: "u", Password: "p"}, "REGISTER", "sip:r", nil)
			if err != nil {
				t.Error(err)
				return
			}
			ncs <- authParams(t, v)["nc"]
		})
	}
	wg.Wait()
	close(ncs)
	seen := map[string]bool{}
	for nc := range ncs {
		seen[nc] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("%08x", i)] {
			t.Errorf("nc %08x never used", i)
		}
	}
}

func TestRandomCnonce(t *testing.T) {
	var r Responder
	ch := mustParse(t, `Digest realm="r", nonce="n", qop="auth"`)
	creds := Credentials{Username: "u", Password: "p"}
	seen := map[string]bool{}
	for range 20 {
		v, err := r.Authorize(ch, creds, "REGISTER", "sip:r", nil)
		if err != nil {
			t.Fatal(err)
		}
		c := authParams(t, v)["cnonce"]
		if len(c) < 16 || seen[c] {
			t.Fatalf("cnonce %q is short or repeated", c)
		}
		seen[c] = true
	}
}

func TestQOPChoice(t *testing.T) {
	tests := []struct {
		qop  string
		want string
	}{
		{`qop="auth-int,auth"`, "auth"},
		{`qop="auth,auth-int"`, "auth"},
		{`qop="auth-int"`, "auth-int"},
		{`qop="AUTH-INT, token"`, "auth-int"},
	}
	for _, tt := range tests {
		ch := mustParse(t, `Digest realm="r", nonce="n", `+tt.qop)
		v, err := fixedCnonce("c").Authorize(ch, Credentials{Username: "u", Password: "p"}, "INVITE", "sip:x@r", []byte("body"))
		if err != nil {
			t.Fatal(err)
		}
		if got := authParams(t, v)["qop"]; got != tt.want {
			t.Errorf("%s: chose qop %q, want %q", tt.qop, got, tt.want)
		}
	}
}

func TestQuotingInHeader(t *testing.T) {
	ch := mustParse(t, `Digest realm="say \"hi\"", nonce="n\\1", opaque="o\"p"`)
	v, err := fixedCnonce("c").Authorize(ch, Credentials{Username: `a"b\c`, Password: "p"}, "REGISTER", "sip:r", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v, `username="a\"b\\c"`) || !strings.Contains(v, `realm="say \"hi\""`) {
		t.Errorf("quotes not escaped: %s", v)
	}
	p := authParams(t, v)
	if p["username"] != `a"b\c` || p["realm"] != `say "hi"` || p["nonce"] != `n\1` || p["opaque"] != `o"p` {
		t.Errorf("round trip lost characters: %v", p)
	}
}

// TestErrorsNeverCarrySecrets drives every credential error and checks that
// neither the password nor the HA1 appears in its text.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	const password = "Tr0ub4dor&3-secret"
	const ha1 = "0123456789abcdef0123456789abcdef"
	md5Ch := mustParse(t, `Digest realm="r", nonce="n", qop="auth"`)
	shaCh := mustParse(t, `Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"`)
	tests := []struct {
		name   string
		ch     *Challenge
		creds  Credentials
		method string
		uri    string
		want   error
	}{
		{"HA1 with SHA-256", shaCh, Credentials{Username: "u", HA1: ha1}, "REGISTER", "sip:r", ErrNeedPassword},
		{"short HA1", md5Ch, Credentials{Username: "u", HA1: ha1[:31]}, "REGISTER", "sip:r", ErrBadHA1},
		{"HA1 not hex", md5Ch, Credentials{Username: "u", HA1: "z" + ha1[1:]}, "REGISTER", "sip:r", ErrBadHA1},
		{"no username", md5Ch, Credentials{Password: password}, "REGISTER", "sip:r", ErrNoCredentials},
		{"no secret", md5Ch, Credentials{Username: "u"}, "REGISTER", "sip:r", ErrNoCredentials},
		{"line break in username", md5Ch, Credentials{Username: "u\r\nX-Evil: 1", Password: password}, "REGISTER", "sip:r", ErrBadInput},
		{"empty method", md5Ch, Credentials{Username: "u", Password: password}, "", "sip:r", ErrBadInput},
		{"nil challenge", nil, Credentials{Username: "u", Password: password}, "REGISTER", "sip:r", ErrNoChallenge},
		{"unknown qop", &Challenge{Nonce: "n", QOP: []string{"auth-conf"}}, Credentials{Username: "u", Password: password}, "REGISTER", "sip:r", ErrUnsupportedQOP},
		{"unknown algorithm", &Challenge{Nonce: "n", Algorithm: "SHA-1"}, Credentials{Username: "u", Password: password}, "REGISTER", "sip:r", ErrUnsupportedAlgorithm},
		{"no nonce", &Challenge{Realm: "r"}, Credentials{Username: "u", Password: password}, "REGISTER", "sip:r", ErrNoNonce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Responder
			_, err := r.Authorize(tt.ch, tt.creds, tt.method, tt.uri, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			for _, secret := range []string{password, ha1, ha1[:31], ha1[1:]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a secret", err)
				}
			}
		})
	}
}

// TestHandBuiltChallenge checks that a Challenge built by hand, with the
// zero Algorithm and upper-case qop, answers as MD5.
func TestHandBuiltChallenge(t *testing.T) {
	ch := &Challenge{Realm: sipRealm, Nonce: sipNonce, QOP: []string{"AUTH"}}
	v, err := fixedCnonce(sipCnonce).Authorize(ch, Credentials{Username: sipUser, Password: sipPassword}, "REGISTER", "sip:pbx.example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := authParams(t, v); p["response"] != "7b00fda8c7079117b4adcfe4dcddd98e" || p["algorithm"] != "MD5" {
		t.Errorf("hand-built challenge: %v", p)
	}
}
