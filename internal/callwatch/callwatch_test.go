package callwatch_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/internal/callwatch"
	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
	"github.com/ringdesk/ringdesk/store/history"
)

func TestMain(m *testing.M) {
	sip.SetTimers(100*time.Millisecond, time.Second, time.Second)
	os.Exit(m.Run())
}

// webhookCRM is a CRM on loopback that records the webhook's events.
type webhookCRM struct {
	mu     sync.Mutex
	events []string
	signed bool
}

func (c *webhookCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var e struct{ Type string }
	_ = json.Unmarshal(body, &e)
	c.mu.Lock()
	c.events = append(c.events, e.Type)
	c.signed = r.Header.Get(crm.HeaderSignature) != ""
	c.mu.Unlock()
}

// got returns the event types received so far and whether the last POST
// was signed.
func (c *webhookCRM) got() ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events), c.signed
}

// TestIncomingCallIsRecordedLookedUpPoppedAndPosted: a call from a number
// in the contacts file is written to the history with the caller card,
// announced as CALLER_INFO after INCOMING_CALL, pops the CRM's page as it
// rings, and reaches the webhook as API-shaped events, in order.
func TestIncomingCallIsRecordedLookedUpPoppedAndPosted(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioNoAuth())
	dir := t.TempDir()
	contacts := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(contacts, []byte("name,number,company\nTran Thi Binh,0912345678,Binh Minh JSC\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hook := &webhookCRM{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	var popped []string
	var popMu sync.Mutex
	opener := func(_ context.Context, url string) error {
		popMu.Lock()
		defer popMu.Unlock()
		popped = append(popped, url)
		return nil
	}
	secret := func(key, env string) (string, string, error) { return "webhook-signing-key", "test", nil }
	service, err := crm.New(store.CRM{Region: "VN", PopURL: "https://crm.example/search?phone={e164}", PopOn: "ring",
		Providers: []store.CRMProvider{{Type: "csv", Path: contacts}},
		Webhook:   store.CRMWebhook{URL: srv.URL}}, secret, crm.WithOpener(opener))
	if err != nil {
		t.Fatal(err)
	}
	h, err := history.Open(context.Background(), filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	p := phone.New()
	sub := p.Subscribe()
	w := callwatch.Start(callwatch.Options{Phone: p, History: h, CRM: service, Region: "VN",
		EncodeEvent: func(e phone.Event) any { return api.EventFrom(e) }})
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
		w.Close()
		_ = service.Close(ctx)
		h.Close()
	}()
	if _, err := p.AddAccount(phone.AccountConfig{ID: "main", Username: "1001", Domain: k.Domain(), Server: k.UDPAddr(),
		Transport: "udp", Register: true, Codecs: []string{"pcmu"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := k.WaitRegistered(ctx, "1001", true); err != nil {
		t.Fatal(err)
	}

	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(k), testbed.SIPpUser("0912345678"), testbed.SIPpService("1001"))
	var types []string
	var callID string
	for {
		var e phone.Event
		select {
		case e = <-sub.C:
		case <-ctx.Done():
			t.Fatalf("events so far: %v", types)
		}
		types = append(types, string(e.Type))
		if e.Type == phone.EventIncomingCall {
			callID = e.Call.ID
			go func() { _ = mustCall(t, p, callID).Answer(ctx) }()
		}
		if e.Type == phone.EventCallerInfo {
			if !e.CallerInfo.Found || e.CallerInfo.Name != "Tran Thi Binh" || e.CallerInfo.Company != "Binh Minh JSC" {
				t.Errorf("CALLER_INFO %+v", e.CallerInfo)
			}
		}
		if e.Type == phone.EventCallEnd {
			break
		}
	}
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("SIPp: %v\n%s", err, sp.Logs())
	}
	if i, j := slices.Index(types, "INCOMING_CALL"), slices.Index(types, "CALLER_INFO"); i < 0 || j < i {
		t.Errorf("CALLER_INFO does not follow INCOMING_CALL: %v", types)
	}

	var row history.Call
	for ctx.Err() == nil {
		if row, err = h.Get(ctx, callID); err == nil && row.Status == history.StatusEnded {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if row.Status != history.StatusEnded || row.Number != "0912345678" || row.Contact == nil || row.Contact.Name != "Tran Thi Binh" || row.AnsweredAt.IsZero() {
		t.Errorf("history row %+v", row)
	}
	popMu.Lock()
	gotPops := slices.Clone(popped)
	popMu.Unlock()
	if len(gotPops) != 1 || gotPops[0] != "https://crm.example/search?phone=%2B84912345678" {
		t.Errorf("pops %q, want the CRM's search for +84912345678 once", gotPops)
	}
	for ctx.Err() == nil {
		if types, _ := hook.got(); slices.Contains(types, "CALL_END") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := []string{"INCOMING_CALL", "IN_CALL", "CALL_END"}
	got, signed := hook.got()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) || !signed {
		t.Errorf("webhook got %v (signed %v), want %v in order, signed", got, signed, want)
	}
}

func mustCall(t *testing.T, p *phone.Phone, id string) *phone.Call {
	c, err := p.Call(id)
	if err != nil {
		t.Error(err)
	}
	return c
}
