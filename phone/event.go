package phone

import "time"

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

// Event is one thing that happened in the engine. Type says which fields
// are set: Call for call events, Cause for CALL_END and REGISTER_FAILED,
// Digit for DTMF, TransferState for TRANSFER, Status for PHONE_STATUS,
// Hint for HINT, Voicemail for VOICEMAIL, Message for ERROR and
// MIC_ERROR.
type Event struct {
	Type    EventType
	Time    time.Time
	Account string
	// Call is a snapshot of the call when the event happened.
	Call *CallInfo
	// Cause says why a call ended or a registration failed.
	Cause *Cause
	// Duration is how long an ended call was established (CALL_END).
	Duration time.Duration
	// Digit is a received or sent DTMF digit.
	Digit string
	// TransferState is the progress of a transfer: "trying", "ringing",
	// "accepted", "completed" or "failed".
	TransferState string
	// Status is the phone status for PHONE_STATUS (AVAILABLE, BUSY,
	// RINGING, DND).
	Status string
	// DND says, in PHONE_STATUS, whether Do Not Disturb is on (also while
	// Status is BUSY or RINGING).
	DND bool
	// Message is a sentence for ERROR and MIC_ERROR.
	Message string
	// Expires is the registration interval granted (REGISTERED).
	Expires time.Duration
	// RetryIn is when the next attempt is due (REGISTER_FAILED).
	RetryIn time.Duration
	// CallerInfo is who the caller is, as the caller lookup found
	// (CALLER_INFO).
	CallerInfo *CallerInfo
	// Hint is the new busy-lamp status of a watched number (HINT).
	Hint *Hint
	// Voicemail is the account's new message-waiting counts (VOICEMAIL).
	Voicemail *Voicemail
}

// Hint is the busy-lamp status of a number watched with SetHints: Status
// is HintIdle, HintRinging, HintBusy, HintUnavailable, or HintUnknown
// until the first notification.
type Hint struct {
	Number string
	Status string
}

// Busy-lamp statuses (Hint.Status).
const (
	HintUnknown     = "unknown"
	HintIdle        = "idle"
	HintRinging     = "ringing"
	HintBusy        = "busy"
	HintUnavailable = "unavailable"
)

// Voicemail is an account's mailbox as the server's message-waiting
// notifications (RFC 3842) tell it: new and old voice messages, and
// whether messages are waiting.
type Voicemail struct {
	NewMessages int
	OldMessages int
	Waiting     bool
}

// CallerInfo is what the caller lookup (outside the engine) learnt about a
// call's remote party. The engine only carries it to subscribers, so the
// window and the local API see it in the same stream as the call's events.
type CallerInfo struct {
	// Found is whether a contact matched; when false, Reason says why not.
	Found   bool
	Reason  string
	Name    string
	Company string
	// URL is the contact's record in the CRM.
	URL   string
	Notes string
	// Fields are extra labelled values (Email, Owner, ...).
	Fields map[string]string
	// Source names the provider that answered.
	Source string
}

// CallInfo is what events and the API tell about a call.
type CallInfo struct {
	ID        string
	SIPCallID string
	Account   string
	Direction Direction
	// Number is the remote party's number (user part), Name its display
	// name, URI its full address.
	Number string
	Name   string
	URI    string
	State  CallState
	Video  bool
	// Headers are the X- headers of the INVITE.
	Headers map[string]string
	// Data is user data attached by the API.
	Data map[string]string
	// Muted, LocalHold and RemoteHold describe the media.
	Muted      bool
	LocalHold  bool
	RemoteHold bool
	// Codec is the negotiated audio codec.
	Codec string
	// ConsultFor is, on the consultation call of an attended transfer,
	// the id of the call it consults for; ConsultCall is, on that call,
	// the id of its consultation call while there is one.
	ConsultFor  string
	ConsultCall string
	// ReplacedCall is, on an incoming call that replaced one of ours
	// (INVITE with Replaces: the far end of an attended transfer), the id
	// of the call it replaced.
	ReplacedCall string
	// ForwardedTo is the target an incoming call was forwarded to (302)
	// by a forwarding rule; empty otherwise.
	ForwardedTo string
	// Started is when the call was created, Answered when it was
	// established (zero until then).
	Started  time.Time
	Answered time.Time
}

// Cause says why a call ended or a registration failed: the SIP code and
// reason phrase (0 and "" when no SIP response was involved), the sentence
// for a person, and who ended it ("local", "remote" or "network").
type Cause struct {
	Code    int
	Reason  string
	Message string
	By      string
	// Rule names the phone setting that ended an incoming call without
	// the agent: RuleDND, or RuleForward (see CallInfo.ForwardedTo);
	// empty otherwise.
	Rule string
}

// Settings that end incoming calls on their own (Cause.Rule).
const (
	RuleDND     = "dnd"
	RuleForward = "forward"
)

// Who ended a call.
const (
	ByLocal   = "local"
	ByRemote  = "remote"
	ByNetwork = "network"
)
