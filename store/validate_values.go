package store

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// This file holds the checks of single values: hosts, ports, URLs, names.

// server checks a server or outbound_proxy: host[:port] for udp/tcp/tls, a
// ws:// or wss:// URL (matching the transport) for ws/wss. A ws/wss account
// must name its server when required is set.
func (v *validator) server(field, value, transport string, required bool) {
	if value == "" {
		if required && IsWebSocket(transport) {
			v.addf(field, "missing: a %s account needs the PBX's WebSocket URL, e.g. %q", transport, transport+"://pbx.example.com:7443")
		}
		return
	}
	if IsWebSocket(transport) {
		if !strings.HasPrefix(value, "ws://") && !strings.HasPrefix(value, "wss://") {
			v.addf(field, "%q is not a WebSocket URL: a %s account needs one like %q", value, transport, transport+"://pbx.example.com:7443")
			return
		}
		u, err := url.Parse(value)
		switch {
		case err != nil:
			v.addf(field, "%q is not a valid URL (%s)", value, unwrapURLError(err))
		case u.Scheme != transport:
			v.addf(field, "%q is a %s:// URL but transport is %q: make them agree", value, u.Scheme, transport)
		case u.Hostname() == "":
			v.addf(field, "%q names no host", value)
		default:
			v.port(field, value, u.Port())
		}
		return
	}
	if strings.Contains(value, "://") || strings.HasPrefix(value, "sip:") || strings.HasPrefix(value, "sips:") {
		v.addf(field, "%q is a URL: for a %s account write host[:port], e.g. \"pbx.example.com:5060\"", value, transport)
		return
	}
	v.hostPort(field, value)
}

// hostPort checks host[:port].
func (v *validator) hostPort(field, value string) {
	host, port, problem := splitHostPort(value)
	switch {
	case problem != "":
		v.addf(field, "%q is not host[:port] (%s)", value, problem)
	case !validHost(host):
		v.addf(field, "%q: %q is not a host name or IP address", value, host)
	default:
		v.port(field, value, port)
	}
}

// port checks the port part of value; an empty port is fine (the default of
// the protocol is used).
func (v *validator) port(field, value, port string) {
	if port == "" {
		return
	}
	n, err := strconv.Atoi(port)
	switch {
	case err != nil:
		v.addf(field, "%q: port %q is not a number", value, port)
	case n < 1 || n > 65535:
		v.addf(field, "%q: port %d is out of range (use 1 to 65535)", value, n)
	}
}

// splitHostPort splits host[:port], accepting a bare host and a bare or
// bracketed IPv6 address; problem is non-empty when value has neither shape.
func splitHostPort(value string) (host, port, problem string) {
	if h, p, err := net.SplitHostPort(value); err == nil {
		if p == "" {
			return h, p, "the port after \":\" is empty"
		}
		return h, p, ""
	}
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(value, "["), "]")); ip != nil {
		return ip.String(), "", ""
	}
	if strings.Contains(value, ":") {
		return "", "", "write an IPv6 address with a port as [addr]:port"
	}
	return value, "", ""
}

// hostLabelRE is one dot-separated label of a host name.
var hostLabelRE = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$`)

// validHost reports whether h is an IP address or a plausible host name.
func validHost(h string) bool {
	if net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if !hostLabelRE.MatchString(label) {
			return false
		}
	}
	return true
}

// loopback checks that the API's listen address is on this computer only.
func (v *validator) loopback(field, value string) {
	host, port, err := net.SplitHostPort(value)
	if err != nil {
		v.addf(field, "%q is not host:port: write a loopback address with a port, e.g. %q", value, DefaultAPIListen)
		return
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		v.addf(field, "%q is not a loopback address: the API must listen on 127.0.0.1, ::1 or localhost so only this computer can reach it", value)
		return
	}
	if port == "" {
		v.addf(field, "%q has no port: write one, e.g. %q", value, DefaultAPIListen)
		return
	}
	v.port(field, value, port)
}

// origin checks one allowed browser Origin: scheme://host[:port], nothing more.
func (v *validator) origin(field, value string) {
	if value == "*" || value == "null" {
		v.addf(field, "%q would let any web page control your phone: list your CRM's origin, e.g. \"https://crm.example.com\"", value)
		return
	}
	u, err := url.Parse(value)
	switch {
	case err != nil:
		v.addf(field, "%q is not a valid origin (%s)", value, unwrapURLError(err))
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
		v.addf(field, "%q is not an origin: write scheme://host[:port], e.g. \"https://crm.example.com\"", value)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		v.addf(field, "%q is not an origin: write only scheme://host[:port], without a path, e.g. %q", value, u.Scheme+"://"+u.Host)
	default:
		v.port(field, value, u.Port())
	}
}

// webURL checks an http(s) URL such as a CRM lookup or screen-pop address;
// placeholders like {e164} are allowed.
func (v *validator) webURL(field, value string) {
	u, err := url.Parse(value)
	switch {
	case err != nil:
		v.addf(field, "%q is not a valid URL (%s)", value, unwrapURLError(err))
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
		v.addf(field, "%q is not a web address: write one starting with https:// or http://", value)
	}
}

// iceURL checks one STUN/TURN URL (RFC 7064, RFC 7065) and returns its
// scheme, or "" when it is not one.
func (v *validator) iceURL(field, value string) string {
	scheme, rest, _ := strings.Cut(value, ":")
	switch scheme {
	case "stun", "stuns", "turn", "turns":
	default:
		v.addf(field, "%q is not a STUN or TURN URL: start it with stun:, stuns:, turn: or turns:, e.g. \"stun:stun.example.com:3478\"", value)
		return ""
	}
	if strings.HasPrefix(rest, "//") {
		v.addf(field, "%q: write it without \"//\", e.g. %q", value, scheme+":"+strings.TrimPrefix(rest, "//"))
		return scheme
	}
	hostport, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		isTURN := scheme == "turn" || scheme == "turns"
		if !isTURN || (query != "transport=udp" && query != "transport=tcp") {
			v.addf(field, "%q: the only option after \"?\" is transport=udp or transport=tcp, on turn: and turns: URLs", value)
			return scheme
		}
	}
	if hostport == "" {
		v.addf(field, "%q names no host", value)
		return scheme
	}
	v.hostPort(field, hostport)
	return scheme
}

// envNameRE is a portable environment variable name.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envName checks the name of an environment variable holding a secret (an
// empty name means "none").
func (v *validator) envName(field, name string) {
	if name != "" && !envNameRE.MatchString(name) {
		v.addf(field, "%q is not an environment variable name: use letters, digits and \"_\", not starting with a digit, e.g. \"RINGDESK_MAIN_PASSWORD\"", name)
	}
}

// unwrapURLError keeps only the reason of a *url.Error, whose message would
// repeat the whole value.
func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// orList formats values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
