package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/internal/callwatch"
	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
	"github.com/ringdesk/ringdesk/store/history"
)

func TestMain(m *testing.M) {
	// Loopback never loses a packet: shorter SIP timers keep waits short.
	sip.SetTimers(100*time.Millisecond, time.Second, time.Second)
	os.Exit(m.Run())
}

// testToken is the API token of the tests' servers.
const testToken = "test-token-5b0c9f"

// allowedOrigin is the one browser Origin the tests' servers allow.
const allowedOrigin = "http://127.0.0.1:8099"

// bench is a phone registered as 1001 at Kamailio, with the API in front
// of it and a call history behind it.
type bench struct {
	k       *testbed.Kamailio
	phone   *phone.Phone
	srv     *api.Server
	url     string
	history *history.Store
	crm     *crm.Service
}

type benchOption func(*api.Options)

// newBench starts a phone and the API on 127.0.0.1; with register, also
// Kamailio (without digest, so SIPp can register by hand) and the phone
// registered there as 1001, account "main".
func newBench(t *testing.T, register bool, opts ...benchOption) *bench {
	t.Helper()
	b := &bench{phone: phone.New()}
	if register {
		b.k = testbed.StartKamailio(t, testbed.KamailioNoAuth())
	}
	h, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	b.history = h
	contacts := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(contacts, []byte("name,number,company\nJane Black,1003,Acme Inc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.crm, err = crm.New(store.CRM{Region: "VN", Providers: []store.CRMProvider{{Type: "csv", Path: contacts}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	watcher := callwatch.Start(callwatch.Options{Phone: b.phone, History: h, CRM: b.crm, EncodeEvent: func(e phone.Event) any { return api.EventFrom(e) }})
	o := api.Options{Phone: b.phone, Token: testToken, AllowedOrigins: []string{allowedOrigin},
		History: h, Lookup: b.crm.Resolver, DialsPerMinute: 600, Version: "test"}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := api.New(o)
	if err != nil {
		t.Fatal(err)
	}
	b.srv = srv
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	b.url = srv.URL()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
		closeCtx, closeCancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer closeCancel()
		_ = b.phone.Close(closeCtx)
		watcher.Close()
		_ = b.crm.Close(closeCtx)
		h.Close()
	})
	if register {
		if _, err := b.phone.AddAccount(phone.AccountConfig{ID: "main", DisplayName: "Agent", Username: "1001",
			Domain: b.k.Domain(), Server: b.k.UDPAddr(), Transport: "udp", Register: true, Codecs: []string{"pcmu"}}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := b.k.WaitRegistered(ctx, "1001", true); err != nil {
			t.Fatalf("the phone did not register: %v", err)
		}
		waitFor(t, "account main registered", func() bool {
			a, err := b.phone.Account("main")
			if err != nil {
				return false
			}
			st, _ := a.Registration()
			return st == phone.RegRegistered
		})
	}
	return b
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// errCode is the "code" of a JSON error answer.
func (a answer) errCode() string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(a.body, &e)
	return e.Error.Code
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %q is not the JSON expected: %v", a.body, err)
	}
}

// do sends a request with the test token (unless headers say otherwise).
func (b *bench) do(t *testing.T, method, path, body string, headers ...string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusNoContent && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s answered Content-Type %q, want JSON", method, path, ct)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}
}

// stream is a WebSocket on /v1/events that collects the events it hears.
type stream struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	events []api.Event
	closed error
	done   chan struct{}
}

// openStream connects to /v1/events with the token in the query, as a
// browser does.
func (b *bench) openStream(t *testing.T) *stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(b.url, "http", "ws", 1)+"/v1/events?token="+testToken, nil)
	if err != nil {
		t.Fatalf("connect to /v1/events: %v", err)
	}
	conn.SetReadLimit(1 << 20)
	s := &stream{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				s.mu.Lock()
				s.closed = err
				s.mu.Unlock()
				return
			}
			var e api.Event
			if err := json.Unmarshal(data, &e); err != nil {
				s.mu.Lock()
				s.closed = fmt.Errorf("event %q is not JSON: %w", data, err)
				s.mu.Unlock()
				return
			}
			s.mu.Lock()
			s.events = append(s.events, e)
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		conn.CloseNow()
		<-s.done
	})
	return s
}

// all returns the events heard so far.
func (s *stream) all() []api.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// waitType waits for an event of type typ (for call id, when not "") and
// returns it.
func (s *stream) waitType(t *testing.T, typ, call string) api.Event {
	t.Helper()
	var found api.Event
	waitFor(t, typ+" event", func() bool {
		for _, e := range s.all() {
			if e.Type == typ && (call == "" || (e.Call != nil && e.Call.ID == call)) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// callTypes lists the types of the events of one call, in order.
func (s *stream) callTypes(call string) []string {
	var out []string
	for _, e := range s.all() {
		if e.Call != nil && e.Call.ID == call && e.Type != "CALLER_INFO" {
			out = append(out, e.Type)
		}
	}
	return out
}

// jsonBody encodes v.
func jsonBody(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
