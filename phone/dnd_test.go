package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// TestSIPpDND: with Do Not Disturb on, a SIPp caller gets 486 Busy Here
// at once (no 180, a To tag); the phone emits no INCOMING_CALL but one
// CALL_END with the caller and Cause.Rule "dnd". Off again, a call rings.
func TestSIPpDND(t *testing.T) {
	p, rec, addr := sippCallee(t)
	if p.DND() || p.Status() != "AVAILABLE" {
		t.Fatalf("a new phone: DND %v, status %s", p.DND(), p.Status())
	}
	p.SetDND(true)
	if e := rec.waitFor(EventPhoneStatus, ""); e.Status != "DND" || !e.DND {
		t.Errorf("PHONE_STATUS after SetDND(true): %+v", e)
	}
	if !p.DND() || p.Status() != "DND" {
		t.Errorf("DND on: DND() %v, Status() %s", p.DND(), p.Status())
	}
	p.SetDND(true) // no change, no event

	sp := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	end := rec.waitFor(EventCallEnd, "")
	want := Cause{Code: 486, Reason: "Busy Here", Message: "Refused: Do Not Disturb was on", By: ByLocal, Rule: RuleDND}
	if *end.Cause != want {
		t.Errorf("CALL_END cause %+v, want %+v", *end.Cause, want)
	}
	if c := end.Call; c == nil || c.Direction != DirectionInbound || c.Number != "sipp" || c.State != CallStateEnded || c.SIPCallID == "" || !c.Answered.IsZero() {
		t.Errorf("CALL_END call: %+v", end.Call)
	}
	waitSIPp(t, sp)
	if code, reason := sp.FinalStatus(); code != 486 || reason != "Busy Here" {
		t.Errorf("the caller got %d %s, want 486 Busy Here", code, reason)
	}
	for _, m := range sp.Received() {
		if code := m.StatusCode(); code >= 180 && code < 200 {
			t.Errorf("the phone rang (%s) with DND on", m.StartLine)
		}
		if m.StatusCode() == 486 && !containsParam(m.Header("To"), "tag") {
			t.Errorf("486 without a To tag: %q", m.Header("To"))
		}
	}
	if n := len(p.Calls()); n != 0 {
		t.Errorf("%d calls left after the DND refusal", n)
	}
	wantSequence(t, rec.types(), "PHONE_STATUS", "CALL_END")

	p.SetDND(false)
	if e := rec.waitFor(EventPhoneStatus, ""); e.Status != "AVAILABLE" || e.DND {
		t.Errorf("PHONE_STATUS after SetDND(false): %+v", e)
	}
	sp = testbed.RunSIPp(t, "uac_cancel.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"), testbed.SIPpPause(time.Second))
	in := rec.waitFor(EventIncomingCall, "")
	rec.waitFor(EventCallEnd, in.Call.ID)
	waitSIPp(t, sp)
}

// TestDNDStatusDuringCall: DND turned on during a call leaves the call
// alone and the status BUSY (PHONE_STATUS says DND is on); when the call
// ends the status is DND. Through Kamailio, a second engine calling the
// DND phone hears busy (486).
func TestDNDStatusDuringCall(t *testing.T) {
	k := testbed.StartKamailio(t)
	alice, ra := registeredPhone(t, k, "1001")
	bob, rb := registeredPhone(t, k, "1002")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ac, err := alice.Dial(ctx, "", "1002", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bc := answerNext(t, bob, rb)
	ra.waitFor(EventInCall, ac.ID())

	bob.SetDND(true)
	if e := rb.waitStatus(func(e Event) bool { return e.DND }); e.Status != "BUSY" {
		t.Errorf("PHONE_STATUS for DND during a call: %s, want BUSY", e.Status)
	}
	if got := bc.Info().State; got != CallStateEstablished {
		t.Errorf("the call is %s after SetDND, want established", got)
	}
	if err := ac.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rb.waitFor(EventCallEnd, bc.ID())
	if e := rb.waitFor(EventPhoneStatus, ""); e.Status != "DND" {
		t.Errorf("PHONE_STATUS after the call: %s, want DND", e.Status)
	}

	again, err := alice.Dial(ctx, "", "1002", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	end := ra.waitFor(EventCallEnd, again.ID())
	if end.Cause.Code != 486 || end.Cause.By != ByRemote || end.Cause.Message != "The customer is busy" {
		t.Errorf("the caller's CALL_END cause: %+v", end.Cause)
	}
	refused := rb.waitFor(EventCallEnd, "")
	if refused.Cause.Rule != RuleDND || refused.Call.Number != "1001" {
		t.Errorf("the DND phone's CALL_END: %+v %+v", refused.Cause, refused.Call)
	}
	if got := rb.callEvents(refused.Call.ID); len(got) != 1 {
		t.Errorf("events of the refused call: %v, want only CALL_END", got)
	}
}

// waitStatus reads events until a PHONE_STATUS that ok accepts.
func (r *recorder) waitStatus(ok func(Event) bool) Event {
	r.t.Helper()
	for {
		if e := r.waitFor(EventPhoneStatus, ""); ok(e) {
			return e
		}
	}
}

// containsParam reports whether a header value has the ;name= parameter.
func containsParam(value, name string) bool {
	for i := 0; i+len(name)+2 <= len(value); i++ {
		if value[i] == ';' && value[i+1:i+1+len(name)] == name && value[i+1+len(name)] == '=' {
			return true
		}
	}
	return false
}
