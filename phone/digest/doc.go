// Package digest answers SIP digest authentication challenges.
//
// A registrar or proxy that wants credentials replies 401 with
// WWW-Authenticate or 407 with Proxy-Authenticate. ParseChallenge reads one
// such header value, SelectChallenge picks the strongest of several that the
// account's credentials can answer, and a Responder builds the
// Authorization or Proxy-Authorization value for the retried request.
//
// The computation follows RFC 2617 (MD5, MD5-sess, qop auth and auth-int, and
// the RFC 2069 form when the server offers no qop), RFC 7616 (SHA-256 and
// SHA-512-256 and their -sess variants) and RFC 8760, which brings those
// algorithms to SIP. RFC 3261 §22.4 gives the SIP specifics: the method and
// Request-URI enter A2, and each proxy realm is answered separately.
//
// Credentials may hold the password or, as PBX webphone guides hand out, a
// precomputed HA1 = MD5(username:realm:password). An HA1 answers only MD5 and
// MD5-sess challenges. No error or value this package returns contains the
// password or the HA1.
//
// The package is pure: it does no I/O and imports no SIP stack.
package digest
