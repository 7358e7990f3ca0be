package history

import "time"

// Direction says who placed a call. The values are spelled as the engine's
// events spell them (phone.DirectionInbound and phone.DirectionOutbound);
// store does not import phone, so the words are repeated here.
type Direction string

// Call directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// valid reports whether d is one of the two directions.
func (d Direction) valid() bool { return d == Inbound || d == Outbound }

// Status is where a recorded call stands. A call is StatusRinging from Start
// until Answer, StatusAnswered until End, and then StatusEnded, or
// StatusMissed when it was inbound and never answered. StatusInterrupted marks
// a call that Ringdesk stopped in the middle of (a crash, a kill, a power
// cut): Open finds it unfinished and closes it.
type Status string

// Call statuses, as the history API spells them.
const (
	StatusRinging     Status = "ringing"
	StatusAnswered    Status = "answered"
	StatusEnded       Status = "ended"
	StatusMissed      Status = "missed"
	StatusInterrupted Status = "interrupted"
)

// EndedBy says which side ended a call.
type EndedBy string

// The two sides of a call.
const (
	ByLocal  EndedBy = "local"
	ByRemote EndedBy = "remote"
)

// Cause is why a call ended, as the CALL_END event gives it.
type Cause struct {
	// Code is the SIP status code of the ending (486, 487, ...), 0 for a
	// normal BYE.
	Code int `json:"code"`
	// Reason is the SIP reason phrase ("Busy Here").
	Reason string `json:"reason,omitempty"`
	// Message is the human message the user was shown.
	Message string `json:"message,omitempty"`
	// By is the side that ended the call.
	By EndedBy `json:"by,omitempty"`
}

// CallerCard is the caller's card as the incoming popup or the call panel
// showed it (the contact of a CALLER_INFO event, in the same JSON shape),
// kept so the history shows what the agent saw then, even after the CRM
// record changes.
type CallerCard struct {
	// Name is the contact's name.
	Name string `json:"name,omitempty"`
	// Company is the contact's company.
	Company string `json:"company,omitempty"`
	// URL is the contact's record in the CRM.
	URL string `json:"url,omitempty"`
	// Fields are the extra labelled values of the card ("Tier": "Gold").
	Fields map[string]string `json:"fields,omitempty"`
}

// Call is one call in the history. Start takes the fields the engine knows
// when the call begins (ID, SIPCallID, Account, Direction, Number, Name,
// Video, Headers, Data, StartedAt, and Contact if a card is already shown);
// the store fills in the rest as the call goes on. The JSON form extends the
// call object of the API's events.
type Call struct {
	// HistoryID is the store's own key for the row, unique across runs,
	// unlike ID. Start ignores it; List fills it in.
	HistoryID int64 `json:"historyId"`
	// ID is the engine's call id ("c1"). It is unique among the calls of
	// one run of Ringdesk; the next run counts from c1 again, so the
	// history holds many c1s, and Answer, End and the setters address the
	// call of that id started by this Store.
	ID string `json:"id"`
	// SIPCallID is the SIP Call-ID of the call's dialog.
	SIPCallID string `json:"sipCallId"`
	// Account is the id of the account the call went through.
	Account string `json:"account"`
	// Direction is inbound or outbound.
	Direction Direction `json:"direction"`
	// Number is the remote party's number or user part, as dialled or as
	// it arrived.
	Number string `json:"number"`
	// Name is the remote party's display name from SIP.
	Name string `json:"name"`
	// Video is whether the call had video.
	Video bool `json:"video"`
	// Headers are the custom X- headers of the INVITE.
	Headers map[string]string `json:"headers"`
	// Data is the user data attached to the call (POST /v1/calls "data",
	// PUT /v1/calls/{id}/data).
	Data map[string]any `json:"data"`
	// Status is where the call stands.
	Status Status `json:"status"`
	// StartedAt is when the call began: dialled, or arrived.
	StartedAt time.Time `json:"startedAt"`
	// AnsweredAt is when it was answered; zero if it never was.
	AnsweredAt time.Time `json:"answeredAt,omitzero"`
	// EndedAt is when it ended; zero while it goes on. For an interrupted
	// call it is the last time the store heard of the call (see Open).
	EndedAt time.Time `json:"endedAt,omitzero"`
	// Duration is the talk time in whole seconds (rounded to the nearest),
	// from AnsweredAt to EndedAt; 0 for a call never answered.
	Duration int `json:"duration"`
	// Cause is why the call ended; zero while it goes on and for an
	// interrupted call.
	Cause Cause `json:"cause,omitzero"`
	// Contact is the caller card shown for the call, nil if none was.
	Contact *CallerCard `json:"contact,omitempty"`
	// Recording is the path of the call's recording; empty (recording is
	// not built yet).
	Recording string `json:"recording,omitempty"`
}
