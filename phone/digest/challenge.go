package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Errors a caller can test for with errors.Is. Returned errors wrap them with
// the detail; none carries a password or an HA1.
var (
	// ErrMalformed means a header value does not follow the auth-param
	// syntax of RFC 7235 §2.1.
	ErrMalformed = errors.New("malformed authentication header")
	// ErrNotDigest means the challenge uses another scheme, such as Basic.
	ErrNotDigest = errors.New("not a Digest challenge")
	// ErrNoNonce means a Digest challenge lacks its nonce.
	ErrNoNonce = errors.New("the challenge has no nonce")
	// ErrUnsupportedAlgorithm means the challenge names an algorithm this
	// package cannot compute, such as AKAv1-MD5.
	ErrUnsupportedAlgorithm = errors.New("unsupported digest algorithm")
	// ErrUnsupportedQOP means the challenge offers only qop values other than
	// auth and auth-int.
	ErrUnsupportedQOP = errors.New("unsupported digest qop")
	// ErrNoChallenge means no header value was given to choose from.
	ErrNoChallenge = errors.New("no authentication challenge")
)

// Algorithm is a digest algorithm as the algorithm parameter spells it.
type Algorithm string

// The algorithms this package answers (RFC 2617 §3.2.1, RFC 7616 §3.3,
// RFC 8760 §2.2). A challenge without an algorithm parameter means MD5.
const (
	AlgorithmMD5           Algorithm = "MD5"
	AlgorithmMD5Sess       Algorithm = "MD5-sess"
	AlgorithmSHA256        Algorithm = "SHA-256"
	AlgorithmSHA256Sess    Algorithm = "SHA-256-sess"
	AlgorithmSHA512256     Algorithm = "SHA-512-256"
	AlgorithmSHA512256Sess Algorithm = "SHA-512-256-sess"
)

var algorithms = []Algorithm{
	AlgorithmMD5, AlgorithmMD5Sess,
	AlgorithmSHA256, AlgorithmSHA256Sess,
	AlgorithmSHA512256, AlgorithmSHA512256Sess,
}

// parseAlgorithm maps a token, in any letter case, to its canonical spelling.
func parseAlgorithm(s string) (Algorithm, bool) {
	for _, a := range algorithms {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}

// newHash returns the algorithm's hash function; ok is false for an
// algorithm this package does not know. The empty Algorithm is MD5.
func (a Algorithm) newHash() (h func() hash.Hash, ok bool) {
	switch a {
	case "", AlgorithmMD5, AlgorithmMD5Sess:
		return md5.New, true
	case AlgorithmSHA256, AlgorithmSHA256Sess:
		return sha256.New, true
	case AlgorithmSHA512256, AlgorithmSHA512256Sess:
		return sha512.New512_256, true
	}
	return nil, false
}

// isMD5 reports whether a is MD5 or MD5-sess, the only algorithms an MD5 HA1
// can answer.
func (a Algorithm) isMD5() bool {
	return a == "" || a == AlgorithmMD5 || a == AlgorithmMD5Sess
}

// sess reports whether a is a session variant, whose HA1 also covers the
// nonce and cnonce (RFC 7616 §3.4.2).
func (a Algorithm) sess() bool {
	return strings.HasSuffix(string(a), "-sess")
}

// strength ranks the hash behind a; a session variant ranks with its hash.
func (a Algorithm) strength() int {
	switch a {
	case AlgorithmSHA512256, AlgorithmSHA512256Sess:
		return 3
	case AlgorithmSHA256, AlgorithmSHA256Sess:
		return 2
	case "", AlgorithmMD5, AlgorithmMD5Sess:
		return 1
	}
	return 0
}

// Challenge is one Digest challenge from a WWW-Authenticate or
// Proxy-Authenticate header (RFC 7616 §3.3).
type Challenge struct {
	// Realm names the protection space; HA1 is computed for it.
	Realm string
	// Nonce is the server's nonce; it is never empty in a parsed challenge.
	Nonce string
	// Opaque is echoed back unchanged when not empty.
	Opaque string
	// Algorithm is the canonical spelling of the algorithm parameter, MD5
	// when the server gave none.
	Algorithm Algorithm
	// QOP lists the qop values offered, in lower case and in the server's
	// order. It is empty for an RFC 2069 style challenge without qop.
	QOP []string
	// Stale reports stale=true: the nonce expired but the credentials were
	// right, so the request may be retried with the new nonce without asking
	// the user again.
	Stale bool
}

// ParseChallenge reads a WWW-Authenticate or Proxy-Authenticate header value
// holding one Digest challenge. It accepts any letter case in the scheme,
// parameter names and algorithm, quoted or bare values, any parameter order,
// extra whitespace or line folding, and ignores parameters it does not know
// (domain, charset, userhash and others).
//
// It fails with ErrNotDigest for another scheme, ErrNoNonce when the nonce is
// missing, ErrUnsupportedAlgorithm for an algorithm it cannot compute, and
// ErrMalformed for broken syntax, for a repeated parameter, or for a value
// holding several challenges (SelectChallenge accepts those).
func ParseChallenge(value string) (*Challenge, error) {
	raws, err := parseChallenges(value)
	if err != nil {
		return nil, fmt.Errorf("digest: parsing challenge: %w", err)
	}
	switch len(raws) {
	case 0:
		return nil, fmt.Errorf("digest: parsing challenge: %w: the header value is empty", ErrMalformed)
	case 1:
	default:
		return nil, fmt.Errorf("digest: parsing challenge: %w: the value holds %d challenges, expected one", ErrMalformed, len(raws))
	}
	ch, err := raws[0].digest()
	if err != nil {
		return nil, fmt.Errorf("digest: parsing challenge: %w", err)
	}
	return ch, nil
}

// SelectChallenge chooses, among the header values of one response, the
// Digest challenge with the strongest algorithm that creds can answer:
// SHA-512-256, then SHA-256, then MD5; among equals the first offered wins.
// A value may itself list several challenges separated by commas. Values
// that cannot be parsed, other schemes, unsupported algorithms or qop values,
// and SHA challenges when creds hold only an HA1, are skipped.
//
// RFC 8760 has a client use the topmost challenge it supports unless local
// policy says otherwise; our policy is to take the strongest hash, since a
// server lists MD5 mainly for clients that know nothing better.
//
// When nothing can be answered the error says why for each value, for
// example that the server asks only for SHA-256 while the account has an
// MD5 HA1 (ErrNeedPassword).
func SelectChallenge(values []string, creds Credentials) (*Challenge, error) {
	var best *Challenge
	var reasons []error
	seen := map[string]bool{}
	reason := func(err error) {
		if !seen[err.Error()] {
			seen[err.Error()] = true
			reasons = append(reasons, err)
		}
	}
	for _, v := range values {
		raws, err := parseChallenges(v)
		if err != nil {
			reason(err)
			continue
		}
		for _, raw := range raws {
			ch, err := raw.digest()
			if err == nil {
				err = creds.canAnswer(ch)
			}
			if err != nil {
				reason(err)
				continue
			}
			if best == nil || ch.Algorithm.strength() > best.Algorithm.strength() {
				best = ch
			}
		}
	}
	if best != nil {
		return best, nil
	}
	if len(reasons) == 0 {
		return nil, fmt.Errorf("digest: %w in the response", ErrNoChallenge)
	}
	return nil, fmt.Errorf("digest: no challenge this account can answer: %w", errors.Join(reasons...))
}

// rawChallenge is one challenge as written: its scheme and its parameters
// with lower-case names, unquoted values, in order.
type rawChallenge struct {
	scheme string
	params []param
}

type param struct {
	name, value string
}

// digest interprets a raw challenge as a Digest challenge.
func (r rawChallenge) digest() (*Challenge, error) {
	if !strings.EqualFold(r.scheme, "Digest") {
		return nil, fmt.Errorf("%w: the scheme is %q", ErrNotDigest, r.scheme)
	}
	ch := &Challenge{Algorithm: AlgorithmMD5}
	var haveNonce bool
	seen := make(map[string]bool, len(r.params))
	for _, p := range r.params {
		if seen[p.name] {
			return nil, fmt.Errorf("%w: parameter %q appears twice", ErrMalformed, p.name)
		}
		seen[p.name] = true
		switch p.name {
		case "realm":
			ch.Realm = p.value
		case "nonce":
			ch.Nonce = p.value
			haveNonce = p.value != ""
		case "opaque":
			ch.Opaque = p.value
		case "stale":
			ch.Stale = strings.EqualFold(strings.TrimSpace(p.value), "true")
		case "algorithm":
			a, ok := parseAlgorithm(strings.TrimSpace(p.value))
			if !ok {
				return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, p.value)
			}
			ch.Algorithm = a
		case "qop":
			for q := range strings.SplitSeq(p.value, ",") {
				if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
					ch.QOP = append(ch.QOP, q)
				}
			}
		}
	}
	if !haveNonce {
		return nil, ErrNoNonce
	}
	return ch, nil
}

// parseChallenges splits a header value into its challenges (RFC 7235 §4.1:
// 1#challenge, each a scheme followed by comma-separated auth-params). It
// is lenient where servers are sloppy: commas between parameters may be
// missing and bare values may hold any character but comma and whitespace.
// A token not followed by "=" starts the next challenge.
func parseChallenges(s string) ([]rawChallenge, error) {
	sc := scanner{s: s}
	var out []rawChallenge
	for {
		sc.skip(true)
		if sc.eof() {
			return out, nil
		}
		scheme := sc.token()
		if scheme == "" {
			return nil, sc.unexpected()
		}
		ch := rawChallenge{scheme: scheme}
		for {
			sc.skip(true)
			if sc.eof() {
				break
			}
			start := sc.i
			name := sc.token()
			if name == "" {
				return nil, sc.unexpected()
			}
			sc.skip(false)
			if sc.eof() || sc.s[sc.i] != '=' {
				sc.i = start
				break
			}
			sc.i++
			sc.skip(false)
			var value string
			if !sc.eof() && sc.s[sc.i] == '"' {
				v, err := sc.quoted()
				if err != nil {
					return nil, err
				}
				value = v
			} else {
				value = sc.bare()
			}
			ch.params = append(ch.params, param{name: strings.ToLower(name), value: value})
		}
		out = append(out, ch)
	}
}

// scanner walks a header value byte by byte.
type scanner struct {
	s string
	i int
}

func (sc *scanner) eof() bool { return sc.i >= len(sc.s) }

// skip passes whitespace (including folded line breaks) and, if commas is
// set, commas too.
func (sc *scanner) skip(commas bool) {
	for ; sc.i < len(sc.s); sc.i++ {
		switch sc.s[sc.i] {
		case ' ', '\t', '\r', '\n':
		case ',':
			if !commas {
				return
			}
		default:
			return
		}
	}
}

// token reads an RFC 7230 token, possibly empty.
func (sc *scanner) token() string {
	start := sc.i
	for sc.i < len(sc.s) && isTokenChar(sc.s[sc.i]) {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// quoted reads a quoted-string starting at the opening quote and returns it
// with the quotes removed and backslash escapes resolved.
func (sc *scanner) quoted() (string, error) {
	start := sc.i
	sc.i++
	var b strings.Builder
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch c {
		case '"':
			sc.i++
			return b.String(), nil
		case '\\':
			if sc.i+1 >= len(sc.s) {
				sc.i = len(sc.s)
				continue
			}
			b.WriteByte(sc.s[sc.i+1])
			sc.i += 2
		default:
			b.WriteByte(c)
			sc.i++
		}
	}
	return "", fmt.Errorf("%w: the quoted string at offset %d is not closed", ErrMalformed, start)
}

// bare reads an unquoted value up to the next comma or whitespace.
func (sc *scanner) bare() string {
	start := sc.i
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ',', ' ', '\t', '\r', '\n':
			return sc.s[start:sc.i]
		}
		sc.i++
	}
	return sc.s[start:]
}

func (sc *scanner) unexpected() error {
	return fmt.Errorf("%w: unexpected %q at offset %d", ErrMalformed, sc.s[sc.i], sc.i)
}

// isTokenChar reports whether c is a tchar of RFC 7230 §3.2.6.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
