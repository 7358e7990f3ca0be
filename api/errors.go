package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/ringdesk/ringdesk/phone"
)

// Error is the API's error answer: an HTTP status and, in the body,
// {"error":{"code":...,"message":...}}. Code is a stable word a program
// tests; Message is a sentence for the person reading the CRM's log.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Error codes, each with the status it goes with.
const (
	CodeBadRequest       = "bad_request"        // 400: the body or a parameter cannot be read
	CodeUnauthorized     = "unauthorized"       // 401: no token or a wrong one
	CodeForbiddenOrigin  = "origin_forbidden"   // 403: a browser Origin not on the allow-list
	CodeForbiddenHost    = "host_forbidden"     // 403: a Host header that is not this computer
	CodeNotFound         = "not_found"          // 404: no such call, account or path
	CodeMethodNotAllowed = "method_not_allowed" // 405
	CodeWrongState       = "wrong_state"        // 409: the call cannot do that now
	CodeInvalid          = "invalid"            // 422: well formed, but not a valid value
	CodeRateLimited      = "rate_limited"       // 429: too many calls placed through the API
	CodeInternal         = "internal"           // 500
	CodeNotImplemented   = "not_implemented"    // 501: this build cannot do it yet
	CodeBadGateway       = "sip_refused"        // 502: the PBX refused the request
	CodeNotRegistered    = "not_registered"     // 503: no registered account to use
	CodeUnavailable      = "unavailable"        // 503: a part (history, lookup) is not running
)

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// engineError maps the engine's errors to statuses: a missing call or
// account is 404, a call in the wrong state 409, a bad number 422, no
// registration 503, a SIP refusal 502.
func engineError(err error) *Error {
	var apiErr *Error
	var sipErr *phone.SIPError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.Is(err, phone.ErrNoSuchCall), errors.Is(err, phone.ErrNoSuchAccount):
		return errorf(http.StatusNotFound, CodeNotFound, "%v", err)
	case errors.Is(err, phone.ErrWrongState), errors.Is(err, phone.ErrDTMFUnavailable):
		return errorf(http.StatusConflict, CodeWrongState, "%v", err)
	case errors.Is(err, phone.ErrBadNumber), errors.Is(err, phone.ErrBadForward):
		return errorf(http.StatusUnprocessableEntity, CodeInvalid, "%v", err)
	case errors.Is(err, phone.ErrNotRegistered):
		return errorf(http.StatusServiceUnavailable, CodeNotRegistered, "%v", err)
	case errors.Is(err, phone.ErrClosed):
		return errorf(http.StatusServiceUnavailable, CodeUnavailable, "%v", err)
	case errors.As(err, &sipErr):
		return errorf(http.StatusBadGateway, CodeBadGateway, "%v (SIP %d %s)", err, sipErr.Code, sipErr.Reason)
	default:
		return errorf(http.StatusInternalServerError, CodeInternal, "%v", err)
	}
}

// writeError answers with err as JSON.
func writeError(w http.ResponseWriter, err error) {
	apiErr := engineError(err)
	writeJSON(w, apiErr.Status, map[string]*Error{"error": apiErr})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":{"code":"internal","message":"the answer could not be encoded"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
