package phone

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/phone/human"
)

// Call is one call, placed or received. Its methods are the commands a
// person gives a call; each returns an error a person can read.
type Call struct {
	p   *Phone
	a   *Account
	seq int

	// ctx ends when the call ends; its cause is why.
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu           sync.Mutex
	info         CallInfo              // guarded by mu
	dlg          *dialog               // guarded by mu
	media        mediaSession          // guarded by mu
	invite       *sip.Request          // guarded by mu: the INVITE that made the call
	inviteTx     sip.ServerTransaction // guarded by mu: inbound, until the final answer
	localTag     string                // guarded by mu: inbound, our To tag
	earlyAnswer  []byte                // guarded by mu: outbound, the SDP of a 183
	provisional  bool                  // guarded by mu: outbound, a provisional arrived (CANCEL allowed)
	hangupAsked  bool                  // guarded by mu: outbound, Hangup before the final answer
	ended        bool                  // guarded by mu
	reinviting   bool                  // guarded by mu: our re-INVITE is pending (glare)
	sessionSecs  int                   // guarded by mu: RFC 4028 interval, 0 when none
	weRefresh    bool                  // guarded by mu: we are the session refresher
	consult      *Call                 // guarded by mu: our consultation call (attended transfer)
	consultFor   *Call                 // guarded by mu: the call we consult for, on a consultation call
	transferring bool                  // guarded by mu: our REFER went out; a BYE now means transferred

	up         chan struct{} // closed when the call is first established
	upOnce     sync.Once
	refreshed  chan struct{} // the far end refreshed the session (RFC 4028)
	cancelCh   chan struct{} // outbound: closed when Hangup asks for CANCEL
	cancelOnce sync.Once
	answerCh   chan answerRequest // inbound: Answer or Reject
	ackCh      chan struct{}      // inbound: the ACK for our 2xx
	ackOnce    sync.Once
	reMu       sync.Mutex // one re-INVITE at a time
}

type answerRequest struct {
	code   int
	reason string
	done   chan error
}

func newCall(p *Phone, a *Account, dir Direction) *Call {
	id, seq := p.newCallID()
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Call{p: p, a: a, seq: seq, ctx: ctx, cancel: cancel,
		info:     CallInfo{ID: id, Account: a.cfg.ID, Direction: dir, Started: time.Now(), Headers: map[string]string{}, Data: map[string]string{}},
		answerCh: make(chan answerRequest, 1), ackCh: make(chan struct{}), cancelCh: make(chan struct{}), refreshed: make(chan struct{}, 1), up: make(chan struct{})}
}

// ID returns the call's id, the one events and the API use.
func (c *Call) ID() string { return c.info.ID }

// Info returns a snapshot of the call.
func (c *Call) Info() CallInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshotUnsafe()
}

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.ctx.Done() }

func (c *Call) snapshotUnsafe() CallInfo {
	in := c.info
	in.Headers = maps.Clone(c.info.Headers)
	in.Data = maps.Clone(c.info.Data)
	return in
}

// transitions lists the states a call may move to from each state
// (DESIGN.md: dialing -> ringing/early -> established <-> held -> ended,
// incoming -> established).
var transitions = map[CallState][]CallState{
	CallStateDialing:     {CallStateRinging, CallStateEarly, CallStateEstablished, CallStateEnded},
	CallStateRinging:     {CallStateRinging, CallStateEarly, CallStateEstablished, CallStateEnded},
	CallStateEarly:       {CallStateRinging, CallStateEarly, CallStateEstablished, CallStateEnded},
	CallStateIncoming:    {CallStateEstablished, CallStateEnded},
	CallStateEstablished: {CallStateHeld, CallStateEnded},
	CallStateHeld:        {CallStateEstablished, CallStateEnded},
}

func allowed(from, to CallState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// setStateUnsafe moves the call to state and emits ev with the new
// snapshot; a transition the table forbids is refused. c.mu is held.
func (c *Call) setStateUnsafe(state CallState, ev EventType) bool {
	if c.info.State != CallStateUnknown && !allowed(c.info.State, state) {
		c.a.log.Debug("call state change refused", "call", c.info.ID, "from", c.info.State, "to", state)
		return false
	}
	c.info.State = state
	if state == CallStateEstablished && c.info.Answered.IsZero() {
		c.info.Answered = time.Now()
		c.upOnce.Do(func() { close(c.up) })
	}
	c.p.emit(Event{Type: ev, Account: c.info.Account, Call: ptr(c.snapshotUnsafe())})
	return true
}

// emitUnsafe sends a call event with the current snapshot; c.mu is held.
func (c *Call) emitUnsafe(e Event) {
	e.Account = c.info.Account
	e.Call = ptr(c.snapshotUnsafe())
	c.p.emit(e)
}

func ptr[T any](v T) *T { return &v }

// end finishes the call once: media closed, CALL_END emitted with the
// cause, removed from the phone.
func (c *Call) end(cause Cause) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	// A consultation call leaves its original call before anyone hears
	// it ended (c.mu is not held while the original's is taken).
	if orig := c.consultFor; orig != nil {
		c.mu.Unlock()
		orig.unlinkConsult(c)
		c.mu.Lock()
	}
	if cause.Message == "" {
		cause.Message = human.Message(cause.Code, false)
	}
	var dur time.Duration
	if !c.info.Answered.IsZero() {
		dur = time.Since(c.info.Answered)
	}
	c.info.State = CallStateEnded
	m := c.media
	// Gone from the phone before anyone hears of the end, so a subscriber
	// that looks at Calls() on CALL_END does not find it.
	c.p.removeCall(c)
	c.emitUnsafe(Event{Type: EventCallEnd, Cause: &cause, Duration: dur})
	c.mu.Unlock()
	c.cancel(fmt.Errorf("call ended: %s", cause.Message))
	if m != nil {
		if err := m.Close(); err != nil {
			c.a.log.Debug("closing call media", "call", c.info.ID, "error", err)
		}
	}
	c.p.emitStatus()
}

// SetData attaches user data that travels in the call's events.
func (c *Call) SetData(data map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.Copy(c.info.Data, data)
}

// Mute stops (or with false restores) the microphone's audio to the far
// end; RTP keeps flowing with silence.
func (c *Call) Mute(on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return fmt.Errorf("%w: the call has ended", ErrWrongState)
	}
	if c.info.Muted == on {
		return nil
	}
	c.info.Muted = on
	if c.media != nil {
		c.media.SetMuted(on)
	}
	ev := EventMute
	if !on {
		ev = EventUnmute
	}
	c.emitUnsafe(Event{Type: ev})
	return nil
}

// Hangup ends the call: CANCEL while it rings out, 486 Busy Here when it
// rings in (see Reject for another code), BYE once established.
func (c *Call) Hangup(ctx context.Context) error {
	c.mu.Lock()
	state, dir, ended := c.info.State, c.info.Direction, c.ended
	c.mu.Unlock()
	if ended {
		return nil
	}
	switch {
	case dir == DirectionInbound && state == CallStateIncoming:
		return c.Reject(486)
	case dir == DirectionOutbound && (state == CallStateDialing || state == CallStateRinging || state == CallStateEarly):
		return c.cancelOutgoing()
	default:
		return c.bye(ctx)
	}
}

// bye ends an established call with BYE and waits (bounded) for its
// answer; the call ends whatever the far end says.
func (c *Call) bye(ctx context.Context) error {
	return c.byeWith(ctx, Cause{Message: "Call ended", By: ByLocal})
}

// byeWith is bye with the cause the call ends with.
func (c *Call) byeWith(ctx context.Context, cause Cause) error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return nil
	}
	if c.dlg == nil {
		c.mu.Unlock()
		c.end(cause)
		return nil
	}
	req := c.dlg.request(sip.BYE)
	c.mu.Unlock()
	c.end(cause)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	tx, err := c.a.st.request(ctx, req, c.a.inDialogDest())
	if err != nil {
		return fmt.Errorf("hang up: %w", err)
	}
	defer tx.Terminate()
	select {
	case <-tx.Responses():
	case <-tx.Done():
	case <-ctx.Done():
	}
	return nil
}

// inDialogDest is where in-dialog requests go: the outbound proxy when
// one is set, otherwise the route set or the remote target decides.
func (a *Account) inDialogDest() string {
	if a.cfg.OutboundProxy != "" {
		return a.destination()
	}
	return ""
}

func (c *Call) signalCancel() { c.cancelOnce.Do(func() { close(c.cancelCh) }) }

func (c *Call) cancelSignal() <-chan struct{} { return c.cancelCh }

// upSignal is closed once the call is established.
func (c *Call) upSignal() <-chan struct{} { return c.up }
