package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
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

	s := b.openStream(t)
	s.waitType(t, "PHONE_STATUS", "")

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

	// The stream opened with the old token is closed: 1008, saying why.
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream opened with the old token is still open")
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if websocket.CloseStatus(closed) != websocket.StatusPolicyViolation || !strings.Contains(closed.Error(), "token changed") {
		t.Errorf("the old stream closed with %v, want 1008 'the API token changed'", closed)
	}

	if a := b.do(t, http.MethodGet, "/v1/status", ""); a.status != http.StatusUnauthorized {
		t.Errorf("the old token after SetToken: %d, want 401", a.status)
	}
	if a := b.do(t, http.MethodGet, "/v1/status", "", "Authorization", "Bearer "+rotated); a.status != http.StatusOK {
		t.Errorf("the new token: %d %s, want 200", a.status, a.body)
	}
}
