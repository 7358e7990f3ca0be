package crm

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// benchCRM is a local HTTP CRM answering HubSpot's search shape.
func benchCRM(b *testing.B) (Provider, func()) {
	body := fixture(b, "hubspot_search.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	p, err := NewProvider(store.CRMProvider{Type: "hubspot", ID: "hs", URL: srv.URL}, secrets(map[string]string{"crm/hs": "k"}))
	if err != nil {
		b.Fatal(err)
	}
	return p, srv.Close
}

// reportPercentiles adds p50 and p99 of the recorded durations.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkLookupHTTP is one uncached lookup against a local HTTP CRM
// (keep-alive connection, the HubSpot preset's request and mapping).
func BenchmarkLookupHTTP(b *testing.B) {
	p, stop := benchCRM(b)
	defer stop()
	r := NewResolver([]Provider{p}, WithRegion("VN"), WithCache(0, 0))
	defer r.Close()
	times := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if res := r.Resolve(b.Context(), "0977805845"); !res.Found {
			b.Fatalf("not found: %v", res.Reasons)
		}
		times = append(times, time.Since(start))
	}
	reportPercentiles(b, times)
}

// BenchmarkResolveCacheHit is a lookup answered from the cache.
func BenchmarkResolveCacheHit(b *testing.B) {
	p, stop := benchCRM(b)
	defer stop()
	r := NewResolver([]Provider{p}, WithRegion("VN"))
	defer r.Close()
	r.Resolve(b.Context(), "0977805845")
	times := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if res := r.Resolve(b.Context(), "+84 977 805 845"); !res.Cached {
			b.Fatal("not cached")
		}
		times = append(times, time.Since(start))
	}
	reportPercentiles(b, times)
}

// BenchmarkResolveCacheMiss is a lookup of a number the cache does not
// hold: normalisation, cache miss, the HTTP request, and storing the answer.
func BenchmarkResolveCacheMiss(b *testing.B) {
	p, stop := benchCRM(b)
	defer stop()
	r := NewResolver([]Provider{p}, WithRegion("VN"), WithCache(time.Hour, 1<<20))
	defer r.Close()
	times := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if res := r.Resolve(b.Context(), fmt.Sprintf("09%08d", i)); res.Cached {
			b.Fatal("cached")
		}
		times = append(times, time.Since(start))
	}
	reportPercentiles(b, times)
}

// BenchmarkLookupContactsFile is a lookup in a local contacts file.
func BenchmarkLookupContactsFile(b *testing.B) {
	c, err := OpenContacts(filepath.Join("testdata", "contacts.csv"), "", WithRegion("VN"))
	if err != nil {
		b.Fatal(err)
	}
	r := NewResolver([]Provider{c}, WithRegion("VN"), WithCache(0, 0))
	defer r.Close()
	for b.Loop() {
		if res := r.Resolve(b.Context(), "0977805845"); !res.Found {
			b.Fatal("not found")
		}
	}
}

// BenchmarkNormalize is the cost of reading one number.
func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		if _, err := Normalize("sip:0977805845@pbx.example.com", "VN"); err != nil {
			b.Fatal(err)
		}
	}
}
