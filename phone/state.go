package phone

// CallState is where a call stands. The zero value is CallStateUnknown.
//
//	outbound: dialing -> ringing/early -> established <-> held -> ended
//	inbound:  incoming -> established <-> held -> ended
type CallState int

// Call states.
const (
	CallStateUnknown CallState = iota
	CallStateDialing
	CallStateRinging
	CallStateEarly
	CallStateIncoming
	CallStateEstablished
	CallStateHeld
	CallStateEnded
)

var callStateNames = [...]string{
	CallStateUnknown:     "unknown",
	CallStateDialing:     "dialing",
	CallStateRinging:     "ringing",
	CallStateEarly:       "early",
	CallStateIncoming:    "incoming",
	CallStateEstablished: "established",
	CallStateHeld:        "held",
	CallStateEnded:       "ended",
}

// String is the state's name as events and the API spell it.
func (s CallState) String() string {
	if s < 0 || int(s) >= len(callStateNames) {
		return "unknown"
	}
	return callStateNames[s]
}

// ParseCallState reads a state name; an unknown name gives CallStateUnknown.
func ParseCallState(name string) CallState {
	for s, n := range callStateNames {
		if n == name {
			return CallState(s)
		}
	}
	return CallStateUnknown
}

// Direction says who placed a call.
type Direction string

// Call directions, as events spell them.
const (
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)
