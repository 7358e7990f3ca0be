package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ringdesk/ringdesk/api"
)

// TestMicCheck: POST /v1/mic-check answers the level the check measured;
// a failing check answers 503 with its reason and sends MIC_ERROR to the
// event stream; without a check the path answers 503.
func TestMicCheck(t *testing.T) {
	var fail error
	b := newBench(t, false, func(o *api.Options) {
		o.MicCheck = func(ctx context.Context) (float64, float64, error) {
			if fail != nil {
				return -120, -120, fail
			}
			return -23.5, -6.25, nil
		}
	})
	a := b.do(t, http.MethodPost, "/v1/mic-check", "")
	if a.status != http.StatusOK {
		t.Fatalf("mic check: %d %s", a.status, a.body)
	}
	var got struct {
		OK    bool    `json:"ok"`
		Level float64 `json:"level"`
		Peak  float64 `json:"peak"`
	}
	a.decode(t, &got)
	if !got.OK || got.Level != -23.5 || got.Peak != -6.25 {
		t.Errorf("mic check answered %s", a.body)
	}

	s := b.openStream(t)
	fail = errors.New(`there is no microphone "USB Headset"`)
	a = b.do(t, http.MethodPost, "/v1/mic-check", "")
	if a.status != http.StatusServiceUnavailable || a.errCode() != api.CodeUnavailable || !strings.Contains(string(a.body), "USB Headset") {
		t.Errorf("failing mic check: %d %s", a.status, a.body)
	}
	e := s.waitType(t, "MIC_ERROR", "")
	if !strings.Contains(e.Message, `there is no microphone \"USB Headset\"`) && !strings.Contains(e.Message, `there is no microphone "USB Headset"`) {
		t.Errorf("MIC_ERROR message %q", e.Message)
	}

	plain := newBench(t, false)
	if a := plain.do(t, http.MethodPost, "/v1/mic-check", ""); a.status != http.StatusServiceUnavailable || a.errCode() != api.CodeUnavailable {
		t.Errorf("mic check without a microphone: %d %s", a.status, a.body)
	}
}
