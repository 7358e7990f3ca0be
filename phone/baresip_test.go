package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// TestCallBaresip: Ringdesk calls baresip through Kamailio; baresip
// answers; Ringdesk hangs up.
func TestCallBaresip(t *testing.T) {
	k := testbed.StartKamailio(t)
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"))
	p := newTestPhone(t)
	rec := record(t, p)
	if _, err := p.AddAccount(kamailioAccount(k, "1001", "udp")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call, err := p.Dial(ctx, "", "1009", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := rec.waitFor(EventInCall, call.ID())
	if in.Call.Codec == "" {
		t.Errorf("no codec negotiated: %+v", in.Call)
	}
	if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, call.ID())
	if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	// baresip answering at once may send its 200 without a 180 first.
	wantSequence(t, without(rec.callEvents(call.ID()), "PROGRESS"), "OUTGOING_CALL", "IN_CALL", "CALL_END")
}

// TestBaresipCallsRingdesk: baresip dials Ringdesk through Kamailio;
// Ringdesk rings, answers; baresip hangs up.
func TestBaresipCallsRingdesk(t *testing.T) {
	k := testbed.StartKamailio(t)
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1010"))
	p := newTestPhone(t)
	rec := record(t, p)
	if _, err := p.AddAccount(kamailioAccount(k, "1002", "udp")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Dial(k.URI("1002")); err != nil {
		t.Fatal(err)
	}
	in := rec.waitFor(EventIncomingCall, "")
	if in.Call.Number != "1010" || in.Call.Direction != DirectionInbound {
		t.Errorf("INCOMING_CALL: %+v", in.Call)
	}
	c, err := p.Call(in.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventInCall, c.ID())
	if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	end := rec.waitFor(EventCallEnd, c.ID())
	if end.Cause.By != ByRemote {
		t.Errorf("CALL_END cause %+v, want by remote", end.Cause)
	}
	wantSequence(t, rec.callEvents(c.ID()), "INCOMING_CALL", "IN_CALL", "CALL_END")
}
