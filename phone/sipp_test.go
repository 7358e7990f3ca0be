package phone

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// directAccount is an account that sends its calls straight to addr (a
// SIPp UAS) without registering.
func directAccount(addr string) AccountConfig {
	return AccountConfig{ID: "direct", DisplayName: "Agent", Username: "1001", Domain: "127.0.0.1", Server: addr, Transport: "udp"}
}

// waitSIPp waits for a SIPp run to end and fails the test if its
// scenario failed.
func waitSIPp(t *testing.T, sp *testbed.SIPp) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("SIPp scenario failed: %v\n%s", err, sp.Logs())
	}
}

// dialSIPp starts a phone with a direct account and dials the UAS.
func dialSIPp(t *testing.T, sp *testbed.SIPp, opts ...Option) (*Phone, *recorder, *Call) {
	t.Helper()
	p := newTestPhone(t, opts...)
	rec := record(t, p)
	if _, err := p.AddAccount(directAccount(sp.Addr())); err != nil {
		t.Fatal(err)
	}
	c, err := p.Dial(context.Background(), "", "sipp", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p, rec, c
}

func TestSIPpRejections(t *testing.T) {
	for _, tc := range []struct {
		code    int
		reason  string
		message string
	}{
		{486, "Busy Here", "The customer is busy"},
		{404, "Not Found", "The number is unreachable"},
		{480, "Temporarily Unavailable", "The customer is temporarily unavailable"},
		{403, "Forbidden", "The call is not allowed (check your account or credit)"},
		{603, "Decline", "The call was declined"},
		{503, "Service Unavailable", "The service is unavailable"},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			sp := testbed.RunSIPp(t, "uas_reject.xml", testbed.SIPpUAS(),
				testbed.SIPpKey("code", strconv.Itoa(tc.code)), testbed.SIPpKey("reason", tc.reason))
			_, rec, c := dialSIPp(t, sp)
			end := rec.waitFor(EventCallEnd, c.ID())
			want := Cause{Code: tc.code, Reason: tc.reason, Message: tc.message, By: ByRemote}
			if *end.Cause != want {
				t.Errorf("cause %+v, want %+v", *end.Cause, want)
			}
			waitSIPp(t, sp)
			wantSequence(t, rec.callEvents(c.ID()), "OUTGOING_CALL", "CALL_END")
		})
	}
}

func TestSIPpCallerCancels(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_ring_no_answer.xml", testbed.SIPpUAS())
	_, rec, c := dialSIPp(t, sp)
	rec.waitFor(EventProgress, c.ID())
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	end := rec.waitFor(EventCallEnd, c.ID())
	if end.Cause.Code != 487 || end.Cause.By != ByLocal {
		t.Errorf("cause %+v, want 487 by local", end.Cause)
	}
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(c.ID()), "OUTGOING_CALL", "PROGRESS", "CALL_END")
}

func TestSIPpEarlyMedia(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_early_media.xml", testbed.SIPpUAS())
	_, rec, c := dialSIPp(t, sp)
	if e := rec.waitFor(EventProgress, c.ID()); e.Call.State != CallStateEarly {
		t.Errorf("183 with SDP gave state %s, want early", e.Call.State)
	}
	rec.waitFor(EventInCall, c.ID())
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(c.ID()), "OUTGOING_CALL", "PROGRESS", "IN_CALL", "CALL_END")
}

func TestSIPpRedirect(t *testing.T) {
	target := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	sp := testbed.RunSIPp(t, "uas_redirect.xml", testbed.SIPpUAS(), testbed.SIPpKey("redirect_target", target.URI("target")))
	_, rec, c := dialSIPp(t, sp)
	rec.waitFor(EventInCall, c.ID())
	waitSIPp(t, sp)
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, target)
}

func TestSIPpRemoteHold(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_hold_reinvite.xml", testbed.SIPpUAS())
	_, rec, c := dialSIPp(t, sp)
	rec.waitFor(EventInCall, c.ID())
	if e := rec.waitFor(EventHold, c.ID()); !e.Call.RemoteHold || e.Call.LocalHold {
		t.Errorf("HOLD snapshot: %+v", e.Call)
	}
	if e := rec.waitFor(EventUnhold, c.ID()); e.Call.RemoteHold {
		t.Errorf("UNHOLD snapshot: %+v", e.Call)
	}
	end := rec.waitFor(EventCallEnd, c.ID())
	if end.Cause.By != ByRemote {
		t.Errorf("cause %+v, want by remote", end.Cause)
	}
	waitSIPp(t, sp)
	// The 180 and the 200 follow each other at once; sipgo handles
	// each response in its own goroutine, so the 180 may come second
	// and be dropped as stale, like a reordered datagram.
	wantSequence(t, without(rec.callEvents(c.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "HOLD", "UNHOLD", "CALL_END")
}

func TestSIPpInfoDTMF(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_info_dtmf.xml", testbed.SIPpUAS())
	p := newTestPhone(t)
	rec := record(t, p)
	cfg := directAccount(sp.Addr())
	cfg.DTMF = "info"
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	c, err := p.Dial(context.Background(), "", "sipp", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventInCall, c.ID())
	if e := rec.waitFor(EventDTMF, c.ID()); e.Digit != "5" {
		t.Errorf("first digit %q, want 5", e.Digit)
	}
	if e := rec.waitFor(EventDTMF, c.ID()); e.Digit != "7" {
		t.Errorf("second digit %q, want 7", e.Digit)
	}
	if err := c.SendDTMF(context.Background(), "9"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	// The 180 and the 200 follow each other at once; sipgo handles
	// each response in its own goroutine, so the 180 may come second
	// and be dropped as stale, like a reordered datagram.
	wantSequence(t, without(rec.callEvents(c.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "DTMF", "DTMF", "CALL_END")
}

func TestSIPpGlare(t *testing.T) {
	if testing.Short() {
		t.Skip("waits the RFC 3261 glare delay (2.1-4 s)")
	}
	sp := testbed.RunSIPp(t, "uas_glare_491.xml", testbed.SIPpUAS())
	_, rec, c := dialSIPp(t, sp)
	rec.waitFor(EventInCall, c.ID())
	if err := c.Hold(context.Background()); err != nil {
		t.Fatalf("hold after 491: %v", err)
	}
	rec.waitFor(EventHold, c.ID())
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	// The 180 and the 200 follow each other at once; sipgo handles
	// each response in its own goroutine, so the 180 may come second
	// and be dropped as stale, like a reordered datagram.
	wantSequence(t, without(rec.callEvents(c.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "HOLD", "CALL_END")
}

func TestSIPpReferFromPeer(t *testing.T) {
	target := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	sp := testbed.RunSIPp(t, "uas_refer.xml", testbed.SIPpUAS(), testbed.SIPpKey("refer_target", target.URI("target")))
	p, rec, c := dialSIPp(t, sp)
	rec.waitFor(EventInCall, c.ID())
	rec.waitFor(EventTransfer, c.ID())
	next := rec.waitFor(EventInCall, "")
	if next.Call.ID == c.ID() {
		t.Fatal("no new call to the transfer target")
	}
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	nc, err := p.Call(next.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSIPp(t, target)
}

// sippCalls starts a phone listening on UDP (no registration) that SIPp
// can call at its address.
func sippCallee(t *testing.T) (*Phone, *recorder, string) {
	t.Helper()
	p := newTestPhone(t)
	rec := record(t, p)
	a, err := p.AddAccount(AccountConfig{ID: "callee", Username: "1001", Domain: "127.0.0.1", Server: "127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	ip, port := a.st.udpAddr()
	return p, rec, ip + ":" + strconv.Itoa(port)
}

func TestSIPpCallsAndCancels(t *testing.T) {
	_, rec, addr := sippCallee(t)
	sp := testbed.RunSIPp(t, "uac_cancel.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"), testbed.SIPpPause(time.Second))
	in := rec.waitFor(EventIncomingCall, "")
	end := rec.waitFor(EventCallEnd, in.Call.ID)
	if end.Cause.Code != 487 || end.Cause.By != ByRemote {
		t.Errorf("cause %+v, want 487 by remote", end.Cause)
	}
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(in.Call.ID), "INCOMING_CALL", "CALL_END")
}

func TestSIPpIncomingWithHeaders(t *testing.T) {
	p, rec, addr := sippCallee(t)
	sp := testbed.RunSIPp(t, "uac_call_and_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	in := rec.waitFor(EventIncomingCall, "")
	if in.Call.Name != "Alice Example" || in.Call.Number != "+15551234567" || in.Call.Headers["X-Business-Id"] != "42" || !in.Call.Video {
		t.Errorf("INCOMING_CALL call: %+v", in.Call)
	}
	c, _ := p.Call(in.Call.ID)
	if err := c.Answer(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(c.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
}

func TestSIPpByeInEarlyDialog(t *testing.T) {
	_, rec, addr := sippCallee(t)
	sp := testbed.RunSIPp(t, "uac_bye_early.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	in := rec.waitFor(EventIncomingCall, "")
	end := rec.waitFor(EventCallEnd, in.Call.ID)
	if end.Cause.By != ByRemote {
		t.Errorf("cause %+v, want by remote", end.Cause)
	}
	waitSIPp(t, sp)
}

func TestSIPpRemoteHoldOnIncoming(t *testing.T) {
	p, rec, addr := sippCallee(t)
	sp := testbed.RunSIPp(t, "uac_reinvite_hold.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	c := answerNext(t, p, rec)
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	wantSequence(t, rec.callEvents(c.ID()), "INCOMING_CALL", "IN_CALL", "HOLD", "UNHOLD", "CALL_END")
}

// TestSIPpSecondInviteDuringCall: while a call from one SIPp is up, a
// second SIPp calls; the phone rings it as call waiting (the first call
// stays up), the agent rejects it busy, then hangs the first up.
func TestSIPpSecondInviteDuringCall(t *testing.T) {
	p, rec, addr := sippCallee(t)
	first := testbed.RunSIPp(t, "uac_wait_bye.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	c1 := answerNext(t, p, rec)
	second := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	waiting := rec.waitFor(EventIncomingCall, "")
	if p.Status() != "RINGING" || c1.Info().State != CallStateEstablished {
		t.Errorf("with a call waiting: status %s, first call %s", p.Status(), c1.Info().State)
	}
	c2, _ := p.Call(waiting.Call.ID)
	if err := c2.Reject(486); err != nil {
		t.Fatal(err)
	}
	end := rec.waitFor(EventCallEnd, c2.ID())
	if end.Cause.Code != 486 || end.Cause.By != ByLocal {
		t.Errorf("rejected call's cause: %+v", end.Cause)
	}
	waitSIPp(t, second)
	if code, _ := second.FinalStatus(); code != 486 {
		t.Errorf("the second caller got %d, want 486", code)
	}
	if err := c1.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, c1.ID())
	waitSIPp(t, first)
	wantSequence(t, rec.callEvents(c1.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
	wantSequence(t, rec.callEvents(c2.ID()), "INCOMING_CALL", "CALL_END")
}

// TestSIPpSessionTimer: the caller asks for session timers with itself as
// refresher; the phone agrees in its 200 and answers the UPDATE refresh
// (RFC 4028).
func TestSIPpSessionTimer(t *testing.T) {
	p, rec, addr := sippCallee(t)
	sp := testbed.RunSIPp(t, "uac_session_timer.xml", testbed.SIPpRemote(addr), testbed.SIPpService("1001"))
	c := answerNext(t, p, rec)
	rec.waitFor(EventCallEnd, c.ID())
	waitSIPp(t, sp)
	if got := sp.Logged("REFRESHED"); len(got) != 1 {
		t.Errorf("SIPp logged %v, want one REFRESHED", got)
	}
	wantSequence(t, rec.callEvents(c.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
}
