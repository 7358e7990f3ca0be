package phone

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// MaxHints is how many numbers SetHints watches at most.
const MaxHints = 100

// ErrTooManyHints is SetHints' answer to a list longer than MaxHints.
var ErrTooManyHints = errors.New("too many numbers to watch")

// hintExpires is the interval a busy-lamp SUBSCRIBE asks for.
const hintExpires = 600 * time.Second

// maxNotifyBody bounds the NOTIFY bodies the parsers read.
const maxNotifyBody = 64 << 10

// hintSet is the phone's busy-lamp watch list.
type hintSet struct {
	mu      sync.Mutex
	order   []string              // guarded by mu: the numbers, in the order SetHints gave
	entries map[string]*hintEntry // guarded by mu: by number
}

// hintEntry is one watched number: its subscription and what its NOTIFYs
// said.
type hintEntry struct {
	number  string
	account string
	sub     *subscription
	status  string                 // guarded by hintSet.mu
	dialogs map[string]dialogState // guarded by hintSet.mu: the dialogs not terminated, by id
}

// SetHints replaces the list of numbers whose busy lamps the phone
// watches (BLF, RFC 4235). Each number is checked like a dialled number
// (digits with + * #; spaces, dashes, dots and parentheses dropped;
// ErrBadNumber otherwise), at most MaxHints (ErrTooManyHints); on an
// error nothing changes. A new number is subscribed to with SUBSCRIBE
// sip:NUMBER@domain, Event: dialog, Expires 600 (refreshed, re-sent after
// a failure), through the first registered account, or the first account
// when none is registered yet (ErrNoSuchAccount without any); a number
// that left the list is unsubscribed (Expires: 0). Status changes arrive
// as HINT events; Hints tells the current ones.
func (p *Phone) SetHints(numbers []string) error {
	if len(numbers) > MaxHints {
		return fmt.Errorf("%w: %d numbers, at most %d", ErrTooManyHints, len(numbers), MaxHints)
	}
	var order []string
	seen := map[string]bool{}
	for _, n := range numbers {
		number, err := hintNumber(n)
		if err != nil {
			return err
		}
		if !seen[number] {
			seen[number] = true
			order = append(order, number)
		}
	}
	var a *Account
	if len(order) > 0 {
		var err error
		if a, err = p.hintAccount(); err != nil {
			return err
		}
	}
	h := &p.hints
	h.mu.Lock()
	if h.entries == nil {
		h.entries = map[string]*hintEntry{}
	}
	var stop []*subscription
	for number, e := range h.entries {
		if !seen[number] {
			delete(h.entries, number)
			stop = append(stop, e.sub)
		}
	}
	var start []*subscription
	for _, number := range order {
		if _, ok := h.entries[number]; ok {
			continue
		}
		e := &hintEntry{number: number, account: a.cfg.ID, status: HintUnknown}
		e.sub = a.newSubscription("dialog", "application/dialog-info+xml",
			sip.Uri{Scheme: "sip", User: number, Host: a.cfg.Domain}, hintExpires)
		e.sub.onNotify = func(body []byte) error { return p.hintNotify(e, body) }
		e.sub.onRefused = func(int, string) { p.hintUnavailable(e) }
		h.entries[number] = e
		start = append(start, e.sub)
	}
	h.order = order
	h.mu.Unlock()
	for _, s := range start {
		s.start()
	}
	for _, s := range stop {
		go s.stop()
	}
	return nil
}

// Hints returns the status of each watched number, in the order SetHints
// gave them.
func (p *Phone) Hints() []Hint {
	h := &p.hints
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Hint, 0, len(h.order))
	for _, n := range h.order {
		if e := h.entries[n]; e != nil {
			out = append(out, Hint{Number: n, Status: e.status})
		}
	}
	return out
}

// hintAccount is the account busy-lamp subscriptions go through: the
// first registered one, or the first one.
func (p *Phone) hintAccount() (*Account, error) {
	accounts := p.Accounts()
	for _, a := range accounts {
		if a.isRegistered() {
			return a, nil
		}
	}
	if len(accounts) == 0 {
		return nil, fmt.Errorf("%w: add an account before watching numbers", ErrNoSuchAccount)
	}
	return accounts[0], nil
}

// hintNumber checks a number to watch and returns it without separators.
func hintNumber(n string) (string, error) {
	if strings.ContainsAny(n, "\r\n\x00") {
		return "", fmt.Errorf("%w: %q holds characters a number cannot have", ErrBadNumber, n)
	}
	t := strings.NewReplacer(" ", "", "(", "", ")", "", "\t", "", "-", "", ".", "").Replace(n)
	if !forwardNumberPattern.MatchString(t) {
		return "", fmt.Errorf("%w: %q is not a number to watch (digits, + * #)", ErrBadNumber, n)
	}
	return t, nil
}

// hintNotify applies a dialog-info document to a watched number.
func (p *Phone) hintNotify(e *hintEntry, body []byte) error {
	info, err := parseDialogInfo(body)
	if err != nil {
		return err
	}
	h := &p.hints
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.entries[e.number] != e {
		return nil // no longer watched
	}
	if info.full || e.dialogs == nil {
		e.dialogs = map[string]dialogState{}
	}
	for _, d := range info.dialogs {
		if d.state == "terminated" {
			delete(e.dialogs, d.id)
			continue
		}
		e.dialogs[d.id] = d
	}
	p.setHintLocked(e, hintStatus(e.dialogs))
	return nil
}

// hintUnavailable marks a number whose subscription the server refused
// or ended.
func (p *Phone) hintUnavailable(e *hintEntry) {
	h := &p.hints
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.entries[e.number] != e {
		return
	}
	e.dialogs = nil
	p.setHintLocked(e, HintUnavailable)
}

// setHintLocked sets a number's status and emits HINT when it changed;
// p.hints.mu is held (so HINTs of a number come in order).
func (p *Phone) setHintLocked(e *hintEntry, status string) {
	if e.status == status {
		return
	}
	e.status = status
	p.emit(Event{Type: EventHint, Account: e.account, Hint: &Hint{Number: e.number, Status: status}})
}

// hintStatus sums up the dialogs of a watched number: busy when one is
// confirmed, or being placed by the number (trying or proceeding, not as
// recipient); ringing when one is early, or trying or proceeding towards
// the number (direction recipient); idle otherwise.
func hintStatus(dialogs map[string]dialogState) string {
	rank := 0
	for _, d := range dialogs {
		r := 0
		switch d.state {
		case "confirmed":
			r = 2
		case "early":
			r = 1
		case "trying", "proceeding":
			r = 2
			if d.direction == "recipient" {
				r = 1
			}
		}
		rank = max(rank, r)
	}
	return [...]string{HintIdle, HintRinging, HintBusy}[rank]
}

// dialogInfo is what a dialog-info document (RFC 4235) says.
type dialogInfo struct {
	// full is false for state="partial": only the dialogs that changed.
	full    bool
	version int // -1 when absent
	dialogs []dialogState
}

// dialogState is one dialog of a dialog-info document; state and
// direction are lower case, "" when absent.
type dialogState struct {
	id        string
	state     string
	direction string
}

type xmlDialogInfo struct {
	XMLName xml.Name    `xml:"dialog-info"`
	Version string      `xml:"version,attr"`
	State   string      `xml:"state,attr"`
	Dialogs []xmlDialog `xml:"dialog"`
}

type xmlDialog struct {
	ID        string `xml:"id,attr"`
	CallID    string `xml:"call-id,attr"`
	LocalTag  string `xml:"local-tag,attr"`
	RemoteTag string `xml:"remote-tag,attr"`
	Direction string `xml:"direction,attr"`
	State     string `xml:"state"`
}

// parseDialogInfo reads an application/dialog-info+xml body, tolerantly:
// any namespace or prefix, state full when not "partial", dialogs without
// an id keyed by their call-id and tags (or position), a dialog without a
// state kept but counting as nothing. It fails on a body that is not a
// well-formed dialog-info element or exceeds 64 KiB.
func parseDialogInfo(body []byte) (dialogInfo, error) {
	if len(body) > maxNotifyBody {
		return dialogInfo{}, fmt.Errorf("dialog-info body of %d bytes is too large", len(body))
	}
	var x xmlDialogInfo
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&x); err != nil {
		return dialogInfo{}, fmt.Errorf("dialog-info: %w", err)
	}
	info := dialogInfo{full: !strings.EqualFold(strings.TrimSpace(x.State), "partial"), version: -1}
	if v, err := strconv.Atoi(strings.TrimSpace(x.Version)); err == nil && v >= 0 {
		info.version = v
	}
	for i, d := range x.Dialogs {
		id := strings.TrimSpace(d.ID)
		if id == "" {
			id = d.CallID + ";" + d.LocalTag + ";" + d.RemoteTag
			if id == ";;" {
				id = "#" + strconv.Itoa(i)
			}
		}
		info.dialogs = append(info.dialogs, dialogState{
			id:        id,
			state:     strings.ToLower(strings.TrimSpace(d.State)),
			direction: strings.ToLower(strings.TrimSpace(d.Direction)),
		})
	}
	return info, nil
}
