package phone

import (
	"net"
	"strconv"
	"testing"

	"github.com/miekg/dns"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// startZone serves DNS records on 127.0.0.1 (UDP) for the test.
func startZone(t *testing.T, records ...string) string {
	t.Helper()
	var rrs []dns.RR
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			t.Fatalf("bad record %q: %v", r, err)
		}
		rrs = append(rrs, rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			for _, rr := range rrs {
				h := rr.Header()
				if h.Rrtype == q.Question[0].Qtype && dns.CanonicalName(h.Name) == dns.CanonicalName(q.Question[0].Name) {
					m.Answer = append(m.Answer, rr)
				}
			}
			_ = w.WriteMsg(m)
		})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ActivateAndServe()
	}()
	<-started
	t.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	return pc.LocalAddr().String()
}

// TestRegisterBySRV: the account names only its domain; the phone finds
// Kamailio through SRV and A records served on loopback (RFC 3263).
func TestRegisterBySRV(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioDomain("pbx.test"))
	_, port, _ := net.SplitHostPort(k.UDPAddr())
	dnsAddr := startZone(t,
		"_sip._udp.pbx.test. 60 IN SRV 10 10 "+port+" sip1.pbx.test.",
		"sip1.pbx.test. 60 IN A 127.0.0.1",
	)
	p := newTestPhone(t, WithDNSServer(dnsAddr))
	rec := record(t, p)
	cfg := kamailioAccount(k, "1008", "udp")
	cfg.Server = ""
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	a, _ := p.Account("1008")
	if got := a.destination(); got != net.JoinHostPort("127.0.0.1", port) {
		t.Errorf("server found at %s, want 127.0.0.1:%s", got, strconv.Quote(port))
	}
}
