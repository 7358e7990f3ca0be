package phone

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// replacedByeWait is how long, after a completed attended transfer, the
// transferor waits for the target's BYE on the consultation call (RFC
// 5589 §7: the target ends the dialog it replaced) before ending it with
// its own BYE.
const replacedByeWait = 2 * time.Second

// causeTransferred ends the calls a transfer took away.
const causeTransferred = "Call transferred"

// AttendedTransfer starts an attended (consultative) transfer of c to
// target: c goes on hold and a consultation call to target is placed and
// returned (its CallInfo.ConsultFor is c's id, c's CallInfo.ConsultCall
// the new call's id). Once the target has answered, CompleteTransfer
// hands c's far end over to it; CancelTransfer hangs the consultation up
// and resumes c. When the consultation call cannot be placed, c is resumed.
func (c *Call) AttendedTransfer(ctx context.Context, target string) (*Call, error) {
	if _, err := c.a.targetURI(target); err != nil {
		return nil, err
	}
	c.mu.Lock()
	state, consult, isConsult, hasDialog, ended := c.info.State, c.consult, c.consultFor != nil, c.dlg != nil, c.ended
	c.mu.Unlock()
	switch {
	case isConsult:
		return nil, fmt.Errorf("%w: this call is itself a consultation call; transfer the call it consults for", ErrWrongState)
	case ended || !hasDialog || (state != CallStateEstablished && state != CallStateHeld):
		return nil, fmt.Errorf("%w: only an established call can be transferred (it is %s)", ErrWrongState, state)
	case consult != nil:
		return nil, fmt.Errorf("%w: consultation call %s is already under way; complete or cancel it first", ErrWrongState, consult.ID())
	}
	heldHere := false
	if state == CallStateEstablished {
		if err := c.Hold(ctx); err != nil {
			return nil, fmt.Errorf("put the call on hold before the consultation: %w", err)
		}
		heldHere = true
	}
	var linked *Call
	next, err := c.p.dial(ctx, c.info.Account, target, DialOptions{}, func(n *Call, _ *sip.Request) error {
		n.consultFor = c
		n.info.ConsultFor = c.info.ID
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.ended {
			return fmt.Errorf("%w: the call to transfer has ended", ErrWrongState)
		}
		if c.consult != nil {
			return fmt.Errorf("%w: consultation call %s is already under way", ErrWrongState, c.consult.info.ID)
		}
		c.consult, c.info.ConsultCall, linked = n, n.info.ID, n
		return nil
	})
	if err != nil {
		c.unlinkConsult(linked)
		if heldHere {
			if uerr := c.Unhold(context.WithoutCancel(ctx)); uerr != nil {
				c.a.log.Warn("could not resume the call after a failed consultation", "call", c.info.ID, "error", uerr)
			}
		}
		return nil, err
	}
	return next, nil
}

// transferPair returns the call being transferred and its consultation
// call, c being either of them (cons is nil when there is none).
func (c *Call) transferPair() (orig, cons *Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.consultFor != nil {
		return c.consultFor, c
	}
	return c, c.consult
}

// unlinkConsult forgets cons as c's consultation call.
func (c *Call) unlinkConsult(cons *Call) {
	if cons == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.consult == cons {
		c.consult = nil
		c.info.ConsultCall = ""
	}
}

// CompleteTransfer finishes an attended transfer started with
// AttendedTransfer, on either of its two calls: a REFER in the original
// call's dialog asks its far end to call the consultation call's far end
// with Refer-To carrying ?Replaces= for the consultation dialog (RFC 3891,
// RFC 5589 §7). It returns once the REFER is accepted; progress arrives as
// TRANSFER events on the original call ("accepted", "trying", "ringing",
// then "completed" or "failed"). On "completed" both calls end here with
// the cause "Call transferred"; on "failed" both stay as they are, to be
// completed again or cancelled.
func (c *Call) CompleteTransfer(ctx context.Context) error {
	orig, cons := c.transferPair()
	if cons == nil {
		return fmt.Errorf("%w: there is no consultation call; start one with an attended transfer", ErrWrongState)
	}
	cons.mu.Lock()
	cState := cons.info.State
	if cons.ended || cons.dlg == nil || (cState != CallStateEstablished && cState != CallStateHeld) {
		if cons.ended {
			cState = CallStateEnded
		}
		cons.mu.Unlock()
		return fmt.Errorf("%w: the consultation call must be answered before the transfer (it is %s)", ErrWrongState, cState)
	}
	referTo := replacesReferTo(cons.dlg)
	cons.mu.Unlock()

	orig.mu.Lock()
	oState := orig.info.State
	switch {
	case orig.ended || orig.dlg == nil || (oState != CallStateEstablished && oState != CallStateHeld):
		orig.mu.Unlock()
		return fmt.Errorf("%w: the call to transfer has ended", ErrWrongState)
	case orig.transferring:
		orig.mu.Unlock()
		return fmt.Errorf("%w: the transfer is already under way", ErrWrongState)
	}
	orig.transferring = true
	req := orig.dlg.request(sip.REFER)
	orig.mu.Unlock()
	req.AppendHeader(orig.a.contact())
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+aorString(orig.a)+">"))
	res, tx, err := orig.doInDialog(ctx, req)
	if err != nil {
		orig.setTransferring(false)
		return fmt.Errorf("transfer: %w", err)
	}
	tx.Terminate()
	orig.mu.Lock()
	defer orig.mu.Unlock()
	if !res.IsSuccess() {
		orig.transferring = false
		orig.emitUnsafe(Event{Type: EventTransfer, TransferState: "failed"})
		return &SIPError{Method: "REFER", Code: res.StatusCode, Reason: res.Reason}
	}
	orig.emitUnsafe(Event{Type: EventTransfer, TransferState: "accepted"})
	return nil
}

func (c *Call) setTransferring(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.transferring = on
}

// CancelTransfer gives up an attended transfer, on either of its two
// calls: the consultation call is hung up and the original call resumed.
// Once the far end has accepted the REFER the transfer can no longer be
// cancelled (ErrWrongState).
func (c *Call) CancelTransfer(ctx context.Context) error {
	orig, cons := c.transferPair()
	orig.mu.Lock()
	transferring, ended, held := orig.transferring, orig.ended, orig.info.State == CallStateHeld
	orig.mu.Unlock()
	if transferring {
		return fmt.Errorf("%w: the far end has accepted the transfer; wait for its result", ErrWrongState)
	}
	if cons == nil && (ended || !held) {
		return fmt.Errorf("%w: there is no transfer to cancel", ErrWrongState)
	}
	if cons != nil {
		if err := cons.Hangup(ctx); err != nil {
			return fmt.Errorf("hang up the consultation call: %w", err)
		}
		orig.unlinkConsult(cons)
	}
	if !ended && held {
		if err := orig.Unhold(ctx); err != nil {
			return fmt.Errorf("resume the call: %w", err)
		}
	}
	return nil
}

// transferInProgress reports whether a transfer involving c (as the
// transferred call or its consultation call) has been handed to the far
// end: a BYE now means the transfer took the call away.
func (c *Call) transferInProgress() bool {
	c.mu.Lock()
	orig, transferring := c.consultFor, c.transferring
	c.mu.Unlock()
	if transferring || orig == nil {
		return transferring
	}
	orig.mu.Lock()
	defer orig.mu.Unlock()
	return orig.transferring
}

// transferCompleted ends the calls of a completed transfer: the
// transferred call with BYE at once (RFC 5589 §6), the consultation call
// when the target has not ended it within replacedByeWait.
func (c *Call) transferCompleted() {
	c.mu.Lock()
	cons := c.consult
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.byeWith(ctx, Cause{Message: causeTransferred, By: ByLocal})
	if cons == nil {
		return
	}
	wait := time.NewTimer(replacedByeWait)
	defer wait.Stop()
	select {
	case <-cons.Done():
	case <-wait.C:
		_ = cons.byeWith(ctx, Cause{Message: causeTransferred, By: ByLocal})
	}
}

// replacesReferTo is the Refer-To of an attended transfer: the
// consultation call's far end with the Replaces header (RFC 3891) naming
// that dialog as the far end sees it: to-tag its tag, from-tag ours.
func replacesReferTo(d *dialog) string {
	u := d.remote
	u.Headers = nil
	value := d.callID + ";to-tag=" + d.remoteTag + ";from-tag=" + d.localTag
	return "<" + u.String() + "?Replaces=" + escapeURIHeader(value) + ">"
}

// escapeURIHeader escapes a header value for the ?headers part of a SIP
// URI (RFC 3261 §25.1): everything but unreserved characters as %XX.
func escapeURIHeader(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("-_.!~*'()", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// referReplaces takes the Replaces header out of a Refer-To URI (an
// attended transfer asks us to replace the consultation dialog), unescaped.
// ok is false when it is there but unusable.
func referReplaces(target *sip.Uri) (replaces string, ok bool) {
	for _, kv := range target.Headers {
		if !strings.EqualFold(kv.K, "Replaces") {
			continue
		}
		v, err := url.PathUnescape(kv.V)
		if err != nil || strings.ContainsAny(v, "\r\n\x00") {
			return "", false
		}
		if _, _, _, _, err := parseReplaces(v); err != nil {
			return "", false
		}
		replaces = v
	}
	target.Headers = nil
	return replaces, true
}

// parseReplaces reads a Replaces header value (RFC 3891 §6.1).
func parseReplaces(v string) (callID, toTag, fromTag string, earlyOnly bool, err error) {
	parts := strings.Split(v, ";")
	callID = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "to-tag":
			toTag = strings.TrimSpace(val)
		case "from-tag":
			fromTag = strings.TrimSpace(val)
		case "early-only":
			earlyOnly = true
		}
	}
	if callID == "" || toTag == "" || fromTag == "" {
		return "", "", "", false, fmt.Errorf("the Replaces header %q lacks the Call-ID, to-tag or from-tag", v)
	}
	return callID, toTag, fromTag, earlyOnly, nil
}

// replacedCall finds the call an INVITE's Replaces header names (RFC 3891
// §3): a dialog of ours whose local tag is the to-tag and remote tag the
// from-tag. Only an established or held call can be replaced; otherwise
// code and reason are the answer to the INVITE.
func (p *Phone) replacedCall(replaces string) (c *Call, code int, reason string) {
	callID, toTag, fromTag, earlyOnly, err := parseReplaces(replaces)
	if err != nil {
		return nil, 400, "Bad Replaces Header"
	}
	for _, cand := range p.Calls() {
		cand.mu.Lock()
		match := cand.dlg != nil && cand.info.SIPCallID == callID && cand.dlg.localTag == toTag && cand.dlg.remoteTag == fromTag
		state, ended := cand.info.State, cand.ended
		cand.mu.Unlock()
		if !match {
			continue
		}
		switch {
		case ended:
			return nil, 603, "Decline"
		case state != CallStateEstablished && state != CallStateHeld:
			// An early dialog we did not start cannot be replaced.
			return nil, 481, "Call/Transaction Does Not Exist"
		case earlyOnly:
			return nil, 486, "Busy Here"
		}
		return cand, 0, ""
	}
	return nil, 481, "Call/Transaction Does Not Exist"
}
