package phone

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// eventTimeout guards every wait for an event; it is a bound, not a
// measurement.
const eventTimeout = 20 * time.Second

// newTestPhone starts a phone on loopback that is closed when the test
// ends.
func newTestPhone(t *testing.T, opts ...Option) *Phone {
	t.Helper()
	opts = append([]Option{WithLocalIP("127.0.0.1"), WithRetryBackoff(200*time.Millisecond, 2*time.Second),
		WithKeepAlive(5*time.Second, 200*time.Millisecond)}, opts...)
	p := New(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// kamailioAccount is the account of a test user on k over transport.
func kamailioAccount(k *testbed.Kamailio, user, transport string) AccountConfig {
	server, ca := k.UDPAddr(), ""
	switch transport {
	case "ws":
		server = k.WSURL()
	case "tls":
		server, ca = k.TLSAddr(), k.CACertPath()
	case "wss":
		server, ca = k.WSSURL(), k.CACertPath()
	}
	return AccountConfig{ID: user, DisplayName: "User " + user, Username: user, Domain: k.Domain(),
		Transport: transport, Server: server, CAFile: ca, Password: testbed.Password(user), Register: true, Expires: 60 * time.Second}
}

// recorder collects a subscription's events for a test.
type recorder struct {
	t   *testing.T
	sub *Subscription
	got []Event
}

func record(t *testing.T, p *Phone) *recorder {
	t.Helper()
	r := &recorder{t: t, sub: p.Subscribe()}
	t.Cleanup(r.sub.Close)
	return r
}

// waitFor reads events until one of type typ (and, when callID is not
// empty, of that call) arrives, and returns it.
func (r *recorder) waitFor(typ EventType, callID string) Event {
	r.t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case e, ok := <-r.sub.C:
			if !ok {
				r.t.Fatalf("event stream closed while waiting for %s: %v", typ, r.sub.Err())
			}
			r.got = append(r.got, e)
			if e.Type == typ && (callID == "" || (e.Call != nil && e.Call.ID == callID)) {
				return e
			}
		case <-timeout:
			r.t.Fatalf("no %s within %s; events so far: %s", typ, eventTimeout, r.summary())
		}
	}
}

// callEvents returns the types of the events seen for a call, in order.
func (r *recorder) callEvents(callID string) []string {
	var out []string
	for _, e := range r.got {
		if e.Call != nil && e.Call.ID == callID {
			out = append(out, string(e.Type))
		}
	}
	return out
}

func (r *recorder) summary() string {
	var b strings.Builder
	for _, e := range r.got {
		fmt.Fprintf(&b, "%s", e.Type)
		if e.Call != nil {
			fmt.Fprintf(&b, "(%s %s)", e.Call.ID, e.Call.State)
		}
		if e.Cause != nil {
			fmt.Fprintf(&b, "[%d %s: %s]", e.Cause.Code, e.Cause.Reason, e.Cause.Message)
		}
		b.WriteString(" ")
	}
	return b.String()
}

func wantSequence(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events: got %v, want %v", got, want)
	}
}

// without drops the events of type drop from a sequence.
func without(events []string, drop string) []string {
	var out []string
	for _, e := range events {
		if e != drop {
			out = append(out, e)
		}
	}
	return out
}
