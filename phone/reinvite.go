package phone

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Hold puts an established call on hold by re-INVITE (a=sendonly, or
// a=inactive when the far end holds us too).
func (c *Call) Hold(ctx context.Context) error { return c.setHold(ctx, true) }

// Unhold resumes a held call (a=sendrecv); any other established call is
// put on hold first.
func (c *Call) Unhold(ctx context.Context) error {
	c.p.holdOthers(ctx, c)
	return c.setHold(ctx, false)
}

func (c *Call) setHold(ctx context.Context, hold bool) error {
	c.reMu.Lock()
	defer c.reMu.Unlock()
	c.mu.Lock()
	state := c.info.State
	if c.ended || (hold && state != CallStateEstablished) || (!hold && state != CallStateHeld) {
		c.mu.Unlock()
		want := "established"
		if !hold {
			want = "held"
		}
		return fmt.Errorf("%w: the call must be %s (it is %s)", ErrWrongState, want, state)
	}
	c.info.LocalHold = hold
	c.applyDirectionUnsafe()
	c.mu.Unlock()
	if err := c.reinvite(ctx); err != nil {
		c.mu.Lock()
		c.info.LocalHold = !hold
		c.applyDirectionUnsafe()
		c.mu.Unlock()
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if hold {
		c.setStateUnsafe(CallStateHeld, EventHold)
	} else {
		c.setStateUnsafe(CallStateEstablished, EventUnhold)
	}
	return nil
}

// applyDirectionUnsafe sets our side's media direction: sendonly while we
// hold. The far end's hold needs nothing here: an answer intersects our
// direction with the offer's (RFC 3264 §6.1, RFC 6337 §5.3), and an offer
// we make while held comes out sendonly or inactive the same way. c.mu is
// held.
func (c *Call) applyDirectionUnsafe() {
	if c.media == nil {
		return
	}
	if c.info.LocalHold {
		c.media.SetDirection(directionSendOnly)
		return
	}
	c.media.SetDirection(directionSendRecv)
}

// reinvite sends a re-INVITE with a new offer and applies the answer. A
// 491 is retried after RFC 3261 §14.1's random wait.
func (c *Call) reinvite(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		code, err := c.reinviteOnce(ctx)
		if err != nil {
			return err
		}
		if code != 491 || attempt >= 3 {
			if code >= 300 {
				return &SIPError{Method: "INVITE", Code: code, Reason: "re-INVITE refused"}
			}
			return nil
		}
		wait := glareWait(c.info.Direction == DirectionOutbound)
		c.a.log.Info("re-INVITE glare; retrying", "call", c.info.ID, "after", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		case <-c.ctx.Done():
			return fmt.Errorf("%w: the call ended", ErrWrongState)
		}
	}
}

// glareWait is §14.1's wait after a 491: 2.1–4 s for the owner of the
// Call-ID (the caller), 0–2 s for the other side.
func glareWait(owner bool) time.Duration {
	if owner {
		return 2100*time.Millisecond + rand.N(1900*time.Millisecond)
	}
	return rand.N(2 * time.Second)
}

func (c *Call) reinviteOnce(ctx context.Context) (int, error) {
	c.mu.Lock()
	if c.dlg == nil || c.media == nil {
		c.mu.Unlock()
		return 0, fmt.Errorf("%w: the call has no dialog", ErrWrongState)
	}
	offer, err := c.media.Offer()
	if err != nil {
		c.mu.Unlock()
		return 0, fmt.Errorf("prepare the new offer: %w", err)
	}
	req := c.dlg.request(sip.INVITE)
	req.AppendHeader(c.a.contact())
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	c.reinviting = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.reinviting = false
		c.mu.Unlock()
	}()
	for auth := 0; ; auth++ {
		res, tx, err := c.doInDialog(ctx, req)
		if err != nil {
			return 0, fmt.Errorf("re-INVITE: %w", err)
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && auth == 0 {
			tx.Terminate()
			c.mu.Lock()
			next := c.dlg.request(sip.INVITE)
			c.mu.Unlock()
			for _, h := range req.Headers() {
				switch h.Name() {
				case "Contact", "Content-Type":
					next.AppendHeader(sip.HeaderClone(h))
				}
			}
			next.SetBody(req.Body())
			if err := c.a.authorize(next, res); err != nil {
				return 0, err
			}
			req = next
			continue
		}
		if !res.IsSuccess() {
			tx.Terminate()
			return res.StatusCode, nil
		}
		c.mu.Lock()
		ack := c.dlg.request(sip.ACK)
		if err := c.media.SetAnswer(res.Body()); err != nil {
			c.a.log.Warn("the re-INVITE's answer was not acceptable", "call", c.info.ID, "error", err)
		}
		c.dlg.remoteTargetFrom(res)
		c.mu.Unlock()
		if err := c.a.st.write(ack, c.a.inDialogDest()); err != nil {
			c.a.log.Warn("ACK failed", "call", c.info.ID, "error", err)
		}
		go c.reAckRetransmissions(tx, ack)
		return res.StatusCode, nil
	}
}

// remoteTargetFrom updates the remote target from a Contact (§12.2).
func (d *dialog) remoteTargetFrom(m interface{ Contact() *sip.ContactHeader }) {
	if ct := m.Contact(); ct != nil {
		d.remoteTarget = ct.Address
	}
}

// doInDialog sends an in-dialog request and waits for its final answer.
// The transaction is returned so a 2xx to INVITE can be re-ACKed.
func (c *Call) doInDialog(ctx context.Context, req *sip.Request) (*sip.Response, sip.ClientTransaction, error) {
	ctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	tx, err := c.a.st.request(context.Background(), req, c.a.inDialogDest())
	if err != nil {
		return nil, nil, err
	}
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, tx, nil
		case <-tx.Done():
			return nil, nil, fmt.Errorf("no answer from the other side: %w", tx.Err())
		case <-ctx.Done():
			tx.Terminate()
			return nil, nil, ctx.Err()
		case <-c.ctx.Done():
			tx.Terminate()
			return nil, nil, fmt.Errorf("%w: the call ended", ErrWrongState)
		}
	}
}

// onReinvite answers the far end's re-INVITE: a new offer (hold, resume,
// codec change) or a session refresh. While our own re-INVITE is pending
// it answers 491 (glare, RFC 3261 §14.2).
func (c *Call) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c.mu.Lock()
	if c.dlg == nil || !c.dlg.acceptRemoteSeq(req.CSeq().SeqNo) {
		c.mu.Unlock()
		c.a.reply(tx, req, 500, "Server Internal Error")
		return
	}
	if c.reinviting || c.info.State == CallStateIncoming {
		c.mu.Unlock()
		res := sip.NewResponseFromRequest(req, 491, "Request Pending", nil)
		_ = c.a.st.respond(tx, res)
		return
	}
	c.dlg.remoteTargetFrom(req)
	var answer []byte
	var err error
	if len(req.Body()) > 0 {
		answer, err = c.media.Answer(req.Body())
	} else {
		answer, err = c.media.Offer()
	}
	if err != nil {
		c.mu.Unlock()
		_ = c.a.st.respond(tx, c.response(req, 488, "Not Acceptable Here", nil))
		return
	}
	c.updateRemoteHoldUnsafe()
	c.mu.Unlock()
	res := c.response(req, 200, "OK", answer)
	c.addSessionTimerHeaders(res)
	if err := c.a.st.respond(tx, res); err != nil {
		c.a.log.Warn("re-INVITE answer not sent", "call", c.info.ID, "error", err)
	}
	c.noteRefresh()
}

// updateRemoteHoldUnsafe notices the far end holding or resuming from
// the direction of its last SDP and emits HOLD or UNHOLD. c.mu is held.
func (c *Call) updateRemoteHoldUnsafe() {
	held := c.media.RemoteHold()
	if held == c.info.RemoteHold {
		return
	}
	c.info.RemoteHold = held
	c.applyDirectionUnsafe()
	if held {
		c.emitUnsafe(Event{Type: EventHold})
	} else {
		c.emitUnsafe(Event{Type: EventUnhold})
	}
}

// onUpdate answers UPDATE (RFC 3311): a session refresh, or a new offer.
func (a *Account) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	c := a.callFor(req)
	if c == nil {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	c.mu.Lock()
	var answer []byte
	if len(req.Body()) > 0 && c.media != nil {
		var err error
		if answer, err = c.media.Answer(req.Body()); err != nil {
			c.mu.Unlock()
			a.reply(tx, req, 488, "Not Acceptable Here")
			return
		}
		c.updateRemoteHoldUnsafe()
	}
	c.mu.Unlock()
	res := c.response(req, 200, "OK", answer)
	c.addSessionTimerHeaders(res)
	_ = a.st.respond(tx, res)
	c.noteRefresh()
}

// readSessionTimer takes the RFC 4028 interval and refresher from an
// INVITE we received (uac=false) or the 2xx to ours (uac=true).
func (c *Call) readSessionTimer(m interface{ GetHeader(string) sip.Header }, uac bool) {
	v := headerValue(m, "Session-Expires")
	if v == "" {
		return
	}
	parts := strings.Split(v, ";")
	secs, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || secs < 90 {
		secs = 90
	}
	refresher := ""
	for _, p := range parts[1:] {
		if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(val)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessionSecs = secs
	// We answer refresher=uac for calls we receive (the caller refreshes);
	// on calls we place, the 2xx says who refreshes.
	c.weRefresh = uac && refresher == "uac"
}

// addSessionTimerHeaders echoes the session interval in a 2xx.
func (c *Call) addSessionTimerHeaders(res *sip.Response) {
	c.mu.Lock()
	secs, dir := c.sessionSecs, c.info.Direction
	c.mu.Unlock()
	if secs == 0 {
		return
	}
	refresher := "uac"
	if dir == DirectionOutbound {
		refresher = "uas"
	}
	res.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(secs)+";refresher="+refresher))
	res.AppendHeader(sip.NewHeader("Require", "timer"))
}

// noteRefresh records that the far end refreshed the session.
func (c *Call) noteRefresh() {
	select {
	case c.refreshed <- struct{}{}:
	default:
	}
}

// startSessionRefresh runs the RFC 4028 timer: as refresher we send
// UPDATE every half interval; otherwise a session nobody refreshes is
// ended with BYE (§10).
func (c *Call) startSessionRefresh() {
	c.mu.Lock()
	secs, weRefresh := c.sessionSecs, c.weRefresh
	c.mu.Unlock()
	if secs == 0 {
		return
	}
	interval := time.Duration(secs) * time.Second
	go func() {
		for {
			wait := interval - min(32*time.Second, interval/3)
			if weRefresh {
				wait = interval / 2
			}
			select {
			case <-c.ctx.Done():
				return
			case <-c.refreshed:
				continue
			case <-time.After(wait):
			}
			if !weRefresh {
				c.a.log.Warn("session expired without refresh; hanging up", "call", c.info.ID)
				_ = c.bye(context.Background())
				return
			}
			c.mu.Lock()
			if c.dlg == nil {
				c.mu.Unlock()
				return
			}
			req := c.dlg.request(sip.UPDATE)
			c.mu.Unlock()
			req.AppendHeader(c.a.contact())
			req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(secs)+";refresher=uac"))
			if res, tx, err := c.doInDialog(c.ctx, req); err == nil {
				tx.Terminate()
				if res.StatusCode == 481 || res.StatusCode == 408 {
					c.end(Cause{Code: res.StatusCode, Reason: res.Reason, Message: "The call was lost", By: ByNetwork})
					return
				}
			}
		}
	}()
}
