package phone

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringdesk/ringdesk/phone/resolve"
)

// Phone is the SIP engine: it owns the accounts and the calls, and tells
// subscribers what happens. Its methods are safe for concurrent use; none
// of them waits on a subscriber.
type Phone struct {
	s        settings
	bus      *bus
	resolver *resolve.Resolver

	nextCall atomic.Uint64

	mu       sync.Mutex
	accounts map[string]*Account // guarded by mu
	order    []string            // guarded by mu: account ids in the order added
	calls    map[string]*Call    // guarded by mu
	closed   bool                // guarded by mu
	dnd      bool                // guarded by mu: Do Not Disturb
	forwards map[string]Forward  // guarded by mu: by mode
	hints    hintSet             // busy-lamp watch list: hints.go
	wg       sync.WaitGroup
}

// New returns a phone with no accounts.
func New(opts ...Option) *Phone {
	s := newSettings(opts)
	var ropts []resolve.Option
	for _, addr := range s.dnsServers {
		ropts = append(ropts, resolve.WithServer(addr))
	}
	return &Phone{s: s, bus: newBus(s.eventBuffer), resolver: resolve.New(ropts...),
		accounts: map[string]*Account{}, calls: map[string]*Call{}, forwards: map[string]Forward{}}
}

// Subscribe returns a subscription to every event from now on. Close it
// when done.
func (p *Phone) Subscribe() *Subscription { return p.bus.subscribe() }

// AddAccount starts an account: its SIP stack at once, and its
// registration in the background when cfg.Register is set (watch for
// REGISTERED or REGISTER_FAILED).
func (p *Phone) AddAccount(cfg AccountConfig) (*Account, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if _, dup := p.accounts[cfg.ID]; dup {
		p.mu.Unlock()
		return nil, fmt.Errorf("account %q already exists", cfg.ID)
	}
	p.mu.Unlock()
	a, err := newAccount(p, cfg)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.accounts[cfg.ID] = a
	p.order = append(p.order, cfg.ID)
	p.mu.Unlock()
	a.start()
	return a, nil
}

// RemoveAccount ends the account's calls, unregisters it and closes its
// stack.
func (p *Phone) RemoveAccount(id string) error {
	p.mu.Lock()
	a, ok := p.accounts[id]
	delete(p.accounts, id)
	p.order = slices.DeleteFunc(p.order, func(s string) bool { return s == id })
	p.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoSuchAccount, id)
	}
	for _, c := range p.Calls() {
		if c.info.Account == id {
			_ = c.Hangup(context.Background())
		}
	}
	a.stop()
	return nil
}

// Account returns the account with this id.
func (p *Phone) Account(id string) (*Account, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id == "" && len(p.order) > 0 {
		id = p.order[0]
	}
	a, ok := p.accounts[id]
	switch {
	case !ok && id == "":
		return nil, fmt.Errorf("%w: the phone has no account to use (is its password missing?)", ErrNoSuchAccount)
	case !ok:
		return nil, fmt.Errorf("%w: %q", ErrNoSuchAccount, id)
	}
	return a, nil
}

// Accounts returns the accounts in the order they were added.
func (p *Phone) Accounts() []*Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Account, 0, len(p.order))
	for _, id := range p.order {
		out = append(out, p.accounts[id])
	}
	return out
}

// Call returns the current call with this id.
func (p *Phone) Call(id string) (*Call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.calls[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchCall, id)
	}
	return c, nil
}

// Calls returns the current calls, oldest first.
func (p *Phone) Calls() []*Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Call) int { return a.seq - b.seq })
	return out
}

// Status is the phone status PHONE_STATUS reports: RINGING while a call
// rings in, BUSY while a call is up, DND while Do Not Disturb is on and
// no call is up, AVAILABLE otherwise.
func (p *Phone) Status() string {
	status := "AVAILABLE"
	if p.DND() {
		status = "DND"
	}
	for _, c := range p.Calls() {
		switch c.Info().State {
		case CallStateIncoming:
			return "RINGING"
		case CallStateEnded:
		default:
			status = "BUSY"
		}
	}
	return status
}

// emitStatus tells subscribers the phone status (PHONE_STATUS).
func (p *Phone) emitStatus() {
	p.emit(Event{Type: EventPhoneStatus, Status: p.Status(), DND: p.DND()})
}

// Close hangs up every call, unregisters every account (bounded by ctx)
// and ends every subscription.
func (p *Phone) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	for _, c := range p.Calls() {
		_ = c.Hangup(ctx)
	}
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		// The far ends did not answer in time: the calls end here anyway.
		for _, c := range p.Calls() {
			c.end(Cause{Message: "The phone shut down", By: ByLocal})
		}
	}
	for _, a := range p.Accounts() {
		a.stop()
	}
	<-done
	p.bus.close()
	return nil
}

// PublishCallerInfo tells subscribers who the remote party of a call is
// (CALLER_INFO), as the caller lookup found. It returns ErrNoSuchCall when
// the call has ended meanwhile: nobody needs the answer any more.
func (p *Phone) PublishCallerInfo(callID string, info CallerInfo) error {
	c, err := p.Call(callID)
	if err != nil {
		return err
	}
	snap := c.Info()
	info.Fields = maps.Clone(info.Fields)
	p.emit(Event{Type: EventCallerInfo, Account: snap.Account, Call: &snap, CallerInfo: &info})
	return nil
}

func (p *Phone) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	p.bus.publish(e)
}

func (p *Phone) newCallID() (string, int) {
	n := p.nextCall.Add(1)
	return "c" + strconv.FormatUint(n, 10), int(n)
}

func (p *Phone) addCall(c *Call) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.calls[c.info.ID] = c
	p.wg.Add(1)
	return nil
}

func (p *Phone) removeCall(c *Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.calls[c.info.ID]; ok {
		delete(p.calls, c.info.ID)
		p.wg.Done()
	}
}

// callsOf returns the current calls of an account.
func (p *Phone) callsOf(account string) []*Call {
	var out []*Call
	for _, c := range p.Calls() {
		if c.info.Account == account {
			out = append(out, c)
		}
	}
	return out
}

// callBySIP finds the call of a dialog by its SIP Call-ID on an account.
func (p *Phone) callBySIP(account, sipCallID string) *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.calls {
		if c.info.Account == account && c.info.SIPCallID == sipCallID {
			return c
		}
	}
	return nil
}
