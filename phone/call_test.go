package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

func TestCallBetweenEngines(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioTLS())
	for _, tc := range []struct{ name, callerTransport, calleeTransport, caller, callee string }{
		{"udp-udp", "udp", "udp", "1001", "1002"},
		{"ws-udp", "ws", "udp", "1003", "1004"},
		{"tls-tcp", "tls", "tcp", "1005", "1006"},
		{"wss-udp", "wss", "udp", "1007", "1008"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob := newTestPhone(t), newTestPhone(t)
			ra, rb := record(t, alice), record(t, bob)
			if _, err := alice.AddAccount(kamailioAccount(k, tc.caller, tc.callerTransport)); err != nil {
				t.Fatal(err)
			}
			if _, err := bob.AddAccount(kamailioAccount(k, tc.callee, tc.calleeTransport)); err != nil {
				t.Fatal(err)
			}
			ra.waitFor(EventRegistered, "")
			rb.waitFor(EventRegistered, "")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			call, err := alice.Dial(ctx, "", tc.callee, DialOptions{Headers: map[string]string{"X-Business-Id": "42"}, Video: true})
			if err != nil {
				t.Fatal(err)
			}
			in := rb.waitFor(EventIncomingCall, "")
			if in.Call.Number != tc.caller || in.Call.Headers["X-Business-Id"] != "42" || in.Call.Headers["X-Videocall"] != "true" || !in.Call.Video {
				t.Errorf("INCOMING_CALL: %+v", in.Call)
			}
			ra.waitFor(EventProgress, call.ID())
			bc, err := bob.Call(in.Call.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := bc.Answer(ctx); err != nil {
				t.Fatal(err)
			}
			ra.waitFor(EventInCall, call.ID())
			rb.waitFor(EventInCall, bc.ID())
			if err := call.Hold(ctx); err != nil {
				t.Fatalf("hold: %v", err)
			}
			ra.waitFor(EventHold, call.ID())
			if e := rb.waitFor(EventHold, bc.ID()); !e.Call.RemoteHold {
				t.Errorf("callee did not see the remote hold: %+v", e.Call)
			}
			if err := call.Unhold(ctx); err != nil {
				t.Fatalf("unhold: %v", err)
			}
			rb.waitFor(EventUnhold, bc.ID())
			if err := call.SendDTMF(ctx, "5#"); err != nil {
				t.Fatalf("DTMF: %v", err)
			}
			if d := rb.waitFor(EventDTMF, bc.ID()); d.Digit != "5" {
				t.Errorf("DTMF digit %q, want 5", d.Digit)
			}
			rb.waitFor(EventDTMF, bc.ID())
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			end := rb.waitFor(EventCallEnd, bc.ID())
			if end.Cause.By != ByRemote {
				t.Errorf("callee's CALL_END cause: %+v", end.Cause)
			}
			ra.waitFor(EventCallEnd, call.ID())
			wantSequence(t, ra.callEvents(call.ID()), "OUTGOING_CALL", "PROGRESS", "IN_CALL", "HOLD", "UNHOLD", "CALL_END")
			wantSequence(t, rb.callEvents(bc.ID()), "INCOMING_CALL", "IN_CALL", "HOLD", "UNHOLD", "DTMF", "DTMF", "CALL_END")
		})
	}
}
