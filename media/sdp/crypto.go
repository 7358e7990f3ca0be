package sdp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// SDES-SRTP (RFC 4568): the a=crypto attribute of RTP/SAVP streams (and,
// for best-effort SRTP, of RTP/AVP ones).

// SRTPMode is an account's SRTP policy.
type SRTPMode int

const (
	// SRTPOff offers RTP/AVP without keys and refuses an offer that is
	// encrypted only (RTP/SAVP).
	SRTPOff SRTPMode = iota
	// SRTPOptional offers RTP/AVP with a=crypto (best effort: a far end
	// that knows SDES encrypts, one that does not answers plain RTP) and
	// takes the offer's keys when it has some.
	SRTPOptional
	// SRTPRequired offers RTP/SAVP with a=crypto and refuses a far end
	// without keys.
	SRTPRequired
)

var srtpModeNames = [...]string{"off", "optional", "required"}

// String returns "off", "optional" or "required".
func (m SRTPMode) String() string {
	if m < 0 || int(m) >= len(srtpModeNames) {
		return fmt.Sprintf("SRTPMode(%d)", int(m))
	}
	return srtpModeNames[m]
}

// ParseSRTPMode reads "off", "optional" or "required" (any case; "" is
// off).
func ParseSRTPMode(s string) (SRTPMode, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return SRTPOff, nil
	}
	for i, n := range srtpModeNames {
		if n == s {
			return SRTPMode(i), nil
		}
	}
	return SRTPOff, fmt.Errorf("srtp mode %q is not off, optional or required", s)
}

// Errors of the SRTP policy; both wrap ErrNotAcceptable (488).
var (
	// ErrSRTPRequired means the far end offered or answered no keys we
	// can use while our policy requires SRTP.
	ErrSRTPRequired = fmt.Errorf("%w: encrypted audio (SRTP) is required but the far end offers none", ErrNotAcceptable)
	// ErrSRTPOff means the far end wants encrypted audio only (RTP/SAVP)
	// while SRTP is off on our side.
	ErrSRTPOff = fmt.Errorf("%w: the far end wants encrypted audio (SRTP), which is off on our side", ErrNotAcceptable)
)

// The crypto suites we speak (RFC 4568 §6.2, RFC 6188).
const (
	AES_CM_128_HMAC_SHA1_80 = "AES_CM_128_HMAC_SHA1_80" // the names as SDP writes them
	AES_CM_128_HMAC_SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
	AES_256_CM_HMAC_SHA1_80 = "AES_256_CM_HMAC_SHA1_80"
	AES_256_CM_HMAC_SHA1_32 = "AES_256_CM_HMAC_SHA1_32"
)

// suiteKeyLen is the master key plus master salt length of each suite.
var suiteKeyLen = map[string]int{
	AES_CM_128_HMAC_SHA1_80: 30,
	AES_CM_128_HMAC_SHA1_32: 30,
	AES_256_CM_HMAC_SHA1_80: 46,
	AES_256_CM_HMAC_SHA1_32: 46,
}

// SuiteKeyLen returns the length of a suite's master key and salt
// together, 0 for a suite we do not speak.
func SuiteKeyLen(suite string) int { return suiteKeyLen[suite] }

// Crypto is one a=crypto line we can use.
type Crypto struct {
	// Tag identifies the line; an answer repeats the chosen offer's tag.
	Tag int
	// Suite is the crypto suite ("AES_CM_128_HMAC_SHA1_80").
	Suite string
	// Key is the master key followed by the master salt.
	Key []byte
	// MKI is the master key identifier the sender puts in every packet,
	// nil when it puts none.
	MKI []byte
}

// String returns the attribute value ("1 AES_CM_128_HMAC_SHA1_80
// inline:..."). It holds the key: never log it.
func (c Crypto) String() string {
	s := fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
	if len(c.MKI) > 0 {
		s += fmt.Sprintf("|%s:%d", new(big.Int).SetBytes(c.MKI).String(), len(c.MKI))
	}
	return s
}

// GoString keeps keys out of %#v.
func (c Crypto) GoString() string {
	return fmt.Sprintf("sdp.Crypto{Tag: %d, Suite: %q, Key: <%d bytes>}", c.Tag, c.Suite, len(c.Key))
}

// ParseCrypto reads an a=crypto value. It fails on lines we cannot use:
// an unknown suite, a key of the wrong length, session parameters (such as
// UNENCRYPTED_SRTP, which RFC 4568 §6.3 says to refuse when not
// understood) or more than one key.
func ParseCrypto(v string) (Crypto, error) {
	fields := strings.Fields(v)
	if len(fields) < 3 {
		return Crypto{}, errors.New("crypto attribute needs a tag, a suite and key parameters")
	}
	tag, err := strconv.Atoi(fields[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return Crypto{}, fmt.Errorf("crypto tag %q is not a number of at most 9 digits", fields[0])
	}
	c := Crypto{Tag: tag, Suite: fields[1]}
	want := suiteKeyLen[c.Suite]
	if want == 0 {
		return Crypto{}, fmt.Errorf("crypto suite %s is not one we speak", c.Suite)
	}
	if len(fields) > 3 {
		return Crypto{}, fmt.Errorf("crypto session parameters %q are not supported", strings.Join(fields[3:], " "))
	}
	if strings.Contains(fields[2], ";") {
		return Crypto{}, errors.New("crypto line with more than one key is not supported")
	}
	params, ok := strings.CutPrefix(fields[2], "inline:")
	if !ok {
		return Crypto{}, errors.New("crypto key method is not inline")
	}
	parts := strings.Split(params, "|")
	key, err := decodeKey(parts[0])
	if err != nil || len(key) != want {
		return Crypto{}, fmt.Errorf("crypto key is not %d bytes of base64", want)
	}
	c.Key = key
	for _, p := range parts[1:] {
		if mki, length, ok := strings.Cut(p, ":"); ok {
			n, err := strconv.Atoi(length)
			v, okv := new(big.Int).SetString(mki, 10)
			if err != nil || n < 1 || n > 128 || !okv || v.Sign() < 0 || v.BitLen() > 8*n {
				return Crypto{}, fmt.Errorf("crypto MKI %q is not usable", p)
			}
			c.MKI = v.FillBytes(make([]byte, n))
			continue
		}
		// A lifetime ("2^31" or a number): we rekey never, and no call
		// lasts 2^31 packets.
		if _, ok := strings.CutPrefix(p, "2^"); !ok {
			if _, err := strconv.ParseUint(p, 10, 64); err != nil {
				return Crypto{}, fmt.Errorf("crypto lifetime %q is not usable", p)
			}
		}
	}
	return c, nil
}

func decodeKey(s string) ([]byte, error) {
	if k, err := base64.StdEncoding.DecodeString(s); err == nil {
		return k, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// secureProto reports whether a profile is SRTP keyed by SDES.
func secureProto(proto string) bool {
	return proto == "RTP/SAVP" || proto == "RTP/SAVPF"
}

// Suites lists the crypto suites we speak, the one we offer first.
func Suites() []string {
	return []string{AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AES_256_CM_HMAC_SHA1_80, AES_256_CM_HMAC_SHA1_32}
}

// Select chooses the audio stream to answer under an SRTP policy and
// makes it d.Audio: with SRTPOff the first plain stream (RTP/AVP, keys
// ignored); with SRTPOptional the first stream we can use, with its first
// usable key when it has one (an RTP/AVP stream with a=crypto is best-
// effort SRTP); with SRTPRequired the first stream with a usable key. The
// Crypto is nil for plain RTP. The error wraps ErrNotAcceptable, and
// ErrSRTPRequired or ErrSRTPOff when the policy alone refused the offer.
func (d *Description) Select(mode SRTPMode) (*Media, *Crypto, error) {
	var disabled, secure, plain bool
	for _, m := range d.audios {
		if m.Port == 0 {
			disabled = true
			continue
		}
		if m.Secure {
			secure = true
		} else {
			plain = true
		}
		var c *Crypto
		if len(m.Crypto) > 0 && mode != SRTPOff {
			c = &m.Crypto[0]
		}
		switch {
		case mode == SRTPOff && m.Secure, mode == SRTPRequired && c == nil:
			continue
		}
		d.Audio, d.audioIndex = m, m.index
		return m, c, nil
	}
	switch {
	case mode == SRTPOff && secure:
		return nil, nil, ErrSRTPOff
	case mode == SRTPRequired && (secure || plain):
		return nil, nil, ErrSRTPRequired
	case disabled:
		return nil, nil, fmt.Errorf("%w: the audio stream is disabled (port 0)", ErrNotAcceptable)
	}
	return nil, nil, fmt.Errorf("%w: %s", ErrNotAcceptable, d.why)
}
