package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeProvider answers from a map after a delay; it counts its lookups.
type fakeProvider struct {
	name      string
	contacts  map[string]Contact // by Number.Key
	err       error
	delay     time.Duration
	ignoreCtx bool // sleeps through cancellation, like a badly written provider
	calls     atomic.Int32
	closed    atomic.Bool
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Close() error {
	f.closed.Store(true)
	return nil
}

func (f *fakeProvider) Lookup(ctx context.Context, n Number) (Contact, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		if f.ignoreCtx {
			time.Sleep(f.delay)
		} else {
			select {
			case <-time.After(f.delay):
			case <-ctx.Done():
				return Contact{}, ctx.Err()
			}
		}
	}
	if f.err != nil {
		return Contact{}, f.err
	}
	c, ok := f.contacts[n.Key()]
	if !ok {
		return Contact{}, ErrNotFound
	}
	return c, nil
}

var jane = Contact{Name: "Jane Black", Company: "Acme", URL: "https://crm.example.com/c/1", Fields: map[string]string{"Email": "jane@acme.example"}}

func TestResolverFirstInOrderWins(t *testing.T) {
	slowCRM := &fakeProvider{name: "crm", delay: 50 * time.Millisecond,
		contacts: map[string]Contact{"+84977805845": {Name: "From CRM"}}}
	local := &fakeProvider{name: "local", contacts: map[string]Contact{"+84977805845": {Name: "From file"}}}
	r := NewResolver([]Provider{slowCRM, local}, WithRegion("VN"), WithTimeout(time.Second))
	defer r.Close()

	res := r.Resolve(t.Context(), "0977805845")
	if !res.Found || res.Contact.Name != "From CRM" || res.Contact.Source != "crm" {
		t.Errorf("Resolve = %+v, want the CRM's answer (listed first) even though the file answered sooner", res)
	}
	if res.Number.E164 != "+84977805845" || res.Number.Raw != "0977805845" {
		t.Errorf("Number = %+v", res.Number)
	}
}

func TestResolverSkipsFailingProviders(t *testing.T) {
	broken := &fakeProvider{name: "broken", err: errors.New("CRM answered 500 Internal Server Error")}
	late := &fakeProvider{name: "late", delay: 5 * time.Second, contacts: map[string]Contact{"+84977805845": {Name: "Too late"}}}
	local := &fakeProvider{name: "local", contacts: map[string]Contact{"+84977805845": jane}}
	const deadline = 150 * time.Millisecond
	r := NewResolver([]Provider{broken, late, local}, WithRegion("VN"), WithTimeout(deadline))
	defer r.Close()

	start := time.Now()
	res := r.Resolve(t.Context(), "+84 977 805 845")
	elapsed := time.Since(start)
	if !res.Found || res.Contact.Name != "Jane Black" || res.Contact.Source != "local" {
		t.Fatalf("Resolve = %+v, want the local contact", res)
	}
	want := []string{"broken: CRM answered 500 Internal Server Error", "late: no answer within 150ms"}
	if strings.Join(res.Reasons, "|") != strings.Join(want, "|") {
		t.Errorf("Reasons = %q, want %q", res.Reasons, want)
	}
	if elapsed > deadline+time.Second {
		t.Errorf("Resolve took %v with a deadline of %v", elapsed, deadline)
	}
}

func TestResolverNeverBlocksPastDeadline(t *testing.T) {
	stubborn := &fakeProvider{name: "stubborn", delay: 600 * time.Millisecond, ignoreCtx: true}
	const deadline = 100 * time.Millisecond
	r := NewResolver([]Provider{stubborn}, WithRegion("VN"), WithTimeout(deadline))

	start := time.Now()
	res := r.Resolve(t.Context(), "0977805845")
	if elapsed := time.Since(start); elapsed > deadline+400*time.Millisecond {
		t.Errorf("Resolve took %v with a deadline of %v and a provider ignoring ctx", elapsed, deadline)
	}
	if res.Found || len(res.Reasons) != 1 || res.Reasons[0] != "stubborn: no answer within 100ms" {
		t.Errorf("Resolve = %+v", res)
	}
	// Close waits for the stubborn goroutine: none outlives it (goleak in TestMain).
	closeStart := time.Now()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if time.Since(closeStart) > time.Second {
		t.Errorf("Close took %v", time.Since(closeStart))
	}
	if !stubborn.closed.Load() {
		t.Error("Close did not close the provider")
	}
	res = r.Resolve(t.Context(), "0977805845")
	if len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], ErrClosed.Error()) {
		t.Errorf("Resolve after Close = %+v", res)
	}
}

func TestResolverHonoursCallerContext(t *testing.T) {
	slow := &fakeProvider{name: "slow", delay: time.Second}
	r := NewResolver([]Provider{slow}, WithRegion("VN"), WithTimeout(5*time.Second))
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := r.Resolve(ctx, "0977805845")
	if time.Since(start) > 500*time.Millisecond || res.Found || len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "abandoned") {
		t.Errorf("Resolve with a short ctx = %+v after %v", res, time.Since(start))
	}
}

func TestResolverBadNumber(t *testing.T) {
	p := &fakeProvider{name: "p"}
	r := NewResolver([]Provider{p}, WithRegion("VN"))
	defer r.Close()
	res := r.Resolve(t.Context(), "anonymous")
	if res.Found || res.Number.Raw != "anonymous" || len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "is a name, not a number") {
		t.Errorf("Resolve(anonymous) = %+v", res)
	}
	if p.calls.Load() != 0 {
		t.Error("a provider was asked about a non-number")
	}
}

func TestResolverPanickingProvider(t *testing.T) {
	r := NewResolver([]Provider{panicker{}}, WithRegion("VN"))
	defer r.Close()
	res := r.Resolve(t.Context(), "0977805845")
	if res.Found || len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "the provider crashed (boom)") {
		t.Errorf("Resolve = %+v", res)
	}
}

type panicker struct{}

func (panicker) Name() string { return "panicker" }
func (panicker) Lookup(context.Context, Number) (Contact, error) {
	panic("boom")
}

// fakeClock is a settable time source.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestResolverCacheTTL(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	p := &fakeProvider{name: "p", contacts: map[string]Contact{"+84977805845": jane}}
	r := NewResolver([]Provider{p}, WithRegion("VN"), WithCache(time.Minute, 10), WithClock(clock.Now))
	defer r.Close()

	first := r.Resolve(t.Context(), "0977805845")
	second := r.Resolve(t.Context(), "+84977805845") // another form, same key
	if !first.Found || first.Cached || !second.Found || !second.Cached || p.calls.Load() != 1 {
		t.Fatalf("first = %+v, second = %+v, calls = %d; want one lookup and a cache hit", first, second, p.calls.Load())
	}
	if second.Number.Raw != "+84977805845" {
		t.Errorf("a cached answer carries the asker's number: %+v", second.Number)
	}
	// Misses are cached too.
	r.Resolve(t.Context(), "0912345678")
	if miss := r.Resolve(t.Context(), "0912345678"); miss.Found || !miss.Cached || p.calls.Load() != 2 {
		t.Errorf("miss = %+v, calls = %d", miss, p.calls.Load())
	}
	// A cached answer is a copy: changing it changes nothing.
	second.Contact.Fields["Email"] = "changed"
	clock.Advance(59 * time.Second)
	if again := r.Resolve(t.Context(), "0977805845"); again.Contact.Fields["Email"] != "jane@acme.example" || !again.Cached {
		t.Errorf("cache returned a shared or expired value: %+v", again)
	}
	clock.Advance(2 * time.Second)
	if expired := r.Resolve(t.Context(), "0977805845"); expired.Cached || p.calls.Load() != 3 {
		t.Errorf("after the TTL = %+v, calls = %d; want a new lookup", expired, p.calls.Load())
	}
	r.Flush()
	if flushed := r.Resolve(t.Context(), "0977805845"); flushed.Cached || p.calls.Load() != 4 {
		t.Errorf("after Flush = %+v, calls = %d", flushed, p.calls.Load())
	}
}

func TestResolverCacheBound(t *testing.T) {
	p := &fakeProvider{name: "p"}
	r := NewResolver([]Provider{p}, WithRegion("VN"), WithCache(time.Hour, 3))
	defer r.Close()
	for i := range 5 {
		r.Resolve(t.Context(), fmt.Sprintf("09123456%02d", i))
	}
	if n := r.cache.len(); n != 3 {
		t.Fatalf("cache holds %d entries, want 3", n)
	}
	// The two oldest were evicted, the three newest are cached.
	calls := p.calls.Load()
	r.Resolve(t.Context(), "0912345604")
	r.Resolve(t.Context(), "0912345603")
	if p.calls.Load() != calls {
		t.Error("a recent entry was evicted")
	}
	r.Resolve(t.Context(), "0912345600")
	if p.calls.Load() != calls+1 {
		t.Error("the oldest entry was not evicted")
	}
}

func TestResolverDoesNotCacheFailures(t *testing.T) {
	p := &fakeProvider{name: "p", err: errors.New("CRM answered 503 Service Unavailable")}
	r := NewResolver([]Provider{p}, WithRegion("VN"))
	defer r.Close()
	r.Resolve(t.Context(), "0977805845")
	if res := r.Resolve(t.Context(), "0977805845"); res.Cached || p.calls.Load() != 2 {
		t.Errorf("a failed lookup was cached: %+v", res)
	}
}

func TestResolverSharesConcurrentLookups(t *testing.T) {
	p := &fakeProvider{name: "p", delay: 100 * time.Millisecond, contacts: map[string]Contact{"+84977805845": jane}}
	r := NewResolver([]Provider{p}, WithRegion("VN"), WithCache(0, 0))
	defer r.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if res := r.Resolve(t.Context(), "0977805845"); !res.Found {
				t.Errorf("Resolve = %+v", res)
			}
		})
	}
	wg.Wait()
	if n := p.calls.Load(); n != 1 {
		t.Errorf("8 concurrent Resolves made %d lookups, want 1", n)
	}
}

func TestResultJSON(t *testing.T) {
	n, _ := Normalize("0977805845", "VN")
	found, err := json.Marshal(Result{Number: n, Found: true, Contact: Contact{Name: "Jane Black", Source: "crm"}})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(found, &got); err != nil {
		t.Fatal(err)
	}
	contact, _ := got["contact"].(map[string]any)
	if got["found"] != true || contact["name"] != "Jane Black" || contact["company"] != "" || contact["url"] != "" ||
		contact["source"] != "crm" || contact["fields"] == nil {
		t.Errorf("found result JSON = %s; want API.md's contact shape (name, company, url, fields)", found)
	}
	missing, _ := json.Marshal(Result{Number: n, Reasons: []string{"crm: no answer within 1.5s"}})
	if !strings.Contains(string(missing), `"found":false,"contact":null,"reasons":["crm: no answer within 1.5s"]`) {
		t.Errorf("not-found result JSON = %s", missing)
	}
	var back Contact
	if err := json.Unmarshal([]byte(`{"name":"A","company":"B","url":"https://x","fields":{"k":"v"}}`), &back); err != nil || back.Fields["k"] != "v" {
		t.Errorf("Contact round trip = %+v, %v", back, err)
	}
}
