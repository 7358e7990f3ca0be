package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store/history"
)

// DefaultQueueLen is how many events a WebSocket client may fall behind
// before it is dropped.
const DefaultQueueLen = 1024

// Options are what a Server serves and how.
type Options struct {
	// Phone is the engine the API drives. Required.
	Phone *phone.Phone
	// Token is the bearer token every request must carry. Required.
	Token string
	// AllowedOrigins are the browser Origins (scheme://host[:port]) whose
	// pages may call the API; requests with any other Origin get 403.
	AllowedOrigins []string
	// History answers GET /v1/history; without it that path answers 503.
	History *history.Store
	// Lookup answers GET /v1/contacts/lookup; without it that path answers
	// 503.
	Lookup *crm.Resolver
	// DialsPerMinute caps the calls placed through the API (POST /v1/calls
	// and /v1/open); 0 means 10.
	DialsPerMinute int
	// ConfirmDial, when set, is asked before a call handed over by the
	// operating system (POST /v1/open, from a tel:, sip: or callto: link)
	// is placed; the window shows the question. It returns whether to dial.
	ConfirmDial func(ctx context.Context, d ExternalDial) bool
	// Version is reported by GET /v1/status.
	Version string
	// Logger receives the API's log lines; nil discards them.
	Logger *slog.Logger
	// QueueLen is how many events a WebSocket client may fall behind
	// before it is dropped; 0 means DefaultQueueLen.
	QueueLen int
	// MicCheck, when set, answers POST /v1/mic-check: it listens to the
	// configured microphone for about a second and returns its level and
	// peak in dBFS, or an error saying in words what is wrong (a failure
	// is also published as MIC_ERROR). Without it that path answers 503.
	MicCheck func(ctx context.Context) (level, peak float64, err error)
	// ShowWindow, when set, answers POST /v1/show by bringing Ringdesk's
	// window to the front (from the tray too): what a second start of
	// Ringdesk asks of the first. Without it (headless) that path answers
	// 503.
	ShowWindow func()
}

// Server is the local API: an HTTP handler, its loopback listeners, and
// the event hub behind /v1/events.
type Server struct {
	opts    Options
	phone   *phone.Phone
	log     *slog.Logger
	hub     *hub
	sub     *phone.Subscription // guarded by mu: the pump replaces it
	dials   *rate.Limiter
	origins map[string]bool
	handler http.Handler

	mu        sync.Mutex
	listeners []net.Listener  // guarded by mu
	http      *http.Server    // guarded by mu
	served    chan struct{}   // closed when Serve returns; nil before Serve; guarded by mu
	conns     sync.WaitGroup  // WebSocket handlers; Add only through enter
	bg        sync.WaitGroup  // commands that outlive their request; Add only through enter
	bgCtx     context.Context // ends with Close
	bgCancel  context.CancelFunc
	pumpDone  chan struct{} // closed when the event pump ends
	closing   chan struct{} // closed by Close
	stopping  chan struct{} // closed (under mu) when no new work may start
	stopOnce  sync.Once
	closeOnce sync.Once
	tokens    tokenBox // the token SetToken put in place of Options.Token
}

// New makes a Server for the engine. It subscribes to the engine's events
// at once, so a WebSocket that connects later still learns where things
// stand; Close ends that subscription.
func New(opts Options) (*Server, error) {
	if opts.Phone == nil {
		return nil, errors.New("api: no phone engine to serve")
	}
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("api: no token: the API refuses to run without one (set it in Settings, the keyring, [api] token_env or --api-token-file)")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	if opts.DialsPerMinute <= 0 {
		opts.DialsPerMinute = 10
	}
	s := &Server{opts: opts, phone: opts.Phone, log: opts.Logger, hub: newHub(opts.QueueLen),
		origins: make(map[string]bool), pumpDone: make(chan struct{}), closing: make(chan struct{}),
		stopping: make(chan struct{})}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	// The limiter allows a burst of a few calls, then DialsPerMinute spread
	// over the minute.
	burst := max(1, min(opts.DialsPerMinute, 3))
	s.dials = rate.NewLimiter(rate.Every(time.Minute/time.Duration(opts.DialsPerMinute)), burst)
	for _, o := range opts.AllowedOrigins {
		s.origins[strings.TrimSuffix(strings.ToLower(o), "/")] = true
	}
	s.sub = opts.Phone.Subscribe()
	s.hub.seed(opts.Phone)
	go s.pump()
	s.handler = s.guard(s.routes())
	return s, nil
}

// pump moves the engine's events into the hub until the subscription ends.
// Should the engine drop it for falling behind, the pump subscribes again
// and the hub starts over from where the engine stands, telling its
// clients to reconnect for a fresh snapshot.
func (s *Server) pump() {
	defer close(s.pumpDone)
	for {
		s.mu.Lock()
		sub := s.sub
		s.mu.Unlock()
		for e := range sub.C {
			s.hub.publish(e)
		}
		if err := sub.Err(); !errors.Is(err, phone.ErrSlowSubscriber) {
			break
		}
		s.mu.Lock()
		select {
		case <-s.stopping:
			s.mu.Unlock()
			s.hub.closeAll()
			return
		default:
		}
		s.log.Error("the local API's event relay fell behind the engine; clients are told to reconnect")
		s.sub = s.phone.Subscribe()
		s.mu.Unlock()
		s.hub.restart(s.phone)
	}
	s.hub.closeAll()
}

// stop marks the server as stopping: no new WebSocket or background
// command starts after it.
func (s *Server) stop() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		close(s.stopping)
		s.mu.Unlock()
	})
}

// enter counts new work in wg, unless the server is stopping.
func (s *Server) enter(wg *sync.WaitGroup) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.stopping:
		return false
	default:
	}
	wg.Add(1)
	return true
}

// Handler is the API as an http.Handler, with the token, Host and Origin
// checks in front: for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the API to addr, which must be a loopback address:
// 127.0.0.1:PORT, [::1]:PORT or localhost:PORT. 127.0.0.1 and localhost
// also bind [::1] on the same port when this computer has IPv6 loopback.
// Any other address is refused.
func (s *Server) Listen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("api: listen address %q is not host:port: %w", addr, err)
	}
	var hosts []string
	switch ip := net.ParseIP(host); {
	case host == "localhost":
		hosts = []string{"127.0.0.1", "::1"}
	case ip != nil && ip.IsLoopback() && ip.To4() != nil:
		hosts = []string{ip.String(), "::1"}
	case ip != nil && ip.IsLoopback():
		hosts = []string{"::1"}
	default:
		return fmt.Errorf("api: refusing to listen on %q: the API serves this computer only (127.0.0.1, ::1 or localhost)", addr)
	}
	first, err := net.Listen("tcp", net.JoinHostPort(hosts[0], port))
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w (is another Ringdesk running?)", net.JoinHostPort(hosts[0], port), err)
	}
	lns := []net.Listener{first}
	boundPort := fmt.Sprint(first.Addr().(*net.TCPAddr).Port)
	for _, h := range hosts[1:] {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, boundPort))
		if err != nil {
			s.log.Info("API not on IPv6 loopback", "address", net.JoinHostPort(h, boundPort), "error", err)
			continue
		}
		lns = append(lns, ln)
	}
	for _, ln := range lns {
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("api: bound %s, which is not loopback; refusing to serve", ln.Addr())
		}
	}
	s.mu.Lock()
	s.listeners = append(s.listeners, lns...)
	s.mu.Unlock()
	return nil
}

// Addrs are the addresses the API listens on.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, 0, len(s.listeners))
	for _, ln := range s.listeners {
		out = append(out, ln.Addr())
	}
	return out
}

// URL is the base URL of the first listener, e.g. http://127.0.0.1:5478.
func (s *Server) URL() string {
	addrs := s.Addrs()
	if len(addrs) == 0 {
		return ""
	}
	return "http://" + addrs[0].String()
}

// Serve answers requests on the listeners until ctx ends or Close is
// called; then it stops accepting, ends the WebSockets and returns.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	if len(s.listeners) == 0 {
		s.mu.Unlock()
		return errors.New("api: Serve before Listen")
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext: func(net.Listener) context.Context { return ctx }}
	s.http = srv
	served := make(chan struct{})
	s.served = served
	lns := s.listeners
	s.mu.Unlock()
	defer close(served)
	errs := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errs <- srv.Serve(ln) }()
	}
	select {
	case <-ctx.Done():
	case <-s.closing:
	}
	s.stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s.hub.closeAll()
	var err error
	if shutErr := srv.Shutdown(shutdownCtx); shutErr != nil {
		// Requests still running after the grace period (a hold waiting
		// for the far end) are cut off: the API is going away.
		s.log.Info("local API requests cut off at shutdown", "error", shutErr)
		srv.Close()
	}
	s.conns.Wait()
	for range lns {
		if e := <-errs; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
	}
	return err
}

// Close stops serving, drops every WebSocket and ends the engine
// subscription. It does not close the engine.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.stop()
		close(s.closing)
		s.bgCancel()
		s.bg.Wait()
		s.mu.Lock()
		srv, lns, served, sub := s.http, s.listeners, s.served, s.sub
		s.mu.Unlock()
		if served != nil {
			<-served
		}
		sub.Close()
		<-s.pumpDone
		s.hub.closeAll()
		if srv == nil {
			for _, ln := range lns {
				ln.Close()
			}
		}
		s.conns.Wait()
	})
}

// background runs a command that outlives its request (an unregister, a
// dial waiting for the user's confirmation); Close cancels and waits for
// it.
func (s *Server) background(timeout time.Duration, do func(ctx context.Context)) {
	if !s.enter(&s.bg) {
		return
	}
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(s.bgCtx, timeout)
		defer cancel()
		do(ctx)
	}()
}

// guard checks every request before it reaches a handler: the Host must
// name this computer (against DNS rebinding), a browser's Origin must be
// on the allow-list (CORS is answered only for those), and the bearer
// token must match.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			writeError(w, errorf(http.StatusForbidden, CodeForbiddenHost, "the Host %q is not this computer: call the API as 127.0.0.1, [::1] or localhost", r.Host))
			return
		}
		origin := r.Header.Get("Origin")
		if origin != "" {
			if !s.origins[strings.ToLower(origin)] {
				s.log.Warn("API request from a browser Origin not on the allow-list", "origin", origin, "path", r.URL.Path)
				writeError(w, errorf(http.StatusForbidden, CodeForbiddenOrigin, "the Origin %q is not allowed: add it to [api] allowed_origins in Ringdesk's settings", origin))
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ringdesk"`)
			writeError(w, errorf(http.StatusUnauthorized, CodeUnauthorized, "missing or wrong token: send Authorization: Bearer <token> (Ringdesk's Settings show it)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized checks the bearer token, or ?token= on the WebSocket path
// (browsers cannot set headers on a WebSocket).
func (s *Server) authorized(r *http.Request) bool {
	got := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return false
		}
		got = strings.TrimSpace(token)
	} else if r.URL.Path == "/v1/events" {
		got = r.URL.Query().Get("token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token())) == 1
}

// loopbackHost says whether a Host header names this computer.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
