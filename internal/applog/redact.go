package applog

import (
	"regexp"
	"strings"
)

// redactedValue replaces every secret the SIP trace would otherwise print.
const redactedValue = "<redacted>"

var (
	// authHeaderLine matches an Authorization or Proxy-Authorization header
	// line (these headers have no compact form).
	authHeaderLine = regexp.MustCompile(`(?im)^((?:proxy-)?authorization[ \t]*:[ \t]*)(.*)$`)
	// digestSecretParam matches the digest response parameter (RFC 8760
	// §2.5), the only one derived from the password.
	digestSecretParam = regexp.MustCompile(`(?i)(\bresponse[ \t]*=[ \t]*)("[^"]*"|[^,\s]*)`)
	// srtpKeyParam matches the key and salt of an SDES crypto attribute
	// (RFC 4568: a=crypto:TAG SUITE inline:KEY||LIFETIME|MKI).
	srtpKeyParam = regexp.MustCompile(`(?i)(\binline:)[^|\s]+`)
)

// RedactSIP returns a SIP message with the secrets of its Authorization and
// Proxy-Authorization headers replaced: the digest response (from which the
// password can be brute-forced offline) and the whole credential of any
// non-digest scheme (Basic, Bearer) — and the SRTP keys of SDP bodies
// (a=crypto inline:). Everything else is kept, so a trace still shows who
// authenticated against which realm and nonce, and which SRTP suite a call
// offered.
func RedactSIP(msg string) string {
	msg = srtpKeyParam.ReplaceAllString(msg, "${1}"+redactedValue)
	return authHeaderLine.ReplaceAllStringFunc(msg, func(line string) string {
		m := authHeaderLine.FindStringSubmatch(line)
		name, value := m[1], strings.TrimRight(m[2], "\r")
		cr := ""
		if strings.HasSuffix(m[2], "\r") {
			cr = "\r"
		}
		scheme, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
		if !strings.EqualFold(scheme, "digest") {
			return name + scheme + " " + redactedValue + cr
		}
		return name + scheme + " " + digestSecretParam.ReplaceAllString(rest, `${1}"`+redactedValue+`"`) + cr
	})
}
