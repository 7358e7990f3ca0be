package testbed

// Every scenario in testdata/sipp is checked against a real peer before the
// engine relies on it: baresip (an independent SIP stack) playing the
// phone's part wherever it can, the scenario's own counterpart where one
// exists (uac_cancel.xml against uas_ring_no_answer.xml), and a SIPp
// stand-in for the phone from testdata/phone only for what baresip cannot
// do (sending DTMF by INFO) and to prove that a scenario's checks fail a
// wrong phone. This file holds the UAS scenarios (the phone dials SIPp);
// sipp_scenarios_uac_test.go the UAC ones.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// phoneScenario returns the path of a SIPp stand-in for the phone.
func phoneScenario(name string) string { return filepath.Join("testdata", "phone", name) }

// waitOK waits for every SIPp run and fails the test for each that failed.
func waitOK(t *testing.T, d time.Duration, runs ...*SIPp) {
	t.Helper()
	ctx := testContext(t, d)
	for _, sp := range runs {
		if err := sp.Wait(ctx); err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// wantCheckFailed waits for sp and checks it failed with a CHECK-FAILED log
// line containing want.
func wantCheckFailed(t *testing.T, sp *SIPp, want string) {
	t.Helper()
	err := sp.Wait(testContext(t, 20*time.Second))
	var se *SIPpError
	if !errors.As(err, &se) || se.ExitCode != 1 {
		t.Fatalf("want %s to fail with exit code 1, got %v", sp.scenario, err)
	}
	failed := sp.Logged("CHECK-FAILED")
	if len(failed) != 1 || !strings.Contains(failed[0], want) {
		t.Fatalf("CHECK-FAILED lines %q, want one containing %q", failed, want)
	}
}

// summaries returns the Summary of each message.
func summaries(msgs []*SIPMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Summary()
	}
	return out
}

// wantSequence checks that got, less retransmissions of the same message,
// is exactly want.
func wantSequence(t *testing.T, what string, msgs []*SIPMessage, want ...string) {
	t.Helper()
	var got []string
	for i, m := range msgs {
		if i > 0 && m.Raw == msgs[i-1].Raw {
			continue // a retransmission
		}
		got = append(got, m.Summary())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}

// TestSIPpScenariosLoad loads every scenario of testdata/sipp and
// testdata/phone in SIPp with every documented key set: a syntax error, an
// unknown keyword or a variable used once fails here before any call. The
// scenarios run at once (a second each: SIPp ignores a -timeout below one
// second when idle), not as parallel subtests, which go test would run two
// at a time on two cores.
func TestSIPpScenariosLoad(t *testing.T) {
	t.Parallel()
	bin := requireBinary(t, "sipp", "sip-tester")
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "sipp", "*.xml"))
	phones, _ := filepath.Glob(phoneScenario("*.xml"))
	files = append(files, phones...)
	if len(files) < 20 {
		t.Fatalf("found only %d scenarios: %v", len(files), files)
	}
	ctx := testContext(t, 20*time.Second)
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = loadScenario(ctx, bin, f)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	// The check itself: SIPp refuses a variable set but never used.
	broken := filepath.Join(t.TempDir(), "broken.xml")
	err = os.WriteFile(broken, []byte(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="broken">
  <recv request="INVITE">
    <action><ereg regexp="x" search_in="msg" assign_to="once"/></action>
  </recv>
</scenario>
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := loadScenario(ctx, bin, broken); err == nil || !strings.Contains(err.Error(), "once") {
		t.Errorf("a broken scenario passed the load check: %v", err)
	}
}

// loadScenario runs SIPp on a scenario for a second, as a UAC towards a
// port where nobody listens or a UAS nobody calls: one that loads runs
// until its timeout.
func loadScenario(ctx context.Context, bin, file string) error {
	port, err := FreeUDPPort()
	if err != nil {
		return err
	}
	dead, err := FreeUDPPort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "-sf", file, "-i", "127.0.0.1", "-p", fmt.Sprint(port),
		"-m", "1", "-nostdin", "-timeout", "1s", "-timeout_error", "-s", "bob",
		"-key", "user", "sipp", "-key", "domain", "127.0.0.1", "-key", "expires", "300",
		"-key", "code", "486", "-key", "reason", "Busy Here",
		"-key", "redirect_target", "sip:target@127.0.0.1:5", "-key", "refer_target", "sip:target@127.0.0.1:5",
		"-key", "hold_answer", "recvonly", "-key", "replaces", "x;to-tag=a;from-tag=b",
		fmt.Sprintf("127.0.0.1:%d", dead))
	cmd.WaitDelay = time.Second
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "timed out after") {
		head, _, _ := strings.Cut(string(out), "------------------------------ Scenario Screen")
		return fmt.Errorf("SIPp did not load %s:\n%s", file, head)
	}
	return nil
}

// TestSIPpReject: uas_reject.xml rejects with each code the engine must
// handle; uac_call_rejected.xml sees the code and the reason, and its ACK
// passes the scenario's check. An unsupported code stops SIPp.
func TestSIPpReject(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code   int
		reason string
	}{
		{486, "Busy Here"},
		{404, "Not Found"},
		{480, "Temporarily Unavailable"},
		{403, "Forbidden"},
		{603, "Decline"},
		{486, "User Busy Right Now"},
	} {
		t.Run(fmt.Sprint(tc.code, " ", tc.reason), func(t *testing.T) {
			t.Parallel()
			uas := RunSIPp(t, "uas_reject.xml", SIPpUAS(),
				SIPpKey("code", fmt.Sprint(tc.code)), SIPpKey("reason", tc.reason))
			uac := RunSIPp(t, "uac_call_rejected.xml", SIPpRemote(uas.Addr()), SIPpService("sipp"))
			waitOK(t, 15*time.Second, uac, uas)
			if code, reason := uac.FinalStatus(); code != tc.code || reason != tc.reason {
				t.Errorf("caller saw %d %q, want %d %q", code, reason, tc.code, tc.reason)
			}
			want := fmt.Sprint(tc.code, " ", tc.reason)
			if got := uas.Logged("REJECTED"); !slices.Equal(got, []string{want}) {
				t.Errorf("uas logged REJECTED %q, want %q", got, want)
			}
			wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK")
			wantSequence(t, "uas sent", uas.Sent(), "100 INVITE", fmt.Sprint(tc.code, " INVITE"))
		})
	}
	t.Run("tcp", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_reject.xml", SIPpUAS(), SIPpTCP(), SIPpKey("code", "480"), SIPpKey("reason", "Temporarily Unavailable"))
		uac := RunSIPp(t, "uac_call_rejected.xml", SIPpRemote(uas.Addr()), SIPpService("sipp"), SIPpTCP())
		waitOK(t, 15*time.Second, uac, uas)
		if code, _ := uac.FinalStatus(); code != 480 {
			t.Errorf("caller saw %d, want 480", code)
		}
	})
	t.Run("unsupported code", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_reject.xml", SIPpUAS(), SIPpKey("code", "499"), SIPpKey("reason", "Nope"))
		uac := RunSIPp(t, "uac_call_rejected.xml", SIPpRemote(uas.Addr()), SIPpService("sipp"), SIPpTimeout(time.Second))
		err := uas.Wait(testContext(t, 10*time.Second))
		var se *SIPpError
		if !errors.As(err, &se) || se.ExitCode != 97 {
			t.Fatalf("want uas_reject.xml to stop with exit code 97, got %v", err)
		}
		if got := uas.Logged("UNSUPPORTED-CODE"); !slices.Equal(got, []string{"499"}) {
			t.Errorf("logged UNSUPPORTED-CODE %q", got)
		}
		uac.Stop()
	})
}

// TestSIPpRejectBaresip: baresip dials uas_reject.xml and ends the call
// with the code and reason.
func TestSIPpRejectBaresip(t *testing.T) {
	t.Parallel()
	uas := RunSIPp(t, "uas_reject.xml", SIPpUAS(), SIPpKey("code", "486"), SIPpKey("reason", "Busy Here"))
	b := StartBaresip(t)
	ctx := testContext(t, 15*time.Second)
	if err := b.Dial(uas.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	ev, err := b.WaitEvent(ctx, "CALL_CLOSED")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Param != "486 Busy Here" {
		t.Errorf("baresip closed the call with %q, want 486 Busy Here", ev.Param)
	}
	waitOK(t, 10*time.Second, uas)
	wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK")
}

// TestSIPpCancel: uac_cancel.xml and uas_ring_no_answer.xml against each
// other, over UDP and TCP: the two halves of "the caller cancels" agree,
// each checking the other's CANCEL, 487 and ACK.
func TestSIPpCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []SIPpOption
	}{{"udp", nil}, {"tcp", []SIPpOption{SIPpTCP()}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uas := RunSIPp(t, "uas_ring_no_answer.xml", append([]SIPpOption{SIPpUAS()}, tc.opts...)...)
			uac := RunSIPp(t, "uac_cancel.xml", append([]SIPpOption{SIPpRemote(uas.Addr()), SIPpService("sipp"),
				SIPpPause(200 * time.Millisecond)}, tc.opts...)...)
			waitOK(t, 15*time.Second, uac, uas)
			if code, reason := uac.FinalStatus(); code != 487 || reason != "Request Terminated" {
				t.Errorf("caller saw %d %q, want 487 Request Terminated", code, reason)
			}
			if got := uas.Logged("CANCELLED"); len(got) != 1 {
				t.Errorf("uas logged CANCELLED %d times, want once", len(got))
			}
			wantSequence(t, "callee received", uas.Received(), "INVITE", "CANCEL", "ACK")
			wantSequence(t, "caller received", uac.Received(), "100 INVITE", "180 INVITE", "200 CANCEL", "487 INVITE")
		})
	}
}

// TestSIPpRingNoAnswerBaresip: baresip cancels its ringing call to
// uas_ring_no_answer.xml, whose checks accept libre's CANCEL and ACK.
func TestSIPpRingNoAnswerBaresip(t *testing.T) {
	t.Parallel()
	uas := RunSIPp(t, "uas_ring_no_answer.xml", SIPpUAS())
	b := StartBaresip(t)
	ctx := testContext(t, 15*time.Second)
	if err := b.Dial(uas.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitEvent(ctx, "CALL_RINGING"); err != nil {
		t.Fatal(err)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 10*time.Second, uas)
	if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	wantSequence(t, "uas received", uas.Received(), "INVITE", "CANCEL", "ACK")
}

// TestSIPpEarlyMediaBaresip: baresip dials uas_early_media.xml, reports
// progress on the 183 with SDP, is answered later and hangs up.
func TestSIPpEarlyMediaBaresip(t *testing.T) {
	t.Parallel()
	const early = 300 * time.Millisecond
	uas := RunSIPp(t, "uas_early_media.xml", SIPpUAS(), SIPpPause(early))
	b := StartBaresip(t)
	ctx := testContext(t, 15*time.Second)
	if err := b.Dial(uas.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	progress, err := b.WaitEvent(ctx, "CALL_PROGRESS")
	if err != nil {
		t.Fatal(err)
	}
	established, err := b.WaitEvent(ctx, "CALL_ESTABLISHED")
	if err != nil {
		t.Fatal(err)
	}
	if d := established.At.Sub(progress.At); d < early*3/4 {
		t.Errorf("answered %v after the early media began, want about %v", d, early)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 10*time.Second, uas)
	wantSequence(t, "uas sent", uas.Sent(), "100 INVITE", "183 INVITE", "200 INVITE", "200 BYE")
	wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK", "BYE")
	sent := uas.Sent()
	if sent[1].Body == "" || sent[1].Body != sent[2].Body {
		t.Errorf("the 183 and the 200 must carry the same SDP answer:\n%s\n---\n%s", sent[1].Body, sent[2].Body)
	}
}

// TestSIPpRedirectBaresip: baresip dials uas_redirect.xml and follows the
// 302 to a second SIPp (uas_answer.xml) as RFC 3261 8.1.3.4 says.
func TestSIPpRedirectBaresip(t *testing.T) {
	t.Parallel()
	target := RunSIPp(t, "uas_answer.xml", SIPpUAS())
	redirect := RunSIPp(t, "uas_redirect.xml", SIPpUAS(), SIPpKey("redirect_target", target.URI("target")))
	b := StartBaresip(t)
	ctx := testContext(t, 15*time.Second)
	if err := b.Dial(redirect.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 10*time.Second, redirect, target)
	if got := redirect.Logged("REDIRECTED"); !slices.Equal(got, []string{target.URI("target")}) {
		t.Errorf("logged REDIRECTED %q", got)
	}
	wantSequence(t, "redirect received", redirect.Received(), "INVITE", "ACK")
	wantSequence(t, "target received", target.Received(), "INVITE", "ACK", "BYE")
	first, second := redirect.Received()[0], target.Received()[0]
	n1, _ := first.CSeq()
	n2, _ := second.CSeq()
	if second.StartLine != "INVITE "+target.URI("target")+" SIP/2.0" ||
		second.Header("Call-ID") != first.Header("Call-ID") || second.Header("From") != first.Header("From") || n2 <= n1 {
		t.Errorf("the redirected INVITE is not the first one retargeted:\n%s\n---\n%s", first.Raw, second.Raw)
	}
}

// TestSIPpHoldReinvite: uas_hold_reinvite.xml holds and resumes a call
// baresip made; the stand-in phone answering the hold with a=inactive
// passes, answering it with a=sendrecv fails.
func TestSIPpHoldReinvite(t *testing.T) {
	t.Parallel()
	t.Run("baresip", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_hold_reinvite.xml", SIPpUAS(), SIPpPause(200*time.Millisecond))
		b := StartBaresip(t)
		if err := b.Dial(uas.URI("sipp")); err != nil {
			t.Fatal(err)
		}
		waitOK(t, 15*time.Second, uas)
		if _, err := b.WaitEvent(testContext(t, 10*time.Second), "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
		if got, want := uas.Logs(), "HOLD-ANSWER a=recvonly\nRESUMED\nBYE-ANSWERED\n"; got != want {
			t.Errorf("logged %q, want %q", got, want)
		}
		wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK", "200 INVITE", "200 INVITE", "200 BYE")
	})
	t.Run("inactive", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_hold_reinvite.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		phone := RunSIPp(t, phoneScenario("answer_reinvites.xml"), SIPpRemote(uas.Addr()), SIPpService("sipp"),
			SIPpKey("hold_answer", "inactive"))
		waitOK(t, 15*time.Second, phone, uas)
		if got := uas.Logged("HOLD-ANSWER"); !slices.Equal(got, []string{"a=inactive"}) {
			t.Errorf("logged HOLD-ANSWER %q", got)
		}
	})
	t.Run("sendrecv is wrong", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_hold_reinvite.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		phone := RunSIPp(t, phoneScenario("answer_reinvites.xml"), SIPpRemote(uas.Addr()), SIPpService("sipp"),
			SIPpKey("hold_answer", "sendrecv"))
		wantCheckFailed(t, uas, "neither a=recvonly nor a=inactive")
		phone.Stop()
	})
}

// TestSIPpReferBaresip: uas_refer.xml transfers a call baresip made to a
// second SIPp; baresip accepts, calls the target, reports progress by
// NOTIFY and takes the transferor's BYE.
func TestSIPpReferBaresip(t *testing.T) {
	t.Parallel()
	target := RunSIPp(t, "uas_answer.xml", SIPpUAS())
	refer := RunSIPp(t, "uas_refer.xml", SIPpUAS(), SIPpKey("refer_target", target.URI("target")),
		SIPpPause(200*time.Millisecond))
	b := StartBaresip(t)
	ctx := testContext(t, 15*time.Second)
	if err := b.Dial(refer.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 15*time.Second, refer)
	want := []string{"SIP/2.0 100 Trying", "SIP/2.0 200 OK"}
	if got := refer.Logged("REFER-NOTIFY"); !slices.Equal(got, want) {
		t.Errorf("NOTIFY sipfrags %q, want %q", got, want)
	}
	if len(refer.Logged("TRANSFERRED")) != 1 {
		t.Error("uas_refer.xml did not log TRANSFERRED")
	}
	wantSequence(t, "transferor received", refer.Received(), "INVITE", "ACK", "202 REFER", "NOTIFY", "NOTIFY", "200 BYE")
	for _, typ := range []string{"TRANSFER", "CALL_ESTABLISHED", "CALL_ESTABLISHED", "CALL_CLOSED"} {
		if _, err := b.WaitEvent(ctx, typ); err != nil {
			t.Fatal(err)
		}
	}
	// The transferred call: baresip and the target, until baresip hangs up.
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitOK(t, 10*time.Second, target)
	if inv := target.Received()[0]; inv.StartLine != "INVITE "+target.URI("target")+" SIP/2.0" {
		t.Errorf("the transfer target got %q", inv.StartLine)
	}
}

// TestSIPpInfoDTMF: uas_info_dtmf.xml against the stand-in phone, which
// checks both digits and sends one back; and against baresip, which takes
// application/dtmf-relay but, in version 1.0, not application/dtmf.
func TestSIPpInfoDTMF(t *testing.T) {
	t.Parallel()
	t.Run("stand-in", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_info_dtmf.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		phone := RunSIPp(t, phoneScenario("info_dtmf.xml"), SIPpRemote(uas.Addr()), SIPpService("sipp"))
		waitOK(t, 15*time.Second, phone, uas)
		if got, want := uas.Logged("INFO-DTMF"), []string{"application/dtmf-relay Signal=9"}; !slices.Equal(got, want) {
			t.Errorf("logged INFO-DTMF %q, want %q", got, want)
		}
		wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK", "200 INFO", "200 INFO", "INFO", "200 BYE")
	})
	t.Run("baresip", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_info_dtmf.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		b := StartBaresip(t)
		if err := b.Dial(uas.URI("sipp")); err != nil {
			t.Fatal(err)
		}
		ev, err := b.WaitEvent(testContext(t, 10*time.Second), "CALL_DTMF_START")
		if err != nil {
			t.Fatal(err)
		}
		if ev.Param != "5" {
			t.Errorf("baresip heard DTMF %q, want 5", ev.Param)
		}
		// baresip 1.0 answers application/dtmf 488, which ends the scenario.
		err = uas.Wait(testContext(t, 10*time.Second))
		var se *SIPpError
		if !errors.As(err, &se) || se.ExitCode != 1 {
			t.Fatalf("want uas_info_dtmf.xml to fail on baresip's 488, got %v", err)
		}
		wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK", "200 INFO", "488 INFO")
	})
}

// TestSIPpGlare: baresip puts a call to uas_glare_491.xml on hold, gets
// 491 and retries within the owner's 2.1-4 s; the stand-in phone retrying
// after 300 ms fails the scenario.
func TestSIPpGlare(t *testing.T) {
	t.Parallel()
	t.Run("baresip", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_glare_491.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		b := StartBaresip(t)
		ctx := testContext(t, 15*time.Second)
		if err := b.Dial(uas.URI("sipp")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Command(ctx, "hold", ""); err != nil {
			t.Fatal(err)
		}
		waitOK(t, 10*time.Second, uas)
		delay := uas.Logged("GLARE-RETRY-MS")
		if len(delay) != 1 || len(uas.Logged("HELD")) != 1 {
			t.Errorf("logged %q", uas.Logs())
		}
		t.Logf("baresip retried the re-INVITE after %s ms", delay)
		wantSequence(t, "uas received", uas.Received(), "INVITE", "ACK", "INVITE", "ACK", "INVITE", "ACK", "200 BYE")
	})
	t.Run("too early", func(t *testing.T) {
		t.Parallel()
		uas := RunSIPp(t, "uas_glare_491.xml", SIPpUAS(), SIPpPause(100*time.Millisecond))
		phone := RunSIPp(t, phoneScenario("glare_retry.xml"), SIPpRemote(uas.Addr()), SIPpService("sipp"),
			SIPpPause(300*time.Millisecond))
		wantCheckFailed(t, uas, "want 2100-4500 ms")
		phone.Stop()
	})
}
