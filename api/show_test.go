package api_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/ringdesk/ringdesk/api"
)

// TestShowWindow: POST /v1/show (a second start of Ringdesk) brings the
// window to the front through Options.ShowWindow; with no window it
// answers 503, and without the token 401.
func TestShowWindow(t *testing.T) {
	var shown atomic.Int32
	b := newBench(t, false, func(o *api.Options) { o.ShowWindow = func() { shown.Add(1) } })
	if a := b.do(t, http.MethodPost, "/v1/show", ""); a.status != http.StatusNoContent || shown.Load() != 1 {
		t.Errorf("show: %d %s, window shown %d times", a.status, a.body, shown.Load())
	}
	if a := b.do(t, http.MethodPost, "/v1/show", `{"x":1}`); a.status != http.StatusBadRequest && a.status != http.StatusUnprocessableEntity {
		t.Errorf("show with an unknown field: %d %s", a.status, a.body)
	}

	headless := newBench(t, false)
	if a := headless.do(t, http.MethodPost, "/v1/show", ""); a.status != http.StatusServiceUnavailable {
		t.Errorf("show without a window: %d %s", a.status, a.body)
	}
}
