package phone

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

func TestRegisterTransports(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioTLS())
	for i, transport := range []string{"udp", "tcp", "ws", "tls", "wss"} {
		t.Run(transport, func(t *testing.T) {
			user := []string{"1001", "1002", "1003", "1004", "1005"}[i]
			p := newTestPhone(t)
			rec := record(t, p)
			if _, err := p.AddAccount(kamailioAccount(k, user, transport)); err != nil {
				t.Fatal(err)
			}
			e := rec.waitFor(EventRegistered, "")
			if e.Account != user || e.Expires <= 0 {
				t.Errorf("REGISTERED event: %+v", e)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			contacts, err := k.Contacts(ctx, user)
			if err != nil || len(contacts) == 0 {
				t.Fatalf("Kamailio has no contact for %s: %v %v", user, contacts, err)
			}
			p.Close(ctx)
			if err := k.WaitRegistered(ctx, user, false); err != nil {
				t.Errorf("still registered after Close (no Expires: 0?): %v", err)
			}
		})
	}
}

func TestRegisterWithHA1(t *testing.T) {
	k := testbed.StartKamailio(t)
	p := newTestPhone(t)
	rec := record(t, p)
	cfg := kamailioAccount(k, "1004", "udp")
	cfg.Password, cfg.HA1 = "", k.HA1("1004")
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
}

func TestRegisterWrongPasswordBacksOff(t *testing.T) {
	k := testbed.StartKamailio(t)
	p := newTestPhone(t)
	rec := record(t, p)
	cfg := kamailioAccount(k, "1005", "udp")
	cfg.Password = "wrong"
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	e := rec.waitFor(EventRegisterFailed, "")
	if e.Cause == nil || e.Cause.Code != 401 || e.Cause.Message != "Wrong username or password" {
		t.Fatalf("REGISTER_FAILED cause: %+v", e.Cause)
	}
	first := e.RetryIn
	e = rec.waitFor(EventRegisterFailed, "")
	e = rec.waitFor(EventRegisterFailed, "")
	if e.RetryIn <= first/2 {
		t.Errorf("backoff does not grow: first retry in %s, third in %s", first, e.RetryIn)
	}
	// Three attempts of two REGISTERs each (the challenge, then the
	// wrong answer), not a flood.
	if n := k.Count("REGISTER"); n < 5 || n > 8 {
		t.Errorf("Kamailio received %d REGISTERs for three attempts", n)
	}
}

func TestReregisterAfterKamailioRestart(t *testing.T) {
	k := testbed.StartKamailio(t)
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			user := map[string]string{"udp": "1006", "tcp": "1007"}[transport]
			p := newTestPhone(t, WithKeepAlive(time.Second, 200*time.Millisecond))
			rec := record(t, p)
			if _, err := p.AddAccount(kamailioAccount(k, user, transport)); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(EventRegistered, "")
			k.Stop()
			// The phone notices: the TCP flow drops, or OPTIONS goes
			// unanswered on UDP.
			rec.waitFor(EventDisconnected, "")
			k.Restart()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := k.WaitRegistered(ctx, user, true); err != nil {
				t.Fatalf("not registered again after Kamailio came back: %v; events: %s", err, rec.summary())
			}
		})
	}
}

// TestRegisterMinExpires: the registrar refuses 60 s with 423 Interval
// Too Brief and Min-Expires: 120; the phone registers again at once for
// 120 s.
func TestRegisterMinExpires(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioMinExpires(120))
	p := newTestPhone(t)
	rec := record(t, p)
	if _, err := p.AddAccount(kamailioAccount(k, "1006", "udp")); err != nil {
		t.Fatal(err)
	}
	if e := rec.waitFor(EventRegistered, ""); e.Expires != 120*time.Second {
		t.Errorf("registered for %s, want the server's minimum 2m0s", e.Expires)
	}
	// Kamailio writes its log from other processes: give the line a moment.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(k.Log(), "TESTBED-REG user=1006 expires=120") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	log := k.Log()
	if !strings.Contains(log, "TESTBED-REG user=1006 expires=120") {
		t.Errorf("Kamailio never stored a 120 s binding")
	}
	if strings.Contains(log, "TESTBED-REG user=1006 expires=60") {
		t.Errorf("Kamailio stored the 60 s binding it should have refused with 423")
	}
}
