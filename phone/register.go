package phone

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/phone/human"
)

// RegistrationState is where an account's registration stands.
type RegistrationState string

// Registration states, as GET /v1/status reports them.
const (
	RegUnregistered RegistrationState = "unregistered"
	RegRegistering  RegistrationState = "registering"
	RegRegistered   RegistrationState = "registered"
	RegFailed       RegistrationState = "failed"
)

// errConnectionLost ends a wait when the flow to the server dropped.
var errConnectionLost = errors.New("the connection to the server was lost")

// registerLoop registers the account, refreshes it before it expires,
// retries failures with exponential backoff and jitter, and keeps the
// flow alive until ctx ends. Whoever ends it removes the binding
// (Unregister, stop).
func (a *Account) registerLoop(ctx context.Context) {
	failures := 0
	for {
		granted, err := a.registerOnce(ctx, a.cfg.expires())
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err != nil {
			failures++
			wait = backoff(failures, a.p.s.retryBase, a.p.s.retryCap)
			a.failed(err, wait)
		} else {
			failures = 0
			wait = refreshDelay(granted)
		}
		if err := a.waitAndKeepAlive(ctx, wait); errors.Is(err, errConnectionLost) {
			a.p.emit(Event{Type: EventDisconnected, Account: a.cfg.ID, Message: "The connection to the server was lost; reconnecting"})
			continue
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// refreshDelay re-registers a little before the binding expires.
func refreshDelay(granted time.Duration) time.Duration {
	d := granted - granted/10
	if granted > 60*time.Second {
		d = granted - 30*time.Second
	}
	if d < time.Second {
		d = time.Second
	}
	return d
}

// backoff is the wait after the n-th consecutive failure: base·2ⁿ⁻¹
// capped, with jitter between half and all of it.
func backoff(n int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	if d > maxDelay {
		d = maxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// waitAndKeepAlive waits d, sending keep-alives and watching the
// connection; it returns errConnectionLost as soon as the flow drops.
func (a *Account) waitAndKeepAlive(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	keep := time.NewTicker(a.p.s.keepAlive)
	defer keep.Stop()
	check := time.NewTicker(a.p.s.connCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return nil
		case <-a.kick:
			return nil
		case <-keep.C:
			if err := a.keepAlive(ctx); err != nil {
				a.log.Info("keep-alive failed; registering again", "error", err)
				a.dropConn()
				return errConnectionLost
			}
		case <-check.C:
			if conn := a.currentConn(); conn != nil && !a.st.alive(conn, a.destination()) {
				a.dropConn()
				return errConnectionLost
			}
		}
	}
}

// keepAlive sends one keep-alive: CRLF on a connection, OPTIONS on UDP
// (whose answer proves the server is there). An error means the server or
// the flow is gone.
func (a *Account) keepAlive(ctx context.Context) error {
	if conn := a.currentConn(); conn != nil {
		return crlfKeepAlive(conn)
	}
	if a.st.transport != "udp" || !a.isRegistered() {
		return nil
	}
	req := a.outOfDialogRequest(sip.OPTIONS, a.serverURI())
	ctx, cancel := context.WithTimeout(ctx, min(5*time.Second, a.p.s.keepAlive))
	defer cancel()
	if _, err := a.do(ctx, req); err != nil {
		return fmt.Errorf("the server did not answer OPTIONS: %w", err)
	}
	return nil
}

// registerOnce sends one REGISTER (answering a digest challenge and a
// 423) and returns the interval the server granted.
func (a *Account) registerOnce(ctx context.Context, expires time.Duration) (time.Duration, error) {
	a.setRegState(RegRegistering)
	if err := a.ensureFlow(ctx); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, min(40*time.Second, 64*sip.T1+time.Second))
	defer cancel()
	authTries := 0
	for range 6 {
		req := a.registerRequest(expires)
		if err := a.applyAuth(req); err != nil {
			return 0, err
		}
		res, err := a.do(ctx, req)
		if err != nil {
			a.dropConn()
			return 0, fmt.Errorf("no answer from %s: %w", a.destination(), err)
		}
		switch {
		case res.StatusCode == 401 || res.StatusCode == 407:
			authTries++
			if authTries > 2 || (authTries == 2 && !staleChallenge(res)) {
				return 0, &SIPError{Method: "REGISTER", Code: res.StatusCode, Reason: res.Reason}
			}
			if err := a.rememberChallenge(req, res); err != nil {
				return 0, err
			}
		case res.StatusCode == 423:
			minExp := 0
			if h := res.GetHeader("Min-Expires"); h != nil {
				minExp = atoiOr(h.Value(), 0)
			}
			if minExp <= 0 || time.Duration(minExp)*time.Second <= expires {
				return 0, &SIPError{Method: "REGISTER", Code: res.StatusCode, Reason: res.Reason}
			}
			expires = time.Duration(minExp) * time.Second
		case res.IsSuccess():
			granted := a.grantedExpires(res, expires)
			if a.learnPublicAddress(res) {
				continue
			}
			a.registered(granted)
			return granted, nil
		default:
			return 0, &SIPError{Method: "REGISTER", Code: res.StatusCode, Reason: res.Reason}
		}
	}
	return 0, fmt.Errorf("registration did not settle after several attempts")
}

// ensureFlow opens the connection to the server for connection
// transports and fixes the Contact to its local address.
func (a *Account) ensureFlow(ctx context.Context) error {
	if a.st.transport == "udp" {
		return nil
	}
	dest, err := a.resolveDest(ctx)
	if err != nil {
		return err
	}
	if conn := a.currentConn(); conn != nil && a.st.alive(conn, dest) {
		return nil
	}
	a.dropConn()
	req := a.outOfDialogRequest(sip.OPTIONS, a.serverURI())
	req.SetDestination(dest)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := a.st.connection(cctx, req)
	if err != nil {
		return err
	}
	host, portText, _ := net.SplitHostPort(conn.LocalAddr().String())
	a.mu.Lock()
	a.conn = conn
	a.contactHost, a.contactPort = host, atoiOr(portText, 0)
	a.mu.Unlock()
	a.p.emit(Event{Type: EventConnected, Account: a.cfg.ID})
	return nil
}

func (a *Account) currentConn() sip.Connection {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conn
}

func (a *Account) dropConn() {
	a.mu.Lock()
	conn := a.conn
	a.conn = nil
	a.mu.Unlock()
	if conn != nil {
		conn.TryClose()
	}
}

func staleChallenge(res *sip.Response) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		for _, h := range res.GetHeaders(name) {
			if strings.Contains(strings.ToLower(h.Value()), "stale=true") {
				return true
			}
		}
	}
	return false
}

// registerRequest builds a REGISTER for the account's binding.
func (a *Account) registerRequest(expires time.Duration) *sip.Request {
	req := a.outOfDialogRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: a.cfg.Domain})
	req.RemoveHeader("Call-ID")
	cid := sip.CallIDHeader(a.regCallID)
	req.AppendHeader(&cid)
	req.RemoveHeader("From")
	req.RemoveHeader("To")
	aor := a.aor()
	from := &sip.FromHeader{DisplayName: a.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", a.regTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{DisplayName: a.cfg.DisplayName, Address: aor, Params: sip.NewParams()})
	contact := a.contact()
	secs := strconv.Itoa(int(expires / time.Second))
	contact.Params.Add("expires", secs)
	if a.isWebSocket() {
		contact.Params.Add("reg-id", "1")
		contact.Params.Add("+sip.instance", `"<`+a.instance+`>"`)
	}
	req.RemoveHeader("Contact")
	req.AppendHeader(contact)
	req.AppendHeader(sip.NewHeader("Expires", secs))
	if a.isWebSocket() {
		req.AppendHeader(sip.NewHeader("Supported", "path, outbound, gruu"))
	}
	return req
}

// grantedExpires reads the interval the registrar granted our Contact.
func (a *Account) grantedExpires(res *sip.Response, asked time.Duration) time.Duration {
	ours := a.contact().Address
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			continue
		}
		if c.Address.User == ours.User && c.Address.Host == ours.Host && c.Address.Port == ours.Port {
			if v, ok := c.Params.Get("expires"); ok {
				if n := atoiOr(v, -1); n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n := atoiOr(h.Value(), -1); n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// learnPublicAddress applies received/rport from the registrar's Via to
// the Contact of a UDP account behind NAT (RFC 3581) and reports whether
// it changed, so the binding is registered again with the new Contact.
func (a *Account) learnPublicAddress(res *sip.Response) bool {
	if a.st.transport != "udp" {
		return false
	}
	via := res.Via()
	if via == nil {
		return false
	}
	recv, _ := via.Params.Get("received")
	rport := atoiOr(via.Params.GetOr("rport", ""), 0)
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := false
	if recv != "" && recv != a.contactHost && net.ParseIP(recv) != nil {
		a.contactHost, changed = recv, true
	}
	if rport > 0 && rport != a.contactPort {
		a.contactPort, changed = rport, true
	}
	return changed
}

// unregister moves the account to RegUnregistered and, when send is set,
// removes the binding with REGISTER Expires: 0 (answering a digest
// challenge), bounded by ctx. It emits UNREGISTERED, and returns an error
// when the server did not confirm the removal.
func (a *Account) unregister(ctx context.Context, send bool) error {
	a.mu.Lock()
	a.regState = RegUnregistered
	a.lastCause = nil
	a.mu.Unlock()
	a.stopMWI()
	var err error
	if send {
		err = a.removeBinding(ctx)
		if err != nil {
			a.log.Info("unregistration not confirmed", "error", err)
		}
	}
	a.p.emit(Event{Type: EventUnregistered, Account: a.cfg.ID})
	return err
}

// removeBinding sends REGISTER with Expires: 0 until the registrar
// answers it with something other than a challenge.
func (a *Account) removeBinding(ctx context.Context) error {
	for range 3 {
		req := a.registerRequest(0)
		if err := a.applyAuth(req); err != nil {
			return fmt.Errorf("unregister: %w", err)
		}
		res, err := a.do(ctx, req)
		if err != nil {
			return fmt.Errorf("unregister: no answer from %s: %w", a.destination(), err)
		}
		switch {
		case res.IsSuccess():
			return nil
		case res.StatusCode == 401 || res.StatusCode == 407:
			if err := a.rememberChallenge(req, res); err != nil {
				return fmt.Errorf("unregister: %w", err)
			}
		default:
			return fmt.Errorf("unregister: %w", &SIPError{Method: "REGISTER", Code: res.StatusCode, Reason: res.Reason})
		}
	}
	return fmt.Errorf("unregister: the server kept asking for credentials")
}

func (a *Account) registered(granted time.Duration) {
	a.mu.Lock()
	a.regState = RegRegistered
	a.lastCause = nil
	a.mu.Unlock()
	a.p.emit(Event{Type: EventRegistered, Account: a.cfg.ID, Expires: granted})
	a.startMWI()
}

func (a *Account) failed(err error, retryIn time.Duration) {
	cause := &Cause{Message: err.Error(), By: ByNetwork}
	var se *SIPError
	if errors.As(err, &se) {
		cause = &Cause{Code: se.Code, Reason: se.Reason, Message: human.Message(se.Code, true), By: ByRemote}
	}
	a.mu.Lock()
	a.regState = RegFailed
	a.lastCause = cause
	a.mu.Unlock()
	a.log.Warn("registration failed", "error", err, "retry_in", retryIn)
	a.p.emit(Event{Type: EventRegisterFailed, Account: a.cfg.ID, Cause: cause, RetryIn: retryIn})
}

func (a *Account) setRegState(s RegistrationState) {
	a.mu.Lock()
	a.regState = s
	a.mu.Unlock()
}

func (a *Account) isRegistered() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.regState == RegRegistered
}
