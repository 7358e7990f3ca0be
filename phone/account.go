package phone

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/ringdesk/ringdesk/phone/digest"
)

// Account is one SIP identity of the phone: its transport stack, its
// registration and the calls placed and received through it.
type Account struct {
	p      *Phone
	cfg    AccountConfig
	st     *stack
	log    *slog.Logger
	target serverTarget // the configured server, before DNS
	digest *digest.Responder

	regCallID string
	regTag    string
	instance  string
	cseq      atomic.Uint32

	kick chan struct{}

	// loopMu serialises starting and stopping the registration loop
	// (Register, Unregister, stop).
	loopMu     sync.Mutex
	loopCancel context.CancelFunc // guarded by loopMu: nil while no loop runs
	loopDone   chan struct{}      // guarded by loopMu: closed when the loop returned
	removed    bool               // guarded by loopMu: the account is stopped for good

	mu          sync.Mutex
	regState    RegistrationState // guarded by mu
	lastCause   *Cause            // guarded by mu
	conn        sip.Connection    // guarded by mu
	contactHost string            // guarded by mu
	contactPort int               // guarded by mu
	challenge   *sip.Response     // guarded by mu: the last digest challenge
	dest        string            // guarded by mu: resolved host:port requests outside dialogs go to

	subs accountSubs // event subscriptions (busy lamps, voicemail): subscription.go
}

// ID returns the account's id.
func (a *Account) ID() string { return a.cfg.ID }

// Config returns the account's configuration.
func (a *Account) Config() AccountConfig { return a.cfg }

// Registration returns the registration state and, after a failure, its
// cause.
func (a *Account) Registration() (RegistrationState, *Cause) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.regState, a.lastCause
}

// Register asks for an immediate (re-)registration. After Unregister, or
// for an account whose config does not register, it starts registering
// (and refreshing) again; watch for REGISTERED or REGISTER_FAILED.
func (a *Account) Register() {
	a.loopMu.Lock()
	defer a.loopMu.Unlock()
	if a.removed {
		return
	}
	if a.loopCancel == nil {
		a.startLoopLocked()
		return
	}
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Unregister removes the account's binding at the server (REGISTER with
// Expires: 0), stops refreshing it and ends in RegUnregistered with an
// UNREGISTERED event. Calls in progress go on. Register registers again.
// It returns an error when the server did not confirm the removal (the
// binding then lapses at its expiry); the account is unregistered here
// either way. Unregistering an account that is not registered does
// nothing.
func (a *Account) Unregister(ctx context.Context) error {
	a.loopMu.Lock()
	defer a.loopMu.Unlock()
	if a.removed {
		return fmt.Errorf("account %q: %w", a.cfg.ID, ErrClosed)
	}
	running := a.stopLoopLocked()
	state, _ := a.Registration()
	if !running && state == RegUnregistered {
		return nil
	}
	err := a.unregister(ctx, state == RegRegistered || state == RegRegistering)
	if len(a.p.callsOf(a.cfg.ID)) == 0 {
		a.dropConn()
	}
	return err
}

func newAccount(p *Phone, cfg AccountConfig) (*Account, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	target, err := cfg.target()
	if err != nil {
		return nil, err
	}
	dest := ""
	if net.ParseIP(target.host) != nil {
		dest = target.hostPort()
	}
	localIP := p.s.localIP
	if localIP == "" {
		probe := dest
		if probe == "" {
			probe = net.JoinHostPort("192.0.2.1", "5060") // any routable address: no packet is sent
		}
		if localIP, err = localIPFor(probe); err != nil {
			return nil, fmt.Errorf("account %q: %w", cfg.ID, err)
		}
	}
	st, err := newStack(cfg, target, localIP, p.s)
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", cfg.ID, err)
	}
	a := &Account{
		p: p, cfg: cfg, st: st, dest: dest, target: target, log: p.s.logger.With("account", cfg.ID),
		digest:    &digest.Responder{},
		regCallID: uuid.NewString(), regTag: sip.GenerateTagN(16),
		instance: "urn:uuid:" + uuid.NewString(),
		kick:     make(chan struct{}, 1),
		regState: RegUnregistered, contactHost: localIP,
	}
	if st.udp != nil {
		_, a.contactPort = st.udpAddr()
	}
	a.cseq.Store(uint32(1 + rand.IntN(1000)))
	p.handle(a)
	st.serve()
	return a, nil
}

// start runs the registration loop when the account registers.
func (a *Account) start() {
	if !a.cfg.Register {
		return
	}
	a.loopMu.Lock()
	defer a.loopMu.Unlock()
	a.startLoopLocked()
}

// startLoopLocked starts the registration loop; a.loopMu is held.
func (a *Account) startLoopLocked() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.loopCancel, a.loopDone = cancel, done
	// A kick left over from before must not cut the first wait short.
	select {
	case <-a.kick:
	default:
	}
	go func() {
		defer close(done)
		a.registerLoop(ctx)
	}()
}

// stopLoopLocked stops the registration loop and waits until it has
// returned; it reports whether one was running. a.loopMu is held.
func (a *Account) stopLoopLocked() bool {
	cancel, done := a.loopCancel, a.loopDone
	a.loopCancel, a.loopDone = nil, nil
	if cancel == nil {
		return false
	}
	cancel()
	<-done
	return true
}

// stop unregisters (bounded to a few seconds) and closes the stack.
func (a *Account) stop() {
	a.loopMu.Lock()
	a.removed = true
	a.stopLoopLocked()
	a.loopMu.Unlock()
	a.stopSubscriptions()
	if a.isRegistered() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = a.unregister(ctx, true)
		cancel()
	}
	a.dropConn()
	a.st.close()
}

func (a *Account) isWebSocket() bool { return a.st.transport == "ws" || a.st.transport == "wss" }

// aor is the account's address of record, sip:user@domain.
func (a *Account) aor() sip.Uri {
	return sip.Uri{Scheme: "sip", User: a.cfg.Username, Host: a.cfg.Domain}
}

func (a *Account) serverURI() sip.Uri {
	host, port, _ := net.SplitHostPort(a.destination())
	return sip.Uri{Scheme: "sip", Host: host, Port: atoiOr(port, 0)}
}

// contact is the account's Contact header.
func (a *Account) contact() *sip.ContactHeader {
	a.mu.Lock()
	host, port := a.contactHost, a.contactPort
	a.mu.Unlock()
	uri := sip.Uri{Scheme: "sip", User: a.cfg.Username, Host: host, Port: port, UriParams: sip.NewParams()}
	if a.st.transport != "udp" {
		uri.UriParams.Add("transport", a.st.transport)
	}
	return &sip.ContactHeader{Address: uri, Params: sip.NewParams()}
}

// outOfDialogRequest builds a request outside any dialog: From the
// account with a new tag, To the target, a new Call-ID, the next CSeq.
func (a *Account) outOfDialogRequest(method sip.RequestMethod, to sip.Uri) *sip.Request {
	req := sip.NewRequest(method, to)
	from := &sip.FromHeader{DisplayName: a.cfg.DisplayName, Address: a.aor(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	toURI := to
	toURI.UriParams = nil
	toURI.Headers = nil
	req.AppendHeader(&sip.ToHeader{Address: toURI, Params: sip.NewParams()})
	cid := sip.CallIDHeader(uuid.NewString())
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: a.cseq.Add(1), MethodName: method})
	if method == sip.INVITE || method == sip.SUBSCRIBE || method == sip.REFER || method == sip.REGISTER {
		req.AppendHeader(a.contact())
	}
	req.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	return req
}

// allowedMethods is what the phone answers.
const allowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE, MESSAGE"

// do sends req outside a dialog to the account's server and waits for
// the final response.
func (a *Account) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	dest, err := a.resolveDest(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := a.st.request(ctx, req, dest)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("the %s transaction ended without an answer", req.Method)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// rememberChallenge keeps res's challenge for the account's next requests
// and answers it on req (whose CSeq it increases).
func (a *Account) rememberChallenge(req *sip.Request, res *sip.Response) error {
	a.mu.Lock()
	a.challenge = res
	a.mu.Unlock()
	return nil
}

// applyAuth answers the remembered challenge, if any, on req.
func (a *Account) applyAuth(req *sip.Request) error {
	a.mu.Lock()
	ch := a.challenge
	a.mu.Unlock()
	if ch == nil {
		return nil
	}
	return a.authorize(req, ch)
}

// destination is the resolved server address ("" before the first
// successful lookup).
func (a *Account) destination() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dest
}

// resolveDest locates the server by RFC 3263 when it is named by a host
// name (NAPTR, SRV, then A/AAAA) and remembers the first target. A port
// given in the config skips NAPTR and SRV.
func (a *Account) resolveDest(ctx context.Context) (string, error) {
	if d := a.destination(); d != "" {
		return d, nil
	}
	port := a.target.port
	if !a.target.explicitPort {
		port = 0
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	targets, err := a.p.resolver.Lookup(ctx, a.target.host, port, a.st.transport, a.st.transport == "tls" || a.st.transport == "wss")
	if err != nil {
		return "", fmt.Errorf("find the SIP server: %w", err)
	}
	var dest string
	for _, t := range targets {
		if strings.EqualFold(t.Transport, a.st.transport) {
			dest = net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
			break
		}
	}
	if dest == "" {
		return "", fmt.Errorf("find the SIP server: %s offers no %s server", a.target.host, strings.ToUpper(a.st.transport))
	}
	a.mu.Lock()
	a.dest = dest
	a.mu.Unlock()
	return dest, nil
}
