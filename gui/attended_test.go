package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
)

// consultThroughWindow dials 1002, waits for the call, taps Consult, types
// target in the dialog and waits for the consultation call to be up. It
// returns the original call's panel and the consultation's.
func consultThroughWindow(t *testing.T, w *testWindow, target string) (orig, cons *callPanel) {
	t.Helper()
	test.Type(w.dialpad.entry, "1002")
	w.dialpad.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.waitUI(t, "a call panel", func() bool { return w.calls.count() == 1 })
	orig = w.onlyPanel(t)
	w.waitState(t, orig, phone.CallStateEstablished)
	assertShows(t, w, "Consult")

	test.Tap(orig.consult)
	dlg := orig.transferDlg
	if dlg == nil {
		t.Fatal("Consult did not ask for a number")
	}
	assertShows(t, w, "Consult before transferring")
	test.Type(dlg.entry, target)
	test.Tap(dlg.ok)
	w.waitUI(t, "the consultation call", func() bool { return w.calls.count() == 2 })
	cons = w.calls.panels[w.calls.order[1]]
	w.waitUI(t, "the consultation up and the first call held", func() bool {
		return cons.info.State == phone.CallStateEstablished && orig.info.LocalHold &&
			orig.info.ConsultCall == cons.info.ID && cons.info.ConsultFor == orig.info.ID
	})
	if !orig.consult.Disabled() || !orig.transfer.Disabled() {
		t.Error("a second transfer should not start while one is under way")
	}
	w.calls.selectCall(orig.info.ID)
	w.q.drain()
	if !orig.consultRow.Visible() {
		t.Fatalf("the original call's panel offers no Complete/Cancel; it shows:\n%s", visibleText(w))
	}
	assertShows(t, w, "Complete transfer")
	assertShows(t, w, "Cancel transfer")
	return orig, cons
}

// TestAttendedTransferThroughWindow: a call to SIPp (1002, the transferee)
// is consulted with 1004 (SIPp answering) from the window; Complete transfer
// on the first call's panel sends the REFER with Replaces, and both calls
// end as transferred.
func TestAttendedTransferThroughWindow(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	bob := testbed.RunSIPp(t, "uas_transferee_attended.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1002", bob.Addr())
	carol := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1004", carol.Addr())

	orig, _ := consultThroughWindow(t, w, "1004")
	test.Tap(orig.complete)
	w.waitUI(t, "both calls to end as transferred", func() bool { return w.calls.count() == 0 })
	assertShows(t, w, "Call transferred")
	if err := bob.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp transferee: %v", err)
	}
	if err := carol.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp consulted: %v", err)
	}
	if got := bob.Logged("REFER-TO"); len(got) != 1 {
		t.Errorf("the transferee got Refer-To %v, want one", got)
	}
}

// TestCancelAttendedTransferThroughWindow: Cancel transfer hangs the
// consultation (SIPp, 1004) up and resumes the call to baresip (1002).
func TestCancelAttendedTransferThroughWindow(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	testbed.StartBaresip(t, testbed.BaresipRegister(b.k, "1002"))
	carol := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1004", carol.Addr())

	orig, _ := consultThroughWindow(t, w, "1004")
	test.Tap(orig.cancelXfer)
	w.waitUI(t, "the consultation to end and the call to resume", func() bool {
		return w.calls.count() == 1 && !orig.info.LocalHold && orig.info.State == phone.CallStateEstablished && !orig.consulting()
	})
	if orig.consultRow.Visible() || orig.consult.Disabled() {
		t.Error("after Cancel transfer the panel should offer Consult again, not Complete/Cancel")
	}
	if err := carol.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp consulted: %v", err)
	}
	test.Tap(orig.hangup)
	w.waitUI(t, "the call to end", func() bool { return w.calls.count() == 0 })
}
