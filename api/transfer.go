package api

import (
	"context"
	"net/http"
	"time"

	"github.com/ringdesk/ringdesk/phone"
)

func (s *Server) transferAndForwardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/calls/{id}/attended-transfer", s.attendedTransfer)
	mux.HandleFunc("POST /v1/calls/{id}/complete-transfer", s.completeTransfer)
	mux.HandleFunc("POST /v1/calls/{id}/cancel-transfer", s.cancelTransfer)
	mux.HandleFunc("PUT /v1/forward", s.setForward)
}

// forwards are the engine's forwarding rules as the API shows them.
func (s *Server) forwards() []Forward {
	out := []Forward{}
	for _, f := range s.phone.Forwards() {
		out = append(out, Forward{Mode: f.Mode, To: f.To, Enabled: f.Enabled, After: int(f.After / time.Second)})
	}
	return out
}

func (s *Server) attendedTransfer(w http.ResponseWriter, r *http.Request) {
	s.transferCommand(http.StatusCreated, func(ctx context.Context, c *phone.Call, to string) (any, error) {
		consult, err := c.AttendedTransfer(ctx, to)
		if err != nil {
			return nil, err
		}
		info := consult.Info()
		return map[string]string{"id": info.ID, "sipCallId": info.SIPCallID}, nil
	})(w, r)
}

func (s *Server) completeTransfer(w http.ResponseWriter, r *http.Request) {
	s.callCommand(func(ctx context.Context, c *phone.Call) error { return c.CompleteTransfer(ctx) })(w, r)
}

func (s *Server) cancelTransfer(w http.ResponseWriter, r *http.Request) {
	s.callCommand(func(ctx context.Context, c *phone.Call) error { return c.CancelTransfer(ctx) })(w, r)
}

func (s *Server) setForward(w http.ResponseWriter, r *http.Request) {
	var req Forward
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	switch req.Mode {
	case "unconditional", "busy", "noanswer":
	default:
		writeError(w, errorf(http.StatusUnprocessableEntity, CodeInvalid, "mode %q is not unconditional, busy or noanswer", req.Mode))
		return
	}
	if req.Enabled || req.To != "" {
		to, err := CleanNumber(req.To)
		if err != nil {
			writeError(w, err)
			return
		}
		req.To = to
	}
	if req.After < 0 || req.After > 300 {
		writeError(w, errorf(http.StatusUnprocessableEntity, CodeInvalid, "after %d is out of range: give the no-answer delay in seconds, 1 to 300", req.After))
		return
	}
	f := phone.Forward{Mode: req.Mode, To: req.To, Enabled: req.Enabled, After: time.Duration(req.After) * time.Second}
	if err := s.phone.SetForward(f); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}
