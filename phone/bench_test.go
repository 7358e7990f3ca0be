package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// BenchmarkCallSetup measures Dial → IN_CALL against a SIPp UAS on
// loopback (each call is then hung up, outside the timer's meaning but
// inside its loop).
func BenchmarkCallSetup(b *testing.B) {
	sp := testbed.RunSIPp(b, "uas_answer.xml", testbed.SIPpUAS(), testbed.SIPpCalls(1000000))
	p := New(WithLocalIP("127.0.0.1"))
	defer p.Close(context.Background())
	if _, err := p.AddAccount(directAccount(sp.Addr())); err != nil {
		b.Fatal(err)
	}
	sub := p.Subscribe()
	defer sub.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := p.Dial(ctx, "", "sipp", DialOptions{})
		if err != nil {
			b.Fatal(err)
		}
		waitEvent(b, sub, EventInCall, c.ID())
		if err := c.Hangup(ctx); err != nil {
			b.Fatal(err)
		}
		waitEvent(b, sub, EventCallEnd, c.ID())
	}
}

// BenchmarkRegister measures one REGISTER round trip with digest
// authentication against Kamailio on loopback.
func BenchmarkRegister(b *testing.B) {
	k := testbed.StartKamailio(b)
	p := New(WithLocalIP("127.0.0.1"))
	defer p.Close(context.Background())
	cfg := kamailioAccount(k, "1001", "udp")
	cfg.Register = false
	a, err := p.AddAccount(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.registerOnce(ctx, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

func waitEvent(b *testing.B, sub *Subscription, typ EventType, callID string) {
	b.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case e := <-sub.C:
			if e.Type == typ && e.Call != nil && e.Call.ID == callID {
				return
			}
		case <-timeout:
			b.Fatalf("no %s for %s", typ, callID)
		}
	}
}
