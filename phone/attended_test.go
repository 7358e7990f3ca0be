package phone

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// tagOf returns the tag parameter of a From or To header value.
func tagOf(value string) string {
	_, rest, ok := strings.Cut(value, ";tag=")
	if !ok {
		return ""
	}
	tag, _, _ := strings.Cut(rest, ";")
	return strings.TrimSpace(tag)
}

// transferStates returns the TRANSFER states seen for a call, in order.
func (r *recorder) transferStates(callID string) []string {
	var out []string
	for _, e := range r.got {
		if e.Type == EventTransfer && e.Call != nil && e.Call.ID == callID {
			out = append(out, e.TransferState)
		}
	}
	return out
}

// waitSeen is waitFor that also finds an event already read.
func (r *recorder) waitSeen(typ EventType, callID string) Event {
	r.t.Helper()
	for _, e := range r.got {
		if e.Type == typ && e.Call != nil && e.Call.ID == callID {
			return e
		}
	}
	return r.waitFor(typ, callID)
}

// checkCompleted checks the TRANSFER states of a completed transfer:
// accepted and trying in either order (the 202 and the first NOTIFY may
// cross), completed last.
func checkCompleted(t *testing.T, states []string) {
	t.Helper()
	if len(states) == 0 || states[len(states)-1] != "completed" || !slices.Contains(states, "accepted") {
		t.Errorf("TRANSFER states %v: want accepted ... completed", states)
	}
}

// TestSIPpAttendedTransfer: the phone talks to a SIPp transferee, consults
// a second SIPp, and completes the transfer: the transferee sees the hold,
// then a REFER whose Refer-To names the consultation dialog with
// ?Replaces= (Call-ID, the target's tag as to-tag, ours as from-tag,
// escaped) and Referred-By; after its NOTIFY 200 both calls end here.
func TestSIPpAttendedTransfer(t *testing.T) {
	bob := testbed.RunSIPp(t, "uas_transferee_attended.xml", testbed.SIPpUAS())
	carol := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	_, rec, orig := dialSIPp(t, bob)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec.waitFor(EventInCall, orig.ID())

	cons, err := orig.AttendedTransfer(ctx, carol.URI("carol"))
	if err != nil {
		t.Fatal(err)
	}
	if got := orig.Info(); got.State != CallStateHeld || got.ConsultCall != cons.ID() {
		t.Errorf("original call during the consultation: %s, ConsultCall %q", got.State, got.ConsultCall)
	}
	if e := rec.waitFor(EventOutgoingCall, cons.ID()); e.Call.ConsultFor != orig.ID() {
		t.Errorf("OUTGOING_CALL of the consultation: ConsultFor %q, want %q", e.Call.ConsultFor, orig.ID())
	}
	rec.waitFor(EventInCall, cons.ID())
	if err := orig.CompleteTransfer(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		if rec.waitFor(EventTransfer, orig.ID()).TransferState == "completed" {
			break
		}
	}
	if e := rec.waitFor(EventCallEnd, orig.ID()); e.Cause.Message != "Call transferred" || e.Cause.By != ByLocal {
		t.Errorf("original call's cause: %+v", e.Cause)
	}
	if e := rec.waitFor(EventCallEnd, cons.ID()); e.Cause.Message != "Call transferred" {
		t.Errorf("consultation call's cause: %+v", e.Cause)
	}
	waitSIPp(t, bob)
	waitSIPp(t, carol)

	// The consultation dialog as carol saw it on the wire.
	var callID, ourTag, carolTag string
	for _, m := range carol.Received() {
		if m.Method() == "INVITE" {
			callID, ourTag = m.Header("Call-ID"), tagOf(m.Header("From"))
			break
		}
	}
	for _, m := range carol.Sent() {
		if _, method := m.CSeq(); m.StatusCode() == 200 && method == "INVITE" {
			carolTag = tagOf(m.Header("To"))
			break
		}
	}
	if callID == "" || ourTag == "" || carolTag == "" {
		t.Fatalf("consultation dialog not found in carol's trace: %q %q %q", callID, ourTag, carolTag)
	}
	want := "<" + carol.URI("carol") + "?Replaces=" + escapeURIHeader(callID) + "%3Bto-tag%3D" + carolTag + "%3Bfrom-tag%3D" + ourTag + ">"
	if got := bob.Logged("REFER-TO"); len(got) != 1 || got[0] != want {
		t.Errorf("Refer-To %v, want %s", got, want)
	}
	if got := bob.Logged("REFERRED-BY"); len(got) != 1 || got[0] != "<sip:1001@127.0.0.1>" {
		t.Errorf("Referred-By %v", got)
	}
	checkCompleted(t, rec.transferStates(orig.ID()))
	got := without(rec.callEvents(orig.ID()), "PROGRESS")
	if want := []string{"OUTGOING_CALL", "IN_CALL", "HOLD"}; !slices.Equal(got[:3], want) || got[len(got)-1] != "CALL_END" {
		t.Errorf("original call's events %v", got)
	}
	wantSequence(t, without(rec.callEvents(cons.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "CALL_END")
}

// TestSIPpReplacesIncoming: an INVITE with Replaces naming no dialog of
// ours is refused 481; one naming our established call is answered at
// once (no 180, even with DND on), takes over the call's data, and the
// old call is ended with BYE.
func TestSIPpReplacesIncoming(t *testing.T) {
	p, rec, addr := sippCallee(t)
	alice := testbed.RunSIPp(t, "uac_wait_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	old := answerNext(t, p, rec)
	old.SetData(map[string]string{"ticket": "7"})
	old.mu.Lock()
	callID, local, remote := old.dlg.callID, old.dlg.localTag, old.dlg.remoteTag
	old.mu.Unlock()

	for _, bogus := range []string{
		"nosuch@host;to-tag=" + local + ";from-tag=" + remote,
		callID + ";to-tag=" + remote + ";from-tag=" + local, // tags the wrong way round
	} {
		sp := testbed.RunSIPp(t, "uac_call_replaces.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"), testbed.SIPpKey("replaces", bogus))
		waitSIPp(t, sp)
		if code, _ := sp.FinalStatus(); code != 481 {
			t.Errorf("Replaces %q answered %d, want 481", bogus, code)
		}
	}
	if n := len(p.Calls()); n != 1 {
		t.Fatalf("%d calls after refused Replaces, want 1", n)
	}

	p.SetDND(true)
	bob := testbed.RunSIPp(t, "uac_call_replaces.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"),
		testbed.SIPpKey("replaces", callID+";to-tag="+local+";from-tag="+remote))
	in := rec.waitFor(EventIncomingCall, "")
	if in.Call.ReplacedCall != old.ID() || in.Call.Data["ticket"] != "7" || in.Call.Name != "SIPp Transferee" {
		t.Errorf("INCOMING_CALL of the replacing call: %+v", in.Call)
	}
	rec.waitFor(EventInCall, in.Call.ID)
	if e := rec.waitFor(EventCallEnd, old.ID()); e.Cause.Message != "Call transferred" || e.Cause.By != ByRemote {
		t.Errorf("replaced call's cause: %+v", e.Cause)
	}
	waitSIPp(t, alice)
	rec.waitFor(EventCallEnd, in.Call.ID)
	waitSIPp(t, bob)
	if got := bob.Logged("REPLACED-ANSWER"); len(got) != 1 {
		t.Errorf("SIPp logged %v, want one REPLACED-ANSWER", got)
	}
	wantSequence(t, rec.callEvents(old.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
	wantSequence(t, rec.callEvents(in.Call.ID), "INCOMING_CALL", "IN_CALL", "CALL_END")
}

// attendedSetup: alice calls bob, bob answers; alice starts an attended
// transfer to carol, carol answers. It returns alice's two calls.
func attendedSetup(t *testing.T, ctx context.Context, alice, bob, carol *Phone, ra, rb, rc *recorder, carolUser string) (orig, cons, bobCall, carolCall *Call) {
	t.Helper()
	bobUser := bob.Accounts()[0].cfg.Username
	orig, err := alice.Dial(ctx, "", bobUser, DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bobCall = answerNext(t, bob, rb)
	ra.waitFor(EventInCall, orig.ID())
	cons, err = orig.AttendedTransfer(ctx, carolUser)
	if err != nil {
		t.Fatal(err)
	}
	rb.waitFor(EventHold, bobCall.ID())
	carolCall = answerNext(t, carol, rc)
	ra.waitFor(EventInCall, cons.ID())
	return orig, cons, bobCall, carolCall
}

// TestAttendedTransferThroughKamailio: alice talks to bob, consults
// carol, and completes the transfer from the consultation call: bob (the
// transferee) calls carol with Replaces through Kamailio, carol's phone
// swaps the call without ringing, and alice's two calls end.
func TestAttendedTransferThroughKamailio(t *testing.T) {
	k := testbed.StartKamailio(t)
	alice, ra := registeredPhone(t, k, "1001")
	bob, rb := registeredPhone(t, k, "1002")
	carol, rc := registeredPhone(t, k, "1003")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orig, cons, bobCall, carolCall := attendedSetup(t, ctx, alice, bob, carol, ra, rb, rc, "1003")
	if cons.Info().ConsultFor != orig.ID() || orig.Info().ConsultCall != cons.ID() {
		t.Errorf("calls not linked: %+v / %+v", cons.Info(), orig.Info())
	}
	if err := cons.CompleteTransfer(ctx); err != nil {
		t.Fatal(err)
	}
	// carol: the new call from bob replaces alice's, without ringing.
	in := rc.waitFor(EventIncomingCall, "")
	if in.Call.ReplacedCall != carolCall.ID() || in.Call.Number != "1002" {
		t.Errorf("carol's replacing call: %+v", in.Call)
	}
	rc.waitSeen(EventInCall, in.Call.ID)
	rc.waitSeen(EventCallEnd, carolCall.ID())
	// bob: a new call to carol, the old one ends.
	bobNew := rb.waitFor(EventInCall, "")
	if bobNew.Call.ID == bobCall.ID() || bobNew.Call.Number != "1003" {
		t.Errorf("bob's new call: %+v", bobNew.Call)
	}
	if e := rb.waitSeen(EventCallEnd, bobCall.ID()); e.Cause.Message != "Call transferred" || e.Cause.By != ByRemote {
		t.Errorf("bob's old call's cause: %+v", e.Cause)
	}
	// alice: both calls end.
	if e := ra.waitSeen(EventCallEnd, orig.ID()); e.Cause.Message != "Call transferred" {
		t.Errorf("alice's original call's cause: %+v", e.Cause)
	}
	if e := ra.waitSeen(EventCallEnd, cons.ID()); e.Cause.Message != "Call transferred" || e.Cause.By != ByRemote {
		t.Errorf("alice's consultation call's cause: %+v (carol should end it)", e.Cause)
	}
	checkCompleted(t, ra.transferStates(orig.ID()))
	if n := len(alice.Calls()); n != 0 {
		t.Errorf("alice has %d calls after the transfer", n)
	}
	if n := len(bob.Calls()); n != 1 {
		t.Errorf("bob has %d calls, want 1 (with carol)", n)
	}
	if calls := carol.Calls(); len(calls) != 1 || calls[0].ID() != in.Call.ID || calls[0].Info().State != CallStateEstablished {
		t.Errorf("carol's calls after the transfer: %d", len(calls))
	}
	wantSequence(t, without(ra.callEvents(cons.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "CALL_END")
	wantSequence(t, rc.callEvents(carolCall.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
	wantSequence(t, rc.callEvents(in.Call.ID), "INCOMING_CALL", "IN_CALL")
	// bob and carol really talk: bob hangs up, carol hears it.
	nb, err := bob.Call(bobNew.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := nb.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rc.waitFor(EventCallEnd, in.Call.ID)
}

// TestAttendedTransferCancel: cancelling hangs the consultation call up
// and resumes the original; a consultation that fails (busy) leaves the
// original held until cancelled; wrong states are refused.
func TestAttendedTransferCancel(t *testing.T) {
	k := testbed.StartKamailio(t)
	alice, ra := registeredPhone(t, k, "1004")
	bob, rb := registeredPhone(t, k, "1005")
	carol, rc := registeredPhone(t, k, "1006")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orig, cons, bobCall, carolCall := attendedSetup(t, ctx, alice, bob, carol, ra, rb, rc, "1006")

	if _, err := orig.AttendedTransfer(ctx, "1006"); !errors.Is(err, ErrWrongState) {
		t.Errorf("a second consultation: %v, want ErrWrongState", err)
	}
	if _, err := cons.AttendedTransfer(ctx, "1006"); !errors.Is(err, ErrWrongState) {
		t.Errorf("consulting from the consultation call: %v, want ErrWrongState", err)
	}
	if err := cons.CancelTransfer(ctx); err != nil {
		t.Fatal(err)
	}
	rc.waitFor(EventCallEnd, carolCall.ID())
	ra.waitFor(EventCallEnd, cons.ID())
	ra.waitFor(EventUnhold, orig.ID())
	rb.waitFor(EventUnhold, bobCall.ID())
	if got := orig.Info(); got.State != CallStateEstablished || got.ConsultCall != "" {
		t.Errorf("original after cancel: %s, ConsultCall %q", got.State, got.ConsultCall)
	}
	if err := orig.CompleteTransfer(ctx); !errors.Is(err, ErrWrongState) {
		t.Errorf("CompleteTransfer without a consultation: %v, want ErrWrongState", err)
	}
	if err := orig.CancelTransfer(ctx); !errors.Is(err, ErrWrongState) {
		t.Errorf("CancelTransfer without a transfer: %v, want ErrWrongState", err)
	}
	if _, err := orig.AttendedTransfer(ctx, "1006>;evil"); !errors.Is(err, ErrBadNumber) {
		t.Errorf("AttendedTransfer to a bad number: %v, want ErrBadNumber", err)
	}

	// The target refuses: the consultation ends, the original stays
	// held (the agent decides), and cancelling resumes it.
	carol.SetDND(true)
	cons2, err := orig.AttendedTransfer(ctx, "1006")
	if err != nil {
		t.Fatal(err)
	}
	if err := orig.CompleteTransfer(ctx); !errors.Is(err, ErrWrongState) {
		t.Errorf("CompleteTransfer before the target answered: %v, want ErrWrongState", err)
	}
	if e := ra.waitFor(EventCallEnd, cons2.ID()); e.Cause.Code != 486 {
		t.Errorf("consultation refused with %+v, want 486", e.Cause)
	}
	if got := orig.Info(); got.State != CallStateHeld || got.ConsultCall != "" {
		t.Errorf("original after a failed consultation: %s, ConsultCall %q", got.State, got.ConsultCall)
	}
	if err := orig.CancelTransfer(ctx); err != nil {
		t.Fatal(err)
	}
	if got := orig.Info().State; got != CallStateEstablished {
		t.Errorf("original after cancel: %s", got)
	}
	ra.waitFor(EventUnhold, orig.ID())
	wantSequence(t, without(ra.callEvents(orig.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "HOLD", "UNHOLD", "HOLD", "UNHOLD")
}
