package phone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// mwiExpires is the interval a message-summary SUBSCRIBE asks for.
const mwiExpires = 3600 * time.Second

// Voicemail returns the account's mailbox as the server last told it
// (zero until a message-summary notification arrived).
func (a *Account) Voicemail() Voicemail {
	a.subs.mu.Lock()
	defer a.subs.mu.Unlock()
	return a.subs.vm
}

// startMWI subscribes to the account's own message summary (RFC 3842)
// once it is registered; it does nothing when the subscription runs.
func (a *Account) startMWI() {
	a.subs.mu.Lock()
	if a.subs.mwi != nil {
		a.subs.mu.Unlock()
		return
	}
	s := a.newSubscription("message-summary", "application/simple-message-summary", a.aor(), mwiExpires)
	s.onNotify = func(body []byte) error { return a.takeMessageSummary(body) }
	a.subs.mwi = s
	a.subs.mu.Unlock()
	s.start()
}

// stopMWI ends the message-summary subscription (Expires: 0), when one
// runs.
func (a *Account) stopMWI() {
	a.subs.mu.Lock()
	s := a.subs.mwi
	a.subs.mwi = nil
	a.subs.mu.Unlock()
	if s != nil {
		s.stop()
	}
}

// takeMessageSummary applies a message-summary body and emits VOICEMAIL
// when the counts or the waiting flag changed.
func (a *Account) takeMessageSummary(body []byte) error {
	vm, err := parseMessageSummary(body)
	if err != nil {
		return err
	}
	a.subs.mu.Lock()
	defer a.subs.mu.Unlock()
	if vm == a.subs.vm {
		return nil
	}
	a.subs.vm = vm
	a.p.emit(Event{Type: EventVoicemail, Account: a.cfg.ID, Voicemail: &vm})
	return nil
}

// onUnsolicitedMWI takes a message-summary NOTIFY outside any
// subscription, as many PBXs send to a registered Contact: 200 and
// VOICEMAIL when it changed anything, 400 for a body it cannot read.
func (a *Account) onUnsolicitedMWI(req *sip.Request, tx sip.ServerTransaction) {
	if err := a.takeMessageSummary(req.Body()); err != nil {
		a.reply(tx, req, 400, "Bad Request (unreadable message-summary)")
		return
	}
	a.reply(tx, req, 200, "OK")
}

// parseMessageSummary reads an application/simple-message-summary body
// (RFC 3842 §5.2): Messages-Waiting: yes|no, and Voice-Message: NEW/OLD
// with optional (URGENTNEW/URGENTOLD). Header names are case-insensitive,
// other lines are skipped. Without Messages-Waiting, messages wait when
// some are new; without either line the body is refused.
func parseMessageSummary(body []byte) (Voicemail, error) {
	if len(body) > maxNotifyBody {
		return Voicemail{}, fmt.Errorf("message-summary body of %d bytes is too large", len(body))
	}
	var vm Voicemail
	sawWaiting, sawVoice := false, false
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "messages-waiting":
			switch strings.ToLower(value) {
			case "yes":
				vm.Waiting = true
			case "no":
				vm.Waiting = false
			default:
				return Voicemail{}, fmt.Errorf("message-summary: Messages-Waiting %q is neither yes nor no", value)
			}
			sawWaiting = true
		case "voice-message":
			counts, _, _ := strings.Cut(value, "(")
			newText, oldText, ok := strings.Cut(counts, "/")
			n, err1 := strconv.Atoi(strings.TrimSpace(newText))
			o, err2 := strconv.Atoi(strings.TrimSpace(oldText))
			if !ok || err1 != nil || err2 != nil || n < 0 || o < 0 {
				return Voicemail{}, fmt.Errorf("message-summary: Voice-Message %q is not NEW/OLD", value)
			}
			vm.NewMessages, vm.OldMessages = n, o
			sawVoice = true
		}
	}
	if !sawWaiting && !sawVoice {
		return Voicemail{}, errors.New("message-summary: neither Messages-Waiting nor Voice-Message")
	}
	if !sawWaiting {
		vm.Waiting = vm.NewMessages > 0
	}
	return vm, nil
}
