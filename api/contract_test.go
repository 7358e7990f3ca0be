package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ringdesk/ringdesk/api"
)

// TestErrorContract: every error status API.md names, on every path that
// can give it, with the JSON error body and a message a person can read.
func TestErrorContract(t *testing.T) {
	b := newBench(t, false)
	type tc struct {
		method, path, body string
		status             int
		code               string
	}
	cases := []tc{
		{"GET", "/v1/nope", "", 404, api.CodeNotFound},
		{"GET", "/v2/status", "", 404, api.CodeNotFound},
		{"DELETE", "/v1/calls", "", 405, api.CodeMethodNotAllowed},
		{"GET", "/v1/dnd", "", 405, api.CodeMethodNotAllowed},
		{"POST", "/v1/calls", "", 400, api.CodeBadRequest},
		{"POST", "/v1/calls", "{", 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"1002","bogus":1}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `["1002"]`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"1002"} {"to":"1003"}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":1002}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"1002"}}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"1002"} ]`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"` + strings.Repeat("1", 70000) + `"}`, 413, api.CodeBadRequest},
		{"POST", "/v1/calls", `{"to":"1002"}`, 503, api.CodeNotRegistered},
		{"POST", "/v1/calls", `{"to":"1002","account":"nope"}`, 404, api.CodeNotFound},
		{"POST", "/v1/calls", `{"to":"1002","headers":{"Via":"x"}}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls", `{"to":"1002","headers":{"X-Evil":"a\r\nVia: x"}}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls", `{"to":"1002","data":{"nested":{"a":1}}}`, 422, api.CodeInvalid},
		{"GET", "/v1/calls/c99", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/answer", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/answer", `{"video":"yes"}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls/c99/hangup", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/hangup", `{"code":200}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls/c99/hold", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/unhold", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/mute", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/unmute", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/mute", `{"x":1}`, 400, api.CodeBadRequest},
		{"POST", "/v1/calls/c99/dtmf", `{"digits":"12#"}`, 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/dtmf", `{"digits":"12x"}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls/c99/dtmf", `{"digits":""}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls/c99/dtmf", "", 400, api.CodeBadRequest},
		{"POST", "/v1/calls/c99/transfer", `{"to":"1003"}`, 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/transfer", `{"to":"1003@evil.example"}`, 422, api.CodeInvalid},
		{"POST", "/v1/calls/c99/attended-transfer", `{"to":"1003"}`, 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/complete-transfer", "", 404, api.CodeNotFound},
		{"POST", "/v1/calls/c99/cancel-transfer", "", 404, api.CodeNotFound},
		{"PUT", "/v1/calls/c99/data", `{"ticket":"7"}`, 404, api.CodeNotFound},
		{"PUT", "/v1/calls/c99/data", `{"ticket":["7"]}`, 422, api.CodeInvalid},
		{"PUT", "/v1/dnd", `{}`, 422, api.CodeInvalid},
		{"PUT", "/v1/dnd", `{"enabled":"yes"}`, 400, api.CodeBadRequest},
		{"PUT", "/v1/forward", `{"mode":"sometimes","to":"1003","enabled":true}`, 422, api.CodeInvalid},
		{"PUT", "/v1/forward", `{"mode":"busy","to":"1003>;evil","enabled":true}`, 422, api.CodeInvalid},
		{"PUT", "/v1/forward", `{"mode":"noanswer","to":"1003","enabled":true,"after":-1}`, 422, api.CodeInvalid},
		{"PUT", "/v1/hints", `{"numbers":["1002"]}`, 503, api.CodeNotRegistered},
		{"PUT", "/v1/hints", `{"numbers":["10a2"]}`, 422, api.CodeInvalid},
		{"PUT", "/v1/hints", `{"numbers":["1002>;evil"]}`, 422, api.CodeInvalid},
		{"PUT", "/v1/hints", `{}`, 422, api.CodeInvalid},
		{"PUT", "/v1/hints", `{"numbers":"1002"}`, 400, api.CodeBadRequest},
		{"POST", "/v1/mic-check", "", 503, api.CodeUnavailable},
		{"POST", "/v1/show", "", 503, api.CodeUnavailable},
		{"GET", "/v1/history?page=0", "", 400, api.CodeBadRequest},
		{"GET", "/v1/history?pageSize=100000", "", 400, api.CodeBadRequest},
		{"GET", "/v1/history?direction=sideways", "", 400, api.CodeBadRequest},
		{"GET", "/v1/contacts/lookup?number=09x1", "", 422, api.CodeInvalid},
		{"GET", "/v1/contacts/lookup", "", 422, api.CodeInvalid},
		{"POST", "/v1/accounts/nope/register", "", 404, api.CodeNotFound},
		{"POST", "/v1/accounts/nope/unregister", "", 404, api.CodeNotFound},
		{"POST", "/v1/open", `{"uri":"http://example.com/1002"}`, 422, api.CodeInvalid},
		{"POST", "/v1/open", `{"uri":"tel:12ab"}`, 422, api.CodeInvalid},
		{"POST", "/v1/open", `{}`, 422, api.CodeInvalid},
	}
	for _, to := range badNumbers {
		cases = append(cases, tc{"POST", "/v1/calls", jsonBody(t, map[string]string{"to": to}), 422, api.CodeInvalid})
	}
	for _, c := range cases {
		a := b.do(t, c.method, c.path, c.body)
		if a.status != c.status || a.errCode() != c.code {
			t.Errorf("%s %s %.60q: %d %s, want %d %s", c.method, c.path, c.body, a.status, a.body, c.status, c.code)
			continue
		}
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		a.decode(t, &e)
		if len(e.Error.Message) < 10 {
			t.Errorf("%s %s: message %q says too little", c.method, c.path, e.Error.Message)
		}
	}
}

// badNumbers are what POST /v1/calls must refuse with 422 before any SIP
// is sent: empty, too long, letters, and SIP or URI injection.
var badNumbers = []string{
	"",
	"   ",
	strings.Repeat("9", 200),
	"CALLME",
	"1002abc",
	"1002>;evil",
	"1002\r\nVia: SIP/2.0/UDP 203.0.113.1",
	"1002\n",
	"1002@other.example",
	"sip:1002@other.example",
	"<sip:1002@127.0.0.1>",
	"1002;transport=tcp",
	"1002?Subject=x",
	"10+02",
	"1002%0d%0a",
	"+",
	"١٠٠٢",
}

// TestSuccessContract: the answers of the paths that need no call, in the
// shapes API.md gives.
func TestSuccessContract(t *testing.T) {
	b := newBench(t, false)
	var st api.StatusAnswer
	a := b.do(t, http.MethodGet, "/v1/status", "")
	if a.status != http.StatusOK {
		t.Fatalf("GET /v1/status: %d %s", a.status, a.body)
	}
	a.decode(t, &st)
	if st.Version != "test" || st.Status != "AVAILABLE" || st.DND || st.Accounts == nil || st.Forwards == nil {
		t.Errorf("status %+v", st)
	}
	if a := b.do(t, http.MethodGet, "/v1/calls", ""); a.status != http.StatusOK || strings.TrimSpace(string(a.body)) != "[]" {
		t.Errorf("GET /v1/calls with none: %d %s", a.status, a.body)
	}
	if a := b.do(t, http.MethodPut, "/v1/dnd", `{"enabled":true}`); a.status != http.StatusOK {
		t.Errorf("PUT /v1/dnd: %d %s", a.status, a.body)
	}
	b.do(t, http.MethodGet, "/v1/status", "").decode(t, &st)
	if !st.DND || st.Status != "DND" {
		t.Errorf("after DND on: dnd %v status %s", st.DND, st.Status)
	}
	b.do(t, http.MethodPut, "/v1/dnd", `{"enabled":false}`)
	if a := b.do(t, http.MethodPut, "/v1/forward", `{"mode":"busy","to":"0901 234 567","enabled":true}`); a.status != http.StatusOK {
		t.Errorf("PUT /v1/forward: %d %s", a.status, a.body)
	}
	b.do(t, http.MethodGet, "/v1/status", "").decode(t, &st)
	busy := slices.IndexFunc(st.Forwards, func(f api.Forward) bool { return f.Mode == "busy" })
	if busy < 0 || st.Forwards[busy].To != "0901234567" || !st.Forwards[busy].Enabled {
		t.Errorf("forwards after PUT: %+v", st.Forwards)
	}
	var page struct {
		Docs       []any `json:"docs"`
		TotalDocs  *int  `json:"totalDocs"`
		Limit      int   `json:"limit"`
		TotalPages int   `json:"totalPages"`
		Page       int   `json:"page"`
	}
	a = b.do(t, http.MethodGet, "/v1/history?page=1&pageSize=10&keyword=090", "")
	if a.status != http.StatusOK {
		t.Fatalf("GET /v1/history: %d %s", a.status, a.body)
	}
	a.decode(t, &page)
	if page.Docs == nil || page.TotalDocs == nil || page.Limit != 10 || page.Page != 1 || page.TotalPages < 1 {
		t.Errorf("history page %s", a.body)
	}
}

// TestCleanNumber: what people write in numbers is cleaned, not refused.
func TestCleanNumber(t *testing.T) {
	for in, want := range map[string]string{
		"0901234567":          "0901234567",
		"+84 97 780 58 45":    "+84977805845",
		"(028) 3823-4567":     "02838234567",
		"090.123.4567":        "0901234567",
		"*97":                 "*97",
		"1002#":               "1002#",
		"\u00a00901\u00a0234": "0901234",
	} {
		got, err := api.CleanNumber(in)
		if err != nil || got != want {
			t.Errorf("CleanNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
