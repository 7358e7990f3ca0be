package api

import (
	"time"

	"github.com/ringdesk/ringdesk/phone"
)

// Event is one event as the API sends it: a JSON object per WebSocket
// message, with the engine's event names (API.md). Fields that do not apply
// to the type are left out.
type Event struct {
	Type    string `json:"type"`
	Time    string `json:"time"`
	Account string `json:"account,omitempty"`
	// Call is the call as it stood when the event happened.
	Call *Call `json:"call,omitempty"`
	// Cause is why a call ended (CALL_END) or a registration failed
	// (REGISTER_FAILED).
	Cause *Cause `json:"cause,omitempty"`
	// Duration is the talk time of an ended call in seconds (CALL_END).
	Duration *float64 `json:"duration,omitempty"`
	// Digit is the DTMF digit (DTMF).
	Digit string `json:"digit,omitempty"`
	// State is a transfer's progress (TRANSFER): trying, ringing,
	// accepted, completed or failed.
	State string `json:"state,omitempty"`
	// Status is the phone's status (PHONE_STATUS): AVAILABLE, RINGING,
	// BUSY or DND.
	Status string `json:"status,omitempty"`
	// Message is a sentence for ERROR and MIC_ERROR.
	Message string `json:"message,omitempty"`
	// Expires is the registration interval granted in seconds
	// (REGISTERED).
	Expires int `json:"expires,omitempty"`
	// RetryIn is the delay before the next registration attempt in
	// seconds (REGISTER_FAILED).
	RetryIn int `json:"retryIn,omitempty"`
	// Contact is the caller as the lookup found them (CALLER_INFO).
	Contact *Contact `json:"contact,omitempty"`
	// Number is the watched number of a HINT; its Status is idle,
	// ringing, busy or unavailable.
	Number string `json:"number,omitempty"`
	// NewMessages and OldMessages are the voicemail counts (VOICEMAIL);
	// Waiting says the mailbox has news.
	NewMessages *int  `json:"newMessages,omitempty"`
	OldMessages *int  `json:"oldMessages,omitempty"`
	Waiting     *bool `json:"waiting,omitempty"`
}

// Call is a call as events and GET /v1/calls show it.
type Call struct {
	ID        string            `json:"id"`
	SIPCallID string            `json:"sipCallId"`
	Account   string            `json:"account"`
	Direction string            `json:"direction"`
	Number    string            `json:"number"`
	Name      string            `json:"name"`
	State     string            `json:"state"`
	Video     bool              `json:"video"`
	Headers   map[string]string `json:"headers"`
	Data      map[string]string `json:"data"`
	Muted     bool              `json:"muted"`
	Held      bool              `json:"held"`
	// RemoteHeld says the far end put the call on hold.
	RemoteHeld bool   `json:"remoteHeld"`
	Codec      string `json:"codec,omitempty"`
	Started    string `json:"started"`
	Answered   string `json:"answered,omitempty"`
}

// Cause says why a call ended or a registration failed: the SIP code and
// reason (0 and "" when no SIP response was involved), a sentence for a
// person, and who ended it (local, remote or network).
type Cause struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	By      string `json:"by,omitempty"`
}

// Contact is the caller card of CALLER_INFO and GET /v1/contacts/lookup.
type Contact struct {
	Found   bool              `json:"found"`
	Reason  string            `json:"reason,omitempty"`
	Name    string            `json:"name,omitempty"`
	Company string            `json:"company,omitempty"`
	URL     string            `json:"url,omitempty"`
	Notes   string            `json:"notes,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	Source  string            `json:"source,omitempty"`
}

// timeText is the API's time format: RFC 3339 in UTC with milliseconds.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// EventFrom turns an engine event into the API's shape: what /v1/events
// sends and the CRM webhook posts.
func EventFrom(e phone.Event) Event {
	out := Event{Type: string(e.Type), Time: timeText(e.Time), Account: e.Account,
		Digit: e.Digit, State: e.TransferState, Status: e.Status, Message: e.Message,
		Expires: int(e.Expires / time.Second), RetryIn: int((e.RetryIn + time.Second - 1) / time.Second)}
	if e.Call != nil {
		c := callOf(*e.Call)
		out.Call = &c
		if out.Account == "" {
			out.Account = c.Account
		}
	}
	if e.Cause != nil {
		out.Cause = &Cause{Code: e.Cause.Code, Reason: e.Cause.Reason, Message: e.Cause.Message, By: e.Cause.By}
	}
	if e.Type == phone.EventCallEnd {
		d := e.Duration.Seconds()
		out.Duration = &d
	}
	if e.Hint != nil {
		out.Number, out.Status = e.Hint.Number, e.Hint.Status
	}
	if v := e.Voicemail; v != nil {
		out.NewMessages, out.OldMessages, out.Waiting = &v.NewMessages, &v.OldMessages, &v.Waiting
	}
	if e.CallerInfo != nil {
		ci := e.CallerInfo
		out.Contact = &Contact{Found: ci.Found, Reason: ci.Reason, Name: ci.Name, Company: ci.Company,
			URL: ci.URL, Notes: ci.Notes, Fields: ci.Fields, Source: ci.Source}
	}
	return out
}

// callOf turns the engine's view of a call into the API's.
func callOf(c phone.CallInfo) Call {
	out := Call{ID: c.ID, SIPCallID: c.SIPCallID, Account: c.Account, Direction: string(c.Direction),
		Number: c.Number, Name: c.Name, State: c.State.String(), Video: c.Video,
		Headers: c.Headers, Data: c.Data, Muted: c.Muted, Held: c.LocalHold, RemoteHeld: c.RemoteHold,
		Codec: c.Codec, Started: timeText(c.Started), Answered: timeText(c.Answered)}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	if out.Data == nil {
		out.Data = map[string]string{}
	}
	return out
}

// stateEventType is the event that describes a call standing in state s,
// for the snapshot a new WebSocket receives.
func stateEventType(c phone.CallInfo) phone.EventType {
	switch c.State {
	case phone.CallStateIncoming:
		return phone.EventIncomingCall
	case phone.CallStateDialing:
		return phone.EventOutgoingCall
	case phone.CallStateRinging, phone.CallStateEarly:
		return phone.EventProgress
	case phone.CallStateHeld:
		return phone.EventHold
	case phone.CallStateEnded:
		return phone.EventCallEnd
	default:
		return phone.EventInCall
	}
}

// registrationEventType is the event that describes an account's
// registration state, for the snapshot.
func registrationEventType(s phone.RegistrationState) phone.EventType {
	switch s {
	case phone.RegRegistered:
		return phone.EventRegistered
	case phone.RegFailed:
		return phone.EventRegisterFailed
	default:
		return phone.EventUnregistered
	}
}
