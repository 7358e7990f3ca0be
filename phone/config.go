package phone

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ringdesk/ringdesk/phone/resolve"
)

// AccountConfig is one SIP account as the engine needs it: plain values,
// secrets included, filled by the caller from the config file and the
// keyring. The engine never writes it anywhere.
type AccountConfig struct {
	// ID names the account in events and commands.
	ID string
	// DisplayName goes into From and Contact.
	DisplayName string
	// Username is the extension: the user part of the address of record.
	Username string
	// AuthUsername is the digest user name when it differs from Username.
	AuthUsername string
	// Domain is the SIP domain of the address of record.
	Domain string
	// Realm restricts which digest realm the credentials answer; empty
	// answers any.
	Realm string
	// Transport is udp, tcp, tls, ws or wss.
	Transport string
	// Server is host:port for udp/tcp/tls or a ws(s):// URL. Empty means
	// the domain, located by RFC 3263.
	Server string
	// OutboundProxy, when set, receives every request of the account
	// (host:port).
	OutboundProxy string
	// Expires is the registration interval asked for; 0 means 300 s.
	Expires time.Duration
	// Register says whether the account registers at all (a "peer" account
	// that only dials does not).
	Register bool
	// Password is the SIP password; HA1 is md5(user:realm:password) in hex,
	// used when Password is empty.
	Password string
	HA1      string
	// DTMF is rfc4733, info or auto (RFC 4733 when negotiated, INFO
	// otherwise).
	DTMF string
	// Codecs is the audio codec order ("opus", "pcmu", "pcma").
	Codecs []string
	// Video offers video on outgoing calls.
	Video bool
	// ICEServers are STUN/TURN URLs for WebRTC accounts.
	ICEServers []ICEServer
	// SRTP is off, optional or required.
	SRTP string
	// SymmetricRTP sends RTP and RTCP where the far end's come from, for
	// far ends behind NAT (plain RTP only).
	SymmetricRTP bool
	// CAFile is an extra CA for a TLS/WSS server with a private certificate.
	CAFile string
}

// ICEServer is a STUN or TURN server of an account.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

func (c AccountConfig) authUser() string {
	if c.AuthUsername != "" {
		return c.AuthUsername
	}
	return c.Username
}

func (c AccountConfig) expires() time.Duration {
	if c.Expires <= 0 {
		return 300 * time.Second
	}
	return c.Expires
}

// transport returns the account's transport in lower case; udp by default.
func (c AccountConfig) transport() string {
	t := strings.ToLower(c.Transport)
	if t == "" {
		return "udp"
	}
	return t
}

// serverTarget says where requests outside a dialog go: a host and port,
// and for WebSocket the URL path.
type serverTarget struct {
	host         string
	port         int
	explicitPort bool
	path         string
}

func (t serverTarget) hostPort() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

func defaultPort(transport string) int { return resolve.DefaultPort(transport) }

// target parses Server (or OutboundProxy, or the domain) into a host and
// port.
func (c AccountConfig) target() (serverTarget, error) {
	tr := c.transport()
	raw := c.OutboundProxy
	if raw == "" {
		raw = c.Server
	}
	if raw == "" {
		raw = c.Domain
	}
	if raw == "" {
		return serverTarget{}, fmt.Errorf("account %q has neither a server nor a domain", c.ID)
	}
	if tr == "ws" || tr == "wss" {
		if !strings.Contains(raw, "://") {
			raw = tr + "://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil {
			return serverTarget{}, fmt.Errorf("account %q: server %q is not a WebSocket URL: %w", c.ID, raw, err)
		}
		port, explicit := defaultPort(u.Scheme), u.Port() != ""
		if p := u.Port(); p != "" {
			port, err = strconv.Atoi(p)
			if err != nil {
				return serverTarget{}, fmt.Errorf("account %q: server %q has a bad port", c.ID, raw)
			}
		}
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		return serverTarget{host: u.Hostname(), port: port, explicitPort: explicit, path: path}, nil
	}
	raw = strings.TrimPrefix(strings.TrimPrefix(raw, "sip:"), "sips:")
	host, portText, err := net.SplitHostPort(raw)
	if err != nil {
		return serverTarget{host: strings.Trim(raw, "[]"), port: defaultPort(tr)}, nil
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return serverTarget{}, fmt.Errorf("account %q: server %q has a bad port", c.ID, raw)
	}
	return serverTarget{host: host, port: port, explicitPort: true}, nil
}

func (c AccountConfig) validate() error {
	if c.ID == "" {
		return fmt.Errorf("an account needs an id")
	}
	if c.Username == "" {
		return fmt.Errorf("account %q needs a username", c.ID)
	}
	if c.Domain == "" {
		return fmt.Errorf("account %q needs a domain", c.ID)
	}
	switch c.transport() {
	case "udp", "tcp", "tls", "ws", "wss":
	default:
		return fmt.Errorf("account %q: transport %q is not one of udp, tcp, tls, ws, wss", c.ID, c.Transport)
	}
	switch strings.ToLower(c.DTMF) {
	case "", "auto", "rfc4733", "info":
	default:
		return fmt.Errorf("account %q: dtmf %q is not one of auto, rfc4733, info", c.ID, c.DTMF)
	}
	_, err := c.target()
	return err
}

// Option changes how New builds a Phone.
type Option func(*settings)

type settings struct {
	logger       *slog.Logger
	localIP      string
	userAgent    string
	retryBase    time.Duration
	retryCap     time.Duration
	keepAlive    time.Duration
	connCheck    time.Duration
	eventBuffer  int
	mediaConfig  func(call CallInfo) MediaOptions
	maxRedirects int
	ringTimeout  time.Duration
	sipTrace     func(direction, transport, remote, msg string)
	dnsServers   []string
}

// WithLogger sets the engine's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithLocalIP sets the address SIP and media bind to and advertise
// (default: the address of the route to the server; tests use 127.0.0.1).
func WithLocalIP(ip string) Option { return func(s *settings) { s.localIP = ip } }

// WithUserAgent sets the User-Agent header (default "Ringdesk").
func WithUserAgent(ua string) Option { return func(s *settings) { s.userAgent = ua } }

// WithRetryBackoff sets the first delay and the cap of the exponential
// backoff between failed registrations (default 2 s and 5 minutes).
func WithRetryBackoff(base, maxDelay time.Duration) Option {
	return func(s *settings) { s.retryBase, s.retryCap = base, maxDelay }
}

// WithKeepAlive sets the interval of keep-alives to the server (CRLF on
// TCP/TLS/WS, OPTIONS on UDP; default 30 s) and of the check that notices a
// dropped connection (default 1 s).
func WithKeepAlive(keepAlive, connCheck time.Duration) Option {
	return func(s *settings) { s.keepAlive, s.connCheck = keepAlive, connCheck }
}

// WithEventBuffer sets how many events a subscriber may fall behind before
// it is dropped (default 4096).
func WithEventBuffer(n int) Option { return func(s *settings) { s.eventBuffer = n } }

// WithMedia chooses each call's audio source and sink (default: silence
// out, nothing kept).
func WithMedia(f func(call CallInfo) MediaOptions) Option {
	return func(s *settings) { s.mediaConfig = f }
}

// WithSIPTrace receives every SIP message sent and received, for the SIP
// trace log. direction is "send" or "recv".
func WithSIPTrace(f func(direction, transport, remote, msg string)) Option {
	return func(s *settings) { s.sipTrace = f }
}

// WithDNSServer sends RFC 3263 lookups (NAPTR, SRV, A) to addr instead of
// the system's resolvers; tests use a DNS server on loopback.
func WithDNSServer(addr string) Option {
	return func(s *settings) { s.dnsServers = append(s.dnsServers, addr) }
}

// WithRingTimeout ends a call nobody answers after d, outgoing (CANCEL)
// or incoming (480), default 2 minutes.
func WithRingTimeout(d time.Duration) Option { return func(s *settings) { s.ringTimeout = d } }

func newSettings(opts []Option) settings {
	s := settings{
		logger:       slog.New(slog.DiscardHandler),
		userAgent:    "Ringdesk",
		retryBase:    2 * time.Second,
		retryCap:     5 * time.Minute,
		keepAlive:    30 * time.Second,
		connCheck:    time.Second,
		eventBuffer:  4096,
		maxRedirects: 5,
		ringTimeout:  2 * time.Minute,
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}
