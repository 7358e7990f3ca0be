package crm

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

func TestServiceFromConfig(t *testing.T) {
	_, crmURL := fakeCRM(t, func(r *http.Request, _ []byte) (int, string) {
		if r.Header.Get("Authorization") != "Bearer crm-key" {
			return 401, `{"message":"bad key"}`
		}
		if r.URL.Query().Get("phone") == "+84977805845" {
			return 200, `{"data":[{"name":"Jane Black","company":"Acme","url":"https://crm.example.com/c/1","email":"jane@acme.example"}]}`
		}
		return 200, `{"data":[]}`
	})
	hook := &receiver{t: t, key: []byte("whsec-test")}
	hookSrv := newServer(t, hook)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "team.csv")
	writeFile(t, csvPath, "name,number,company\nBob Tran,0912345678,Sao Mai\n")
	cfgPath := filepath.Join(dir, "config.toml")
	writeFile(t, cfgPath, fmt.Sprintf(`
[crm]
region = "VN"
timeout = "800ms"
cache_ttl = "5m"
pop_url = "https://crm.example.com/search?phone={e164}"
pop_on = "answer"

[[crm.providers]]
type = "http"
id = "crm"
url = "%s/api/contacts?phone={e164}"
headers = { Authorization = "Bearer {secret}" }
item = "data"
name = "name"
company = "company"
record_url = "url"
fields = { Email = "email" }

[[crm.providers]]
type = "csv"
path = %q

[crm.webhook]
url = "%s/hooks"
events = ["CALL_END"]
`, crmURL, csvPath, hookSrv))
	cfg, err := store.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	keys := secrets(map[string]string{"crm/crm": "crm-key", "crm/webhook": "whsec-test"})
	opener := &fakeOpener{}
	s, err := New(cfg.CRM, keys, WithOpener(opener.open), WithPollInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close(t.Context())
		}
	}()
	if s.Resolver.Timeout() != 800*time.Millisecond {
		t.Errorf("timeout = %v", s.Resolver.Timeout())
	}

	res := s.Resolver.Resolve(t.Context(), "0977805845")
	if !res.Found || res.Contact.Name != "Jane Black" || res.Contact.Fields["Email"] != "jane@acme.example" || res.Contact.Source != "crm" {
		t.Errorf("CRM contact = %+v", res)
	}
	res = s.Resolver.Resolve(t.Context(), "+84 912 345 678")
	if !res.Found || res.Contact.Name != "Bob Tran" || res.Contact.Source != "team.csv" {
		t.Errorf("CSV contact = %+v", res)
	}
	if got := s.Search("bob"); len(got) != 1 || got[0].Company != "Sao Mai" {
		t.Errorf("Search = %+v", got)
	}
	if len(s.Contacts()) != 1 {
		t.Errorf("Contacts = %v", s.Contacts())
	}

	// A miss is cached until the contacts file changes.
	if res := s.Resolver.Resolve(t.Context(), "0988777666"); res.Found {
		t.Fatalf("unknown number found: %+v", res)
	}
	writeFile(t, csvPath, "name,number,company\nBob Tran,0912345678,Sao Mai\nCarol Le,0988777666,\n")
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := s.Resolver.Resolve(t.Context(), "0988777666")
		if res.Found && res.Contact.Name == "Carol Le" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new contact was not found after the file changed: %+v", res)
		}
		time.Sleep(20 * time.Millisecond)
	}

	n := mustNumber(t, "0977805845", "VN")
	if opened, _ := s.Popper.Pop(t.Context(), store.PopOnRing, n); opened {
		t.Error("popped on ring with pop_on = answer")
	}
	if opened, err := s.Popper.Pop(t.Context(), store.PopOnAnswer, n); !opened || err != nil || opener.opened[0] != "https://crm.example.com/search?phone=%2B84977805845" {
		t.Errorf("pop on answer: %v %v %v", opened, err, opener.opened)
	}

	s.Webhook.Send(newEvent("INCOMING_CALL", 1))
	s.Webhook.Send(newEvent("CALL_END", 2))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	closed = true
	if _, seqs, bad, _ := hook.snapshot(); fmt.Sprint(seqs) != "[2]" || bad != 0 {
		t.Errorf("webhook got %v (%d bad signatures)", seqs, bad)
	}
	if res := s.Resolver.Resolve(t.Context(), "0977805845"); res.Found && !res.Cached {
		t.Errorf("Resolve after Close asked the providers: %+v", res)
	}
}

func TestServiceConfigErrors(t *testing.T) {
	_, err := New(store.CRM{Timeout: "soon"}, nil)
	if err == nil || !strings.Contains(err.Error(), `crm.timeout "soon"`) {
		t.Errorf("bad timeout: %v", err)
	}
	_, err = New(store.CRM{Providers: []store.CRMProvider{
		{Type: "http", URL: "https://crm.example.com/?q={tel}", Name: "n"},
		{Type: "ldap"},
	}, PopURL: "ftp://x/{e164}"}, secrets(nil))
	for _, want := range []string{"crm.providers[0]: CRM provider http: the url", "holds {tel}", `crm.providers[1]: CRM provider ldap: type "ldap" is not one Ringdesk has`, "screen-pop: pop_url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New = %v\nwant it to say %q", err, want)
		}
	}
	// A contacts file that does not exist yet is not an error: it is read when it appears.
	s, err := New(store.CRM{Region: "VN", Providers: []store.CRMProvider{{Type: "vcard", Path: filepath.Join(t.TempDir(), "none.vcf")}}}, secrets(nil))
	if err != nil {
		t.Fatal(err)
	}
	res := s.Resolver.Resolve(t.Context(), "0977805845")
	if len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "none.vcf: contacts file") || !strings.Contains(res.Reasons[0], "does not exist; create it or fix the provider's path") {
		t.Errorf("missing file reason = %v", res.Reasons)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// newServer serves h on loopback until the test ends and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
