package phone

import "testing"

func TestCallStateString(t *testing.T) {
	for _, tc := range []struct {
		state CallState
		want  string
	}{
		{CallStateUnknown, "unknown"},
		{CallStateDialing, "dialing"},
		{CallStateRinging, "ringing"},
		{CallStateEarly, "early"},
		{CallStateIncoming, "incoming"},
		{CallStateEstablished, "established"},
		{CallStateHeld, "held"},
		{CallStateEnded, "ended"},
		{CallState(-1), "unknown"},
		{CallState(99), "unknown"},
	} {
		if got := tc.state.String(); got != tc.want {
			t.Errorf("CallState(%d).String() = %q, want %q", int(tc.state), got, tc.want)
		}
		if tc.state >= 0 && int(tc.state) < len(callStateNames) {
			if back := ParseCallState(tc.want); back != tc.state {
				t.Errorf("ParseCallState(%q) = %v, want %v", tc.want, back, tc.state)
			}
		}
	}
	if got := ParseCallState("bogus"); got != CallStateUnknown {
		t.Errorf("ParseCallState(bogus) = %v, want unknown", got)
	}
}

func TestEventTypesAreTheDesignNames(t *testing.T) {
	want := []string{"CONNECTED", "DISCONNECTED", "REGISTERED", "UNREGISTERED",
		"REGISTER_FAILED", "INCOMING_CALL", "OUTGOING_CALL", "PROGRESS", "IN_CALL",
		"HOLD", "UNHOLD", "MUTE", "UNMUTE", "DTMF", "TRANSFER", "CALL_END",
		"CALLER_INFO", "HINT", "VOICEMAIL", "PHONE_STATUS", "ERROR", "MIC_ERROR"}
	if len(EventTypes) != len(want) {
		t.Fatalf("%d event types, want %d", len(EventTypes), len(want))
	}
	for i, name := range want {
		if string(EventTypes[i]) != name {
			t.Errorf("EventTypes[%d] = %q, want %q", i, EventTypes[i], name)
		}
	}
}
