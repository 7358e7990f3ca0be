package phone

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

func TestSetForwardValidates(t *testing.T) {
	p := newTestPhone(t)
	if _, err := p.AddAccount(AccountConfig{ID: "me", Username: "1001", Domain: "pbx.example.com", Server: "127.0.0.1:9"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    Forward
		want error
	}{
		{Forward{Mode: "busy", To: "", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "   ", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "abc", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "10o3", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "1002>;evil", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "1002\r\nX-Evil: 1", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "1002\n", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "sip:1003@pbx.example.com?Replaces=x", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "sip:", Enabled: true}, ErrBadNumber},
		{Forward{Mode: "busy", To: "1001", Enabled: true}, ErrBadNumber}, // the phone's own number
		{Forward{Mode: "busy", To: "abc", Enabled: false}, ErrBadNumber},
		{Forward{Mode: "sometimes", To: "1003", Enabled: true}, ErrBadForward},
		{Forward{Mode: "", To: "1003", Enabled: true}, ErrBadForward},
		{Forward{Mode: "noanswer", To: "1003", Enabled: true, After: -time.Second}, ErrBadForward},
	} {
		if err := p.SetForward(tc.f); !errors.Is(err, tc.want) {
			t.Errorf("SetForward(%+v) = %v, want %v", tc.f, err, tc.want)
		}
	}
	want := []Forward{{Mode: "unconditional"}, {Mode: "busy"}, {Mode: "noanswer", After: 20 * time.Second}}
	if got := p.Forwards(); !slices.Equal(got, want) {
		t.Fatalf("after refused rules: %+v, want %+v", got, want)
	}

	for _, f := range []Forward{
		{Mode: "Unconditional", To: "+1 (555) 123-4567", Enabled: true},
		{Mode: "busy", To: "sip:agent@example.com", Enabled: true, After: time.Minute},
		{Mode: "noanswer", To: "tel:1003", Enabled: true},
	} {
		if err := p.SetForward(f); err != nil {
			t.Errorf("SetForward(%+v): %v", f, err)
		}
	}
	want = []Forward{
		{Mode: "unconditional", To: "+15551234567", Enabled: true},
		{Mode: "busy", To: "sip:agent@example.com", Enabled: true},
		{Mode: "noanswer", To: "1003", Enabled: true, After: 20 * time.Second},
	}
	if got := p.Forwards(); !slices.Equal(got, want) {
		t.Errorf("Forwards() = %+v, want %+v", got, want)
	}
	// Turning a rule off keeps its number for next time.
	if err := p.SetForward(Forward{Mode: "unconditional"}); err != nil {
		t.Fatal(err)
	}
	if got := p.Forwards()[0]; got != (Forward{Mode: "unconditional", To: "+15551234567"}) {
		t.Errorf("disabled rule: %+v", got)
	}
}

// redirected runs a SIPp caller against the phone at addr, expects the
// 302, and returns the Contact and Diversion it logged.
func redirected(t *testing.T, sp *testbed.SIPp) (contact, diversion string) {
	t.Helper()
	waitSIPp(t, sp)
	c, d := sp.Logged("REDIRECT-CONTACT"), sp.Logged("REDIRECT-DIVERSION")
	if len(c) != 1 || len(d) != 1 {
		t.Fatalf("SIPp logged contacts %v and diversions %v, want one each", c, d)
	}
	return c[0], d[0]
}

// TestSIPpForward: each forwarding rule answers a SIPp caller 302 with
// the target as Contact and the reason in Diversion; the phone reports
// the call by CALL_END alone (or INCOMING_CALL then CALL_END when it
// rang first), with cause 302 and ForwardedTo.
func TestSIPpForward(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rule      Forward
		dnd, busy bool
		contact   string
		reason    string
		message   string
		events    []string
	}{
		{"unconditional", Forward{Mode: "unconditional", To: "1003", Enabled: true}, false, false,
			"<sip:1003@127.0.0.1>", "unconditional", "Forwarded to 1003", []string{"CALL_END"}},
		{"unconditional-uri-over-dnd", Forward{Mode: "unconditional", To: "sip:agent@example.com", Enabled: true}, true, false,
			"<sip:agent@example.com>", "unconditional", "Forwarded to sip:agent@example.com", []string{"CALL_END"}},
		{"busy", Forward{Mode: "busy", To: "0901234567", Enabled: true}, false, true,
			"<sip:0901234567@127.0.0.1>", "user-busy", "Forwarded to 0901234567 (busy)", []string{"CALL_END"}},
		{"busy-dnd", Forward{Mode: "busy", To: "1003", Enabled: true}, true, false,
			"<sip:1003@127.0.0.1>", "do-not-disturb", "Forwarded to 1003 (Do Not Disturb)", []string{"CALL_END"}},
		{"noanswer", Forward{Mode: "noanswer", To: "1003", Enabled: true, After: 300 * time.Millisecond}, false, false,
			"<sip:1003@127.0.0.1>", "no-answer", "Forwarded to 1003 (no answer)", []string{"INCOMING_CALL", "CALL_END"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, rec, addr := sippCallee(t)
			if err := p.SetForward(tc.rule); err != nil {
				t.Fatal(err)
			}
			p.SetDND(tc.dnd)
			var first *Call
			if tc.busy {
				up := testbed.RunSIPp(t, "uac_wait_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
				first = answerNext(t, p, rec)
				defer func() {
					if err := first.Hangup(context.Background()); err != nil {
						t.Error(err)
					}
					waitSIPp(t, up)
				}()
			}
			sp := testbed.RunSIPp(t, "uac_call_redirected.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
			var end Event
			for {
				end = rec.waitFor(EventCallEnd, "")
				if first == nil || end.Call.ID != first.ID() {
					break
				}
			}
			want := Cause{Code: 302, Reason: "Moved Temporarily", Message: tc.message, By: ByLocal, Rule: RuleForward}
			if *end.Cause != want {
				t.Errorf("CALL_END cause %+v, want %+v", *end.Cause, want)
			}
			if end.Call.ForwardedTo != tc.rule.To || end.Call.Number != "sipp" || end.Call.Name != "SIPp Caller" {
				t.Errorf("CALL_END call: %+v", end.Call)
			}
			contact, diversion := redirected(t, sp)
			if contact != tc.contact {
				t.Errorf("302 Contact %q, want %q", contact, tc.contact)
			}
			if want := "<sip:1001@127.0.0.1>;reason=" + tc.reason + ";counter=1"; diversion != want {
				t.Errorf("302 Diversion %q, want %q", diversion, want)
			}
			rang := false
			for _, m := range sp.Received() {
				if m.StatusCode() == 180 {
					rang = true
				}
			}
			if rang != (tc.rule.Mode == ForwardNoAnswer) {
				t.Errorf("180 sent: %v, want only for no-answer forwarding", rang)
			}
			wantSequence(t, rec.callEvents(end.Call.ID), tc.events...)
			if first != nil && first.Info().State != CallStateEstablished {
				t.Errorf("the call that was up is %s, want established", first.Info().State)
			}
		})
	}
}

// TestSIPpForwardNoAnswerAnswered: a call answered before the no-answer
// delay is not forwarded; with the rule turned off while ringing, it
// rings on.
func TestSIPpForwardNoAnswerAnswered(t *testing.T) {
	p, rec, addr := sippCallee(t)
	if err := p.SetForward(Forward{Mode: ForwardNoAnswer, To: "1003", Enabled: true, After: time.Hour}); err != nil {
		t.Fatal(err)
	}
	sp := testbed.RunSIPp(t, "uac_call_and_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	c := answerNext(t, p, rec)
	end := rec.waitFor(EventCallEnd, c.ID())
	if end.Call.ForwardedTo != "" || end.Cause.Rule != "" {
		t.Errorf("an answered call ended as forwarded: %+v %+v", end.Call, end.Cause)
	}
	waitSIPp(t, sp)

	if err := p.SetForward(Forward{Mode: ForwardNoAnswer, To: "1003", Enabled: true, After: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	sp = testbed.RunSIPp(t, "uac_call_and_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	in := rec.waitFor(EventIncomingCall, "")
	if err := p.SetForward(Forward{Mode: ForwardNoAnswer, Enabled: false}); err != nil {
		t.Fatal(err)
	}
	// Give the (now disabled) rule's timer every chance to fire first.
	time.Sleep(time.Second)
	ringing, err := p.Call(in.Call.ID)
	if err != nil {
		t.Fatalf("the call was forwarded after the rule was turned off: %v", err)
	}
	if err := ringing.Answer(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, ringing.ID())
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(ringing.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
}

// TestForwardThroughKamailio: bob forwards to carol (unconditional, then
// after no answer); alice's engine follows the 302 through Kamailio and
// talks to carol. Alice's call keeps its id from OUTGOING_CALL to IN_CALL.
func TestForwardThroughKamailio(t *testing.T) {
	k := testbed.StartKamailio(t)
	for _, tc := range []struct {
		name              string
		rule              Forward
		alice, bob, carol string
		bobEvents         []string
	}{
		{"unconditional", Forward{Mode: ForwardUnconditional, To: "1003", Enabled: true}, "1001", "1002", "1003",
			[]string{"CALL_END"}},
		{"noanswer", Forward{Mode: ForwardNoAnswer, To: "1006", Enabled: true, After: 300 * time.Millisecond}, "1004", "1005", "1006",
			[]string{"INCOMING_CALL", "CALL_END"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice, ra := registeredPhone(t, k, tc.alice)
			bob, rb := registeredPhone(t, k, tc.bob)
			carol, rc := registeredPhone(t, k, tc.carol)
			if err := bob.SetForward(tc.rule); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			call, err := alice.Dial(ctx, "", tc.bob, DialOptions{Data: map[string]string{"ticket": "7"}})
			if err != nil {
				t.Fatal(err)
			}
			cc := answerNext(t, carol, rc)
			if got := cc.Info().Number; got != tc.alice {
				t.Errorf("carol sees the call from %q, want %q", got, tc.alice)
			}
			in := ra.waitFor(EventInCall, call.ID())
			if in.Call.Data["ticket"] != "7" {
				t.Errorf("alice's call lost its data: %+v", in.Call)
			}
			end := rb.waitFor(EventCallEnd, "")
			if end.Cause.Code != 302 || end.Cause.Rule != RuleForward || end.Call.ForwardedTo != tc.rule.To || end.Call.Number != tc.alice {
				t.Errorf("bob's CALL_END: %+v %+v", end.Cause, end.Call)
			}
			wantSequence(t, rb.callEvents(end.Call.ID), tc.bobEvents...)
			if n := len(bob.Calls()); n != 0 {
				t.Errorf("bob has %d calls", n)
			}
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			rc.waitFor(EventCallEnd, cc.ID())
			ra.waitFor(EventCallEnd, call.ID())
			if got := without(ra.callEvents(call.ID()), "PROGRESS"); !slices.Equal(got, []string{"OUTGOING_CALL", "IN_CALL", "CALL_END"}) {
				t.Errorf("alice's events: %v", ra.callEvents(call.ID()))
			}
		})
	}
}
