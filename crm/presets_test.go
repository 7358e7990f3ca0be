package crm

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
	"github.com/tidwall/gjson"
)

// recorder is a fake CRM answering from fixtures and keeping the requests.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	answer   func(r *http.Request, body []byte) (int, string)
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                []byte
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests = append(rc.requests, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
	rc.mu.Unlock()
	status, answer := rc.answer(r, body)
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, answer)
}

func (rc *recorder) last() recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests[len(rc.requests)-1]
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.requests)
}

func fakeCRM(t *testing.T, answer func(r *http.Request, body []byte) (int, string)) (*recorder, string) {
	rc := &recorder{answer: answer}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

func mustNumber(t *testing.T, raw, region string) Number {
	t.Helper()
	n, err := Normalize(raw, region)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newTestProvider(t *testing.T, cfg store.CRMProvider, keys map[string]string, opts ...Option) Provider {
	t.Helper()
	p, err := NewProvider(cfg, secrets(keys), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.(interface{ Close() error }).Close() })
	return p
}

func TestHubSpotPreset(t *testing.T) {
	rc, base := fakeCRM(t, func(r *http.Request, body []byte) (int, string) {
		if strings.Contains(string(body), `"+84912345678"`) {
			return 200, `{"total":0,"results":[]}`
		}
		return 200, string(fixture(t, "hubspot_search.json"))
	})
	p := newTestProvider(t, store.CRMProvider{Type: "hubspot", ID: "hs", URL: base,
		RecordURL: "https://app.hubspot.com/contacts/4242/record/0-1/{id}"}, map[string]string{"crm/hs": "pat-na1-123"})

	c, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Bryan Cooper", Company: "Biglytics", URL: "https://app.hubspot.com/contacts/4242/record/0-1/512",
		Fields: map[string]string{"Email": "bcooper@biglytics.net", "Job title": "CEO"}, Source: "hs"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	req := rc.last()
	if req.method != "POST" || req.path != "/crm/v3/objects/contacts/search" || req.header.Get("Authorization") != "Bearer pat-na1-123" {
		t.Errorf("request = %s %s %v", req.method, req.path, req.header)
	}
	values := gjson.GetBytes(req.body, "filterGroups.#.filters.0.value").String()
	if values != `["977805845","977805845","+84977805845","0977805845","+84977805845"]` || gjson.GetBytes(req.body, "limit").Int() != 1 {
		t.Errorf("search body = %s", req.body)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0912345678", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty results: %v", err)
	}
}

func TestZohoPreset(t *testing.T) {
	rc, base := fakeCRM(t, func(r *http.Request, _ []byte) (int, string) {
		if r.URL.Query().Get("phone") == "0912345678" {
			return http.StatusNoContent, "" // Zoho's answer when nothing matches
		}
		return 200, string(fixture(t, "zoho_search.json"))
	})
	p := newTestProvider(t, store.CRMProvider{Type: "zoho", URL: base, RecordURL: "https://crm.zoho.com/crm/org123/tab/Contacts/{id}"},
		map[string]string{"crm/" + strings.TrimPrefix(base, "http://"): "1000.token"})

	c, err := p.Lookup(t.Context(), mustNumber(t, "+84977805845", "VN"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Nguyễn Văn A", Company: "Zylker Việt Nam", URL: "https://crm.zoho.com/crm/org123/tab/Contacts/554023000000310003",
		Notes: "Prefers calls after 2 pm", Fields: map[string]string{"Email": "nguyen.van.a@zylker.com", "Title": "Purchasing manager"}, Source: "zoho"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	req := rc.last()
	q, _ := url.ParseQuery(req.query)
	if req.path != "/crm/v7/Contacts/search" || q.Get("phone") != "0977805845" || !strings.Contains(q.Get("fields"), "Full_Name") ||
		req.header.Get("Authorization") != "Zoho-oauthtoken 1000.token" {
		t.Errorf("request = %s?%s %v", req.path, req.query, req.header)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0912345678", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("204: %v, want ErrNotFound", err)
	}
}

func TestZohoPresetRenewsItsAccessToken(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	valid := ""
	tokens := 0
	rc, base := fakeCRM(t, func(r *http.Request, body []byte) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/oauth/v2/token" {
			form, _ := url.ParseQuery(string(body))
			if form.Get("grant_type") != "refresh_token" || form.Get("client_id") != "1000.CLIENT" ||
				form.Get("client_secret") != "cs" || form.Get("refresh_token") != "1000.refresh" {
				return 200, `{"error":"invalid_client"}` // Zoho says so with a 200
			}
			tokens++
			valid = "token-" + string(rune('0'+tokens))
			return 200, strings.Replace(string(fixture(t, "zoho_token.json")), "1000.2370ff****.****cb5e", valid, 1)
		}
		if r.Header.Get("Authorization") != "Zoho-oauthtoken "+valid {
			return 401, string(fixture(t, "zoho_invalid_token.json"))
		}
		return 200, string(fixture(t, "zoho_search.json"))
	})
	keys := map[string]string{"crm/zoho": "cs", "crm/zoho/refresh_token": "1000.refresh"}
	p := newTestProvider(t, store.CRMProvider{Type: "zoho", ID: "zoho", URL: base, ClientID: "1000.CLIENT", OAuthURL: base + "/oauth/v2/token"},
		keys, WithClock(clock.Now))
	n := mustNumber(t, "0977805845", "VN")
	for range 3 {
		if _, err := p.Lookup(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	if tokens != 1 {
		t.Errorf("3 lookups fetched %d tokens, want 1", tokens)
	}
	clock.Advance(time.Hour) // expired
	if _, err := p.Lookup(t.Context(), n); err != nil || tokens != 2 {
		t.Errorf("after expiry: %v, tokens = %d", err, tokens)
	}
	mu.Lock()
	valid = "revoked" // the CRM forgets the token early: one 401, then a new token
	mu.Unlock()
	if _, err := p.Lookup(t.Context(), n); err != nil || tokens != 3 {
		t.Errorf("after a 401: %v, tokens = %d", err, tokens)
	}
	keys["crm/zoho"] = "wrong"
	clock.Advance(2 * time.Hour)
	_, err := p.Lookup(t.Context(), n)
	if err == nil || !strings.Contains(err.Error(), "zoho refused to give an access token (invalid_client)") {
		t.Errorf("wrong client secret: %v", err)
	}
	if rc.count() == 0 {
		t.Fatal("no request")
	}
}

func TestZohoTokenURL(t *testing.T) {
	for api, want := range map[string]string{
		"https://www.zohoapis.com":    "https://accounts.zoho.com/oauth/v2/token",
		"https://www.zohoapis.eu":     "https://accounts.zoho.eu/oauth/v2/token",
		"https://zohoapis.com.au":     "https://accounts.zoho.com.au/oauth/v2/token",
		"https://crm.example.com/api": "",
	} {
		got, err := zohoTokenURL(api)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("zohoTokenURL(%s) = %q, %v; want %q", api, got, err, want)
		}
	}
}

func TestPipedrivePreset(t *testing.T) {
	rc, base := fakeCRM(t, func(r *http.Request, _ []byte) (int, string) {
		if r.URL.Query().Get("term") == "13800138000" {
			return 200, string(fixture(t, "pipedrive_search.json"))
		}
		return 200, string(fixture(t, "pipedrive_empty.json"))
	})
	p := newTestProvider(t, store.CRMProvider{Type: "pipedrive", ID: "pd", URL: base + "/"}, map[string]string{"crm/pd": "659c9f"})
	c, err := p.Lookup(t.Context(), mustNumber(t, "+86 138 0013 8000", "VN"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Zhang Wei", Company: "Shanghai Lighting Co.", URL: base + "/person/1042",
		Fields: map[string]string{"Email": "zhang.wei@example.cn", "Phone": "+86 138 0013 8000"}, Source: "pd"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	req := rc.last()
	q, _ := url.ParseQuery(req.query)
	if req.path != "/api/v2/persons/search" || q.Get("fields") != "phone" || req.header.Get("x-api-token") != "659c9f" || strings.Contains(req.query, "659c9f") {
		t.Errorf("request = %s?%s %v", req.path, req.query, req.header)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("no items: %v", err)
	}
}

func TestSalesforcePreset(t *testing.T) {
	rc, base := fakeCRM(t, func(r *http.Request, body []byte) (int, string) {
		if r.URL.Path == "/services/oauth2/token" {
			form, _ := url.ParseQuery(string(body))
			if form.Get("grant_type") != "client_credentials" || form.Get("client_secret") != "sf-secret" {
				return 400, `{"error":"invalid_client","error_description":"invalid client credentials"}`
			}
			return 200, string(fixture(t, "salesforce_token.json"))
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer 00Dxx0000001gPL!") {
			return 401, string(fixture(t, "salesforce_401.json"))
		}
		switch r.URL.Query().Get("q") {
		case "0123456789":
			return 200, string(fixture(t, "salesforce_search.json"))
		case "0612345678":
			return 200, string(fixture(t, "salesforce_lead.json"))
		}
		return 200, string(fixture(t, "salesforce_empty.json"))
	})
	p := newTestProvider(t, store.CRMProvider{Type: "salesforce", ID: "sf", URL: base, ClientID: "3MVG9"}, map[string]string{"crm/sf": "sf-secret"})

	c, err := p.Lookup(t.Context(), mustNumber(t, "+33 1 23 45 67 89", "FR"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Hélène Dupont", Company: "Boulangerie Dupont SARL", URL: base + "/lightning/r/Contact/003xx000004TmiQAAS/view",
		Fields: map[string]string{"Title": "Directrice des achats", "Email": "helene.dupont@example.fr", "Type": "Contact"}, Source: "sf"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	req := rc.last()
	q, _ := url.ParseQuery(req.query)
	if req.path != "/services/data/v62.0/parameterizedSearch/" || q.Get("in") != "PHONE" || strings.Join(q["sobject"], ",") != "Contact,Lead" {
		t.Errorf("request = %s?%s", req.path, req.query)
	}
	lead, err := p.Lookup(t.Context(), mustNumber(t, "06 12 34 56 78", "FR"))
	if err != nil || lead.Company != "Lefèvre Menuiserie" || lead.Fields["Type"] != "Lead" || lead.URL != base+"/lightning/r/Lead/00Qxx000001bXyZEAU/view" {
		t.Errorf("lead = %+v, %v", lead, err)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("no records: %v", err)
	}

	static := newTestProvider(t, store.CRMProvider{Type: "salesforce", ID: "sf2", URL: base}, map[string]string{"crm/sf2": "expired"})
	_, err = static.Lookup(t.Context(), mustNumber(t, "0123456789", "FR"))
	if err == nil || !strings.Contains(err.Error(), `CRM answered 401 Unauthorized ("Session expired or invalid"): check the API key`) {
		t.Errorf("expired session: %v", err)
	}
}

func TestOdooPreset(t *testing.T) {
	logins := 0
	var mu sync.Mutex
	rc, base := fakeCRM(t, func(r *http.Request, body []byte) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/jsonrpc" {
			return 404, `{"error":"not found"}`
		}
		params := gjson.GetBytes(body, "params")
		if params.Get("args.2").String() != "odoo-key" {
			return 200, string(fixture(t, "odoo_access_denied.json"))
		}
		switch params.Get("service").String() + "." + params.Get("method").String() {
		case "common.login":
			logins++
			if params.Get("args.0").String() != "acme" || params.Get("args.1").String() != "agent@acme.example" {
				return 200, string(fixture(t, "odoo_login_refused.json"))
			}
			return 200, string(fixture(t, "odoo_login.json"))
		case "object.execute_kw":
			if params.Get("args.1").Int() != 2 || params.Get("args.3").String() != "res.partner" || params.Get("args.4").String() != "search_read" {
				return 200, `{"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error","data":{"name":"builtins.ValueError","message":"bad call"}}}`
			}
			if params.Get("args.5.0.2.2").String() == "977805845" {
				return 200, string(fixture(t, "odoo_search_read.json"))
			}
			return 200, string(fixture(t, "odoo_empty.json"))
		}
		return 200, `{"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error","data":{"name":"x","message":"unknown"}}}`
	})
	keys := map[string]string{"crm/odoo": "odoo-key"}
	p := newTestProvider(t, store.CRMProvider{Type: "odoo", ID: "odoo", URL: base, Database: "acme", Username: "agent@acme.example"}, keys)

	c, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "Nguyễn Thị Lan", Company: "Công ty TNHH Sao Mai", URL: base + "/web#id=14&model=res.partner&view_type=form",
		Notes: "VIP & long-time customer", Fields: map[string]string{"Email": "lan.nguyen@saomai.vn", "Job position": "Kế toán trưởng"}, Source: "odoo"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	domain := gjson.GetBytes(rc.last().body, "params.args.5.0").Raw
	if domain != `["|",["phone","ilike","977805845"],["mobile","ilike","977805845"]]` {
		t.Errorf("domain = %s", domain)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0912345678", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("no partner: %v", err)
	}
	if logins != 1 {
		t.Errorf("logged in %d times, want once", logins)
	}
	keys["crm/odoo"] = "revoked"
	_, err = p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err == nil || !strings.Contains(err.Error(), "Access Denied (odoo.exceptions.AccessDenied): check the API key") {
		t.Errorf("revoked key: %v", err)
	}
	keys["crm/odoo"] = "odoo-key"
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); err != nil || logins != 2 {
		t.Errorf("after access was denied the login is redone: %v, logins = %d", err, logins)
	}

	wrongUser := newTestProvider(t, store.CRMProvider{Type: "odoo", ID: "o2", URL: base, Database: "acme", Username: "nobody",
		SearchFields: []string{"phone_sanitized"}, NumberFormat: "e164"}, map[string]string{"crm/o2": "odoo-key"})
	_, err = wrongUser.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err == nil || !strings.Contains(err.Error(), `refused the login of "nobody" on database "acme"`) {
		t.Errorf("wrong user: %v", err)
	}
}

func TestBitrix24Preset(t *testing.T) {
	rc, base := fakeCRM(t, func(r *http.Request, body []byte) (int, string) {
		if !strings.HasPrefix(r.URL.Path, "/rest/1/wh-code/") {
			return 401, string(fixture(t, "bitrix_401.json"))
		}
		switch strings.TrimPrefix(r.URL.Path, "/rest/1/wh-code/") {
		case "crm.duplicate.findbycomm.json":
			if gjson.GetBytes(body, "values.0").String() == "+12015550123" {
				return 200, string(fixture(t, "bitrix_findbycomm.json"))
			}
			return 200, string(fixture(t, "bitrix_findbycomm_empty.json"))
		case "batch.json":
			if gjson.GetBytes(body, "cmd.contact").String() != "crm.contact.get?id=12" {
				return 400, `{"error":"ERROR_CORE","error_description":"bad batch"}`
			}
			return 200, string(fixture(t, "bitrix_batch.json"))
		}
		return 404, `{"error":"ERROR_METHOD_NOT_FOUND","error_description":"Method not found!"}`
	})
	p := newTestProvider(t, store.CRMProvider{Type: "bitrix24", ID: "b24", URL: base + "/rest/1/"}, map[string]string{"crm/b24": "wh-code"})
	c, err := p.Lookup(t.Context(), mustNumber(t, "(201) 555-0123", "US"))
	if err != nil {
		t.Fatal(err)
	}
	want := Contact{Name: "John Smith", Company: "Acme Corp", URL: base + "/crm/contact/details/12/", Notes: "Call before 5 pm",
		Fields: map[string]string{"Position": "Purchasing manager", "Email": "john.smith@example.com"}, Numbers: []string{"+12015550123"}, Source: "b24"}
	if !sameContact(c, want) {
		t.Errorf("contact = %+v\nwant %+v", c, want)
	}
	var sent struct {
		Type   string   `json:"type"`
		Values []string `json:"values"`
	}
	first := rc.requests[0]
	if err := json.Unmarshal(first.body, &sent); err != nil || sent.Type != "PHONE" || strings.Join(sent.Values, ",") != "+12015550123,2015550123" {
		t.Errorf("findbycomm body = %s", first.body)
	}
	if _, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("no duplicates: %v", err)
	}
	wrong := newTestProvider(t, store.CRMProvider{Type: "bitrix24", ID: "b2", URL: base + "/rest/1/"}, map[string]string{"crm/b2": "stale-code"})
	_, err = wrong.Lookup(t.Context(), mustNumber(t, "(201) 555-0123", "US"))
	if err == nil || !strings.Contains(err.Error(), `CRM answered 401 Unauthorized ("Invalid request credentials"): check the API key: the webhook's code`) ||
		strings.Contains(err.Error(), "stale-code") {
		t.Errorf("stale webhook code: %v", err)
	}
}

func TestPresetsDoNotAskAboutExtensions(t *testing.T) {
	rc, base := fakeCRM(t, func(*http.Request, []byte) (int, string) { return 500, `{}` })
	ext := mustNumber(t, "1002", "VN")
	for _, cfg := range []store.CRMProvider{
		{Type: "hubspot", ID: "a", URL: base}, {Type: "zoho", ID: "b", URL: base}, {Type: "pipedrive", ID: "c", URL: base},
		{Type: "salesforce", ID: "d", URL: base}, {Type: "odoo", ID: "e", URL: base, Database: "x", Username: "y"},
		{Type: "bitrix24", ID: "f", URL: base},
	} {
		p := newTestProvider(t, cfg, map[string]string{"crm/" + cfg.ID: "k"})
		if _, err := p.Lookup(t.Context(), ext); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s asked about 1002: %v", cfg.Type, err)
		}
	}
	if rc.count() != 0 {
		t.Errorf("%d requests about an internal extension", rc.count())
	}
}

func TestPresetMappingOverrides(t *testing.T) {
	_, base := fakeCRM(t, func(*http.Request, []byte) (int, string) {
		return 200, string(fixture(t, "hubspot_search.json"))
	})
	p := newTestProvider(t, store.CRMProvider{Type: "hubspot", ID: "hs", URL: base, Name: "properties.email",
		Fields: map[string]string{"Phone": "properties.phone", "Email": ""}}, map[string]string{"crm/hs": "k"})
	c, err := p.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "bcooper@biglytics.net" || c.Fields["Phone"] != "+84977805845" || c.Fields["Job title"] != "CEO" {
		t.Errorf("contact = %+v", c)
	}
}

// sameContact compares contacts field by field (maps by content).
func sameContact(a, b Contact) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestGenericProvider404(t *testing.T) {
	_, base := fakeCRM(t, func(*http.Request, []byte) (int, string) { return 404, `{"error":"Not Found"}` })
	byPath := newTestProvider(t, store.CRMProvider{Type: "http", ID: "a", URL: base + "/contacts/by-phone/{e164}", Name: "name"}, nil)
	if _, err := byPath.Lookup(t.Context(), mustNumber(t, "0977805845", "VN")); !errors.Is(err, ErrNotFound) {
		t.Errorf("404 for /contacts/by-phone/{e164}: %v, want ErrNotFound", err)
	}
	byQuery := newTestProvider(t, store.CRMProvider{Type: "http", ID: "b", URL: base + "/api/contcts?phone={e164}", Name: "name"}, nil)
	_, err := byQuery.Lookup(t.Context(), mustNumber(t, "0977805845", "VN"))
	if err == nil || !strings.Contains(err.Error(), `CRM answered 404 Not Found ("Not Found"): check the provider's url`) {
		t.Errorf("404 for a wrong path: %v", err)
	}
	if numberInPath("https://x/?q={e164}") || !numberInPath("https://x/c/{nsn}") || numberInPath("") {
		t.Error("numberInPath")
	}
}
