package phone

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// handle routes the account's incoming requests to the engine.
func (p *Phone) handle(a *Account) {
	srv := a.st.srv
	on := func(method sip.RequestMethod, h sipgo.RequestHandler) { srv.OnRequest(method, a.validated(h)) }
	on(sip.INVITE, a.onInvite)
	on(sip.ACK, a.onAck)
	on(sip.BYE, a.onBye)
	on(sip.CANCEL, func(req *sip.Request, tx sip.ServerTransaction) {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
	})
	on(sip.INFO, a.onInfo)
	on(sip.REFER, a.onRefer)
	on(sip.NOTIFY, a.onNotify)
	on(sip.UPDATE, a.onUpdate)
	on(sip.OPTIONS, func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		_ = a.st.respond(tx, res)
	})
	on(sip.MESSAGE, func(req *sip.Request, tx sip.ServerTransaction) {
		a.reply(tx, req, 200, "OK")
	})
	srv.OnNoRoute(a.validated(func(req *sip.Request, tx sip.ServerTransaction) {
		code, reason := 501, "Not Implemented"
		switch req.Method {
		case sip.REGISTER, sip.PUBLISH, sip.SUBSCRIBE, sip.PRACK:
			code, reason = 405, "Method Not Allowed"
		}
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
		_ = a.st.respond(tx, res)
	}))
}

// validated answers 400 to a request that lacks a header RFC 3261 §8.1.1
// makes mandatory, before any handler looks at it.
func (a *Account) validated(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		missing := ""
		switch {
		case req.CallID() == nil:
			missing = "Call-ID"
		case req.From() == nil:
			missing = "From"
		case req.To() == nil:
			missing = "To"
		case req.CSeq() == nil:
			missing = "CSeq"
		case req.Via() == nil:
			missing = "Via"
		case req.CSeq().MethodName != req.Method:
			missing = "a CSeq matching the method"
		}
		if missing != "" {
			if req.IsAck() {
				return
			}
			a.reply(tx, req, 400, "Bad Request (missing "+missing+")")
			return
		}
		h(req, tx)
	}
}

func (a *Account) reply(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	if err := a.st.respond(tx, sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
		a.log.Debug("response not sent", "code", code, "error", err)
	}
}

// callFor finds the call an in-dialog request belongs to.
func (a *Account) callFor(req *sip.Request) *Call {
	cid := req.CallID()
	if cid == nil {
		return nil
	}
	return a.p.callBySIP(a.cfg.ID, cid.Value())
}

// onInvite takes a new call, or a re-INVITE for a call we have.
func (a *Account) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		c := a.callFor(req)
		if c == nil {
			a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
			return
		}
		c.onReinvite(req, tx)
		return
	}
	if c := a.callFor(req); c != nil {
		// A second INVITE with the Call-ID of a call we have but no tag:
		// a merged request (§8.2.2.2).
		a.reply(tx, req, 482, "Loop Detected")
		return
	}
	a.p.incoming(a, req, tx)
}

// incoming rings a new call and waits (in the request's own goroutine)
// until it is answered, rejected or cancelled.
func (p *Phone) incoming(a *Account, req *sip.Request, tx sip.ServerTransaction) {
	c := newCall(p, a, DirectionInbound)
	c.localTag = sip.GenerateTagN(16)
	c.invite, c.inviteTx = req, tx
	c.info.SIPCallID = req.CallID().Value()
	c.info.Number, c.info.Name, c.info.URI = callerIdentity(req)
	maps.Copy(c.info.Headers, xHeaders(req))
	c.info.Video = strings.EqualFold(headerValue(req, "X-Videocall"), "true") || strings.Contains(string(req.Body()), "m=video")
	var replaced *Call
	if rv := headerValue(req, "Replaces"); rv != "" {
		// The far end of an attended transfer: the call takes the place
		// of one of ours, without ringing and whatever DND or
		// forwarding say (RFC 3891 §3).
		var code int
		var reason string
		if replaced, code, reason = p.replacedCall(rv); replaced == nil {
			_ = a.st.respond(tx, c.response(req, code, reason, nil))
			a.log.Info("INVITE with Replaces refused", "replaces", rv, "code", code)
			return
		}
		old := replaced.Info()
		c.info.ReplacedCall = old.ID
		maps.Copy(c.info.Data, old.Data)
	} else if p.screen(c, req, tx) {
		return
	}
	m, err := p.newMedia(a, c)
	if err != nil {
		a.reply(tx, req, 500, "Server Internal Error")
		a.log.Error("no media for an incoming call", "error", err)
		return
	}
	var answer []byte
	if len(req.Body()) > 0 {
		if answer, err = m.Answer(req.Body()); err != nil {
			m.Close()
			// 488 with a Warning that says why, and CALL_END alone (the
			// call never rang) with the same reason for the agent.
			cause, warning := mediaRefusal(err)
			a.log.Info("incoming call refused: its media is not acceptable", "error", err)
			p.refuse(c, req, tx, cause, sip.NewHeader("Warning", warning))
			return
		}
	}
	c.media = m
	c.dlg = uasDialog(req, c.localTag)
	c.readSessionTimer(req, false)
	if err := p.addCall(c); err != nil {
		m.Close()
		a.reply(tx, req, 480, "Temporarily Unavailable")
		return
	}
	tx.OnCancel(func(*sip.Request) {
		c.end(Cause{Code: 487, Reason: "Request Terminated", Message: "The caller hung up", By: ByRemote})
	})
	if replaced != nil {
		p.replace(c, replaced, req, tx, answer)
		return
	}
	ringing := c.response(req, 180, "Ringing", nil)
	if err := a.st.respond(tx, ringing); err != nil {
		c.end(Cause{Message: "The call could not be answered: " + err.Error(), By: ByNetwork})
		return
	}
	c.mu.Lock()
	c.setStateUnsafe(CallStateIncoming, EventIncomingCall)
	c.mu.Unlock()
	p.emitStatus()

	ring := time.NewTimer(p.s.ringTimeout)
	defer ring.Stop()
	noAnswer, stopNoAnswer := p.noAnswerTimer()
	defer stopNoAnswer()
	for {
		select {
		case <-noAnswer:
			noAnswer = nil
			if c.forwardRinging(req, tx) {
				return
			}
			continue
		case ar := <-c.answerCh:
			if ar.code >= 300 {
				err := a.st.respond(tx, c.response(req, ar.code, ar.reason, nil))
				c.end(Cause{Code: ar.code, Reason: ar.reason, Message: rejectMessage(ar.code), By: ByLocal})
				ar.done <- err
				return
			}
			ar.done <- c.answer(req, tx, answer)
		case <-tx.Done():
			c.end(Cause{Code: 487, Reason: "Request Terminated", Message: "The caller hung up", By: ByRemote})
		case <-ring.C:
			_ = a.st.respond(tx, c.response(req, 480, "Temporarily Unavailable", nil))
			c.end(Cause{Code: 480, Reason: "Temporarily Unavailable", Message: "Missed call: nobody answered", By: ByLocal})
		case <-c.ctx.Done():
			// Ended by a BYE in the early dialog or by Close: the INVITE
			// gets its final answer here.
			_ = a.st.respond(tx, c.response(req, 487, "Request Terminated", nil))
		}
		return
	}
}

// replace answers an INVITE with Replaces at once (INCOMING_CALL, then
// IN_CALL; the snapshot's ReplacedCall names the old call), ends the
// replaced call with BYE ("Call transferred") and, as answering does,
// holds any other established call.
func (p *Phone) replace(c, replaced *Call, req *sip.Request, tx sip.ServerTransaction, answer []byte) {
	c.mu.Lock()
	c.setStateUnsafe(CallStateIncoming, EventIncomingCall)
	c.mu.Unlock()
	if err := c.answer(req, tx, answer); err != nil {
		c.a.log.Warn("the replacing call could not be answered", "call", c.info.ID, "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = replaced.byeWith(ctx, Cause{Message: causeTransferred, By: ByRemote})
	p.holdOthers(ctx, c)
}

func rejectMessage(code int) string {
	if code == 486 {
		return "You rejected the call (busy)"
	}
	return "You declined the call"
}

// response builds a response to the call's INVITE with our To tag and
// Contact.
func (c *Call) response(req *sip.Request, code int, reason string, body []byte) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if to := res.To(); to != nil && code != 100 {
		to.Params.Remove("tag")
		to.Params.Add("tag", c.localTag)
	}
	if code < 300 && code > 100 {
		res.AppendHeader(c.a.contact())
		res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	}
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	return res
}

// callerIdentity reads who calls: P-Asserted-Identity, then
// Remote-Party-ID, then From.
func callerIdentity(req *sip.Request) (number, name, uri string) {
	for _, hn := range []string{"P-Asserted-Identity", "Remote-Party-ID"} {
		if h := req.GetHeader(hn); h != nil {
			var u sip.Uri
			params := sip.NewParams()
			value := splitAddresses(h.Value())[0]
			if dn, err := sip.ParseAddressValue(strings.TrimSpace(value), &u, &params); err == nil && (u.User != "" || u.Raw() != "") {
				num := u.User
				if u.Scheme == "tel" {
					num = u.Raw()
				}
				if dn == "" && req.From() != nil {
					dn = req.From().DisplayName
				}
				return num, dn, u.String()
			}
		}
	}
	if f := req.From(); f != nil {
		return f.Address.User, f.DisplayName, f.Address.String()
	}
	return "", "", ""
}

// Answer accepts a ringing incoming call. An established call on the
// phone is put on hold first (call waiting).
func (c *Call) Answer(ctx context.Context) error {
	c.mu.Lock()
	state, dir := c.info.State, c.info.Direction
	c.mu.Unlock()
	if dir != DirectionInbound || state != CallStateIncoming {
		return fmt.Errorf("%w: only a ringing incoming call can be answered (it is %s)", ErrWrongState, state)
	}
	c.p.holdOthers(ctx, c)
	return c.decide(ctx, answerRequest{code: 200, reason: "OK"})
}

// Reject refuses a ringing incoming call with code: 486 (busy, the
// default) or 603 (decline), or another 4xx-6xx.
func (c *Call) Reject(code int) error {
	if code == 0 {
		code = 486
	}
	if code < 400 || code > 699 {
		return fmt.Errorf("%w: %d is not a rejection code", ErrWrongState, code)
	}
	reason := map[int]string{486: "Busy Here", 603: "Decline", 480: "Temporarily Unavailable", 404: "Not Found"}[code]
	if reason == "" {
		reason = "Rejected"
	}
	c.mu.Lock()
	state, dir := c.info.State, c.info.Direction
	c.mu.Unlock()
	if dir != DirectionInbound || state != CallStateIncoming {
		return fmt.Errorf("%w: only a ringing incoming call can be rejected (it is %s)", ErrWrongState, state)
	}
	return c.decide(context.Background(), answerRequest{code: code, reason: reason})
}

func (c *Call) decide(ctx context.Context, ar answerRequest) error {
	ar.done = make(chan error, 1)
	select {
	case c.answerCh <- ar:
	default:
		return fmt.Errorf("%w: the call is already being answered", ErrWrongState)
	}
	select {
	case err := <-ar.done:
		return err
	case <-c.ctx.Done():
		if ar.code == 200 {
			return fmt.Errorf("%w: the call ended before it could be answered (the caller hung up, or it was forwarded)", ErrWrongState)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answer sends the 200 with our SDP, retransmits it on UDP until the ACK
// (§13.3.1.4), and establishes the call.
func (c *Call) answer(req *sip.Request, tx sip.ServerTransaction, answer []byte) error {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	var err error
	if answer == nil {
		// No offer in the INVITE: offer in the 200, the answer comes in
		// the ACK.
		if answer, err = m.Offer(); err != nil {
			return fmt.Errorf("prepare the answer: %w", err)
		}
	}
	res := c.response(req, 200, "OK", answer)
	c.addSessionTimerHeaders(res)
	if err := c.a.st.respond(tx, res); err != nil {
		c.end(Cause{Message: "The answer could not be sent: " + err.Error(), By: ByNetwork})
		return fmt.Errorf("answer the call: %w", err)
	}
	c.mu.Lock()
	c.info.Codec = m.Codec()
	if err := m.Start(); err != nil {
		c.a.log.Warn("media did not start", "call", c.info.ID, "error", err)
	}
	c.inviteTx = nil
	c.setStateUnsafe(CallStateEstablished, EventInCall)
	c.mu.Unlock()
	c.p.emitStatus()
	go c.awaitAck(tx, res)
	c.startSessionRefresh()
	return nil
}

// awaitAck retransmits our 2xx on UDP until the ACK comes; without one
// for 64·T1 the call is ended with BYE.
func (c *Call) awaitAck(tx sip.ServerTransaction, res *sip.Response) {
	interval := sip.T1
	timer := time.NewTimer(interval)
	defer timer.Stop()
	deadline := time.NewTimer(64 * sip.T1)
	defer deadline.Stop()
	for {
		select {
		case <-c.ackCh:
			return
		case <-c.ctx.Done():
			return
		case <-deadline.C:
			c.a.log.Warn("no ACK for our answer; hanging up", "call", c.info.ID)
			_ = c.bye(context.Background())
			return
		case <-timer.C:
			if !c.a.st.reliable() {
				_ = tx.Respond(res)
			}
			interval = min(2*interval, sip.T2)
			timer.Reset(interval)
		}
	}
}

func (a *Account) onAck(req *sip.Request, _ sip.ServerTransaction) {
	c := a.callFor(req)
	if c == nil {
		return
	}
	if body := req.Body(); len(body) > 0 {
		c.mu.Lock()
		if c.media != nil {
			if err := c.media.SetAnswer(body); err != nil {
				a.log.Warn("the SDP in the ACK was not acceptable", "call", c.info.ID, "error", err)
			}
			c.info.Codec = c.media.Codec()
		}
		c.mu.Unlock()
	}
	c.ackOnce.Do(func() { close(c.ackCh) })
}

func (a *Account) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := a.callFor(req)
	if c == nil {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	a.reply(tx, req, 200, "OK")
	msg := "The other side hung up"
	if c.transferInProgress() {
		msg = causeTransferred
	}
	c.end(Cause{Code: 200, Reason: "BYE", Message: msg, By: ByRemote})
}

// holdOthers puts every established call but keep on hold (call
// waiting: one active call at a time).
func (p *Phone) holdOthers(ctx context.Context, keep *Call) {
	for _, other := range p.Calls() {
		if other == keep {
			continue
		}
		if other.Info().State == CallStateEstablished {
			if err := other.Hold(ctx); err != nil && !errors.Is(err, ErrWrongState) {
				other.a.log.Warn("could not hold the other call", "call", other.info.ID, "error", err)
			}
		}
	}
}

// headerValue returns the value of a message's header, "" when absent.
func headerValue(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}
