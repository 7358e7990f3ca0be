package phone

import (
	"github.com/emiago/sipgo/sip"
)

// SetDND turns Do Not Disturb on or off. While it is on, a new incoming
// call is refused with 486 Busy Here without ringing (as MicroSIP and
// Zoiper do): no INCOMING_CALL, only a CALL_END whose Cause.Rule is
// RuleDND, so the history can list the missed call. Forwarding rules
// still apply (unconditional first; busy forwarding takes DND calls).
// Calls already up or ringing are left alone. A change is announced with
// PHONE_STATUS.
func (p *Phone) SetDND(on bool) {
	p.mu.Lock()
	changed := p.dnd != on
	p.dnd = on
	p.mu.Unlock()
	if changed {
		p.emitStatus()
	}
}

// DND reports whether Do Not Disturb is on.
func (p *Phone) DND() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dnd
}

// refuse answers a new incoming call's INVITE with a final response
// before it rings (DND, forwarding) and tells subscribers with CALL_END
// alone: the call never reaches Calls(). extra headers go into the
// response.
func (p *Phone) refuse(c *Call, req *sip.Request, tx sip.ServerTransaction, cause Cause, extra ...sip.Header) {
	res := c.response(req, cause.Code, cause.Reason, nil)
	for _, h := range extra {
		res.AppendHeader(h)
	}
	if err := c.a.st.respond(tx, res); err != nil {
		c.a.log.Warn("refusal not sent", "code", cause.Code, "error", err)
	}
	c.mu.Lock()
	c.ended = true
	c.info.State = CallStateEnded
	c.emitUnsafe(Event{Type: EventCallEnd, Cause: &cause})
	c.mu.Unlock()
	c.cancel(nil)
}
