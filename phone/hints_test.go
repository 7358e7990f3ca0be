package phone

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// hintEvents waits for n HINT events and returns them as "NUMBER status".
func (r *recorder) hintEvents(n int) []string {
	r.t.Helper()
	var out []string
	for len(out) < n {
		e := r.waitFor(EventHint, "")
		out = append(out, e.Hint.Number+" "+e.Hint.Status)
	}
	return out
}

// received returns the summaries of what SIPp received, less
// retransmissions.
func received(sp *testbed.SIPp) []string {
	var out []string
	msgs := sp.Received()
	for i, m := range msgs {
		if i > 0 && m.Raw == msgs[i-1].Raw {
			continue
		}
		out = append(out, m.Summary())
	}
	return out
}

// TestSIPpHints: against uas_blf_notifier.xml the phone subscribes to
// 1002 (Event: dialog, Accept, Expires: 600 on the wire), answers every
// NOTIFY 200 (the malformed one too, which changes nothing) and reports
// idle, ringing, busy, idle; dropping the number from the list, or
// closing the phone, unsubscribes with Expires: 0 in the same dialog.
func TestSIPpHints(t *testing.T) {
	for _, how := range []string{"dropped", "closed"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			sp := testbed.RunSIPp(t, "uas_blf_notifier.xml", testbed.SIPpUAS(), testbed.SIPpPause(100*time.Millisecond))
			p := newTestPhone(t)
			rec := record(t, p)
			if _, err := p.AddAccount(directAccount(sp.Addr())); err != nil {
				t.Fatal(err)
			}
			if err := p.SetHints([]string{"1002"}); err != nil {
				t.Fatal(err)
			}
			got := rec.hintEvents(4)
			if want := []string{"1002 idle", "1002 ringing", "1002 busy", "1002 idle"}; !slices.Equal(got, want) {
				t.Errorf("HINT events %q, want %q", got, want)
			}
			if got := p.Hints(); !slices.Equal(got, []Hint{{Number: "1002", Status: HintIdle}}) {
				t.Errorf("Hints() = %v", got)
			}
			if how == "dropped" {
				if err := p.SetHints(nil); err != nil {
					t.Fatal(err)
				}
				if got := p.Hints(); len(got) != 0 {
					t.Errorf("Hints() after dropping every number = %v", got)
				}
			} else {
				closePhone(t, p)
			}
			waitSIPp(t, sp)
			for _, e := range rec.got {
				if e.Hint != nil && e.Account != "direct" {
					t.Errorf("HINT from account %q, want direct", e.Account)
				}
			}
			if got := sp.Logged("SUBSCRIBE-EXPIRES"); !slices.Equal(got, []string{"600"}) {
				t.Errorf("SUBSCRIBE Expires %q, want 600", got)
			}
			if got := sp.Logged("UNSUBSCRIBE-EXPIRES"); !slices.Equal(got, []string{"0"}) {
				t.Errorf("unsubscribe Expires %q, want 0", got)
			}
			want := []string{"SUBSCRIBE", "200 NOTIFY", "200 NOTIFY", "200 NOTIFY", "200 NOTIFY", "200 NOTIFY", "SUBSCRIBE", "200 NOTIFY"}
			if got := received(sp); !slices.Equal(got, want) {
				t.Fatalf("SIPp received %q, want %q", got, want)
			}
			var subs []*testbed.SIPMessage
			for _, m := range sp.Received() {
				if m.Method() == "SUBSCRIBE" {
					subs = append(subs, m)
				}
			}
			sub, unsub := subs[0], subs[len(subs)-1]
			if sub.StartLine != "SUBSCRIBE sip:1002@127.0.0.1 SIP/2.0" {
				t.Errorf("start line %q", sub.StartLine)
			}
			for h, want := range map[string]string{"Event": "dialog", "Accept": "application/dialog-info+xml", "Expires": "600"} {
				if got := sub.Header(h); got != want {
					t.Errorf("SUBSCRIBE %s: %q, want %q", h, got, want)
				}
			}
			if sub.Header("Contact") == "" || sub.Header("To") != "<sip:1002@127.0.0.1>" {
				t.Errorf("SUBSCRIBE Contact %q, To %q", sub.Header("Contact"), sub.Header("To"))
			}
			n1, _ := sub.CSeq()
			n2, _ := unsub.CSeq()
			if unsub.Header("Call-ID") != sub.Header("Call-ID") || n2 <= n1 || unsub.Header("Expires") != "0" || unsub.Header("Event") != "dialog" {
				t.Errorf("the unsubscribe is not Expires: 0 in the subscription's dialog:\n%s\n---\n%s", sub.Raw, unsub.Raw)
			}
		})
	}
}

// closePhone closes p now (newTestPhone closes it again, harmlessly, at
// the end of the test).
func closePhone(t *testing.T, p *Phone) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSIPpHintRefused: a SUBSCRIBE answered 404 makes the number
// unavailable.
func TestSIPpHintRefused(t *testing.T) {
	t.Parallel()
	sp := testbed.RunSIPp(t, "uas_blf_404.xml", testbed.SIPpUAS())
	// No retry during the test: the scenario takes one SUBSCRIBE.
	p := newTestPhone(t, WithRetryBackoff(time.Minute, time.Minute))
	rec := record(t, p)
	if _, err := p.AddAccount(directAccount(sp.Addr())); err != nil {
		t.Fatal(err)
	}
	if err := p.SetHints([]string{"1099"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.hintEvents(1); !slices.Equal(got, []string{"1099 unavailable"}) {
		t.Errorf("HINT events %q", got)
	}
	waitSIPp(t, sp)
	if got := sp.Logged("SUBSCRIBE-REFUSED"); len(got) != 1 {
		t.Errorf("SIPp logged %q", sp.Logs())
	}
	if got := p.Hints(); !slices.Equal(got, []Hint{{Number: "1099", Status: HintUnavailable}}) {
		t.Errorf("Hints() = %v", got)
	}
}

// TestSetHintsInput: numbers are checked like dialled numbers, at most
// MaxHints, duplicates kept once, and an account is needed.
func TestSetHintsInput(t *testing.T) {
	t.Parallel()
	p := newTestPhone(t, WithRetryBackoff(time.Minute, time.Minute))
	if err := p.SetHints([]string{"1002"}); !errors.Is(err, ErrNoSuchAccount) {
		t.Errorf("without an account: %v, want ErrNoSuchAccount", err)
	}
	if err := p.SetHints(nil); err != nil {
		t.Errorf("an empty list without an account: %v", err)
	}
	// A server nobody answers: the subscriptions just retry.
	if _, err := p.AddAccount(directAccount("127.0.0.1:9")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "10a2", "1002>;x", "sip:1002@127.0.0.1", "1002\r\nX: y", "+"} {
		if err := p.SetHints([]string{"1001", bad}); !errors.Is(err, ErrBadNumber) {
			t.Errorf("SetHints(%q): %v, want ErrBadNumber", bad, err)
		}
	}
	many := make([]string, MaxHints+1)
	for i := range many {
		many[i] = strconv.Itoa(2000 + i)
	}
	if err := p.SetHints(many); !errors.Is(err, ErrTooManyHints) {
		t.Errorf("%d numbers: %v, want ErrTooManyHints", len(many), err)
	}
	if len(p.Hints()) != 0 {
		t.Errorf("a refused list changed the hints: %v", p.Hints())
	}
	if err := p.SetHints([]string{"1002", "+84 90-123.4567", "*97", "1002", "#1"}); err != nil {
		t.Fatal(err)
	}
	want := []Hint{{"1002", HintUnknown}, {"+84901234567", HintUnknown}, {"*97", HintUnknown}, {"#1", HintUnknown}}
	if got := p.Hints(); !slices.Equal(got, want) {
		t.Errorf("Hints() = %v, want %v", got, want)
	}
}

func TestParseDialogInfo(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		full       bool
		status     string
	}{
		{"empty full", `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1002@x"/>`, true, HintIdle},
		{"early recipient", `<dialog-info state="partial"><dialog id="a" direction="recipient"><state>early</state></dialog></dialog-info>`, false, HintRinging},
		{"early no direction", `<dialog-info><dialog id="a"><state>Early</state></dialog></dialog-info>`, true, HintRinging},
		{"proceeding recipient", `<dialog-info><dialog id="a" direction="recipient"><state>proceeding</state></dialog></dialog-info>`, true, HintRinging},
		{"trying initiator", `<dialog-info><dialog id="a" direction="initiator"><state>trying</state></dialog></dialog-info>`, true, HintBusy},
		{"confirmed wins", `<dialog-info><dialog id="a" direction="recipient"><state>early</state></dialog><dialog id="b"><state event="x">confirmed</state></dialog></dialog-info>`, true, HintBusy},
		{"all terminated", `<dialog-info><dialog id="a"><state>terminated</state></dialog><dialog id="b"><state>terminated</state></dialog></dialog-info>`, true, HintIdle},
		{"prefixed", `<?xml version="1.0"?><d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info"><d:dialog id="a"><d:state>confirmed</d:state></d:dialog></d:dialog-info>`, true, HintBusy},
		{"no state, no id", `<dialog-info><dialog/><dialog call-id="c"><remote/></dialog></dialog-info>`, true, HintIdle},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><dialog-info><dialog id="a"><state>confirmed</state></dialog></dialog-info>`, true, HintBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := parseDialogInfo([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]dialogState{}
			for _, d := range info.dialogs {
				if d.state != "terminated" {
					m[d.id] = d
				}
			}
			if info.full != tc.full || hintStatus(m) != tc.status {
				t.Errorf("full %v status %s, want %v %s", info.full, hintStatus(m), tc.full, tc.status)
			}
		})
	}
	for _, bad := range []string{"", "not xml", `<dialog-info><dialog id="a"><state>confirm`, `<presence/>`, `<dialog-info><dialog></dialog-info>`} {
		if _, err := parseDialogInfo([]byte(bad)); err == nil {
			t.Errorf("parseDialogInfo(%q) accepted it", bad)
		}
	}
}

// FuzzDialogInfo: the dialog-info parser never panics, and what it
// accepts sums up to one of the statuses.
func FuzzDialogInfo(f *testing.F) {
	f.Add([]byte(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"><dialog id="a" direction="recipient"><state>early</state></dialog></dialog-info>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := parseDialogInfo(body)
		if err != nil {
			return
		}
		m := map[string]dialogState{}
		for _, d := range info.dialogs {
			m[d.id] = d
		}
		switch s := hintStatus(m); s {
		case HintIdle, HintRinging, HintBusy:
		default:
			t.Fatalf("status %q", s)
		}
	})
}
