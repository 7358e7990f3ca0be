package api_test

import (
	"net/http"
	"sync"
	"testing"
)

// TestSetToken: after SetToken the API answers 401 to the old token and
// 200 to the new one, at once, while other requests are being answered.
func TestSetToken(t *testing.T) {
	b := newBench(t, false)
	if a := b.do(t, http.MethodGet, "/v1/status", ""); a.status != http.StatusOK {
		t.Fatalf("status with the first token: %d %s", a.status, a.body)
	}
	for _, bad := range []string{"", "short", "two words and more text"} {
		if err := b.srv.SetToken(bad); err == nil {
			t.Errorf("SetToken(%q) was accepted", bad)
		}
	}

	const rotated = "rotated-token-0123456789abcdef"
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // requests in flight while the token changes (for -race)
		defer wg.Done()
		for range 20 {
			b.do(t, http.MethodGet, "/v1/status", "")
		}
	}()
	if err := b.srv.SetToken(rotated); err != nil {
		t.Fatalf("SetToken: %v", err)
	}
	wg.Wait()

	if a := b.do(t, http.MethodGet, "/v1/status", ""); a.status != http.StatusUnauthorized {
		t.Errorf("the old token after SetToken: %d, want 401", a.status)
	}
	if a := b.do(t, http.MethodGet, "/v1/status", "", "Authorization", "Bearer "+rotated); a.status != http.StatusOK {
		t.Errorf("the new token: %d %s, want 200", a.status, a.body)
	}
}
