package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// registeredPhone starts a phone registered to k as user over UDP.
func registeredPhone(t *testing.T, k *testbed.Kamailio, user string) (*Phone, *recorder) {
	t.Helper()
	p := newTestPhone(t)
	rec := record(t, p)
	if _, err := p.AddAccount(kamailioAccount(k, user, "udp")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	return p, rec
}

// answerNext answers the next incoming call on p and waits until it is up.
func answerNext(t *testing.T, p *Phone, rec *recorder) *Call {
	t.Helper()
	in := rec.waitFor(EventIncomingCall, "")
	c, err := p.Call(in.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventInCall, c.ID())
	return c
}

// TestCallWaiting: carol is in a call with alice when bob calls; bob's
// call rings as call waiting, and answering it puts alice on hold.
func TestCallWaiting(t *testing.T) {
	k := testbed.StartKamailio(t)
	alice, ra := registeredPhone(t, k, "1001")
	bob, rb := registeredPhone(t, k, "1002")
	carol, rc := registeredPhone(t, k, "1003")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ac, err := alice.Dial(ctx, "", "1003", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := answerNext(t, carol, rc)
	ra.waitFor(EventInCall, ac.ID())

	bc, err := bob.Dial(ctx, "", "1003", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waiting := rc.waitFor(EventIncomingCall, "")
	if carol.Status() != "RINGING" {
		t.Errorf("carol's status with a call waiting: %s", carol.Status())
	}
	second, _ := carol.Call(waiting.Call.ID)
	if err := second.Answer(ctx); err != nil {
		t.Fatal(err)
	}
	rc.waitFor(EventInCall, second.ID())
	rb.waitFor(EventInCall, bc.ID())
	if got := first.Info().State; got != CallStateHeld {
		t.Errorf("the first call is %s after answering the second, want held", got)
	}
	if e := ra.waitFor(EventHold, ac.ID()); !e.Call.RemoteHold {
		t.Errorf("alice did not see the hold: %+v", e.Call)
	}
	// Resuming the first call holds the second: one active call at a time.
	if err := first.Unhold(ctx); err != nil {
		t.Fatal(err)
	}
	if got := second.Info().State; got != CallStateHeld {
		t.Errorf("the second call is %s after resuming the first, want held", got)
	}
	rc.waitFor(EventHold, second.ID())
	rc.waitFor(EventUnhold, first.ID())
	wantSequence(t, rc.callEvents(first.ID()), "INCOMING_CALL", "IN_CALL", "HOLD", "UNHOLD")
	wantSequence(t, rc.callEvents(second.ID()), "INCOMING_CALL", "IN_CALL", "HOLD")
}

// TestBlindTransfer: alice talks to bob and transfers him to carol by
// REFER; bob (the transferee) calls carol, alice's call ends once carol
// answers.
func TestBlindTransfer(t *testing.T) {
	k := testbed.StartKamailio(t)
	alice, ra := registeredPhone(t, k, "1004")
	bob, rb := registeredPhone(t, k, "1005")
	carol, rc := registeredPhone(t, k, "1006")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ac, err := alice.Dial(ctx, "", "1005", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bobCall := answerNext(t, bob, rb)
	ra.waitFor(EventInCall, ac.ID())
	if err := ac.Transfer(ctx, "1006"); err != nil {
		t.Fatal(err)
	}
	answerNext(t, carol, rc)
	// The 202 and bob's first NOTIFY may cross: "accepted" and "trying"
	// come in either order, "completed" last.
	seen := map[string]bool{}
	for !seen["completed"] {
		seen[ra.waitFor(EventTransfer, ac.ID()).TransferState] = true
	}
	if !seen["accepted"] {
		t.Errorf("TRANSFER states %v: no accepted", seen)
	}
	ra.waitFor(EventCallEnd, ac.ID())
	rb.waitFor(EventCallEnd, bobCall.ID())
	if n := len(bob.Calls()); n != 1 {
		t.Errorf("bob has %d calls after the transfer, want 1 (to carol)", n)
	}
}
