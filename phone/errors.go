package phone

import (
	"errors"
	"fmt"

	"github.com/ringdesk/ringdesk/phone/human"
)

// Errors a program can test for with errors.Is.
var (
	ErrNoSuchCall      = errors.New("no such call")
	ErrNoSuchAccount   = errors.New("no such account")
	ErrWrongState      = errors.New("the call is not in a state that allows this")
	ErrNotRegistered   = errors.New("the account is not registered")
	ErrBadNumber       = errors.New("the number cannot be dialled")
	ErrClosed          = errors.New("the phone is shut down")
	ErrSlowSubscriber  = errors.New("the event subscriber fell too far behind and was dropped")
	ErrDTMFUnavailable = errors.New("DTMF cannot be sent on this call")
	ErrBadForward      = errors.New("the forwarding rule is not valid")
)

// SIPError is a SIP final response that refused a request. Its Error text
// is the human message; Code and Reason are the protocol's.
type SIPError struct {
	Method string
	Code   int
	Reason string
}

// Error returns the human message with the code for the log.
func (e *SIPError) Error() string {
	return fmt.Sprintf("%s (%s answered %d %s)", human.Message(e.Code, e.Method == "REGISTER"), e.Method, e.Code, e.Reason)
}
