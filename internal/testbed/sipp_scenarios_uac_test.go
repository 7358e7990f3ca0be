package testbed

// The UAC scenarios of testdata/sipp (SIPp calls the phone), checked
// against baresip playing the phone, and against uas_answer.xml where what
// matters is what SIPp sends. See sipp_scenarios_test.go.

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSIPpUACCancelBaresip: uac_cancel.xml cancels its call to a ringing
// baresip, which answers 200 and 487.
func TestSIPpUACCancelBaresip(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipManualAnswer())
	uac := RunSIPp(t, "uac_cancel.xml", SIPpRemote(b.SIPAddr()), SIPpService(b.User()), SIPpPause(200*time.Millisecond))
	waitOK(t, 15*time.Second, uac)
	if code, reason := uac.FinalStatus(); code != 487 {
		t.Errorf("caller saw %d %q, want 487", code, reason)
	}
	ctx := testContext(t, 10*time.Second)
	for _, typ := range []string{"CALL_INCOMING", "CALL_CLOSED"} {
		if _, err := b.WaitEvent(ctx, typ); err != nil {
			t.Fatal(err)
		}
	}
	wantSequence(t, "caller received", uac.Received(), "180 INVITE", "200 CANCEL", "487 INVITE")
}

// TestSIPpUACByeEarlyBaresip: uac_bye_early.xml hangs up with BYE in the
// early dialog of a ringing baresip, which answers 200 and 487.
func TestSIPpUACByeEarlyBaresip(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipManualAnswer())
	uac := RunSIPp(t, "uac_bye_early.xml", SIPpRemote(b.SIPAddr()), SIPpService(b.User()), SIPpPause(100*time.Millisecond))
	waitOK(t, 15*time.Second, uac)
	if code, reason := uac.FinalStatus(); code != 487 || reason != "Request Terminated" {
		t.Errorf("caller saw %d %q, want 487 Request Terminated", code, reason)
	}
	ctx := testContext(t, 10*time.Second)
	for _, typ := range []string{"CALL_INCOMING", "CALL_CLOSED"} {
		if _, err := b.WaitEvent(ctx, typ); err != nil {
			t.Fatal(err)
		}
	}
	wantSequence(t, "caller received", uac.Received(), "180 INVITE", "200 BYE", "487 INVITE")
	if got := uac.Logged("EARLY-DIALOG"); len(got) != 1 || !strings.HasPrefix(got[0], "sip:") {
		t.Errorf("logged EARLY-DIALOG %q, want the 180's Contact", got)
	}
	bye := uac.Sent()[1]
	if bye.Method() != "BYE" || !strings.Contains(bye.Header("To"), ";tag=") {
		t.Errorf("the BYE is not in the early dialog:\n%s", bye.Raw)
	}
}

// TestSIPpUACCallAndBye: uac_call_and_bye.xml calls baresip, which
// answers; and calls uas_answer.xml, which shows the headers it sent.
func TestSIPpUACCallAndBye(t *testing.T) {
	t.Parallel()
	t.Run("baresip", func(t *testing.T) {
		t.Parallel()
		b := StartBaresip(t)
		uac := RunSIPp(t, "uac_call_and_bye.xml", SIPpRemote(b.SIPAddr()), SIPpService(b.User()), SIPpPause(100*time.Millisecond))
		waitOK(t, 15*time.Second, uac)
		ctx := testContext(t, 10*time.Second)
		for _, typ := range []string{"CALL_ESTABLISHED", "CALL_CLOSED"} {
			if _, err := b.WaitEvent(ctx, typ); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("headers", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_answer.xml", SIPpUAS())
		uac := RunSIPp(t, "uac_call_and_bye.xml", SIPpRemote(uas.Addr()), SIPpService("1001"), SIPpPause(100*time.Millisecond))
		waitOK(t, 15*time.Second, uac, uas)
		inv := uas.Received()[0]
		for name, want := range map[string]string{
			"X-Videocall":         "true",
			"X-Business-Id":       "42",
			"P-Asserted-Identity": `"Alice Example" <sip:+15551234567@127.0.0.1>`,
		} {
			if got := inv.Header(name); got != want {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}
		if want := "INVITE sip:1001@" + uas.Addr() + " SIP/2.0"; inv.StartLine != want {
			t.Errorf("Request-Line %q, want %q (the phone's own address)", inv.StartLine, want)
		}
		if !strings.HasPrefix(inv.Header("From"), `"SIPp Caller" <sip:sipp@127.0.0.1>;tag=`) {
			t.Errorf("From %q", inv.Header("From"))
		}
	})
}

// TestSIPpUACWaitBye: uac_wait_bye.xml calls baresip and waits until
// baresip hangs up.
func TestSIPpUACWaitBye(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t)
	uac := RunSIPp(t, "uac_wait_bye.xml", SIPpRemote(b.SIPAddr()), SIPpService(b.User()))
	ctx := testContext(t, 15*time.Second)
	if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 10*time.Second, uac)
	wantSequence(t, "caller received", uac.Received(), "180 INVITE", "200 INVITE", "BYE")
}

// TestSIPpUACReinviteHoldBaresip: uac_reinvite_hold.xml holds and resumes
// a call to baresip, which answers recvonly, then sendrecv.
func TestSIPpUACReinviteHoldBaresip(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t)
	uac := RunSIPp(t, "uac_reinvite_hold.xml", SIPpRemote(b.SIPAddr()), SIPpService(b.User()), SIPpPause(200*time.Millisecond))
	waitOK(t, 15*time.Second, uac)
	if got, want := uac.Logs(), "HOLD-ANSWER a=recvonly\nRESUMED\n"; got != want {
		t.Errorf("logged %q, want %q", got, want)
	}
	wantSequence(t, "caller received", uac.Received(), "180 INVITE", "200 INVITE", "200 INVITE", "200 INVITE", "200 BYE")
	if _, err := b.WaitEvent(testContext(t, 10*time.Second), "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	var cseqs []int
	for _, m := range uac.Sent() {
		if n, method := m.CSeq(); method != "ACK" {
			cseqs = append(cseqs, n)
		}
	}
	if !slices.Equal(slices.Compact(cseqs), []int{1, 2, 3, 4}) {
		t.Errorf("CSeq numbers of SIPp's requests: %v, want 1 2 3 4", cseqs)
	}
}
