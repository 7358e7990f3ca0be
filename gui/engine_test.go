package gui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/internal/callwatch"
	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// engineBench is the window on a real engine registered as 1001 at Kamailio
// (without digest, so SIPp can register by hand), with the caller lookup
// answering from a CSV file that knows 1003.
type engineBench struct {
	k     *testbed.Kamailio
	phone *phone.Phone
	w     *testWindow
}

func newEngineBench(t *testing.T) *engineBench {
	t.Helper()
	contacts := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(contacts, []byte("name,number,company\nJane Black,1003,Acme Inc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return newEngineBenchCRM(t, store.CRM{Region: "VN", Providers: []store.CRMProvider{{Type: "csv", Path: contacts}}})
}

// newEngineBenchCRM is newEngineBench with the caller lookup of lookupCfg.
func newEngineBenchCRM(t *testing.T, lookupCfg store.CRM) *engineBench {
	t.Helper()
	return newEngineBenchOn(t, lookupCfg, nil)
}

// newEngineBenchOn is newEngineBenchCRM with the window on the app wrap
// makes of the test app.
func newEngineBenchOn(t *testing.T, lookupCfg store.CRM, wrap func(fyne.App) fyne.App) *engineBench {
	t.Helper()
	b := &engineBench{k: testbed.StartKamailio(t, testbed.KamailioNoAuth()), phone: phone.New()}
	lookup, err := crm.New(lookupCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	watcher := callwatch.Start(callwatch.Options{Phone: b.phone, CRM: lookup})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.phone.Close(ctx)
		watcher.Close()
		_ = lookup.Close(ctx)
	})
	if _, err := b.phone.AddAccount(phone.AccountConfig{ID: "main", DisplayName: "Agent", Username: "1001",
		Domain: b.k.Domain(), Server: b.k.UDPAddr(), Transport: "udp", Register: true, Codecs: []string{"pcmu"}}); err != nil {
		t.Fatal(err)
	}
	cfg := &store.Config{Accounts: []store.Account{{ID: "main", DisplayName: "Agent", Username: "1001",
		Domain: b.k.Domain(), Transport: "udp", Server: b.k.UDPAddr()}}}
	b.w = newTestWindowOn(t, wrap, Options{Config: cfg, Phone: b.phone})
	b.w.waitUI(t, "the chip to say Registered", func() bool { return b.w.chip.state == phone.RegRegistered })
	assertShows(t, b.w, "Registered")
	return b
}

// onlyPanel is the panel of the one current call.
func (w *testWindow) onlyPanel(t *testing.T) *callPanel {
	t.Helper()
	if len(w.calls.order) != 1 {
		t.Fatalf("%d calls on screen, want 1", len(w.calls.order))
	}
	return w.calls.panels[w.calls.order[0]]
}

// waitState waits until the call panel shows state.
func (w *testWindow) waitState(t *testing.T, p *callPanel, state phone.CallState) {
	t.Helper()
	w.waitUI(t, "the call to be "+state.String(), func() bool { return p.info.State == state })
}

// onlyPopup waits for the one incoming popup.
func (w *testWindow) onlyPopup(t *testing.T) *incomingPopup {
	t.Helper()
	var pop *incomingPopup
	w.waitUI(t, "the incoming popup", func() bool {
		for _, p := range w.popups {
			pop = p
		}
		return len(w.popups) == 1
	})
	return pop
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDialAndHangUpThroughEngine: typing 10 02 and Enter sends an INVITE to
// 1002 (SIPp, registered as 1002 at Kamailio), the panel shows the call
// connected with its timer, and Hang up ends it with a BYE.
func TestDialAndHangUpThroughEngine(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	sp := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1002", sp.Addr())

	test.Type(w.dialpad.entry, "10 02")
	w.dialpad.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.waitUI(t, "a call panel", func() bool { return w.calls.count() == 1 })
	p := w.onlyPanel(t)
	if w.dialpad.root.Visible() || !w.calls.root.Visible() {
		t.Error("the call panel should take the dialpad's place")
	}
	w.waitState(t, p, phone.CallStateEstablished)
	assertShows(t, w, "Connected · 0:0")
	if m := w.Window().Canvas().Content().MinSize(); m.Width > defaultWidth || m.Height > defaultHeight {
		t.Errorf("the call screen needs %v, more than the window's %vx%v", m, defaultWidth, defaultHeight)
	}
	test.Tap(p.keypadBtn)
	if m := w.Window().Canvas().Content().MinSize(); m.Width > defaultWidth || m.Height > defaultHeight {
		t.Errorf("the call screen with its keypad needs %v, more than the window's %vx%v", m, defaultWidth, defaultHeight)
	}
	test.Tap(p.keypadBtn)
	assertShows(t, w, "1002")
	if !p.hangup.Visible() || !p.controls.Visible() || p.ringRow.Visible() {
		t.Error("an established call shows hang up, mute and hold, and no answer button")
	}

	var invite *testbed.SIPMessage
	for _, m := range sp.Received() {
		if m.Method() == "INVITE" {
			invite = m
			break
		}
	}
	if invite == nil || !strings.HasPrefix(invite.StartLine, "INVITE sip:1002@") {
		t.Fatalf("SIPp did not receive an INVITE to 1002: %v", invite)
	}

	test.Tap(p.hangup)
	w.waitUI(t, "the call to end", func() bool { return w.calls.count() == 0 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if !w.dialpad.root.Visible() {
		t.Error("the dialpad should be back once the call ended")
	}
	assertShows(t, w, "Call with 1002 ended after")
}

// TestIncomingPopupAnswerAndDecline: a call from 1003 pops up at once with
// the number, then the caller card from the CSV contacts; Answer takes it
// (IN_CALL) and closes the popup; SIPp's BYE ends it. A second call is
// declined from its popup, and SIPp receives declineCode.
func TestIncomingPopupAnswerAndDecline(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	sub := b.phone.Subscribe()
	defer sub.Close()

	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"),
		testbed.SIPpService("1001"), testbed.SIPpPause(time.Second))
	pop := w.onlyPopup(t)
	assertShows(t, pop, "1003")
	if !pop.answer.Visible() || pop.answer.Disabled() || pop.decline.Disabled() {
		t.Error("Answer and Decline should be ready at once")
	}
	if !pop.win.FixedSize() {
		t.Error("the popup should have a fixed size")
	}
	if m := pop.win.Content().MinSize(); m.Width > popupWidth || m.Height > popupHeight {
		t.Errorf("the popup needs %v, more than its %vx%v", m, popupWidth, popupHeight)
	}
	w.waitUI(t, "the caller card", func() bool { return pop.card.Visible() })
	assertShows(t, pop, "Jane Black · Acme Inc")
	// The panel's name line takes the contact's name; the card line adds
	// the company.
	w.waitUI(t, "the caller card on the panel", func() bool { return w.onlyPanel(t).cardLine.Visible() })
	assertShows(t, w, "Jane Black")
	assertShows(t, w, "Acme Inc")

	test.Tap(pop.answer)
	p := w.onlyPanel(t)
	w.waitState(t, p, phone.CallStateEstablished)
	w.waitUI(t, "the popup to close", func() bool { return len(w.popups) == 0 && pop.closed })
	waitEvent(t, sub, phone.EventInCall, p.info.ID)
	w.waitUI(t, "the caller to hang up", func() bool { return w.calls.count() == 0 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}

	rej := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1004"), testbed.SIPpService("1001"))
	pop = w.onlyPopup(t)
	assertShows(t, pop, "1004")
	test.Tap(pop.decline)
	w.waitUI(t, "the declined call to go", func() bool { return len(w.popups) == 0 && w.calls.count() == 0 })
	if err := rej.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if code, _ := rej.FinalStatus(); code != declineCode {
		t.Errorf("SIPp got %d, want %d", code, declineCode)
	}
}

// TestCallerHangsUpWhileRinging: the popup goes when the caller gives up.
func TestCallerHangsUpWhileRinging(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	sp := testbed.RunSIPp(t, "uac_cancel.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"), testbed.SIPpService("1001"))
	// On a loaded machine the CANCEL can arrive before the test looks:
	// the popup then opened and closed within one turn of the UI queue.
	var pop *incomingPopup
	w.waitUI(t, "the popup, or the call's end", func() bool {
		for _, p := range w.popups {
			pop = p
		}
		return pop != nil || strings.Contains(visibleText(w), "The caller hung up")
	})
	w.waitUI(t, "the popup to close", func() bool { return (pop == nil || pop.closed) && w.calls.count() == 0 })
	if len(w.popups) != 0 {
		t.Error("a popup stayed after the caller hung up")
	}
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}

// TestHoldMuteKeypadAndCallWaiting: on a call to baresip (1002), mute, hold,
// resume and a DTMF digit change the call's state; a second call from SIPp
// answered meanwhile puts the first on hold and lists both.
func TestHoldMuteKeypadAndCallWaiting(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	testbed.StartBaresip(t, testbed.BaresipRegister(b.k, "1002"))

	test.Type(w.dialpad.entry, "1002")
	test.Tap(w.dialpad.call)
	w.waitUI(t, "a call panel", func() bool { return w.calls.count() == 1 })
	p := w.onlyPanel(t)
	w.waitState(t, p, phone.CallStateEstablished)

	test.Tap(p.mute)
	w.waitUI(t, "muted", func() bool { return p.info.Muted && p.mute.Text == "Unmute (Ctrl+M)" })
	test.Tap(p.mute)
	w.waitUI(t, "unmuted", func() bool { return !p.info.Muted && p.mute.Text == "Mute (Ctrl+M)" })

	test.Tap(p.hold)
	w.waitUI(t, "on hold", func() bool { return p.info.LocalHold && p.hold.Text == "Resume (Ctrl+H)" })
	assertShows(t, w, "On hold")
	test.Tap(p.hold)
	w.waitUI(t, "resumed", func() bool { return !p.info.LocalHold && p.hold.Text == "Hold (Ctrl+H)" })

	test.Tap(p.keypadBtn)
	if !p.keypad.Visible() {
		t.Fatal("the keypad did not open")
	}
	test.Tap(p.keys["5"])
	w.settle()
	assertShows(t, w, "Sent: 5")
	assertNotShows(t, w, "That did not work")

	// Call waiting: a call from 1003 while 1002 is up.
	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"),
		testbed.SIPpService("1001"), testbed.SIPpPause(3*time.Second))
	pop := w.onlyPopup(t)
	if w.calls.count() != 2 || len(w.calls.switcher.Objects) == 0 {
		t.Fatal("a waiting call should be listed beside the first")
	}
	test.Tap(pop.answer)
	w.waitUI(t, "the first call held and the second up", func() bool {
		second := w.calls.panels[w.calls.order[1]]
		return p.info.LocalHold && second.info.State == phone.CallStateEstablished && w.calls.selected == second.info.ID
	})
	assertShows(t, w, "Jane Black · Connected")
	w.calls.selectCall(p.info.ID)
	w.q.drain()
	if w.calls.selected != p.info.ID {
		t.Error("the switcher did not select the first call")
	}
	w.waitUI(t, "the second call to end", func() bool { return w.calls.count() == 1 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	test.Tap(p.hangup)
	w.waitUI(t, "the first call to end", func() bool { return w.calls.count() == 0 })
}

// TestChipShowsFailureAndRetries: a registration failure shows its reason
// and SIP code; a click on the chip registers again.
func TestChipShowsFailureAndRetries(t *testing.T) {
	b := newEngineBench(t)
	w := b.w
	w.applyEvent(phone.Event{Type: phone.EventRegisterFailed, Account: "main",
		Cause: &phone.Cause{Code: 401, Reason: "Unauthorized", Message: "Wrong username or password"}})
	assertShows(t, w, "Registration failed")
	assertShows(t, w, "Wrong username or password (SIP 401 Unauthorized). Click to try again.")
	if !w.chip.retry.Visible() {
		t.Error("no retry button after a failure")
	}
	test.Tap(w.chip.root)
	assertShows(t, w, "Registering…")
	w.waitUI(t, "registered again", func() bool { return w.chip.state == phone.RegRegistered })
	assertNotShows(t, w, "Registration failed")
}

// waitEvent waits for an event of typ for the call on sub.
func waitEvent(t *testing.T, sub *phone.Subscription, typ phone.EventType, call string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatalf("subscription closed before %s", typ)
			}
			if ev.Type == typ && ev.Call != nil && ev.Call.ID == call {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}
