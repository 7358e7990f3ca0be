package phone

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Transfer sends the call to target by REFER (blind transfer, RFC 3515).
// Progress arrives as TRANSFER events; when the target answers, the call
// ends here.
func (c *Call) Transfer(ctx context.Context, target string) error {
	uri, err := c.a.targetURI(target)
	if err != nil {
		return err
	}
	c.mu.Lock()
	state := c.info.State
	if c.dlg == nil || (state != CallStateEstablished && state != CallStateHeld) {
		c.mu.Unlock()
		return fmt.Errorf("%w: only an established call can be transferred (it is %s)", ErrWrongState, state)
	}
	if c.transferring {
		c.mu.Unlock()
		return fmt.Errorf("%w: a transfer of this call is already under way", ErrWrongState)
	}
	c.transferring = true
	req := c.dlg.request(sip.REFER)
	c.mu.Unlock()
	req.AppendHeader(c.a.contact())
	req.AppendHeader(sip.NewHeader("Refer-To", "<"+uri.String()+">"))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+aorString(c.a)+">"))
	res, tx, err := c.doInDialog(ctx, req)
	if err != nil {
		c.setTransferring(false)
		return fmt.Errorf("transfer: %w", err)
	}
	tx.Terminate()
	if !res.IsSuccess() {
		c.mu.Lock()
		c.transferring = false
		c.emitUnsafe(Event{Type: EventTransfer, TransferState: "failed"})
		c.mu.Unlock()
		return &SIPError{Method: "REFER", Code: res.StatusCode, Reason: res.Reason}
	}
	c.mu.Lock()
	c.emitUnsafe(Event{Type: EventTransfer, TransferState: "accepted"})
	c.mu.Unlock()
	return nil
}

// onNotify dispatches a NOTIFY by its event package: dialog (busy lamps)
// and message-summary (voicemail) to the subscription whose dialog it is
// in (a message-summary outside any subscription is taken as unsolicited
// MWI), refer to the call whose REFER it reports on. Anything else: 481
// outside a call, 489 Bad Event in one.
func (a *Account) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	event := requestEvent(req)
	if s := a.subscriptionFor(req); s != nil {
		s.onSubscriptionNotify(req, tx)
		return
	}
	switch event {
	case "message-summary":
		a.onUnsolicitedMWI(req, tx)
		return
	case "dialog":
		a.reply(tx, req, 481, "Subscription Does Not Exist")
		return
	}
	c := a.callFor(req)
	if c == nil {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	if event != "refer" {
		a.reply(tx, req, 489, "Bad Event")
		return
	}
	c.onReferNotify(req, tx)
}

// onReferNotify takes the sipfrag progress of our REFER (RFC 3515
// §2.4.5).
func (c *Call) onReferNotify(req *sip.Request, tx sip.ServerTransaction) {
	c.a.reply(tx, req, 200, "OK")
	code := sipfragCode(string(req.Body()))
	state := "trying"
	switch {
	case code >= 200 && code < 300:
		state = "completed"
	case code >= 300:
		state = "failed"
	case code == 180 || code == 183:
		state = "ringing"
	}
	c.mu.Lock()
	if state == "failed" {
		c.transferring = false
	}
	c.emitUnsafe(Event{Type: EventTransfer, TransferState: state})
	c.mu.Unlock()
	if state == "completed" {
		go c.transferCompleted()
	}
}

// sipfragCode reads the status code of a message/sipfrag body.
func sipfragCode(body string) int {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	f := strings.Fields(line)
	if len(f) >= 2 && strings.HasPrefix(f[0], "SIP/") {
		return atoiOr(f[1], 0)
	}
	return 0
}

// onRefer accepts a transfer asked by the far end: 202, then a new call to
// the Refer-To target, with its progress reported back by NOTIFY.
func (a *Account) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := a.callFor(req)
	if c == nil {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	referTo := headerValue(req, "Refer-To")
	if referTo == "" {
		referTo = headerValue(req, "r")
	}
	var target sip.Uri
	params := sip.NewParams()
	if _, err := sip.ParseAddressValue(strings.TrimSpace(referTo), &target, &params); err != nil || target.Host == "" {
		a.reply(tx, req, 400, "Bad Refer-To")
		return
	}
	// An attended transfer names the dialog the new call replaces.
	replaces, ok := referReplaces(&target)
	if !ok {
		a.reply(tx, req, 400, "Bad Replaces in Refer-To")
		return
	}
	referredBy := headerValue(req, "Referred-By")
	if referredBy == "" {
		referredBy = headerValue(req, "b")
	}
	a.reply(tx, req, 202, "Accepted")
	c.mu.Lock()
	// The transferor ends this call once the new one is up: its BYE
	// then means the transfer took the call away.
	c.transferring = true
	c.emitUnsafe(Event{Type: EventTransfer, TransferState: "trying"})
	c.mu.Unlock()
	go c.followRefer(target, replaces, referredBy)
}

// followRefer places the call a REFER asks for, with Replaces (RFC 3891)
// and Referred-By (RFC 3892) when the REFER gave them, and reports its
// progress back by NOTIFY.
func (c *Call) followRefer(target sip.Uri, replaces, referredBy string) {
	c.notifyRefer("SIP/2.0 100 Trying", "active;expires=60")
	next, err := c.p.dial(context.Background(), c.a.cfg.ID, target.String(), DialOptions{}, func(_ *Call, inv *sip.Request) error {
		if replaces != "" {
			inv.AppendHeader(sip.NewHeader("Replaces", replaces))
			inv.AppendHeader(sip.NewHeader("Require", "replaces"))
		}
		if referredBy != "" && !strings.ContainsAny(referredBy, "\r\n") {
			inv.AppendHeader(sip.NewHeader("Referred-By", referredBy))
		}
		return nil
	})
	if err != nil {
		c.setTransferring(false)
		c.notifyRefer("SIP/2.0 400 Bad Request", "terminated;reason=noresource")
		return
	}
	select {
	case <-next.Done():
		c.setTransferring(false)
		c.notifyRefer("SIP/2.0 487 Request Terminated", "terminated;reason=noresource")
	case <-next.upSignal():
		c.notifyRefer("SIP/2.0 200 OK", "terminated;reason=noresource")
	case <-time.After(2 * time.Minute):
	}
}

func (c *Call) notifyRefer(frag, subState string) {
	c.mu.Lock()
	if c.dlg == nil || c.ended {
		c.mu.Unlock()
		return
	}
	req := c.dlg.request(sip.NOTIFY)
	c.mu.Unlock()
	req.AppendHeader(c.a.contact())
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	req.AppendHeader(sip.NewHeader("Subscription-State", subState))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(frag + "\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, tx, err := c.doInDialog(ctx, req); err == nil {
		tx.Terminate()
	}
}

func aorString(a *Account) string {
	u := a.aor()
	return u.String()
}
