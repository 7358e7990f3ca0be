package phone

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// TestUnregisterKamailio: an account registered to Kamailio unregisters
// (the binding is gone, REGISTER Expires: 0 in Kamailio's log), stops
// refreshing (no REGISTER for several refresh intervals), and registers
// again with Register; over UDP and over TCP (where the flow is closed
// and opened again).
func TestUnregisterKamailio(t *testing.T) {
	k := testbed.StartKamailio(t)
	for _, tc := range []struct{ transport, user string }{{"udp", "1008"}, {"tcp", "1009"}} {
		t.Run(tc.transport, func(t *testing.T) {
			p := newTestPhone(t)
			rec := record(t, p)
			cfg := kamailioAccount(k, tc.user, tc.transport)
			// A short interval: a loop still refreshing would show at once.
			cfg.Expires = 2 * time.Second
			a, err := p.AddAccount(cfg)
			if err != nil {
				t.Fatal(err)
			}
			rec.waitFor(EventRegistered, "")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := k.WaitRegistered(ctx, tc.user, true); err != nil {
				t.Fatal(err)
			}
			if err := a.Unregister(ctx); err != nil {
				t.Fatalf("Unregister: %v", err)
			}
			rec.waitFor(EventUnregistered, "")
			if state, cause := a.Registration(); state != RegUnregistered || cause != nil {
				t.Errorf("after Unregister: %s %+v, want unregistered", state, cause)
			}
			if err := k.WaitRegistered(ctx, tc.user, false); err != nil {
				t.Fatalf("Kamailio still has the binding: %v", err)
			}
			// Kamailio writes its log from other processes: give the
			// line a moment.
			line := "TESTBED-REG user=" + tc.user + " expires=0 "
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(k.Log(), line) && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(k.Log(), line) {
				t.Errorf("Kamailio logged no REGISTER with Expires: 0 for %s", tc.user)
			}
			// Unregistering again does nothing.
			if err := a.Unregister(ctx); err != nil {
				t.Errorf("second Unregister: %v", err)
			}
			// Nothing refreshes the binding any more: with a 2 s
			// interval a live loop would have sent two REGISTERs by
			// now.
			before := k.Count("REGISTER")
			time.Sleep(4 * time.Second)
			if after := k.Count("REGISTER"); after != before {
				t.Errorf("%d REGISTERs after Unregister", after-before)
			}
			if k.Registered(tc.user) {
				t.Errorf("registered again without Register")
			}

			a.Register()
			rec.waitFor(EventRegistered, "")
			if err := k.WaitRegistered(ctx, tc.user, true); err != nil {
				t.Fatalf("not registered again after Register: %v", err)
			}
			var types []string
			for _, e := range rec.got {
				if e.Account == tc.user && (e.Type != EventRegistered || len(types) == 0 || types[len(types)-1] != string(EventRegistered)) {
					types = append(types, string(e.Type))
				}
			}
			want := []string{"REGISTERED", "UNREGISTERED", "REGISTERED"}
			if tc.transport == "tcp" {
				want = []string{"CONNECTED", "REGISTERED", "UNREGISTERED", "CONNECTED", "REGISTERED"}
			}
			wantSequence(t, types, want...)
		})
	}
}

// TestRegisterAccountThatDoesNotRegister: an account configured not to
// register starts registering on Register, and Unregister before that
// does nothing.
func TestRegisterAccountThatDoesNotRegister(t *testing.T) {
	k := testbed.StartKamailio(t)
	p := newTestPhone(t)
	rec := record(t, p)
	cfg := kamailioAccount(k, "1010", "udp")
	cfg.Register = false
	a, err := p.AddAccount(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Unregister(ctx); err != nil {
		t.Errorf("Unregister of an account never registered: %v", err)
	}
	a.Register()
	rec.waitFor(EventRegistered, "")
	if err := k.WaitRegistered(ctx, "1010", true); err != nil {
		t.Fatal(err)
	}
	wantSequence(t, rec.types(), "REGISTERED")
}

// TestUnregisterOnTheWire: against a SIPp registrar, the REGISTER that
// unregisters is Expires: 0 with ;expires=0 on the Contact, in the same
// Call-ID with a higher CSeq; Register afterwards asks for the configured
// interval again.
func TestUnregisterOnTheWire(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_registrar.xml", testbed.SIPpUAS())
	// No OPTIONS keep-alive may reach the one-binding registrar.
	p := newTestPhone(t, WithKeepAlive(time.Hour, 200*time.Millisecond))
	rec := record(t, p)
	a, err := p.AddAccount(AccountConfig{ID: "wire", Username: "1001", Domain: "127.0.0.1", Server: sp.Addr(),
		Transport: "udp", Register: true, Expires: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if e := rec.waitFor(EventRegistered, ""); e.Expires != 60*time.Second {
		t.Errorf("registered for %s, want 1m0s", e.Expires)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventUnregistered, "")
	a.Register()
	rec.waitFor(EventRegistered, "")
	waitSIPp(t, sp)
	wantSequence(t, rec.types(), "REGISTERED", "UNREGISTERED", "REGISTERED")
	if got := sp.Logged("REGISTER-EXPIRES"); !slices.Equal(got, []string{"60", "0", "60"}) {
		t.Errorf("Expires of the three REGISTERs: %v, want [60 0 60]", got)
	}
	var regs []*testbed.SIPMessage
	for _, m := range sp.Received() {
		if m.Method() == "REGISTER" {
			regs = append(regs, m)
		}
	}
	if len(regs) != 3 {
		t.Fatalf("SIPp received %d REGISTERs, want 3", len(regs))
	}
	un := regs[1]
	if !strings.Contains(un.Header("Contact"), ";expires=0") {
		t.Errorf("unregister Contact %q has no ;expires=0", un.Header("Contact"))
	}
	if un.Header("Call-ID") != regs[0].Header("Call-ID") || regs[2].Header("Call-ID") != regs[0].Header("Call-ID") {
		t.Errorf("the binding changed Call-ID: %q, %q, %q", regs[0].Header("Call-ID"), un.Header("Call-ID"), regs[2].Header("Call-ID"))
	}
	n0, _ := regs[0].CSeq()
	n1, _ := un.CSeq()
	n2, _ := regs[2].CSeq()
	if n1 <= n0 || n2 <= n1 {
		t.Errorf("CSeq numbers %d, %d, %d do not grow", n0, n1, n2)
	}
}

// types returns the types of the events seen so far, in order.
func (r *recorder) types() []string {
	var out []string
	for _, e := range r.got {
		out = append(out, string(e.Type))
	}
	return out
}
