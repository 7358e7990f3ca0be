package gui

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// slowCRM is an HTTP CRM on 127.0.0.1 that answers every lookup after
// 5 s; served counts the answers it gave (a lookup abandoned by the client
// is not one).
type slowCRM struct {
	srv    *httptest.Server
	asked  atomic.Int32
	served atomic.Int32
}

func startSlowCRM(t *testing.T) *slowCRM {
	t.Helper()
	c := &slowCRM{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.asked.Add(1)
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"name":"Sam Slow","company":"Late Ltd"}`)
		c.served.Add(1)
	}))
	c.srv.Listener.Close()
	c.srv.Listener = l
	c.srv.Start()
	t.Cleanup(c.srv.Close)
	return c
}

// provider is the CRM as an http caller-lookup provider; timeout is
// crm.timeout (empty: the default 1.5 s).
func (c *slowCRM) config(timeout string) store.CRM {
	return store.CRM{Region: "VN", Timeout: timeout, CacheTTL: "0s", Providers: []store.CRMProvider{{
		Type: "http", ID: "slowcrm", URL: c.srv.URL + "/lookup?phone={number}",
		Name: "name", Company: "company", Timeout: timeout,
	}}}
}

// TestSlowCRMDoesNotDelayPopup: with a CRM that takes 5 s (and a lookup
// timeout long enough to wait for it), the popup shows the number with
// Answer and Decline ready while the CRM has not answered yet; Answer works
// then, and the caller card reaches the call panel when the CRM answers.
func TestSlowCRMDoesNotDelayPopup(t *testing.T) {
	c := startSlowCRM(t)
	b := newEngineBenchCRM(t, c.config("10s"))
	w := b.w
	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1005"),
		testbed.SIPpService("1001"), testbed.SIPpPause(10*time.Second))
	pop := w.onlyPopup(t)
	// The lookup is under way and unanswered, yet the popup is complete.
	if c.served.Load() != 0 {
		t.Fatal("the CRM answered before the popup was checked: the test proves nothing")
	}
	assertShows(t, pop, "1005")
	if !pop.answer.Visible() || pop.answer.Disabled() || pop.decline.Disabled() {
		t.Error("Answer and Decline should be ready while the CRM is still looking")
	}
	if pop.card.Visible() || pop.detail.Visible() {
		t.Errorf("the popup shows a card before the CRM answered:\n%s", visibleText(pop))
	}
	// Answer before the card arrives.
	test.Tap(pop.answer)
	if c.served.Load() != 0 {
		t.Fatal("the CRM answered before Answer was tapped: the test proves nothing")
	}
	p := w.onlyPanel(t)
	w.waitState(t, p, phone.CallStateEstablished)
	w.waitUI(t, "the popup to close", func() bool { return pop.closed })
	// The card follows when the CRM answers.
	w.waitUI(t, "the caller card from the slow CRM", func() bool { return p.cardLine.Visible() && p.card != nil })
	if c.served.Load() != 1 {
		t.Errorf("the CRM served %d lookups, want 1", c.served.Load())
	}
	assertShows(t, w, "Sam Slow")
	assertShows(t, w, "Late Ltd")
	w.waitUI(t, "the caller to hang up", func() bool { return w.calls.count() == 0 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}

// TestSlowCRMTimesOut: at the default lookup timeout (1.5 s) the 5 s CRM is
// given up, and the popup says so instead of a card; the call still rings and
// Decline works.
func TestSlowCRMTimesOut(t *testing.T) {
	c := startSlowCRM(t)
	b := newEngineBenchCRM(t, c.config(""))
	w := b.w
	sp := testbed.RunSIPp(t, "uac_call_rejected.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1006"),
		testbed.SIPpService("1001"))
	pop := w.onlyPopup(t)
	if c.served.Load() != 0 {
		t.Fatal("the CRM answered before the popup was checked")
	}
	if pop.answer.Disabled() || pop.decline.Disabled() {
		t.Error("Answer and Decline should be ready while the CRM is still looking")
	}
	w.waitUI(t, "the lookup's failure on the popup", func() bool { return pop.detail.Visible() })
	got := pop.detail.Text
	if !strings.HasPrefix(got, "Caller lookup failed: ") || !strings.Contains(got, "1.5s") {
		t.Errorf("the popup says %q, want the lookup's failure and its timeout", got)
	}
	t.Logf("the popup says: %s", got)
	if pop.card.Visible() || c.served.Load() != 0 {
		t.Error("no card should show: the CRM was given up")
	}
	if pop.answer.Disabled() || pop.decline.Disabled() {
		t.Error("a failed lookup must leave the buttons alone")
	}
	test.Tap(pop.decline)
	w.waitUI(t, "the declined call to go", func() bool { return len(w.popups) == 0 && w.calls.count() == 0 })
	if err := sp.Wait(waitCtx(t)); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}
