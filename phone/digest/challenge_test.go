package digest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  Challenge
	}{
		{
			name: "RFC 2617 §3.5, folded over lines",
			value: "Digest\r\n realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n" +
				" nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
			want: Challenge{
				Realm:     "testrealm@host.com",
				Nonce:     "dcd98b7102dd2f0e8b11d0f600bfb0c093",
				Opaque:    "5ccc069c403ebaf9f0171e9517f40e41",
				Algorithm: AlgorithmMD5,
				QOP:       []string{"auth", "auth-int"},
			},
		},
		{
			name: "RFC 7616 §3.9.1 SHA-256",
			value: `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ` +
				`nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
			want: Challenge{
				Realm:     "http-auth@example.org",
				Nonce:     "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				Opaque:    "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
				Algorithm: AlgorithmSHA256,
				QOP:       []string{"auth", "auth-int"},
			},
		},
		{
			name:  "Asterisk style, algorithm first, no qop",
			value: `Digest algorithm=MD5, realm="asterisk", nonce="1c1f2d3e"`,
			want:  Challenge{Realm: "asterisk", Nonce: "1c1f2d3e", Algorithm: AlgorithmMD5},
		},
		{
			name:  "lower-case scheme, names and algorithm, bare values",
			value: `digest REALM=pbx.example.com,NONCE=abc123==,algorithm=sha-256-SESS,qop=auth,STALE=TRUE`,
			want: Challenge{
				Realm: "pbx.example.com", Nonce: "abc123==", Algorithm: AlgorithmSHA256Sess,
				QOP: []string{"auth"}, Stale: true,
			},
		},
		{
			name:  "spaces around equals, tabs, missing commas, unknown parameters",
			value: "Digest  realm = \"a b\"\tnonce =\"n\" , domain=\"sip:a sip:b\", charset=UTF-8, userhash=false, foo=\"x,y\",stale=false",
			want:  Challenge{Realm: "a b", Nonce: "n", Algorithm: AlgorithmMD5},
		},
		{
			name:  "escaped quote and backslash in realm",
			value: `Digest realm="say \"hi\" \\o/", nonce="n"`,
			want:  Challenge{Realm: `say "hi" \o/`, Nonce: "n", Algorithm: AlgorithmMD5},
		},
		{
			name:  "SHA-512-256 and an unknown qop kept",
			value: `Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth-conf,AUTH"`,
			want:  Challenge{Realm: "r", Nonce: "n", Algorithm: AlgorithmSHA512256, QOP: []string{"auth-conf", "auth"}},
		},
		{
			name:  "missing realm tolerated",
			value: `Digest nonce="n"`,
			want:  Challenge{Nonce: "n", Algorithm: AlgorithmMD5},
		},
		{
			name:  "trailing comma and leading spaces",
			value: `   Digest realm="r", nonce="n",  `,
			want:  Challenge{Realm: "r", Nonce: "n", Algorithm: AlgorithmMD5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenge(tt.value)
			if err != nil {
				t.Fatalf("ParseChallenge: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseChallenge =\n %#v\nwant\n %#v", *got, tt.want)
			}
		})
	}
}

func TestParseChallengeErrors(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    error
		message string
	}{
		{"empty", "", ErrMalformed, "empty"},
		{"only spaces", "  , ", ErrMalformed, "empty"},
		{"Basic", `Basic realm="pbx"`, ErrNotDigest, `scheme is "Basic"`},
		{"Bearer alone", `Bearer`, ErrNotDigest, `"Bearer"`},
		{"no nonce", `Digest realm="pbx"`, ErrNoNonce, "no nonce"},
		{"empty nonce", `Digest realm="pbx", nonce=""`, ErrNoNonce, "no nonce"},
		{"unterminated quote", `Digest realm="pbx", nonce="abc`, ErrMalformed, "not closed"},
		{"trailing backslash", `Digest nonce="abc\`, ErrMalformed, "not closed"},
		{"duplicate nonce", `Digest nonce="a", realm="r", NONCE="b"`, ErrMalformed, `"nonce" appears twice`},
		{"AKA algorithm", `Digest realm="ims", nonce="n", algorithm=AKAv1-MD5`, ErrUnsupportedAlgorithm, "AKAv1-MD5"},
		{"two challenges", `Digest realm="r", nonce="a", Digest realm="r", nonce="b"`, ErrMalformed, "2 challenges"},
		{"starts with equals", `=Digest`, ErrMalformed, "unexpected '='"},
		{"quote as parameter name", `Digest "realm"="r"`, ErrMalformed, "unexpected '\"'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseChallenge(tt.value)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseChallenge(%q) error = %v, want %v", tt.value, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "digest: ") || !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q should start with \"digest: \" and mention %q", err, tt.message)
			}
		})
	}
}

func TestSelectChallenge(t *testing.T) {
	const (
		md5Ch    = `Digest realm="pbx", nonce="n1", algorithm=MD5, qop="auth"`
		sha256Ch = `Digest realm="pbx", nonce="n2", algorithm=SHA-256, qop="auth"`
		sha512Ch = `Digest realm="pbx", nonce="n3", algorithm=SHA-512-256, qop="auth"`
	)
	password := Credentials{Username: "1001", Password: "pw"}
	ha1 := Credentials{Username: "1001", HA1: "0123456789abcdef0123456789abcdef"}
	tests := []struct {
		name   string
		values []string
		creds  Credentials
		nonce  string
	}{
		{"SHA-256 listed after MD5", []string{md5Ch, sha256Ch}, password, "n2"},
		{"SHA-256 listed first", []string{sha256Ch, md5Ch}, password, "n2"},
		{"SHA-512-256 is strongest", []string{md5Ch, sha512Ch, sha256Ch}, password, "n3"},
		{"HA1 takes MD5", []string{sha256Ch, md5Ch}, ha1, "n1"},
		{"several challenges in one value", []string{sha256Ch + ", " + md5Ch}, password, "n2"},
		{"Basic and Digest in one value", []string{`Basic realm="x", ` + md5Ch}, password, "n1"},
		{"garbage skipped", []string{`Digest realm="`, md5Ch}, password, "n1"},
		{"unsupported algorithm skipped", []string{`Digest nonce="x", algorithm=AKAv1-MD5`, md5Ch}, password, "n1"},
		{"unsupported qop skipped", []string{`Digest realm="pbx", nonce="q", algorithm=SHA-256, qop="auth-conf"`, md5Ch}, password, "n1"},
		{"equal strength keeps server order", []string{`Digest realm="pbx", nonce="s", algorithm=MD5-sess`, md5Ch}, password, "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectChallenge(tt.values, tt.creds)
			if err != nil {
				t.Fatalf("SelectChallenge: %v", err)
			}
			if got.Nonce != tt.nonce {
				t.Errorf("chose nonce %q (%s), want %q", got.Nonce, got.Algorithm, tt.nonce)
			}
		})
	}
}

func TestSelectChallengeErrors(t *testing.T) {
	const ha1Secret = "0123456789abcdef0123456789abcdef"
	ha1 := Credentials{Username: "1001", HA1: ha1Secret}

	_, err := SelectChallenge([]string{`Digest realm="pbx", nonce="n", algorithm=SHA-256, qop="auth"`}, ha1)
	if !errors.Is(err, ErrNeedPassword) {
		t.Fatalf("SHA-256 only with an HA1: error = %v, want ErrNeedPassword", err)
	}
	const want = "digest: no challenge this account can answer: the password is needed: " +
		"the server asks for SHA-256, which a precomputed MD5 HA1 cannot answer"
	if err.Error() != want {
		t.Errorf("error =\n %q\nwant\n %q", err, want)
	}
	if strings.Contains(err.Error(), ha1Secret) {
		t.Error("the error contains the HA1")
	}

	if _, err := SelectChallenge(nil, ha1); !errors.Is(err, ErrNoChallenge) {
		t.Errorf("no values: error = %v, want ErrNoChallenge", err)
	}
	_, err = SelectChallenge([]string{`Basic realm="x"`, `Digest realm="`}, ha1)
	if !errors.Is(err, ErrNotDigest) || !errors.Is(err, ErrMalformed) {
		t.Errorf("Basic and garbage: error = %v, want both ErrNotDigest and ErrMalformed", err)
	}
	_, err = SelectChallenge([]string{`Digest nonce="n"`}, Credentials{Password: "pw"})
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no username: error = %v, want ErrNoCredentials", err)
	}
}
