package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/phone"
)

// TestEventJSON: each kind of event carries the fields API.md names, and
// none it does not.
func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 15, 2, 114e6, time.UTC)
	call := phone.CallInfo{ID: "c1", SIPCallID: "a84b", Account: "main", Direction: phone.DirectionInbound,
		Number: "0977805845", Name: "Jane Black", State: phone.CallStateEnded, Started: at}
	for _, tc := range []struct {
		event phone.Event
		want  string
	}{
		{phone.Event{Type: phone.EventHint, Time: at, Account: "main", Hint: &phone.Hint{Number: "1002", Status: "busy"}},
			`{"type":"HINT","time":"2026-11-23T09:15:02.114Z","account":"main","status":"busy","number":"1002"}`},
		{phone.Event{Type: phone.EventVoicemail, Time: at, Account: "main", Voicemail: &phone.Voicemail{NewMessages: 2, OldMessages: 8, Waiting: true}},
			`{"type":"VOICEMAIL","time":"2026-11-23T09:15:02.114Z","account":"main","newMessages":2,"oldMessages":8,"waiting":true}`},
		{phone.Event{Type: phone.EventVoicemail, Time: at, Account: "main", Voicemail: &phone.Voicemail{}},
			`{"type":"VOICEMAIL","time":"2026-11-23T09:15:02.114Z","account":"main","newMessages":0,"oldMessages":0,"waiting":false}`},
		{phone.Event{Type: phone.EventPhoneStatus, Time: at, Status: "DND"},
			`{"type":"PHONE_STATUS","time":"2026-11-23T09:15:02.114Z","status":"DND"}`},
		{phone.Event{Type: phone.EventCallEnd, Time: at, Account: "main", Call: &call, Duration: 95 * time.Second,
			Cause: &phone.Cause{Code: 486, Reason: "Busy Here", Message: "The customer is busy", By: phone.ByRemote}},
			`{"type":"CALL_END","time":"2026-11-23T09:15:02.114Z","account":"main","call":{"id":"c1","sipCallId":"a84b","account":"main","direction":"inbound","number":"0977805845","name":"Jane Black","state":"ended","video":false,"headers":{},"data":{},"muted":false,"held":false,"remoteHeld":false,"started":"2026-11-23T09:15:02.114Z"},"cause":{"code":486,"reason":"Busy Here","message":"The customer is busy","by":"remote"},"duration":95}`},
		{phone.Event{Type: phone.EventDTMF, Time: at, Account: "main", Call: &call, Digit: "5"},
			`{"type":"DTMF","time":"2026-11-23T09:15:02.114Z","account":"main","call":{"id":"c1","sipCallId":"a84b","account":"main","direction":"inbound","number":"0977805845","name":"Jane Black","state":"ended","video":false,"headers":{},"data":{},"muted":false,"held":false,"remoteHeld":false,"started":"2026-11-23T09:15:02.114Z"},"digit":"5"}`},
	} {
		got, err := json.Marshal(EventFrom(tc.event))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.event.Type, got, tc.want)
		}
	}
}
