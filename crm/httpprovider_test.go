package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
	"go.uber.org/goleak"
)

// secrets returns a SecretFunc over a map, failing like the keyring for a
// missing key.
func secrets(values map[string]string) SecretFunc {
	return func(key, env string) (string, string, error) {
		v, ok := values[key]
		if !ok {
			return "", "", fmt.Errorf("%w under %q (in-memory secrets)", store.ErrSecretNotFound, key)
		}
		return v, "in-memory secrets", nil
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// badCRM answers every way a CRM can go wrong, one path each.
func badCRM(t *testing.T, elsewhere string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/late", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
		writeJSON(w, 200, `{"name":"Too late"}`)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, `{"message":"database is down"}`)
	})
	mux.HandleFunc("/invalid-json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"name": "Jane Black", "company": `)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>Sign in</title><form>...</form>")
	})
	huge := func(declare bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			const size = 50 << 20
			w.Header().Set("Content-Type", "application/json")
			if declare {
				w.Header().Set("Content-Length", fmt.Sprint(size))
			}
			chunk := []byte(`{"name":"` + strings.Repeat("x", 64<<10-12) + `"},`)
			io.WriteString(w, "[")
			for written := 1; written < size; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return // the client stopped reading
				}
			}
		}
	}
	mux.HandleFunc("/50mb-declared", huge(true))
	mux.HandleFunc("/50mb-streamed", huge(false))
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere+"/steal?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("/401", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, string(fixture(t, "hubspot_401.json")))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestResolverAgainstFailingCRM is the lookup's contract with a bad CRM:
// whatever the CRM does, Resolve returns the number and a reason a person
// can read within the deadline, and nothing is left running.
func TestResolverAgainstFailingCRM(t *testing.T) {
	before := goleak.IgnoreCurrent()
	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		writeJSON(w, 200, `{"name":"Attacker"}`)
	}))
	crm := badCRM(t, other.URL)
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()

	tests := []struct {
		name, url, secret string
		want              []string
	}{
		{"late", crm.URL + "/late", "k", []string{"crm: no answer within 300ms"}},
		{"500", crm.URL + "/500", "k", []string{`crm: CRM answered 500 Internal Server Error ("database is down"): the CRM has a problem of its own`}},
		{"invalid JSON", crm.URL + "/invalid-json", "k", []string{"crm: the CRM did not answer with JSON: its answer is not valid JSON"}},
		{"HTML", crm.URL + "/html", "k", []string{"crm: the CRM did not answer with JSON but with a web page (text/html): the url probably points at the CRM's web app or a login page"}},
		{"50 MB declared", crm.URL + "/50mb-declared", "k", []string{"crm: the CRM's answer is too large: it is 50 MiB and Ringdesk reads at most 1 MiB"}},
		{"50 MB streamed", crm.URL + "/50mb-streamed", "k", []string{"crm: the CRM's answer is too large: it is more than 1 MiB and Ringdesk reads at most 1 MiB"}},
		{"redirect to another host", crm.URL + "/redirect", "k", []string{"crm: the CRM redirected to another host (" + strings.TrimPrefix(other.URL, "http://") + "): Ringdesk does not follow it"}},
		{"401", crm.URL + "/401", "k", []string{`crm: CRM answered 401 Unauthorized ("Authentication credentials not found.`, `): check the API key (kept in the OS keyring under "crm/crm"`}},
		{"no secret", crm.URL + "/500", "", []string{`crm: no API key for CRM provider crm: secret not found under "crm/crm" (in-memory secrets); add it in Settings → CRM`}},
		{"connection refused", refusedURL + "/x", "k", []string{"crm: could not reach the CRM at " + strings.TrimPrefix(refusedURL, "http://") + ": connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only "late" tests the deadline; the others get one no
			// loaded CI machine reaches, so their own error shows.
			deadline := 10 * time.Second
			if tt.name == "late" {
				deadline = 300 * time.Millisecond
			}
			keys := map[string]string{}
			if tt.secret != "" {
				keys["crm/crm"] = tt.secret
			}
			p, err := NewProvider(store.CRMProvider{Type: "http", ID: "crm", URL: tt.url + "?phone={e164}",
				Headers: map[string]string{"Authorization": "Bearer {secret}"}, Name: "name"}, secrets(keys), WithTimeout(deadline))
			if err != nil {
				t.Fatal(err)
			}
			r := NewResolver([]Provider{p}, WithRegion("VN"), WithTimeout(deadline))
			defer r.Close()
			start := time.Now()
			res := r.Resolve(t.Context(), "0977805845")
			elapsed := time.Since(start)
			if elapsed > deadline+5*time.Second {
				t.Errorf("Resolve took %v; the deadline is %v", elapsed, deadline)
			}
			if res.Found || res.Number.E164 != "+84977805845" || len(res.Reasons) != 1 {
				t.Fatalf("Resolve = %+v", res)
			}
			t.Logf("after %v: %s", elapsed.Round(time.Millisecond), res.Reasons[0])
			for _, w := range tt.want {
				if !strings.Contains(res.Reasons[0], w) {
					t.Errorf("reason = %q\nwant it to say %q", res.Reasons[0], w)
				}
			}
			if strings.Contains(res.Reasons[0], "Bearer") || strings.Contains(res.Reasons[0], "?phone=") {
				t.Errorf("the reason leaks the request: %q", res.Reasons[0])
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n := stolen.Load(); n != 0 {
		t.Errorf("the redirect to another host was followed %d times", n)
	}
	other.Close()
	crm.Close()
	goleak.VerifyNone(t, before)
}

func TestHTTPProviderLookup(t *testing.T) {
	var got atomic.Pointer[http.Request]
	var gotBody atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Clone(context.Background()))
		b, _ := io.ReadAll(r.Body)
		gotBody.Store(string(b))
		switch r.URL.Path {
		case "/by-phone/+84977805845":
			writeJSON(w, 200, `[{"id":"c/42","first":"Jane","last":"Black","org":{"name":"Acme"},"email":"jane@acme.example","vip":true,"note":null}]`)
		case "/search":
			writeJSON(w, 200, `{"data":{"matches":[{"id":7,"name":"Zhang Wei","company":false}]}}`)
		case "/none":
			writeJSON(w, 200, `{"data":{"matches":[]}}`)
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, 404, `{"error":"no such contact"}`)
		}
	}))
	defer srv.Close()
	keys := secrets(map[string]string{"crm/crm": "s3cret"})

	p, err := NewHTTPProvider(HTTPConfig{
		Name:      "crm",
		URL:       srv.URL + "/by-phone/{e164}?national={national}&nsn={nsn}&raw={number}",
		Headers:   map[string]string{"Authorization": "Bearer {secret}", "X-Tenant": "7"},
		SecretKey: "crm/crm",
		Mapping: Mapping{Name: "{first} {middle} {last}", Company: "org.name",
			RecordURL: "https://crm.example.com/contacts/{id}", Notes: "note",
			Fields: map[string]string{"Email": "email", "VIP": "vip", "Missing": "nope"}},
		NotFoundOn404: true,
	}, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	n, _ := Normalize("sip:0977805845@pbx", "VN")
	c, err := p.Lookup(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Jane Black", Company: "Acme", URL: "https://crm.example.com/contacts/c%2F42", Source: "crm",
		Fields: map[string]string{"Email": "jane@acme.example", "VIP": "true"}}
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	req := got.Load()
	if req.URL.RawQuery != "national=0977805845&nsn=977805845&raw=0977805845" || req.URL.EscapedPath() != "/by-phone/%2B84977805845" {
		t.Errorf("request URL = %s", req.URL)
	}
	if req.Header.Get("Authorization") != "Bearer s3cret" || req.Header.Get("X-Tenant") != "7" || req.Header.Get("Accept") != "application/json" {
		t.Errorf("request headers = %v", req.Header)
	}

	post, err := NewHTTPProvider(HTTPConfig{
		Name: "post", URL: srv.URL + "/search", Method: "POST",
		Body:    `{"phone":"{e164}","token":"{secret}","filter":{"limit":1}}`,
		Mapping: Mapping{Item: "data.matches", Name: "name", Company: "company"}, SecretKey: "crm/crm",
	}, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer post.Close()
	c, err = post.Lookup(t.Context(), n)
	if err != nil || c.Name != "Zhang Wei" || c.Company != "" {
		t.Errorf("POST lookup = %+v, %v", c, err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(gotBody.Load().(string)), &body); err != nil || body["phone"] != "+84977805845" || body["token"] != "s3cret" {
		t.Errorf("POST body = %s (%v)", gotBody.Load(), err)
	}
	if ct := got.Load().Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST Content-Type = %q", ct)
	}

	for _, path := range []string{"/none", "/nocontent", "/unknown/{e164}"} {
		miss, err := NewHTTPProvider(HTTPConfig{Name: "m", URL: srv.URL + path, Mapping: Mapping{Item: "data.matches", Name: "name"}, NotFoundOn404: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := miss.Lookup(t.Context(), n); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", path, err)
		}
		miss.Close()
	}
}

func TestHTTPProviderSkipsWhatItCannotAsk(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, `{"name":"x"}`)
	}))
	defer srv.Close()
	p, err := NewHTTPProvider(HTTPConfig{Name: "crm", URL: srv.URL + "/?q={e164}", Mapping: Mapping{Name: "name"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ext, _ := Normalize("1002", "VN")
	if _, err := p.Lookup(t.Context(), ext); !errors.Is(err, ErrNotFound) {
		t.Errorf("internal extension: %v, want ErrNotFound without asking", err)
	}
	noRegion, _ := Normalize("0977805845", "")
	if _, err := p.Lookup(t.Context(), noRegion); err == nil || !strings.Contains(err.Error(), "set [crm] region") {
		t.Errorf("no region: %v", err)
	}
	if calls.Load() != 0 {
		t.Errorf("the CRM was asked %d times", calls.Load())
	}
}

func TestHTTPProviderConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  HTTPConfig
		want string
	}{
		{HTTPConfig{URL: "https://crm.example.com/?q={phone}", Mapping: Mapping{Name: "n"}}, "holds {phone}, which Ringdesk does not know"},
		{HTTPConfig{URL: "https://crm.example.com/?key={secret}", Mapping: Mapping{Name: "n"}}, "put the key in a header"},
		{HTTPConfig{URL: "ftp://crm.example.com/{e164}", Mapping: Mapping{Name: "n"}}, "is not a web address"},
		{HTTPConfig{URL: "https://crm.example.com/", Method: "PUT", Mapping: Mapping{Name: "n"}}, `method "PUT" is not GET or POST`},
		{HTTPConfig{URL: "https://crm.example.com/", Method: "POST", Body: `{"q": {e164}}`, Mapping: Mapping{Name: "n"}}, "the body is not valid JSON once filled in"},
		{HTTPConfig{URL: "https://crm.example.com/"}, "maps no name, company or record_url"},
		{HTTPConfig{URL: "https://crm.example.com/", Headers: map[string]string{"A": "{secret}"}, Mapping: Mapping{Name: "n"}}, "no secret store"},
	}
	for _, tt := range tests {
		if _, err := NewHTTPProvider(tt.cfg, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewHTTPProvider(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestHTTPProviderRefusesSecretWithLineBreak(t *testing.T) {
	p, err := NewHTTPProvider(HTTPConfig{Name: "crm", URL: "http://127.0.0.1:1/", Headers: map[string]string{"A": "{secret}"},
		SecretKey: "crm/crm", Mapping: Mapping{Name: "n"}}, secrets(map[string]string{"crm/crm": "a\r\nX-Evil: 1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	n, _ := Normalize("0977805845", "VN")
	if _, err := p.Lookup(t.Context(), n); err == nil || !strings.Contains(err.Error(), "holds a line break") || strings.Contains(err.Error(), "Evil") {
		t.Errorf("Lookup = %v", err)
	}
}
