package crm

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// event is a call event as API.md shows it.
type event struct {
	Type string `json:"type"`
	Seq  int    `json:"seq"`
	Call struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	} `json:"call"`
}

func newEvent(typ string, seq int) event {
	e := event{Type: typ, Seq: seq}
	e.Call.ID = fmt.Sprintf("c%d", seq)
	e.Call.Number = "0977805845"
	return e
}

// receiver is a CRM webhook endpoint that is down (503) for its first
// `down` attempts, and that checks every signature.
type receiver struct {
	t    *testing.T
	key  []byte
	mu   sync.Mutex
	down int
	// attempts counts every request; seen are the event ids accepted, in order.
	attempts int
	seen     []string
	seqs     []int
	badSigs  int
	dupes    int
	status   int // when not 0, the answer after the outage
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, rc.key)
	mac.Write(body)
	valid := hmac.Equal([]byte(r.Header.Get("X-Ringdesk-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	if !valid {
		rc.badSigs++
	}
	if rc.attempts <= rc.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if rc.status != 0 {
		w.WriteHeader(rc.status)
		return
	}
	id := r.Header.Get("X-Ringdesk-Event-Id")
	for _, s := range rc.seen {
		if s == id {
			rc.dupes++
		}
	}
	var e event
	if err := json.Unmarshal(body, &e); err != nil || r.Header.Get("X-Ringdesk-Event") != e.Type || r.Header.Get("Content-Type") != "application/json" {
		rc.t.Errorf("bad delivery: %s %v", body, r.Header)
	}
	rc.seen = append(rc.seen, id)
	rc.seqs = append(rc.seqs, e.Seq)
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) snapshot() (attempts int, seqs []int, badSigs, dupes int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.attempts, append([]int(nil), rc.seqs...), rc.badSigs, rc.dupes
}

var webhookKey = map[string]string{store.CRMSecretKey(store.WebhookSecretID): "whsec-test"}

// TestWebhookOutage: a CRM that is down for its first 12 attempts (about
// 2.5s of backoff here) then comes back gets every event once, in order,
// with valid signatures.
func TestWebhookOutage(t *testing.T) {
	rc := &receiver{t: t, key: []byte("whsec-test"), down: 12}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w, err := NewWebhook(store.CRMWebhook{URL: srv.URL + "/hooks/ringdesk?tenant=7"}, secrets(webhookKey),
		WithBackoff(20*time.Millisecond, 400*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	start := time.Now()
	for i := range n {
		// Send only queues (TestWebhookQueueDropsOldest shows it never
		// waits for the CRM); how long it takes is no test's business on
		// a loaded machine.
		if err := w.Send(newEvent("INCOMING_CALL", i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			time.Sleep(50 * time.Millisecond) // events keep coming during the outage
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 12*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	attempts, seqs, badSigs, dupes := rc.snapshot()
	if len(seqs) != n || dupes != 0 || badSigs != 0 {
		t.Fatalf("received %d events (%d duplicates, %d bad signatures) in %d attempts", len(seqs), dupes, badSigs, attempts)
	}
	for i, s := range seqs {
		if s != i {
			t.Fatalf("out of order: %v", seqs)
		}
	}
	if attempts != n+12 {
		t.Errorf("%d attempts, want %d (each event once after the outage)", attempts, n+12)
	}
	stats := w.Stats()
	if stats.Delivered != n || stats.Dropped != 0 || stats.Failed != 0 || stats.Queued != 0 {
		t.Errorf("Stats = %+v", stats)
	}
	t.Logf("%d events through a 12-attempt outage in %v", n, time.Since(start).Round(time.Millisecond))
	if err := w.Send(newEvent("CALL_END", 99)); err == nil || !strings.Contains(err.Error(), ErrClosed.Error()) {
		t.Errorf("Send after Close = %v", err)
	}
}

func TestWebhookQueueDropsOldest(t *testing.T) {
	rc := &receiver{t: t, key: []byte("whsec-test"), down: 1 << 30}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w, err := NewWebhook(store.CRMWebhook{URL: srv.URL}, secrets(webhookKey), WithQueueSize(3), WithBackoff(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(newEvent("INCOMING_CALL", 0)); err != nil {
		t.Fatal(err)
	}
	// Wait until event 0 is in flight (its first attempt failed).
	deadline := time.Now().Add(5 * time.Second)
	for a, _, _, _ := rc.snapshot(); a == 0 && time.Now().Before(deadline); a, _, _, _ = rc.snapshot() {
		time.Sleep(5 * time.Millisecond)
	}
	for i := 1; i <= 6; i++ {
		w.Send(newEvent("INCOMING_CALL", i))
	}
	if s := w.Stats(); s.Dropped != 3 || s.Queued != 4 {
		t.Errorf("Stats = %+v, want 3 dropped and 4 queued (1 in flight + 3 waiting)", s)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err = w.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "4 events were not delivered") {
		t.Errorf("Close = %v", err)
	}
}

func TestWebhookPermanentFailure(t *testing.T) {
	rc := &receiver{t: t, key: []byte("whsec-test"), status: http.StatusBadRequest}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w, err := NewWebhook(store.CRMWebhook{URL: srv.URL}, secrets(webhookKey), WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	w.Send(newEvent("INCOMING_CALL", 1))
	w.Send(newEvent("CALL_END", 2))
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	attempts, _, _, _ := rc.snapshot()
	if s := w.Stats(); s.Failed != 2 || attempts != 2 {
		t.Errorf("a 400 was retried: Stats = %+v, attempts = %d", s, attempts)
	}
}

func TestWebhookEventFilter(t *testing.T) {
	rc := &receiver{t: t, key: []byte("whsec-test")}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w, err := NewWebhook(store.CRMWebhook{URL: srv.URL, Events: []string{"CALL_END"}}, secrets(webhookKey))
	if err != nil {
		t.Fatal(err)
	}
	w.Send(newEvent("INCOMING_CALL", 1))
	w.Send(newEvent("CALL_END", 2))
	w.Send(newEvent("DTMF", 3))
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, seqs, _, _ := rc.snapshot(); fmt.Sprint(seqs) != "[2]" {
		t.Errorf("delivered %v, want only CALL_END", seqs)
	}
	if err := w.Send(func() {}); err == nil {
		t.Error("an unmarshallable event was accepted")
	}
}

func TestWebhookWaitsForItsKey(t *testing.T) {
	rc := &receiver{t: t, key: []byte("late-key")}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	keys := &sync.Map{}
	secret := func(key, env string) (string, string, error) {
		if v, ok := keys.Load(key); ok {
			return v.(string), "test", nil
		}
		return "", "", store.ErrSecretNotFound
	}
	w, err := NewWebhook(store.CRMWebhook{URL: srv.URL}, secret, WithBackoff(10*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	w.Send(newEvent("INCOMING_CALL", 1))
	time.Sleep(50 * time.Millisecond)
	keys.Store(store.CRMSecretKey("webhook"), "late-key")
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, seqs, bad, _ := rc.snapshot(); len(seqs) != 1 || bad != 0 {
		t.Errorf("delivered %v with %d bad signatures", seqs, bad)
	}
}

func TestSign(t *testing.T) {
	// The value docs/crm.md's verification examples compute.
	got := Sign([]byte("whsec-test"), []byte(`{"type":"CALL_END"}`))
	mac := hmac.New(sha256.New, []byte("whsec-test"))
	mac.Write([]byte(`{"type":"CALL_END"}`))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	// The test vector docs/crm.md gives receivers.
	if got != "sha256=e53283b778d00cc4bcc34996f9b274c2608c3ff909423d188a118c13a04a5039" {
		t.Errorf("Sign = %s, which is not the documented test vector", got)
	}
	if id := newEventID(); len(id) != 36 || id[14] != '4' || strings.Count(id, "-") != 4 {
		t.Errorf("event id %q is not a UUIDv4", id)
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	if d := parseRetryAfter("3"); d != 3*time.Second {
		t.Errorf("Retry-After 3 = %v", d)
	}
	if d := parseRetryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)); d != 0 {
		t.Errorf("past date = %v", d)
	}
	if d := parseRetryAfter("soon"); d != 0 {
		t.Errorf("garbage = %v", d)
	}
}
