package phone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// DialOptions are the choices of one outgoing call.
type DialOptions struct {
	// Video offers video (and sends X-Videocall: true).
	Video bool
	// Headers are extra X- headers for the INVITE, e.g. X-Business-Id.
	Headers map[string]string
	// Data is user data attached to the call's events.
	Data map[string]string
}

var (
	numberPattern     = regexp.MustCompile(`^\+?[0-9A-Za-z*#._~-]{1,64}$`)
	headerNamePattern = regexp.MustCompile(`^X-[A-Za-z0-9-]{1,64}$`)
)

// targetURI turns what the user typed into a SIP URI: a number or name
// becomes sip:NUMBER@domain; a sip: or sips: URI is taken as it is. Spaces,
// dashes and dots in numbers are dropped; anything that could smuggle
// SIP syntax is refused.
func (a *Account) targetURI(target string) (sip.Uri, error) {
	t := strings.TrimSpace(target)
	if t == "" {
		return sip.Uri{}, fmt.Errorf("%w: the number is empty", ErrBadNumber)
	}
	if strings.ContainsAny(t, "\r\n\x00<>\"") {
		return sip.Uri{}, fmt.Errorf("%w: %q holds characters a number cannot have", ErrBadNumber, target)
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") {
		var u sip.Uri
		if err := sip.ParseUri(t, &u); err != nil || u.Host == "" {
			return sip.Uri{}, fmt.Errorf("%w: %q is not a SIP address", ErrBadNumber, target)
		}
		return u, nil
	}
	if strings.HasPrefix(lower, "tel:") {
		t = t[4:]
	}
	t = strings.NewReplacer(" ", "", "(", "", ")", "", "\t", "").Replace(t)
	if strings.Contains(t, "-") && strings.Trim(t, "+0123456789-") == "" {
		t = strings.ReplaceAll(t, "-", "")
	}
	if !numberPattern.MatchString(t) {
		return sip.Uri{}, fmt.Errorf("%w: %q is not a phone number or extension", ErrBadNumber, target)
	}
	return sip.Uri{Scheme: "sip", User: t, Host: a.cfg.Domain}, nil
}

// Dial places a call from the account (its id; "" for the first account)
// to target, a number or a SIP URI. It returns as soon as the INVITE is on
// its way; the call's events tell the rest (OUTGOING_CALL, PROGRESS,
// IN_CALL, CALL_END). ctx bounds only the start.
func (p *Phone) Dial(ctx context.Context, account, target string, opts DialOptions) (*Call, error) {
	return p.dial(ctx, account, target, opts, nil)
}

// dial places a call as Dial does; prepare, when set, adjusts the call
// and its INVITE before anyone hears of the call (consultation calls,
// INVITEs with Replaces). It returns an error only before the call
// exists.
func (p *Phone) dial(ctx context.Context, account, target string, opts DialOptions, prepare func(*Call, *sip.Request) error) (*Call, error) {
	a, err := p.Account(account)
	if err != nil {
		return nil, err
	}
	uri, err := a.targetURI(target)
	if err != nil {
		return nil, err
	}
	for name, value := range opts.Headers {
		if !headerNamePattern.MatchString(name) || strings.ContainsAny(value, "\r\n\x00") || len(value) > 1024 {
			return nil, fmt.Errorf("%w: header %q must be an X- header with a one-line value", ErrBadNumber, name)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newCall(p, a, DirectionOutbound)
	m, err := p.newMedia(a, c)
	if err != nil {
		return nil, fmt.Errorf("prepare the call's audio: %w", err)
	}
	offer, err := m.Offer()
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("prepare the call's audio offer: %w", err)
	}
	req := a.outOfDialogRequest(sip.INVITE, uri)
	req.AppendHeader(sip.NewHeader("Supported", "replaces, timer"))
	if opts.Video {
		req.AppendHeader(sip.NewHeader("X-Videocall", "true"))
	}
	for name, value := range opts.Headers {
		req.AppendHeader(sip.NewHeader(name, value))
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)

	c.info.SIPCallID = req.CallID().Value()
	c.info.Number, c.info.URI, c.info.Video = uri.User, uri.String(), opts.Video
	maps.Copy(c.info.Headers, xHeaders(req))
	maps.Copy(c.info.Data, opts.Data)
	c.media, c.invite = m, req
	if prepare != nil {
		if err := prepare(c, req); err != nil {
			m.Close()
			return nil, err
		}
	}
	if err := p.addCall(c); err != nil {
		m.Close()
		return nil, err
	}
	c.mu.Lock()
	c.setStateUnsafe(CallStateDialing, EventOutgoingCall)
	c.mu.Unlock()
	p.emitStatus()
	go c.runOutgoing(req)
	return c, nil
}

// runOutgoing drives an outgoing INVITE to its end: provisionals,
// digest challenges, redirects, the answer and the ACK.
func (c *Call) runOutgoing(req *sip.Request) {
	redirects, authTries := 0, 0
	for {
		dest, err := c.a.resolveDest(c.ctx)
		if err != nil {
			c.end(Cause{Message: "The call could not be sent: " + err.Error(), By: ByNetwork})
			return
		}
		if c.a.cfg.OutboundProxy == "" && (req.Recipient.Port != 0 || !strings.EqualFold(req.Recipient.Host, c.a.cfg.Domain)) {
			// An address with a port or at another host than the
			// account's domain is reached directly, also when a redirect
			// names it (RFC 3261 §8.1.3.4); an address in the account's
			// domain goes to its server, as a forwarding phone's 302 to
			// "sip:1003@domain" means; an outbound proxy carries
			// everything.
			dest = ""
		}
		if dest == "" {
			req.SetDestination("")
		}
		tx, err := c.a.st.request(context.Background(), req, dest)
		if err != nil {
			c.end(Cause{Message: "The call could not be sent: " + err.Error(), By: ByNetwork})
			return
		}
		res := c.awaitFinal(req, tx)
		if res == nil {
			tx.Terminate()
			if errors.Is(tx.Err(), sip.ErrTransactionTimeout) {
				c.end(Cause{Code: 408, Reason: "Request Timeout", By: ByNetwork})
			} else {
				c.end(Cause{Message: "The connection to the server failed", By: ByNetwork})
			}
			return
		}
		switch {
		case res.IsSuccess():
			c.established(req, res, tx)
			return
		case (res.StatusCode == 401 || res.StatusCode == 407) && authTries < 2 && !c.hangupRequested():
			authTries++
			next := retryRequest(req)
			if err := c.a.authorize(next, res); err != nil {
				c.end(Cause{Code: res.StatusCode, Reason: res.Reason, Message: err.Error(), By: ByRemote})
				return
			}
			req = c.restart(next)
		case res.IsRedirection() && redirects < c.p.s.maxRedirects && !c.hangupRequested():
			contact := res.Contact()
			if contact == nil {
				c.end(Cause{Code: res.StatusCode, Reason: res.Reason, By: ByRemote})
				return
			}
			redirects++
			next := retryRequest(req)
			next.Recipient = contact.Address
			next.Recipient.Headers = nil
			req = c.restart(next)
		default:
			by := ByRemote
			if res.StatusCode == 487 && c.hangupRequested() {
				by = ByLocal
			}
			c.end(Cause{Code: res.StatusCode, Reason: res.Reason, Message: refusalMessage(res), By: by})
			return
		}
	}
}

// restart keeps the new INVITE as the call's and returns it.
func (c *Call) restart(req *sip.Request) *sip.Request {
	c.mu.Lock()
	c.invite, c.provisional = req, false
	c.mu.Unlock()
	return req
}

func (c *Call) hangupRequested() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hangupAsked
}

// retryRequest copies an INVITE for a new transaction: new Via branch,
// next CSeq, no old credentials.
func retryRequest(req *sip.Request) *sip.Request {
	next := req.Clone()
	next.RemoveHeader("Via")
	next.RemoveHeader("Authorization")
	next.RemoveHeader("Proxy-Authorization")
	if cseq := next.CSeq(); cseq != nil {
		cseq.SeqNo++
	}
	next.SetBody(req.Body())
	return next
}

// awaitFinal reads provisionals until the final response; it sends
// CANCEL when the user hangs up. nil means the transaction failed.
func (c *Call) awaitFinal(req *sip.Request, tx sip.ClientTransaction) *sip.Response {
	ringTimer := time.NewTimer(c.p.s.ringTimeout)
	defer ringTimer.Stop()
	cancelSent := false
	cancelAsked := c.cancelSignal()
	for {
		select {
		case res, ok := <-tx.Responses():
			if !ok {
				return nil
			}
			if !res.IsProvisional() {
				return res
			}
			c.provisionalResponse(res)
			if c.hangupRequested() && !cancelSent {
				cancelSent = true
				c.sendCancel(req)
			}
		case <-tx.Done():
			select {
			case res := <-tx.Responses():
				if res != nil && !res.IsProvisional() {
					return res
				}
			default:
			}
			return nil
		case <-ringTimer.C:
			c.mu.Lock()
			c.hangupAsked = true
			c.mu.Unlock()
			if !cancelSent {
				cancelSent = true
				c.sendCancel(req)
			}
		case <-cancelAsked:
			cancelAsked = nil
			if !cancelSent && c.hasProvisional() {
				cancelSent = true
				c.sendCancel(req)
			}
		}
	}
}

// provisionalResponse turns 180/183 into PROGRESS; a 183 with SDP starts
// early media.
func (c *Call) provisionalResponse(res *sip.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.provisional = true
	if res.StatusCode == 100 {
		return
	}
	state := CallStateRinging
	if len(res.Body()) > 0 && c.media != nil {
		if err := c.media.SetAnswer(res.Body()); err != nil {
			c.a.log.Warn("early media answer refused", "call", c.info.ID, "error", err)
		} else {
			state = CallStateEarly
			c.earlyAnswer = res.Body()
			c.info.Codec = c.media.Codec()
			if err := c.media.Start(); err != nil {
				c.a.log.Warn("early media did not start", "call", c.info.ID, "error", err)
			}
		}
	}
	c.setStateUnsafe(state, EventProgress)
}

func (c *Call) hasProvisional() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.provisional
}

// cancelOutgoing asks the ringing INVITE to stop (RFC 3261 §9.1: CANCEL
// only once a provisional came; otherwise as soon as one does).
func (c *Call) cancelOutgoing() error {
	c.mu.Lock()
	if c.hangupAsked {
		c.mu.Unlock()
		return nil
	}
	c.hangupAsked = true
	c.mu.Unlock()
	c.signalCancel()
	return nil
}

// sendCancel sends CANCEL for req (§9.1): same Request-URI, Call-ID, From,
// To, CSeq number, top Via and Route.
func (c *Call) sendCancel(req *sip.Request) {
	cancel := sip.NewRequest(sip.CANCEL, req.Recipient)
	if via := req.Via(); via != nil {
		cancel.AppendHeader(via.Clone())
	}
	for _, name := range []string{"Route", "From", "To", "Call-ID", "Max-Forwards"} {
		for _, h := range req.GetHeaders(name) {
			cancel.AppendHeader(sip.HeaderClone(h))
		}
	}
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.CANCEL})
	cancel.SetTransport(req.Transport())
	cancel.SetDestination(req.Destination())
	cancel.Laddr = req.Laddr
	ctx, stop := context.WithTimeout(context.Background(), 32*time.Second)
	tx, err := c.a.st.client.TransactionRequest(ctx, cancel, func(*sipgo.Client, *sip.Request) error { return nil })
	if err != nil {
		stop()
		c.a.log.Warn("CANCEL failed", "call", c.info.ID, "error", err)
		return
	}
	c.a.st.traceSent(cancel)
	go func() {
		defer stop()
		defer tx.Terminate()
		select {
		case <-tx.Done():
		case <-tx.Responses():
		case <-ctx.Done():
		}
	}()
}

// established handles the 2xx: dialog, ACK, media, IN_CALL. A 2xx that
// crosses our CANCEL is acknowledged and ended with BYE (§15).
func (c *Call) established(req *sip.Request, res *sip.Response, tx sip.ClientTransaction) {
	c.mu.Lock()
	c.dlg = uacDialog(req, res)
	ack := c.dlg.request(sip.ACK)
	m := c.media
	var mediaErr error
	if len(res.Body()) > 0 && m != nil && !bytes.Equal(res.Body(), c.earlyAnswer) {
		// Without 100rel the 2xx repeats the 183's answer; a different
		// one replaces it.
		mediaErr = m.SetAnswer(res.Body())
	}
	c.mu.Unlock()
	if err := c.a.st.write(ack, c.a.inDialogDest()); err != nil {
		c.a.log.Warn("ACK failed", "call", c.info.ID, "error", err)
	}
	go c.reAckRetransmissions(tx, ack)
	c.readSessionTimer(res, true)
	if mediaErr != nil {
		c.a.log.Warn("the answer's SDP was not acceptable", "call", c.info.ID, "error", mediaErr)
		_ = c.byeWith(context.Background(), answerRefusal(mediaErr))
		return
	}
	if c.hangupRequested() {
		_ = c.bye(context.Background())
		return
	}
	c.mu.Lock()
	if m != nil {
		c.info.Codec = m.Codec()
		if err := m.Start(); err != nil {
			c.a.log.Warn("media did not start", "call", c.info.ID, "error", err)
		}
	}
	c.setStateUnsafe(CallStateEstablished, EventInCall)
	c.mu.Unlock()
	c.p.emitStatus()
	c.startSessionRefresh()
}

// reAckRetransmissions answers retransmitted 2xx with the same ACK
// until the transaction ends (§13.2.2.4).
func (c *Call) reAckRetransmissions(tx sip.ClientTransaction, ack *sip.Request) {
	defer tx.Terminate()
	timeout := time.NewTimer(32 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case res, ok := <-tx.Responses():
			if !ok {
				return
			}
			if res.IsSuccess() {
				_ = c.a.st.write(ack.Clone(), c.a.inDialogDest())
			}
		case <-tx.Done():
			return
		case <-timeout.C:
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// xHeaders returns the X- headers of a message.
func xHeaders(m interface{ Headers() []sip.Header }) map[string]string {
	out := map[string]string{}
	for _, h := range m.Headers() {
		if len(h.Name()) > 2 && strings.EqualFold(h.Name()[:2], "X-") {
			out[h.Name()] = h.Value()
		}
	}
	return out
}
