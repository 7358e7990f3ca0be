package digest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// Errors about the credentials. Their texts never include a secret.
var (
	// ErrNoCredentials means the username is empty, or neither a password
	// nor an HA1 was given.
	ErrNoCredentials = errors.New("no credentials")
	// ErrBadHA1 means the HA1 is not 32 hexadecimal digits.
	ErrBadHA1 = errors.New("the HA1 is not 32 hexadecimal digits")
	// ErrNeedPassword means the challenge uses an algorithm other than MD5
	// and the credentials hold only an MD5 HA1, which cannot answer it.
	ErrNeedPassword = errors.New("the password is needed")
	// ErrBadInput means a value that must go into the header holds a control
	// character, or the method or URI is empty.
	ErrBadInput = errors.New("cannot build the authorization header")
)

// Credentials are what an account authenticates with.
type Credentials struct {
	// Username is the authentication username, which may differ from the
	// extension or the user part of the address of record.
	Username string
	// Password is the plain password. When set it is used for every
	// algorithm, and HA1 is ignored.
	Password string
	// HA1 is a precomputed MD5(Username:realm:Password) in hexadecimal, as
	// PBX webphone guides hand out. It answers MD5 and MD5-sess challenges
	// only.
	HA1 string
}

// canAnswer reports, without hashing anything, whether c can answer ch.
func (c Credentials) canAnswer(ch *Challenge) error {
	if _, ok := ch.Algorithm.newHash(); !ok {
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, ch.Algorithm)
	}
	if _, err := chooseQOP(ch.QOP); err != nil {
		return err
	}
	_, err := c.secret(ch.Algorithm)
	return err
}

// secret returns the password or the normalised HA1, whichever answers alg,
// and whether it is an HA1.
func (c Credentials) secret(alg Algorithm) (isHA1 bool, err error) {
	switch {
	case c.Username == "":
		return false, fmt.Errorf("%w: the username is empty", ErrNoCredentials)
	case c.Password != "":
		return false, nil
	case c.HA1 == "":
		return false, fmt.Errorf("%w: neither a password nor an HA1 is set", ErrNoCredentials)
	case !alg.isMD5():
		return false, fmt.Errorf("%w: the server asks for %s, which a precomputed MD5 HA1 cannot answer", ErrNeedPassword, alg)
	case len(c.HA1) != 32:
		return false, ErrBadHA1
	}
	if _, err := hex.DecodeString(c.HA1); err != nil {
		return false, ErrBadHA1
	}
	return true, nil
}

// chooseQOP picks auth over auth-int, as SIP user agents commonly do; an
// empty offer means the RFC 2069 computation without qop.
func chooseQOP(offered []string) (string, error) {
	if len(offered) == 0 {
		return "", nil
	}
	var authInt bool
	for _, q := range offered {
		switch {
		case strings.EqualFold(q, "auth"):
			return "auth", nil
		case strings.EqualFold(q, "auth-int"):
			authInt = true
		}
	}
	if authInt {
		return "auth-int", nil
	}
	return "", fmt.Errorf("%w: the server offers qop %q", ErrUnsupportedQOP, strings.Join(offered, ","))
}

// maxNonces bounds how many nonce counters a Responder remembers; the oldest
// is forgotten first.
const maxNonces = 64

// Responder builds Authorization and Proxy-Authorization header values and
// counts how often each nonce has been used, so a reused nonce carries
// nc=00000002, 00000003 and so on (RFC 7616 §3.4). The zero value is ready to
// use; a Responder is safe for concurrent use and must not be copied after
// first use. One Responder per account is the intended use.
type Responder struct {
	mu     sync.Mutex
	counts map[string]uint32 // guarded by mu
	order  []string          // guarded by mu; keys of counts, oldest first

	// cnonce, when set, replaces the random client nonce (tests only).
	cnonce func() string
}

// next returns the next nonce count for key, starting at 1.
func (r *Responder) next(key string) uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = make(map[string]uint32)
	}
	n, ok := r.counts[key]
	if !ok {
		if len(r.order) >= maxNonces {
			delete(r.counts, r.order[0])
			r.order = r.order[1:]
		}
		r.order = append(r.order, key)
	}
	n++
	r.counts[key] = n
	return n
}

func (r *Responder) newCnonce() string {
	if r.cnonce != nil {
		return r.cnonce()
	}
	return rand.Text()
}

// Authorize answers ch for a request with the given method (REGISTER,
// INVITE...), Request-URI (as written in the request line, for example
// "sip:pbx.example.com") and body, and returns the header value to send in
// Authorization (after a 401) or Proxy-Authorization (after a 407).
//
// It uses qop=auth when offered, auth-int when only that is offered (hashing
// body), and the RFC 2069 form without cnonce and nc when the server offers
// no qop. Every answer gets a fresh random cnonce; nc counts the uses of the
// same nonce by this Responder. The algorithm and opaque are echoed.
func (r *Responder) Authorize(ch *Challenge, creds Credentials, method, uri string, body []byte) (string, error) {
	if ch == nil {
		return "", fmt.Errorf("digest: authorize: %w", ErrNoChallenge)
	}
	if ch.Nonce == "" {
		return "", fmt.Errorf("digest: authorize: %w", ErrNoNonce)
	}
	if method == "" || uri == "" {
		return "", fmt.Errorf("digest: authorize: %w: the method and the request URI must be set", ErrBadInput)
	}
	alg := ch.Algorithm
	if alg == "" {
		alg = AlgorithmMD5
	}
	newHash, ok := alg.newHash()
	if !ok {
		return "", fmt.Errorf("digest: authorize: %w: %q", ErrUnsupportedAlgorithm, alg)
	}
	qop, err := chooseQOP(ch.QOP)
	if err != nil {
		return "", fmt.Errorf("digest: authorize: %w", err)
	}
	isHA1, err := creds.secret(alg)
	if err != nil {
		return "", fmt.Errorf("digest: authorize: %w", err)
	}

	hx := func(parts ...string) string { return hexHash(newHash, parts...) }
	var ha1 string
	if isHA1 {
		ha1 = strings.ToLower(creds.HA1)
	} else {
		ha1 = hx(creds.Username, ch.Realm, creds.Password)
	}
	var cnonce, nc string
	if qop != "" || alg.sess() {
		cnonce = r.newCnonce()
	}
	if alg.sess() {
		ha1 = hx(ha1, ch.Nonce, cnonce)
	}
	ha2 := hx(method, uri)
	if qop == "auth-int" {
		ha2 = hx(method, uri, hexHash(newHash, string(body)))
	}
	var response string
	if qop != "" {
		nc = fmt.Sprintf("%08x", r.next(creds.Username+"\x00"+ch.Realm+"\x00"+ch.Nonce))
		response = hx(ha1, ch.Nonce, nc, cnonce, qop, ha2)
	} else {
		response = hx(ha1, ch.Nonce, ha2)
	}

	w := headerWriter{}
	w.quoted("username", creds.Username)
	w.quoted("realm", ch.Realm)
	w.quoted("nonce", ch.Nonce)
	w.quoted("uri", uri)
	w.quoted("response", response)
	w.bare("algorithm", string(alg))
	if cnonce != "" {
		w.quoted("cnonce", cnonce)
	}
	if ch.Opaque != "" {
		w.quoted("opaque", ch.Opaque)
	}
	if qop != "" {
		w.bare("qop", qop)
		w.bare("nc", nc)
	}
	if w.bad != "" {
		return "", fmt.Errorf("digest: authorize: %w: the %s contains a control character", ErrBadInput, w.bad)
	}
	return w.b.String(), nil
}

// hexHash hashes the parts joined by colons and returns lower-case hex.
func hexHash(newHash func() hash.Hash, parts ...string) string {
	h := newHash()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{':'})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// headerWriter assembles "Digest name=value, ..." and remembers the first
// parameter whose value would break the header.
type headerWriter struct {
	b   strings.Builder
	bad string
}

func (w *headerWriter) name(n string) {
	if w.b.Len() == 0 {
		w.b.WriteString("Digest ")
	} else {
		w.b.WriteString(", ")
	}
	w.b.WriteString(n)
	w.b.WriteByte('=')
}

// quoted writes a quoted-string, escaping quote and backslash (RFC 7230
// §3.2.6). Control characters other than tab cannot be carried at all.
func (w *headerWriter) quoted(n, v string) {
	w.name(n)
	w.b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			w.b.WriteByte('\\')
		case (c < 0x20 && c != '\t') || c == 0x7f:
			if w.bad == "" {
				w.bad = n
			}
		}
		w.b.WriteByte(c)
	}
	w.b.WriteByte('"')
}

func (w *headerWriter) bare(n, v string) {
	w.name(n)
	w.b.WriteString(v)
}
