package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
)

// wantInOrder fails unless want appears in got in that order (other events
// may come between).
func wantInOrder(t *testing.T, got []string, want ...string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("events %v lack %v in that order", got, want)
	}
}

// TestOutgoingCallThroughAPI: a call placed through the API to baresip
// (registered as 1002 at Kamailio) goes through every command, and the
// event stream tells each step; a client connecting mid-call learns the
// call from its snapshot.
func TestOutgoingCallThroughAPI(t *testing.T) {
	b := newBench(t, true)
	far := testbed.StartBaresip(t, testbed.BaresipRegister(b.k, "1002"))
	s := b.openStream(t)
	first := s.waitType(t, "REGISTERED", "")
	if first.Account != "main" {
		t.Errorf("snapshot REGISTERED for %q", first.Account)
	}
	if got := s.all(); len(got) < 2 || got[0].Type != "PHONE_STATUS" || got[0].Status != "AVAILABLE" {
		t.Errorf("the stream did not start with PHONE_STATUS AVAILABLE: %+v", got)
	}

	a := b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002","account":"main","headers":{"X-Business-Id":"42"},"data":{"ticket":7}}`)
	if a.status != http.StatusCreated {
		t.Fatalf("POST /v1/calls: %d %s", a.status, a.body)
	}
	var placed struct{ ID, SIPCallID string }
	a.decode(t, &placed)
	if placed.ID == "" || placed.SIPCallID == "" {
		t.Fatalf("POST /v1/calls answered %s", a.body)
	}
	out := s.waitType(t, "OUTGOING_CALL", placed.ID)
	if out.Call.Direction != "outbound" || out.Call.Number != "1002" || out.Call.Headers["X-Business-Id"] != "42" || out.Call.Data["ticket"] != "7" || out.Call.SIPCallID != placed.SIPCallID {
		t.Errorf("OUTGOING_CALL %+v", out.Call)
	}
	s.waitType(t, "IN_CALL", placed.ID)

	if a := b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/answer", ""); a.status != http.StatusConflict || a.errCode() != api.CodeWrongState {
		t.Errorf("answering an outgoing call: %d %s, want 409", a.status, a.body)
	}
	var calls []api.Call
	b.do(t, http.MethodGet, "/v1/calls", "").decode(t, &calls)
	if len(calls) != 1 || calls[0].ID != placed.ID || calls[0].State != "established" {
		t.Errorf("GET /v1/calls: %+v", calls)
	}

	late := b.openStream(t)
	late.waitType(t, "IN_CALL", placed.ID)
	snap := late.all()
	if len(snap) < 3 || snap[0].Type != "PHONE_STATUS" || snap[0].Status != "BUSY" || snap[1].Type != "REGISTERED" || snap[2].Type != "IN_CALL" {
		t.Errorf("a late client's snapshot: %+v", snap)
	}

	for _, step := range []struct{ path, event string }{
		{"hold", "HOLD"}, {"unhold", "UNHOLD"}, {"mute", "MUTE"}, {"unmute", "UNMUTE"},
	} {
		a := b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/"+step.path, "")
		if a.status != http.StatusOK {
			t.Fatalf("POST %s: %d %s", step.path, a.status, a.body)
		}
		s.waitType(t, step.event, placed.ID)
	}
	if a := b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/dtmf", `{"digits":"12#"}`); a.status != http.StatusOK {
		t.Errorf("POST dtmf: %d %s", a.status, a.body)
	}
	var c api.Call
	a = b.do(t, http.MethodPut, "/v1/calls/"+placed.ID+"/data", `{"note":"vip","priority":2}`)
	a.decode(t, &c)
	if a.status != http.StatusOK || c.Data["note"] != "vip" || c.Data["priority"] != "2" || c.Data["ticket"] != "7" {
		t.Errorf("PUT data: %d %s", a.status, a.body)
	}
	if a := b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/hangup", ""); a.status != http.StatusOK {
		t.Fatalf("POST hangup: %d %s", a.status, a.body)
	}
	end := s.waitType(t, "CALL_END", placed.ID)
	if end.Cause == nil || end.Cause.By != "local" || end.Duration == nil || *end.Duration <= 0 || end.Call.Data["note"] != "vip" {
		t.Errorf("CALL_END %+v cause %+v", end, end.Cause)
	}
	wantInOrder(t, s.callTypes(placed.ID), "OUTGOING_CALL", "IN_CALL", "HOLD", "UNHOLD", "MUTE", "UNMUTE", "CALL_END")
	var page struct {
		Docs []struct {
			ID        string            `json:"id"`
			Number    string            `json:"number"`
			Status    string            `json:"status"`
			Direction string            `json:"direction"`
			Data      map[string]any    `json:"data"`
			Headers   map[string]string `json:"headers"`
		} `json:"docs"`
		TotalDocs int `json:"totalDocs"`
	}
	waitFor(t, "the call in the history", func() bool {
		b.do(t, http.MethodGet, "/v1/history?keyword=1002", "").decode(t, &page)
		return page.TotalDocs == 1 && page.Docs[0].Status == "ended"
	})
	if d := page.Docs[0]; d.ID != placed.ID || d.Direction != "outbound" || d.Data["note"] != "vip" || d.Headers["X-Business-Id"] != "42" {
		t.Errorf("history row %+v", d)
	}
	if a := b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/hold", ""); a.status != http.StatusNotFound {
		t.Errorf("hold after the end: %d, want 404", a.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := far.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Errorf("baresip did not see the call end: %v", err)
	}
}

// TestIncomingCallThroughAPI: a SIPp call to 1001 shows on the stream as
// INCOMING_CALL; the API answers it; SIPp's BYE ends it. A second call is
// refused through the API with 603, which SIPp receives.
func TestIncomingCallThroughAPI(t *testing.T) {
	b := newBench(t, true)
	s := b.openStream(t)
	s.waitType(t, "REGISTERED", "")

	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"), testbed.SIPpService("1001"), testbed.SIPpPause(time.Second))
	in := s.waitType(t, "INCOMING_CALL", "")
	if in.Call.Direction != "inbound" || in.Call.Number != "1003" || in.Call.State != "incoming" {
		t.Errorf("INCOMING_CALL %+v", in.Call)
	}
	if a := b.do(t, http.MethodPost, "/v1/calls/"+in.Call.ID+"/answer", `{"video":false}`); a.status != http.StatusOK {
		t.Fatalf("POST answer: %d %s", a.status, a.body)
	}
	s.waitType(t, "IN_CALL", in.Call.ID)
	end := s.waitType(t, "CALL_END", in.Call.ID)
	if end.Cause == nil || end.Cause.By != "remote" {
		t.Errorf("CALL_END cause %+v, want by remote", end.Cause)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("SIPp: %v\n%s", err, sp.Logs())
	}
	info := s.waitType(t, "CALLER_INFO", in.Call.ID)
	if info.Contact == nil || !info.Contact.Found || info.Contact.Name != "Jane Black" || info.Contact.Company != "Acme Inc" {
		t.Errorf("CALLER_INFO contact %+v", info.Contact)
	}
	var card struct {
		Found   bool                  `json:"found"`
		Contact struct{ Name string } `json:"contact"`
	}
	a := b.do(t, http.MethodGet, "/v1/contacts/lookup?number=1003", "")
	a.decode(t, &card)
	if a.status != http.StatusOK || !card.Found || card.Contact.Name != "Jane Black" {
		t.Errorf("GET /v1/contacts/lookup: %d %s", a.status, a.body)
	}

	rej := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1004"), testbed.SIPpService("1001"))
	var second api.Event
	waitFor(t, "the second INCOMING_CALL", func() bool {
		for _, e := range s.all() {
			if e.Type == "INCOMING_CALL" && e.Call.ID != in.Call.ID {
				second = e
				return true
			}
		}
		return false
	})
	if a := b.do(t, http.MethodPost, "/v1/calls/"+second.Call.ID+"/hangup", `{"code":603}`); a.status != http.StatusOK {
		t.Fatalf("POST hangup with 603: %d %s", a.status, a.body)
	}
	if err := rej.Wait(ctx); err != nil {
		t.Fatalf("SIPp: %v\n%s", err, rej.Logs())
	}
	if code, _ := rej.FinalStatus(); code != 603 {
		t.Errorf("SIPp got %d, want 603", code)
	}
}

// TestBadNumbersSendNoSIP: numbers that are empty, too long, lettered or
// carry SIP/URI injection are refused with 422, and neither Kamailio nor
// the far end (SIPp, registered as 1002) hears a thing; a good number
// then reaches SIPp, which shows the check is not blind.
func TestBadNumbersSendNoSIP(t *testing.T) {
	b := newBench(t, true)
	sp := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1002", sp.Addr())
	s := b.openStream(t)
	s.waitType(t, "REGISTERED", "")
	before := b.k.Count("INVITE")
	for _, to := range badNumbers {
		a := b.do(t, http.MethodPost, "/v1/calls", jsonBody(t, map[string]string{"to": to}))
		if a.status != http.StatusUnprocessableEntity {
			t.Errorf("to %q: %d %s, want 422", to, a.status, a.body)
		}
	}
	for _, body := range []string{
		`{"to":"1002","headers":{"X-Evil":"1\r\nContact: <sip:evil@203.0.113.1>"}}`,
		`{"to":"1002","headers":{"Contact":"<sip:evil@203.0.113.1>"}}`,
	} {
		if a := b.do(t, http.MethodPost, "/v1/calls", body); a.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", body, a.status, a.body)
		}
	}
	// A short wait would not prove silence; the good call below does: its
	// INVITE is the first thing SIPp receives.
	a := b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("good number: %d %s", a.status, a.body)
	}
	var placed struct{ ID string }
	a.decode(t, &placed)
	s.waitType(t, "IN_CALL", placed.ID)
	b.do(t, http.MethodPost, "/v1/calls/"+placed.ID+"/hangup", "")
	s.waitType(t, "CALL_END", placed.ID)
	if got := b.k.Count("INVITE") - before; got != 1 {
		t.Errorf("Kamailio saw %d INVITEs, want only the good one", got)
	}
	var invites []string
	for _, m := range sp.Received() {
		if m.IsRequest() && m.Method() == "INVITE" {
			invites = append(invites, m.StartLine)
		}
	}
	if len(invites) != 1 || !strings.Contains(invites[0], "sip:1002@") {
		t.Errorf("SIPp received INVITEs %q, want the good one only", invites)
	}
}

// TestDialRateLimit: past the configured calls per minute, POST /v1/calls
// answers 429 and places nothing.
func TestDialRateLimit(t *testing.T) {
	b := newBench(t, true, func(o *api.Options) { o.DialsPerMinute = 2 })
	sp := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS(), testbed.SIPpCalls(2))
	b.k.RegisterContact(t, "1002", sp.Addr())
	s := b.openStream(t)
	var ids []string
	for i := range 3 {
		a := b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002"}`)
		if i < 2 {
			if a.status != http.StatusCreated {
				t.Fatalf("call %d: %d %s", i+1, a.status, a.body)
			}
			var placed struct{ ID string }
			a.decode(t, &placed)
			ids = append(ids, placed.ID)
			continue
		}
		if a.status != http.StatusTooManyRequests || a.errCode() != api.CodeRateLimited {
			t.Errorf("call 3 within the minute: %d %s, want 429", a.status, a.body)
		}
	}
	for _, id := range ids {
		s.waitType(t, "IN_CALL", id)
		b.do(t, http.MethodPost, "/v1/calls/"+id+"/hangup", "")
		s.waitType(t, "CALL_END", id)
	}
	outgoing := 0
	for _, e := range s.all() {
		if e.Type == "OUTGOING_CALL" {
			outgoing++
		}
	}
	if outgoing != 2 || !slices.ContainsFunc(s.all(), func(e api.Event) bool { return e.Type == "CALL_END" }) {
		t.Errorf("%d calls placed, want 2", outgoing)
	}
}

// TestAttendedTransferThroughAPI: a call to 1002 (SIPp, the transferee)
// is transferred to 1003 (SIPp) after a consultation the API placed; the
// REFER that completes it carries the consultation's dialog in Replaces.
func TestAttendedTransferThroughAPI(t *testing.T) {
	b := newBench(t, true)
	bob := testbed.RunSIPp(t, "uas_transferee_attended.xml", testbed.SIPpUAS())
	carol := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1002", bob.Addr())
	b.k.RegisterContact(t, "1003", carol.Addr())
	s := b.openStream(t)
	a := b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002"}`)
	var orig struct{ ID string }
	a.decode(t, &orig)
	s.waitType(t, "IN_CALL", orig.ID)

	a = b.do(t, http.MethodPost, "/v1/calls/"+orig.ID+"/attended-transfer", `{"to":"1003"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("attended-transfer: %d %s", a.status, a.body)
	}
	var consult struct{ ID, SIPCallID string }
	a.decode(t, &consult)
	if consult.ID == "" || consult.ID == orig.ID {
		t.Fatalf("attended-transfer answered %s", a.body)
	}
	s.waitType(t, "HOLD", orig.ID)
	s.waitType(t, "IN_CALL", consult.ID)
	if a := b.do(t, http.MethodPost, "/v1/calls/"+orig.ID+"/complete-transfer", ""); a.status != http.StatusOK {
		t.Fatalf("complete-transfer: %d %s", a.status, a.body)
	}
	waitFor(t, "TRANSFER completed", func() bool {
		for _, e := range s.all() {
			if e.Type == "TRANSFER" && e.Call.ID == orig.ID && e.State == "completed" {
				return true
			}
		}
		return false
	})
	s.waitType(t, "CALL_END", orig.ID)
	s.waitType(t, "CALL_END", consult.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bob.Wait(ctx); err != nil {
		t.Fatalf("transferee: %v\n%s", err, bob.Logs())
	}
	referTo := bob.Logged("REFER-TO")
	if len(referTo) != 1 || !strings.Contains(referTo[0], "1003") || !strings.Contains(referTo[0], "Replaces="+strings.ReplaceAll(consult.SIPCallID, "@", "%40")) {
		t.Errorf("REFER-TO %q lacks 1003 or Replaces=%s", referTo, consult.SIPCallID)
	}
}

// TestDNDThroughAPI: with Do Not Disturb on, a call to 1001 is refused
// with 486, the stream says PHONE_STATUS DND, and the history lists the
// call as missed.
func TestDNDThroughAPI(t *testing.T) {
	b := newBench(t, true)
	s := b.openStream(t)
	if a := b.do(t, http.MethodPut, "/v1/dnd", `{"enabled":true}`); a.status != http.StatusOK {
		t.Fatalf("PUT /v1/dnd: %d %s", a.status, a.body)
	}
	waitFor(t, "PHONE_STATUS DND", func() bool {
		return slices.ContainsFunc(s.all(), func(e api.Event) bool { return e.Type == "PHONE_STATUS" && e.Status == "DND" })
	})
	sp := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1004"), testbed.SIPpService("1001"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("SIPp: %v\n%s", err, sp.Logs())
	}
	if code, _ := sp.FinalStatus(); code != 486 {
		t.Errorf("SIPp got %d, want 486", code)
	}
	var page struct {
		Docs []struct {
			Number string `json:"number"`
			Status string `json:"status"`
		} `json:"docs"`
	}
	waitFor(t, "the refused call in the history", func() bool {
		b.do(t, http.MethodGet, "/v1/history?missed=true", "").decode(t, &page)
		return len(page.Docs) == 1
	})
	if page.Docs[0].Number != "1004" || page.Docs[0].Status != "missed" {
		t.Errorf("history %+v", page.Docs)
	}
	for _, e := range s.all() {
		if e.Type == "INCOMING_CALL" {
			t.Errorf("a call rang through DND: %+v", e.Call)
		}
	}
}

// TestOpenAsksBeforeDialling: a link handed over by the system (POST
// /v1/open) is dialled only when ConfirmDial says yes, with the number and
// the link it came from; a sip: link's parameters are dropped.
func TestOpenAsksBeforeDialling(t *testing.T) {
	asked := make(chan api.ExternalDial, 2)
	answers := make(chan bool, 2)
	answers <- false
	answers <- true
	b := newBench(t, true, func(o *api.Options) {
		o.ConfirmDial = func(_ context.Context, d api.ExternalDial) bool {
			asked <- d
			return <-answers
		}
	})
	sp := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
	b.k.RegisterContact(t, "1002", sp.Addr())
	s := b.openStream(t)
	s.waitType(t, "REGISTERED", "")
	before := b.k.Count("INVITE")

	if a := b.do(t, http.MethodPost, "/v1/open", `{"uri":"tel:1002"}`); a.status != http.StatusAccepted {
		t.Fatalf("POST /v1/open: %d %s", a.status, a.body)
	}
	if d := <-asked; d.Number != "1002" || d.URI != "tel:1002" {
		t.Errorf("asked about %+v", d)
	}
	link := "sip:1002@" + b.k.Domain() + ";transport=tcp?Subject=x"
	if a := b.do(t, http.MethodPost, "/v1/open", jsonBody(t, map[string]string{"uri": link})); a.status != http.StatusAccepted {
		t.Fatalf("POST /v1/open: %d %s", a.status, a.body)
	}
	if d := <-asked; d.Number != "1002" || d.Account != "main" {
		t.Errorf("asked about %+v", d)
	}
	out := s.waitType(t, "OUTGOING_CALL", "")
	s.waitType(t, "IN_CALL", out.Call.ID)
	b.do(t, http.MethodPost, "/v1/calls/"+out.Call.ID+"/hangup", "")
	s.waitType(t, "CALL_END", out.Call.ID)
	outgoing := 0
	for _, e := range s.all() {
		if e.Type == "OUTGOING_CALL" {
			outgoing++
		}
	}
	if got := b.k.Count("INVITE") - before; outgoing != 1 || got != 1 {
		t.Errorf("%d calls placed and %d INVITEs after one no and one yes", outgoing, got)
	}
}

// TestHintsThroughAPI: PUT /v1/hints watches 1002 at a SIPp notifier
// (the account's server: the testbed's Kamailio has no presence server and
// does not route in-dialog NOTIFYs of SUBSCRIBE dialogs); the stream tells
// each change of its lamp as HINT, GET /v1/status lists it, and an empty
// list ends the subscription.
func TestHintsThroughAPI(t *testing.T) {
	b := newBench(t, false)
	sp := testbed.RunSIPp(t, "uas_blf_notifier.xml", testbed.SIPpUAS(), testbed.SIPpPause(100*time.Millisecond))
	if _, err := b.phone.AddAccount(phone.AccountConfig{ID: "direct", Username: "1001", Domain: "127.0.0.1", Server: sp.Addr(), Transport: "udp"}); err != nil {
		t.Fatal(err)
	}
	s := b.openStream(t)
	if a := b.do(t, http.MethodPut, "/v1/hints", `{"numbers":["10-02"]}`); a.status != http.StatusOK {
		t.Fatalf("PUT /v1/hints: %d %s", a.status, a.body)
	}
	var got []string
	waitFor(t, "four HINT events", func() bool {
		got = got[:0]
		for _, e := range s.all() {
			if e.Type == "HINT" {
				got = append(got, e.Number+" "+e.Status)
			}
		}
		return len(got) >= 4
	})
	if want := []string{"1002 idle", "1002 ringing", "1002 busy", "1002 idle"}; !slices.Equal(got, want) {
		t.Errorf("HINT events %q, want %q", got, want)
	}
	var st api.StatusAnswer
	b.do(t, http.MethodGet, "/v1/status", "").decode(t, &st)
	if len(st.Hints) != 1 || st.Hints[0] != (api.Hint{Number: "1002", Status: "idle"}) {
		t.Errorf("status hints %+v", st.Hints)
	}
	if a := b.do(t, http.MethodPut, "/v1/hints", `{"numbers":[]}`); a.status != http.StatusOK {
		t.Fatalf("PUT /v1/hints []: %d %s", a.status, a.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("notifier: %v\n%s", err, sp.Logs())
	}
	if exp := sp.Logged("UNSUBSCRIBE-EXPIRES"); len(exp) != 1 || strings.TrimSpace(exp[0]) != "0" {
		t.Errorf("unsubscribe %q, want Expires 0", exp)
	}
}
