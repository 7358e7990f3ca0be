package resolve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Errors a caller can test for with errors.Is. A failed Lookup wraps
// ErrNotFound and one reason; a bad argument wraps ErrInvalid.
var (
	// ErrNotFound means no server could be located.
	ErrNotFound = errors.New("no SIP server found")
	// ErrNoSuchName means DNS answered that the name does not exist
	// (NXDOMAIN).
	ErrNoSuchName = errors.New("DNS says the name does not exist")
	// ErrNoRecords means the name exists but has none of the records asked
	// for.
	ErrNoRecords = errors.New("DNS has no SIP service or address records for the name")
	// ErrTimeout means a DNS server did not answer in time.
	ErrTimeout = errors.New("the DNS server did not answer in time")
	// ErrServerFailure means a DNS server could not be reached or answered
	// with an error such as SERVFAIL or REFUSED.
	ErrServerFailure = errors.New("the DNS server could not answer")
	// ErrNotOffered means the SRV records say the service is decidedly not
	// available (a target of ".", RFC 2782), or name only targets without
	// addresses.
	ErrNotOffered = errors.New("the domain's SRV records lead to no usable server")
	// ErrInvalid means Lookup was given a host, port or transport it cannot
	// use.
	ErrInvalid = errors.New("invalid SIP server lookup")
)

// Target is one place to send SIP requests to.
type Target struct {
	// Transport is "udp", "tcp", "tls", "ws" or "wss".
	Transport string
	// Host is an IP address in its textual form, without brackets.
	Host string
	// Port is the port number.
	Port int
}

// String gives transport:host:port, with brackets around an IPv6 address.
func (t Target) String() string {
	return t.Transport + ":" + net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// DefaultTimeout is how long a Resolver waits for one DNS server to answer
// one query unless WithTimeout says otherwise.
const DefaultTimeout = 3 * time.Second

// Resolver locates SIP servers. The zero value uses the system's DNS
// configuration and DefaultTimeout. A Resolver is safe for concurrent use.
type Resolver struct {
	servers []string
	timeout time.Duration

	// Test hooks; the zero values mean production behaviour.
	confPath   string        // resolv.conf to read; "" is /etc/resolv.conf
	confPort   string        // port for the resolv.conf servers; "" is the file's (53)
	ipResolver *net.Resolver // A/AAAA when no WithServer; nil is net.DefaultResolver
	intn       func(int) int // random source for SRV weights; nil is math/rand/v2
}

// Option configures a Resolver.
type Option func(*Resolver)

// WithServer sends every query (NAPTR, SRV, A and AAAA) to the DNS server at
// addr ("127.0.0.1:5353"; port 53 when none is given) instead of the
// system's. Given more than once, the servers are tried in order until one
// answers.
func WithServer(addr string) Option {
	return func(r *Resolver) {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), "53")
		}
		r.servers = append(r.servers, addr)
	}
}

// WithTimeout sets how long to wait for one DNS server to answer one query
// (default DefaultTimeout). A whole Lookup is bounded by its context.
func WithTimeout(d time.Duration) Option {
	return func(r *Resolver) {
		if d > 0 {
			r.timeout = d
		}
	}
}

// New returns a Resolver configured by opts.
func New(opts ...Option) *Resolver {
	r := &Resolver{}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Lookup returns the targets for a SIP or SIPS URI's host, port (0 when the
// URI has none) and transport parameter ("" when it has none; otherwise
// "udp", "tcp", "tls", "ws" or "wss"), in the order to try them (RFC 3263
// §4). secure is true for a sips: URI; it restricts the result to TLS and
// WSS, and turns transport "tcp" into "tls" and "ws" into "wss".
//
// A numeric host is returned at once without DNS. Otherwise Lookup asks DNS,
// each query bounded by the Resolver's timeout and the whole by ctx. A NAPTR
// or SRV query that times out is taken as "no such records" so that a
// router which drops those queries still lets A and AAAA work.
func (r *Resolver) Lookup(ctx context.Context, host string, port int, transport string, secure bool) ([]Target, error) {
	transport, err := normalizeTransport(transport, secure)
	if err != nil {
		return nil, err
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("%w: port %d is out of range", ErrInvalid, port)
	}
	if ip, ok := parseIP(host); ok {
		t := transportOr(transport, secure)
		return []Target{{Transport: t, Host: ip.String(), Port: portOr(port, t)}}, nil
	}
	if err := checkHost(host); err != nil {
		return nil, err
	}

	l := r.begin()
	targets, err := l.resolve(ctx, host, port, transport, secure)
	if err == nil {
		return dedupe(targets), nil
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("SIP server lookup for %s stopped: %w", host, context.Cause(ctx))
	}
	return nil, fmt.Errorf("%w for %s: %w", ErrNotFound, host, err)
}

// resolve runs the RFC 3263 §4 procedure for a host name.
func (l *lookup) resolve(ctx context.Context, host string, port int, transport string, secure bool) ([]Target, error) {
	if port != 0 || transport == "ws" || transport == "wss" {
		t := transportOr(transport, secure)
		return l.hostTargets(ctx, host, t, portOr(port, t))
	}

	var queries []srvQuery
	if transport != "" {
		queries = []srvQuery{{name: srvPrefix[transport] + host, transport: transport}}
	} else {
		targets, err := l.naptrTargets(ctx, host, secure)
		if err != nil || len(targets) > 0 {
			return targets, err
		}
		for _, t := range []string{"udp", "tcp", "tls"} {
			if !secure || t == "tls" {
				queries = append(queries, srvQuery{name: srvPrefix[t] + host, transport: t})
			}
		}
	}
	targets, found, err := l.srvTargets(ctx, queries)
	if err != nil || found {
		return targets, err
	}
	t := transportOr(transport, secure)
	return l.hostTargets(ctx, host, t, portOr(0, t))
}

// hostTargets resolves host's own addresses (RFC 3263 §4.2, no SRV).
func (l *lookup) hostTargets(ctx context.Context, host, transport string, port int) ([]Target, error) {
	addrs, err := l.addrs(ctx, host)
	if err != nil {
		return nil, err
	}
	targets := make([]Target, 0, len(addrs))
	for _, a := range addrs {
		targets = append(targets, Target{Transport: transport, Host: a.String(), Port: port})
	}
	return targets, nil
}

// srvPrefix is the SRV owner prefix per transport (RFC 3263 §4.1).
var srvPrefix = map[string]string{
	"udp": "_sip._udp.",
	"tcp": "_sip._tcp.",
	"tls": "_sips._tcp.",
}

func normalizeTransport(transport string, secure bool) (string, error) {
	switch t := strings.ToLower(transport); t {
	case "", "tls", "wss":
		return t, nil
	case "udp":
		if secure {
			return "", fmt.Errorf("%w: a sips address cannot use UDP; use tls or wss", ErrInvalid)
		}
		return t, nil
	case "tcp":
		if secure {
			return "tls", nil
		}
		return t, nil
	case "ws":
		if secure {
			return "wss", nil
		}
		return t, nil
	}
	return "", fmt.Errorf("%w: transport %q is not one of udp, tcp, tls, ws, wss", ErrInvalid, transport)
}

// transportOr returns transport, or the default when it is empty: UDP for
// sip, TLS for sips (RFC 3263 §4.1).
func transportOr(transport string, secure bool) string {
	switch {
	case transport != "":
		return transport
	case secure:
		return "tls"
	}
	return "udp"
}

// portOr returns port, or the transport's default (DefaultPort).
func portOr(port int, transport string) int {
	if port != 0 {
		return port
	}
	return DefaultPort(transport)
}

// DefaultPort is a transport's port when none is given: 5060, 5061 for
// TLS (RFC 3261 §19.1.2), and the WebSocket ports 80 and 443 (RFC 6455 §3)
// for ws and wss, since RFC 7118 takes the port from the WebSocket URI.
func DefaultPort(transport string) int {
	switch transport {
	case "tls":
		return 5061
	case "ws":
		return 80
	case "wss":
		return 443
	}
	return 5060
}

// parseIP recognises a numeric host, IPv6 with or without brackets.
func parseIP(host string) (netip.Addr, bool) {
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func checkHost(host string) error {
	if host == "" {
		return fmt.Errorf("%w: the host is empty", ErrInvalid)
	}
	if strings.ContainsAny(host, ":/@[] \t") {
		return fmt.Errorf("%w: %q is not a host name (give the port separately)", ErrInvalid, host)
	}
	if _, ok := dns.IsDomainName(host); !ok {
		return fmt.Errorf("%w: %q is not a valid host name", ErrInvalid, host)
	}
	return nil
}

// dedupe drops repeated targets, keeping the first.
func dedupe(targets []Target) []Target {
	seen := make(map[Target]bool, len(targets))
	out := targets[:0]
	for _, t := range targets {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// begin captures the configuration for one Lookup, reading resolv.conf
// afresh so that a laptop moving between networks uses the current servers.
func (r *Resolver) begin() *lookup {
	l := &lookup{timeout: r.timeout, intn: r.intn}
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	if l.intn == nil {
		l.intn = rand.IntN
	}
	if len(r.servers) > 0 {
		l.servers = r.servers
		return l
	}
	l.ip = r.ipResolver
	if l.ip == nil {
		l.ip = net.DefaultResolver
	}
	path := r.confPath
	if path == "" {
		path = "/etc/resolv.conf"
	}
	conf, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return l
	}
	port := conf.Port
	if r.confPort != "" {
		port = r.confPort
	}
	for _, s := range conf.Servers {
		l.servers = append(l.servers, net.JoinHostPort(s, port))
	}
	return l
}
