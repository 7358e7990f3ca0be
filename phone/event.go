package phone

// EventType names an engine event. The names are the ones the webphone SDKs
// our users integrate with already use; the local API sends them unchanged.
type EventType string

// Event names, as DESIGN.md and API.md list them.
const (
	EventConnected      EventType = "CONNECTED"
	EventDisconnected   EventType = "DISCONNECTED"
	EventRegistered     EventType = "REGISTERED"
	EventUnregistered   EventType = "UNREGISTERED"
	EventRegisterFailed EventType = "REGISTER_FAILED"
	EventIncomingCall   EventType = "INCOMING_CALL"
	EventOutgoingCall   EventType = "OUTGOING_CALL"
	EventProgress       EventType = "PROGRESS"
	EventInCall         EventType = "IN_CALL"
	EventHold           EventType = "HOLD"
	EventUnhold         EventType = "UNHOLD"
	EventMute           EventType = "MUTE"
	EventUnmute         EventType = "UNMUTE"
	EventDTMF           EventType = "DTMF"
	EventTransfer       EventType = "TRANSFER"
	EventCallEnd        EventType = "CALL_END"
	EventCallerInfo     EventType = "CALLER_INFO"
	EventHint           EventType = "HINT"
	EventVoicemail      EventType = "VOICEMAIL"
	EventPhoneStatus    EventType = "PHONE_STATUS"
	EventError          EventType = "ERROR"
	EventMicError       EventType = "MIC_ERROR"
)

// EventTypes lists every event name, in the order API.md gives them.
var EventTypes = []EventType{
	EventConnected, EventDisconnected, EventRegistered, EventUnregistered,
	EventRegisterFailed, EventIncomingCall, EventOutgoingCall, EventProgress,
	EventInCall, EventHold, EventUnhold, EventMute, EventUnmute, EventDTMF,
	EventTransfer, EventCallEnd, EventCallerInfo, EventHint, EventVoicemail,
	EventPhoneStatus, EventError, EventMicError,
}
