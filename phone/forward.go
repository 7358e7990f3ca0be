package phone

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Forwarding modes (Forward.Mode).
const (
	ForwardUnconditional = "unconditional"
	ForwardBusy          = "busy"
	ForwardNoAnswer      = "noanswer"
)

// forwardModes are the modes in the order Forwards lists them.
var forwardModes = []string{ForwardUnconditional, ForwardBusy, ForwardNoAnswer}

// DefaultForwardAfter is how long a call rings before no-answer
// forwarding takes it, when Forward.After is zero.
const DefaultForwardAfter = 20 * time.Second

// Forward is one call forwarding rule, applied by the phone itself to new
// incoming calls, on every account: the INVITE is answered 302 Moved
// Temporarily with the target as Contact, and the caller's phone or PBX
// calls the target.
type Forward struct {
	// Mode is ForwardUnconditional (every call), ForwardBusy (while
	// another call is up, or Do Not Disturb is on) or ForwardNoAnswer
	// (after ringing for After).
	Mode string
	// To is the target: a number (on the domain of the account the call
	// came to) or a sip:/sips: address.
	To string
	// Enabled turns the rule on.
	Enabled bool
	// After is how long a call rings before no-answer forwarding
	// (DefaultForwardAfter when zero); the other modes ignore it.
	After time.Duration
}

var forwardNumberPattern = regexp.MustCompile(`^\+?[0-9*#]{1,32}$`)

// forwardTarget checks a forwarding target and returns it in the form
// kept: a number without separators, or a SIP URI.
func forwardTarget(to string) (string, error) {
	if strings.ContainsAny(to, "\r\n\x00<>\"'?,") {
		return "", fmt.Errorf("%w: %q holds characters a forwarding target cannot have", ErrBadNumber, to)
	}
	t := strings.TrimSpace(to)
	if t == "" {
		return "", fmt.Errorf("%w: forwarding needs a number to forward to", ErrBadNumber)
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") {
		var u sip.Uri
		if err := sip.ParseUri(t, &u); err != nil || u.Host == "" || strings.ContainsAny(t, " \t") {
			return "", fmt.Errorf("%w: %q is not a SIP address", ErrBadNumber, to)
		}
		return t, nil
	}
	if strings.HasPrefix(lower, "tel:") {
		t = t[4:]
	}
	t = strings.NewReplacer(" ", "", "(", "", ")", "", "\t", "", "-", "", ".", "").Replace(t)
	if !forwardNumberPattern.MatchString(t) {
		return "", fmt.Errorf("%w: %q is not a phone number or a sip: address", ErrBadNumber, to)
	}
	return t, nil
}

// SetForward sets the rule of f.Mode. An enabled rule needs a valid To
// (ErrBadNumber otherwise: empty, letters, SIP syntax such as "1002>;x",
// line breaks); disabling may leave To empty to keep the number set
// before. A bad Mode or a negative After is ErrBadForward. A number of
// one of the phone's own accounts is refused: the call would come back.
func (p *Phone) SetForward(f Forward) error {
	mode := strings.ToLower(strings.TrimSpace(f.Mode))
	if !isForwardMode(mode) {
		return fmt.Errorf("%w: mode %q is not one of unconditional, busy, noanswer", ErrBadForward, f.Mode)
	}
	if f.After < 0 {
		return fmt.Errorf("%w: the no-answer delay %s is negative", ErrBadForward, f.After)
	}
	f.Mode = mode
	if f.To != "" || f.Enabled {
		to, err := forwardTarget(f.To)
		if err != nil {
			return err
		}
		f.To = to
	}
	if mode == ForwardNoAnswer {
		if f.After == 0 {
			f.After = DefaultForwardAfter
		}
	} else {
		f.After = 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.To == "" {
		f.To = p.forwards[mode].To
	}
	for _, a := range p.accounts {
		if f.Enabled && (f.To == a.cfg.Username || f.To == aorString(a)) {
			return fmt.Errorf("%w: %s is this phone's own number (account %q); the call would come back", ErrBadNumber, f.To, a.cfg.ID)
		}
	}
	p.forwards[mode] = f
	return nil
}

func isForwardMode(mode string) bool {
	for _, m := range forwardModes {
		if m == mode {
			return true
		}
	}
	return false
}

// Forwards returns the three forwarding rules (unconditional, busy,
// noanswer), set or not.
func (p *Phone) Forwards() []Forward {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Forward, 0, len(forwardModes))
	for _, mode := range forwardModes {
		f, ok := p.forwards[mode]
		if !ok {
			f = Forward{Mode: mode}
			if mode == ForwardNoAnswer {
				f.After = DefaultForwardAfter
			}
		}
		out = append(out, f)
	}
	return out
}

// forwardRule returns the enabled rule of a mode.
func (p *Phone) forwardRule(mode string) (Forward, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.forwards[mode]
	return f, ok && f.Enabled && f.To != ""
}

// screen applies DND and forwarding to a new incoming call before it
// rings. It reports whether it answered the INVITE (the call is over).
func (p *Phone) screen(c *Call, req *sip.Request, tx sip.ServerTransaction) bool {
	if f, ok := p.forwardRule(ForwardUnconditional); ok {
		return p.forward(c, req, tx, f, "unconditional", "")
	}
	busy := len(p.Calls()) > 0
	dnd := p.DND()
	if f, ok := p.forwardRule(ForwardBusy); ok && (busy || dnd) {
		if dnd && !busy {
			return p.forward(c, req, tx, f, "do-not-disturb", "Do Not Disturb")
		}
		return p.forward(c, req, tx, f, "user-busy", "busy")
	}
	if dnd {
		p.refuse(c, req, tx, Cause{Code: 486, Reason: "Busy Here", Message: "Refused: Do Not Disturb was on", By: ByLocal, Rule: RuleDND})
		return true
	}
	return false
}

// forward answers a new incoming call 302 towards f.To (with Diversion,
// RFC 5806, saying why) and ends it for us. It reports false, leaving the
// call to ring, when the target is unusable on this account or is the
// account itself.
func (p *Phone) forward(c *Call, req *sip.Request, tx sip.ServerTransaction, f Forward, reason, why string) bool {
	contact, ok := c.a.forwardContact(f)
	if !ok {
		return false
	}
	c.mu.Lock()
	c.info.ForwardedTo = f.To
	c.mu.Unlock()
	p.refuse(c, req, tx, forwardCause(f, why), contact, c.a.diversion(reason))
	return true
}

// forwardContact is the Contact of a 302 to f.To from account a.
func (a *Account) forwardContact(f Forward) (*sip.ContactHeader, bool) {
	uri, err := a.targetURI(f.To)
	if err != nil {
		a.log.Warn("forwarding target unusable; the call rings", "to", f.To, "error", err)
		return nil, false
	}
	if uri.User == a.cfg.Username && strings.EqualFold(uri.Host, a.cfg.Domain) {
		a.log.Warn("forwarding to the account itself; the call rings", "to", f.To)
		return nil, false
	}
	return &sip.ContactHeader{Address: uri, Params: sip.NewParams()}, true
}

// diversion is the Diversion header (RFC 5806) of a 302 from account a.
func (a *Account) diversion(reason string) sip.Header {
	return sip.NewHeader("Diversion", "<"+aorString(a)+">;reason="+reason+";counter=1")
}

func forwardCause(f Forward, why string) Cause {
	msg := "Forwarded to " + f.To
	if why != "" {
		msg += " (" + why + ")"
	}
	return Cause{Code: 302, Reason: "Moved Temporarily", Message: msg, By: ByLocal, Rule: RuleForward}
}

// noAnswerTimer returns a channel that fires when no-answer forwarding is
// due for a call that starts ringing now (nil when the rule is off).
func (p *Phone) noAnswerTimer() (<-chan time.Time, func()) {
	f, ok := p.forwardRule(ForwardNoAnswer)
	if !ok {
		return nil, func() {}
	}
	t := time.NewTimer(f.After)
	return t.C, func() { t.Stop() }
}

// forwardRinging forwards a call that rang unanswered (no-answer rule,
// read again now: turned off meanwhile, the call rings on). It reports
// whether the call was forwarded.
func (c *Call) forwardRinging(req *sip.Request, tx sip.ServerTransaction) bool {
	f, ok := c.p.forwardRule(ForwardNoAnswer)
	if !ok {
		return false
	}
	contact, ok := c.a.forwardContact(f)
	if !ok {
		return false
	}
	res := c.response(req, 302, "Moved Temporarily", nil)
	res.AppendHeader(contact)
	res.AppendHeader(c.a.diversion("no-answer"))
	c.mu.Lock()
	if c.ended || c.info.State != CallStateIncoming {
		c.mu.Unlock()
		return false
	}
	c.info.ForwardedTo = f.To
	c.mu.Unlock()
	if err := c.a.st.respond(tx, res); err != nil {
		c.a.log.Warn("forwarding answer not sent", "call", c.info.ID, "error", err)
	}
	c.end(forwardCause(f, "no answer"))
	return true
}
