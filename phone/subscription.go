package phone

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// unsubscribeTimeout bounds the SUBSCRIBE with Expires: 0 that ends a
// subscription, finalNotifyWait the wait for the NOTIFY that confirms
// the end (so a closing stack is still there to answer it), and
// closingLinger how long a late final NOTIFY is still answered 200.
const (
	unsubscribeTimeout = 3 * time.Second
	finalNotifyWait    = 2 * time.Second
	closingLinger      = 32 * time.Second
)

// subscription is one event subscription the account holds as subscriber
// (RFC 6665): SUBSCRIBE, refreshed before it expires, re-sent in a new
// dialog after a 481, a timeout or a NOTIFY that terminates it, and ended
// with Expires: 0. The NOTIFYs of its dialog go to onNotify.
type subscription struct {
	a       *Account
	event   string // the event package: "dialog", "message-summary"
	accept  string
	target  sip.Uri // Request-URI and To of the initial SUBSCRIBE
	expires time.Duration
	// onNotify reads a NOTIFY body; an error leaves the state as it was.
	onNotify func(body []byte) error
	// onRefused hears that the server refused or ended the subscription
	// (code 0 when a NOTIFY terminated it, with its reason).
	onRefused func(code int, reason string)

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan time.Duration // re-subscribe in a new dialog after the wait
	ended  chan struct{}      // closed when, unsubscribed, the final NOTIFY came

	mu       sync.Mutex
	callID   string  // guarded by mu: of the current dialog ("" before the first SUBSCRIBE)
	localTag string  // guarded by mu
	dlg      *dialog // guarded by mu: nil until a 2xx established it
	lastSeq  uint32  // guarded by mu: CSeq of the last NOTIFY taken
	closing  bool    // guarded by mu: unsubscribed; NOTIFYs are answered and ignored
	isEnded  bool    // guarded by mu: ended is closed
	failures int     // guarded by mu: consecutive failures, for the backoff
}

// accountSubs are an account's subscriptions and what they learnt.
type accountSubs struct {
	mu       sync.Mutex
	byCallID map[string]*subscription   // guarded by mu: dialogs NOTIFYs may come in
	running  map[*subscription]struct{} // guarded by mu: started and not stopped
	mwi      *subscription              // guarded by mu
	vm       Voicemail                  // guarded by mu
}

// newSubscription prepares a subscription; start runs it.
func (a *Account) newSubscription(event, accept string, target sip.Uri, expires time.Duration) *subscription {
	ctx, cancel := context.WithCancel(context.Background())
	return &subscription{a: a, event: event, accept: accept, target: target, expires: expires,
		onNotify: func([]byte) error { return nil }, onRefused: func(int, string) {},
		ctx: ctx, cancel: cancel, done: make(chan struct{}), wake: make(chan time.Duration, 1),
		ended: make(chan struct{})}
}

// start runs the subscription's loop in the background.
func (s *subscription) start() {
	subs := &s.a.subs
	subs.mu.Lock()
	if subs.running == nil {
		subs.running = map[*subscription]struct{}{}
	}
	subs.running[s] = struct{}{}
	subs.mu.Unlock()
	go s.run()
}

// run subscribes, refreshes and re-subscribes until the subscription is
// stopped.
func (s *subscription) run() {
	defer close(s.done)
	wait := time.Duration(0)
	for {
		timer := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case d := <-s.wake:
			timer.Stop()
			if d > 0 {
				select {
				case <-s.ctx.Done():
					return
				case <-time.After(d):
				}
			}
		}
		granted, err := s.subscribeOnce()
		if s.ctx.Err() != nil {
			return
		}
		if err != nil {
			s.mu.Lock()
			s.failures++
			n := s.failures
			s.mu.Unlock()
			wait = backoff(n, s.a.p.s.retryBase, s.a.p.s.retryCap)
			s.a.log.Info("subscription failed", "event", s.event, "target", s.target.String(), "error", err, "retry_in", wait)
			continue
		}
		s.mu.Lock()
		s.failures = 0
		s.mu.Unlock()
		wait = refreshDelay(granted)
	}
}

// subscribeOnce sends one SUBSCRIBE, in the current dialog when there is
// one (a refresh) or in a new one, answering a digest challenge, a 423
// and a 481 (a new dialog at once). It returns the interval granted.
func (s *subscription) subscribeOnce() (time.Duration, error) {
	expires := s.expires
	var challenge *sip.Response
	for range 5 {
		req, inDialog := s.request(expires)
		if challenge != nil {
			if err := s.a.authorize(req, challenge); err != nil {
				return 0, err
			}
		}
		res, err := s.send(s.ctx, req, inDialog)
		if err != nil {
			s.reset()
			s.refused(0, "no answer")
			return 0, err
		}
		switch {
		case res.StatusCode == 401 || res.StatusCode == 407:
			if challenge != nil {
				s.refused(res.StatusCode, res.Reason)
				return 0, &SIPError{Method: "SUBSCRIBE", Code: res.StatusCode, Reason: res.Reason}
			}
			challenge = res
		case res.StatusCode == 423:
			minExp := atoiOr(headerValue(res, "Min-Expires"), 0)
			if time.Duration(minExp)*time.Second <= expires {
				s.refused(res.StatusCode, res.Reason)
				return 0, &SIPError{Method: "SUBSCRIBE", Code: res.StatusCode, Reason: res.Reason}
			}
			expires = time.Duration(minExp) * time.Second
		case res.StatusCode == 481 && inDialog:
			s.reset()
			challenge = nil
		case res.IsSuccess():
			if !inDialog {
				s.established(req, res)
			}
			granted := expires
			if n := atoiOr(headerValue(res, "Expires"), -1); n > 0 && time.Duration(n)*time.Second < granted {
				granted = time.Duration(n) * time.Second
			}
			return granted, nil
		default:
			s.reset()
			s.refused(res.StatusCode, res.Reason)
			return 0, &SIPError{Method: "SUBSCRIBE", Code: res.StatusCode, Reason: res.Reason}
		}
	}
	return 0, errors.New("the subscription did not settle after several attempts")
}

// request builds the next SUBSCRIBE: in the dialog when one is
// established, otherwise a new dialog (new Call-ID and tag) that NOTIFYs
// may arrive in from now on.
func (s *subscription) request(expires time.Duration) (*sip.Request, bool) {
	s.mu.Lock()
	var req *sip.Request
	inDialog := s.dlg != nil
	if inDialog {
		req = s.dlg.request(sip.SUBSCRIBE)
		req.AppendHeader(s.a.contact())
	}
	s.mu.Unlock()
	if !inDialog {
		req = s.a.outOfDialogRequest(sip.SUBSCRIBE, s.target)
		tag, _ := req.From().Params.Get("tag")
		s.a.subs.mu.Lock()
		s.mu.Lock()
		if s.callID != "" {
			delete(s.a.subs.byCallID, s.callID)
		}
		s.callID, s.localTag, s.lastSeq = req.CallID().Value(), tag, 0
		if s.a.subs.byCallID == nil {
			s.a.subs.byCallID = map[string]*subscription{}
		}
		s.a.subs.byCallID[s.callID] = s
		s.mu.Unlock()
		s.a.subs.mu.Unlock()
	}
	req.AppendHeader(sip.NewHeader("Event", s.event))
	req.AppendHeader(sip.NewHeader("Accept", s.accept))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	return req, inDialog
}

// send sends a SUBSCRIBE (to the server, or along the dialog) and waits
// for its final answer.
func (s *subscription) send(ctx context.Context, req *sip.Request, inDialog bool) (*sip.Response, error) {
	if !inDialog {
		return s.a.do(ctx, req)
	}
	ctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	tx, err := s.a.st.request(ctx, req, s.a.inDialogDest())
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
			return nil, fmt.Errorf("no answer to SUBSCRIBE: %w", tx.Err())
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// established keeps the dialog a 2xx created (RFC 6665 §4.1.2.1).
func (s *subscription) established(req *sip.Request, res *sip.Response) {
	d := uacDialog(req, res)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.callID == d.callID {
		s.dlg = d
	}
}

// reset forgets the dialog: the next SUBSCRIBE starts a new one.
func (s *subscription) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dlg = nil
}

func (s *subscription) refused(code int, reason string) {
	if s.ctx.Err() == nil {
		s.onRefused(code, reason)
	}
}

// stop ends the subscription: the loop stops and, when a dialog is
// established, a SUBSCRIBE with Expires: 0 removes it at the server
// (bounded by unsubscribeTimeout). The final NOTIFY is still answered
// 200 for a while.
func (s *subscription) stop() {
	s.cancel()
	<-s.done
	subs := &s.a.subs
	subs.mu.Lock()
	delete(subs.running, s)
	subs.mu.Unlock()
	s.mu.Lock()
	s.closing = true
	var req *sip.Request
	if s.dlg != nil {
		req = s.dlg.request(sip.SUBSCRIBE)
	}
	callID := s.callID
	s.mu.Unlock()
	forget := func() {
		subs.mu.Lock()
		if subs.byCallID[callID] == s {
			delete(subs.byCallID, callID)
		}
		subs.mu.Unlock()
	}
	if req == nil {
		forget()
		return
	}
	req.AppendHeader(s.a.contact())
	req.AppendHeader(sip.NewHeader("Event", s.event))
	req.AppendHeader(sip.NewHeader("Accept", s.accept))
	req.AppendHeader(sip.NewHeader("Expires", "0"))
	ctx, cancel := context.WithTimeout(context.Background(), unsubscribeTimeout)
	defer cancel()
	res, err := s.send(ctx, req, true)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		s.mu.Lock()
		var retry *sip.Request
		if s.dlg != nil {
			retry = s.dlg.request(sip.SUBSCRIBE)
		}
		s.mu.Unlock()
		if retry != nil {
			for _, h := range []string{"Contact", "Event", "Accept", "Expires"} {
				if v := req.GetHeader(h); v != nil {
					retry.AppendHeader(v)
				}
			}
			if err = s.a.authorize(retry, res); err == nil {
				res, err = s.send(ctx, retry, true)
			}
		}
	}
	if err != nil || !res.IsSuccess() {
		s.a.log.Debug("unsubscribe not confirmed", "event", s.event, "target", s.target.String(), "error", err)
	} else {
		select {
		case <-s.ended:
			return
		case <-time.After(finalNotifyWait):
		}
	}
	time.AfterFunc(closingLinger, forget)
}

// eventPackage is the package name of an Event header value, lower case,
// without parameters.
func eventPackage(value string) string {
	name, _, _ := strings.Cut(value, ";")
	return strings.ToLower(strings.TrimSpace(name))
}

// requestEvent is a request's event package (Event, or its compact o).
func requestEvent(req *sip.Request) string {
	v := headerValue(req, "Event")
	if v == "" {
		v = headerValue(req, "o")
	}
	return eventPackage(v)
}

// subscriptionFor finds the subscription a NOTIFY belongs to: its Call-ID
// and our tag as its To tag.
func (a *Account) subscriptionFor(req *sip.Request) *subscription {
	cid := req.CallID()
	if cid == nil {
		return nil
	}
	a.subs.mu.Lock()
	s := a.subs.byCallID[cid.Value()]
	a.subs.mu.Unlock()
	if s == nil {
		return nil
	}
	toTag := ""
	if to := req.To(); to != nil {
		toTag, _ = to.Params.Get("tag")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if toTag != s.localTag {
		return nil
	}
	return s
}

// onSubscriptionNotify takes a NOTIFY of one of our subscriptions: 200,
// then its body and its Subscription-State. A body the owner cannot read
// is answered 200 too (the subscription must survive; the next NOTIFY
// brings the state again) and changes nothing.
func (s *subscription) onSubscriptionNotify(req *sip.Request, tx sip.ServerTransaction) {
	if requestEvent(req) != s.event {
		s.a.reply(tx, req, 489, "Bad Event")
		return
	}
	seq := req.CSeq().SeqNo
	s.mu.Lock()
	stale := s.lastSeq != 0 && seq <= s.lastSeq
	if !stale {
		s.lastSeq = seq
	}
	if s.dlg != nil && !stale {
		if c := req.Contact(); c != nil {
			s.dlg.remoteTarget = c.Address
		}
	}
	closing := s.closing
	callID := s.callID
	s.mu.Unlock()
	s.a.reply(tx, req, 200, "OK")
	state, params := subscriptionState(headerValue(req, "Subscription-State"))
	if closing {
		if state == "terminated" {
			s.a.subs.mu.Lock()
			if s.a.subs.byCallID[callID] == s {
				delete(s.a.subs.byCallID, callID)
			}
			s.a.subs.mu.Unlock()
			s.mu.Lock()
			if !s.isEnded {
				s.isEnded = true
				close(s.ended)
			}
			s.mu.Unlock()
		}
		return
	}
	if stale {
		return
	}
	if body := req.Body(); len(body) > 0 {
		if err := s.onNotify(body); err != nil {
			s.a.log.Info("NOTIFY body ignored", "event", s.event, "target", s.target.String(), "error", err)
		}
	}
	if state != "terminated" {
		return
	}
	// The server ended the subscription (RFC 6665 §4.1.3).
	s.reset()
	reason := strings.ToLower(params["reason"])
	retryAfter := time.Duration(atoiOr(params["retry-after"], 0)) * time.Second
	switch reason {
	case "", "deactivated", "timeout":
		s.resubscribe(retryAfter)
	default: // rejected, noresource, probation, giveup, invariant
		s.refused(0, reason)
		s.mu.Lock()
		s.failures++
		n := s.failures
		s.mu.Unlock()
		s.resubscribe(max(retryAfter, backoff(n, s.a.p.s.retryBase, s.a.p.s.retryCap)))
	}
}

// resubscribe makes the loop send a new initial SUBSCRIBE after wait.
func (s *subscription) resubscribe(wait time.Duration) {
	select {
	case s.wake <- wait:
	default:
	}
}

// subscriptionState splits a Subscription-State value into the state
// (lower case) and its parameters (names lower case).
func subscriptionState(value string) (string, map[string]string) {
	parts := strings.Split(value, ";")
	params := map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return strings.ToLower(strings.TrimSpace(parts[0])), params
}

// stopSubscriptions ends every subscription of the account, in parallel
// (the account is going away or closing).
func (a *Account) stopSubscriptions() {
	a.subs.mu.Lock()
	list := make([]*subscription, 0, len(a.subs.running))
	for s := range a.subs.running {
		list = append(list, s)
	}
	a.subs.mwi = nil
	a.subs.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range list {
		wg.Go(s.stop)
	}
	wg.Wait()
}
