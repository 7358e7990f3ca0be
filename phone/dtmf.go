package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

const dtmfDigits = "0123456789*#ABCD"

// SendDTMF sends digits on an established call: RFC 4733 through the
// media when the far end accepted telephone-event (and the account does
// not say info), SIP INFO (application/dtmf-relay) otherwise.
func (c *Call) SendDTMF(ctx context.Context, digits string) error {
	digits = strings.ToUpper(digits)
	if digits == "" || strings.Trim(digits, dtmfDigits) != "" {
		return fmt.Errorf("%w: %q: DTMF digits are 0-9, *, #, A-D", ErrDTMFUnavailable, digits)
	}
	c.mu.Lock()
	state, m := c.info.State, c.media
	c.mu.Unlock()
	if state != CallStateEstablished && state != CallStateEarly {
		return fmt.Errorf("%w: the call is %s", ErrWrongState, state)
	}
	mode := strings.ToLower(c.a.cfg.DTMF)
	for _, d := range digits {
		var err error
		if mode != "info" && m != nil {
			err = m.SendDTMF(d, 160*time.Millisecond)
			if err == nil {
				continue
			}
			if mode == "rfc4733" || !errors.Is(err, errMediaNoDTMF) {
				return fmt.Errorf("send DTMF %c: %w", d, err)
			}
		}
		if err := c.sendInfoDTMF(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

func (c *Call) sendInfoDTMF(ctx context.Context, d rune) error {
	c.mu.Lock()
	if c.dlg == nil {
		c.mu.Unlock()
		return fmt.Errorf("%w: the call has no dialog yet", ErrDTMFUnavailable)
	}
	req := c.dlg.request(sip.INFO)
	c.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	req.SetBody(fmt.Appendf(nil, "Signal=%c\r\nDuration=160\r\n", d))
	res, tx, err := c.doInDialog(ctx, req)
	if err != nil {
		return fmt.Errorf("send DTMF %c by INFO: %w", d, err)
	}
	tx.Terminate()
	if !res.IsSuccess() {
		return &SIPError{Method: "INFO", Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// onInfo takes DTMF by INFO (application/dtmf-relay and application/dtmf)
// and answers 200 to other INFO packages it tolerates.
func (a *Account) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	c := a.callFor(req)
	if c == nil {
		a.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ct := strings.ToLower(headerValue(req, "Content-Type"))
	digit := ""
	switch {
	case strings.HasPrefix(ct, "application/dtmf-relay"):
		for _, line := range strings.Split(string(req.Body()), "\n") {
			k, v, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
				digit = strings.ToUpper(strings.TrimSpace(v))
			}
		}
	case strings.HasPrefix(ct, "application/dtmf"):
		digit = strings.ToUpper(strings.TrimSpace(string(req.Body())))
	case len(req.Body()) == 0 || strings.HasPrefix(ct, "application/media_control"):
		a.reply(tx, req, 200, "OK")
		return
	default:
		a.reply(tx, req, 415, "Unsupported Media Type")
		return
	}
	if digit == "10" {
		digit = "*"
	} else if digit == "11" {
		digit = "#"
	}
	if len(digit) != 1 || !strings.Contains(dtmfDigits, digit) {
		a.reply(tx, req, 400, "Bad DTMF Signal")
		return
	}
	a.reply(tx, req, 200, "OK")
	c.mu.Lock()
	c.emitUnsafe(Event{Type: EventDTMF, Digit: digit})
	c.mu.Unlock()
}

// relayMediaDTMF turns RFC 4733 digits the media received into DTMF
// events until the call ends.
func (c *Call) relayMediaDTMF(digits <-chan rune) {
	for {
		select {
		case d, ok := <-digits:
			if !ok {
				return
			}
			c.mu.Lock()
			c.emitUnsafe(Event{Type: EventDTMF, Digit: string(d)})
			c.mu.Unlock()
		case <-c.ctx.Done():
			return
		}
	}
}
