package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store/history"
)

// maxBody bounds a request body: every command fits in a few hundred bytes.
const maxBody = 64 << 10

// commandTimeout bounds what a command waits for the far end (a re-INVITE
// for hold, a REFER). A command goes on when the HTTP client gives up
// waiting: a hold half done helps nobody.
const commandTimeout = 35 * time.Second

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("POST /v1/accounts/{id}/register", s.register)
	mux.HandleFunc("POST /v1/accounts/{id}/unregister", s.unregister)
	mux.HandleFunc("POST /v1/calls", s.dial)
	mux.HandleFunc("GET /v1/calls", s.calls)
	mux.HandleFunc("GET /v1/calls/{id}", s.call)
	mux.HandleFunc("POST /v1/calls/{id}/answer", s.answer)
	mux.HandleFunc("POST /v1/calls/{id}/hangup", s.hangup)
	mux.HandleFunc("POST /v1/calls/{id}/hold", s.callCommand(func(ctx context.Context, c *phone.Call) error { return c.Hold(ctx) }))
	mux.HandleFunc("POST /v1/calls/{id}/unhold", s.callCommand(func(ctx context.Context, c *phone.Call) error { return c.Unhold(ctx) }))
	mux.HandleFunc("POST /v1/calls/{id}/mute", s.callCommand(func(_ context.Context, c *phone.Call) error { return c.Mute(true) }))
	mux.HandleFunc("POST /v1/calls/{id}/unmute", s.callCommand(func(_ context.Context, c *phone.Call) error { return c.Mute(false) }))
	mux.HandleFunc("POST /v1/calls/{id}/dtmf", s.dtmf)
	mux.HandleFunc("POST /v1/calls/{id}/transfer", s.transfer)
	mux.HandleFunc("PUT /v1/calls/{id}/data", s.setData)
	mux.HandleFunc("PUT /v1/dnd", s.setDND)
	s.transferAndForwardRoutes(mux)
	mux.HandleFunc("PUT /v1/hints", s.setHints)
	mux.HandleFunc("GET /v1/history", s.history)
	mux.HandleFunc("GET /v1/contacts/lookup", s.lookup)
	mux.HandleFunc("POST /v1/open", s.open)
	mux.HandleFunc("POST /v1/show", s.show)
	mux.HandleFunc("POST /v1/mic-check", s.micCheck)
	mux.HandleFunc("GET /v1/events", s.events)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			s.notFound(w, r, mux)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// notFound answers an unknown path with 404 and a known path with the
// wrong method with 405, both as JSON.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" {
			writeError(w, errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
	}
	writeError(w, errorf(http.StatusNotFound, CodeNotFound, "no such API path: %s %s (see docs/api.md)", r.Method, r.URL.Path))
}

// readBody decodes a JSON body into v. An empty body leaves v as it is
// when optional; unknown fields and trailing data are refused.
func readBody(r *http.Request, v any, optional bool) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return errorf(http.StatusBadRequest, CodeBadRequest, "the request body could not be read: %v", err)
	}
	if len(body) > maxBody {
		return errorf(http.StatusRequestEntityTooLarge, CodeBadRequest, "the request body is larger than %d bytes", maxBody)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if optional {
			return nil
		}
		return errorf(http.StatusBadRequest, CodeBadRequest, "the request needs a JSON body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, CodeBadRequest, "the body is not the JSON this path takes: %v", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, CodeBadRequest, "the body has data after its JSON object")
	}
	return nil
}

// commandContext is the context a command runs under: it outlives an HTTP
// client that stops waiting, but not commandTimeout or the server's Close.
func (s *Server) commandContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.bgCtx, commandTimeout)
}

// StatusAnswer is GET /v1/status's answer.
type StatusAnswer struct {
	Version  string          `json:"version"`
	Status   string          `json:"status"`
	DND      bool            `json:"dnd"`
	Forwards []Forward       `json:"forwards"`
	Hints    []Hint          `json:"hints"`
	Accounts []AccountStatus `json:"accounts"`
}

// AccountStatus is one account in GET /v1/status.
type AccountStatus struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Domain    string `json:"domain"`
	Transport string `json:"transport"`
	// State is unregistered, registering, registered or failed; Cause
	// says why it failed.
	State string `json:"state"`
	Cause *Cause `json:"cause,omitempty"`
	// Voicemail is the account's mailbox as the PBX last said.
	Voicemail Voicemail `json:"voicemail"`
}

// Voicemail is a mailbox's message counts.
type Voicemail struct {
	NewMessages int  `json:"newMessages"`
	OldMessages int  `json:"oldMessages"`
	Waiting     bool `json:"waiting"`
}

// Forward is a call-forwarding rule (PUT /v1/forward, GET /v1/status).
type Forward struct {
	// Mode is unconditional, busy or noanswer.
	Mode    string `json:"mode"`
	To      string `json:"to"`
	Enabled bool   `json:"enabled"`
	// After is the noanswer delay in seconds.
	After int `json:"after,omitempty"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	ans := StatusAnswer{Version: s.opts.Version, Status: s.phone.Status(), DND: s.phone.DND(),
		Forwards: s.forwards(), Hints: s.hints(), Accounts: []AccountStatus{}}
	for _, a := range s.phone.Accounts() {
		cfg := a.Config()
		state, cause := a.Registration()
		vm := a.Voicemail()
		st := AccountStatus{ID: a.ID(), Username: cfg.Username, Domain: cfg.Domain, Transport: cfg.Transport, State: string(state),
			Voicemail: Voicemail{NewMessages: vm.NewMessages, OldMessages: vm.OldMessages, Waiting: vm.Waiting}}
		if cause != nil {
			st.Cause = &Cause{Code: cause.Code, Reason: cause.Reason, Message: cause.Message, By: cause.By}
		}
		ans.Accounts = append(ans.Accounts, st)
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	a, err := s.phone.Account(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	a.Register()
	writeJSON(w, http.StatusAccepted, map[string]string{"account": a.ID(), "state": "registering"})
}

func (s *Server) unregister(w http.ResponseWriter, r *http.Request) {
	a, err := s.phone.Account(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	s.background(commandTimeout, func(ctx context.Context) {
		if err := a.Unregister(ctx); err != nil {
			s.log.Warn("unregister through the API failed", "account", a.ID(), "error", err)
		}
	})
	writeJSON(w, http.StatusAccepted, map[string]string{"account": a.ID(), "state": "unregistering"})
}

// DialRequest is POST /v1/calls's body.
type DialRequest struct {
	To      string            `json:"to"`
	Account string            `json:"account"`
	Video   bool              `json:"video"`
	Headers map[string]string `json:"headers"`
	Data    map[string]any    `json:"data"`
}

func (s *Server) dial(w http.ResponseWriter, r *http.Request) {
	var req DialRequest
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	c, err := s.place(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	info := c.Info()
	writeJSON(w, http.StatusCreated, map[string]string{"id": info.ID, "sipCallId": info.SIPCallID})
}

// place checks a dial request and places the call: the number must be a
// number, the headers X- headers with one-line values, the data flat, the
// account registered, and the API under its dial rate.
func (s *Server) place(ctx context.Context, req DialRequest) (*phone.Call, error) {
	number, err := CleanNumber(req.To)
	if err != nil {
		return nil, err
	}
	headers, err := cleanHeaders(req.Headers)
	if err != nil {
		return nil, err
	}
	data, err := flatData(req.Data)
	if err != nil {
		return nil, err
	}
	account, err := s.dialAccount(req.Account)
	if err != nil {
		return nil, err
	}
	if !s.dials.Allow() {
		return nil, errorf(http.StatusTooManyRequests, CodeRateLimited,
			"too many calls placed through the API: at most %d a minute (api.dials_per_minute in the settings)", s.opts.DialsPerMinute)
	}
	c, err := s.phone.Dial(ctx, account, number, phone.DialOptions{Video: req.Video, Headers: headers, Data: data})
	if err != nil {
		return nil, err
	}
	s.log.Info("call placed through the API", "call", c.ID(), "account", account)
	return c, nil
}

// dialAccount picks the account to dial from: the one named, which must be
// registered, or else the first registered one.
func (s *Server) dialAccount(id string) (string, error) {
	if id != "" {
		a, err := s.phone.Account(id)
		if err != nil {
			return "", err
		}
		if state, _ := a.Registration(); state != phone.RegRegistered {
			return "", errorf(http.StatusServiceUnavailable, CodeNotRegistered, "account %q is %s, not registered: it cannot place calls now", id, state)
		}
		return id, nil
	}
	accounts := s.phone.Accounts()
	for _, a := range accounts {
		if state, _ := a.Registration(); state == phone.RegRegistered {
			return a.ID(), nil
		}
	}
	if len(accounts) == 0 {
		return "", errorf(http.StatusServiceUnavailable, CodeNotRegistered, "no account is set up: add one in Ringdesk's settings")
	}
	return "", errorf(http.StatusServiceUnavailable, CodeNotRegistered, "no account is registered: calls cannot be placed now")
}

func (s *Server) calls(w http.ResponseWriter, r *http.Request) {
	out := []Call{}
	for _, c := range s.phone.Calls() {
		out = append(out, callOf(c.Info()))
	}
	writeJSON(w, http.StatusOK, out)
}

// findCall is the call named in the path.
func (s *Server) findCall(r *http.Request) (*phone.Call, error) {
	id := r.PathValue("id")
	c, err := s.phone.Call(id)
	if err != nil {
		return nil, errorf(http.StatusNotFound, CodeNotFound, "no call %q: it has ended or never existed", id)
	}
	return c, nil
}

func (s *Server) call(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCall(r)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, callOf(c.Info()))
}

// command describes one command on the call in the path: the body it
// reads (a pointer, or nil for none), whether the body may be left out, a
// check of the body made before the call is looked up, the status of a
// success, and what the command does. do's answer is sent as the body;
// nil sends the call as it stands after the command.
type command struct {
	req      any
	optional bool
	check    func() error
	status   int
	do       func(ctx context.Context, c *phone.Call) (any, error)
}

// onCall runs a command on the call in the path and answers for it.
func (s *Server) onCall(cmd command) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := cmd.req
		if req == nil {
			req, cmd.optional = &struct{}{}, true
		}
		if err := readBody(r, req, cmd.optional); err != nil {
			writeError(w, err)
			return
		}
		if cmd.check != nil {
			if err := cmd.check(); err != nil {
				writeError(w, err)
				return
			}
		}
		c, err := s.findCall(r)
		if err != nil {
			writeError(w, err)
			return
		}
		ctx, cancel := s.commandContext()
		defer cancel()
		answer, err := cmd.do(ctx, c)
		if err != nil {
			writeError(w, err)
			return
		}
		if answer == nil {
			answer = callOf(c.Info())
		}
		status := cmd.status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, answer)
	}
}

// callCommand is a command without a body that answers 200 with the call.
func (s *Server) callCommand(do func(context.Context, *phone.Call) error) http.HandlerFunc {
	return s.onCall(command{do: func(ctx context.Context, c *phone.Call) (any, error) { return nil, do(ctx, c) }})
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Video bool `json:"video"`
	}
	s.onCall(command{req: &req, optional: true, do: func(ctx context.Context, c *phone.Call) (any, error) {
		return nil, c.Answer(ctx)
	}})(w, r)
}

func (s *Server) hangup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code int `json:"code"`
	}
	check := func() error {
		if req.Code != 0 && (req.Code < 400 || req.Code > 699) {
			return errorf(http.StatusUnprocessableEntity, CodeInvalid, "code %d is not a SIP refusal: use 486 (busy), 603 (decline) or another 4xx-6xx", req.Code)
		}
		return nil
	}
	s.onCall(command{req: &req, optional: true, check: check, do: func(ctx context.Context, c *phone.Call) (any, error) {
		info := c.Info()
		if info.Direction == phone.DirectionInbound && info.State == phone.CallStateIncoming {
			code := req.Code
			if code == 0 {
				code = 486
			}
			return nil, c.Reject(code)
		}
		return nil, c.Hangup(ctx)
	}})(w, r)
}

func (s *Server) dtmf(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Digits string `json:"digits"`
	}
	s.onCall(command{req: &req, check: func() error { return checkDigits(req.Digits) }, do: func(ctx context.Context, c *phone.Call) (any, error) {
		return nil, c.SendDTMF(ctx, req.Digits)
	}})(w, r)
}

// transferRequest is the body of the transfer paths.
type transferRequest struct {
	To string `json:"to"`
}

// transferCommand is a transfer path's command: its body names the
// target, a number, which do receives cleaned.
func (s *Server) transferCommand(status int, do func(ctx context.Context, c *phone.Call, to string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req transferRequest
		var to string
		check := func() (err error) {
			to, err = CleanNumber(req.To)
			return err
		}
		s.onCall(command{req: &req, check: check, status: status, do: func(ctx context.Context, c *phone.Call) (any, error) {
			return do(ctx, c, to)
		}})(w, r)
	}
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	s.transferCommand(http.StatusAccepted, func(ctx context.Context, c *phone.Call, to string) (any, error) {
		return nil, c.Transfer(ctx, to)
	})(w, r)
}

func (s *Server) setData(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	data, err := flatData(req)
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := s.findCall(r)
	if err != nil {
		writeError(w, err)
		return
	}
	c.SetData(data)
	if s.opts.History != nil {
		all := make(map[string]any)
		for k, v := range c.Info().Data {
			all[k] = v
		}
		if err := s.opts.History.SetData(r.Context(), c.ID(), all); err != nil && !errors.Is(err, history.ErrNotFound) {
			s.log.Warn("attached data not written to the history", "call", c.ID(), "error", err)
		}
	}
	writeJSON(w, http.StatusOK, callOf(c.Info()))
}

func (s *Server) setDND(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	if req.Enabled == nil {
		writeError(w, errorf(http.StatusUnprocessableEntity, CodeInvalid, `say {"enabled":true} or {"enabled":false}`))
		return
	}
	s.phone.SetDND(*req.Enabled)
	writeJSON(w, http.StatusOK, map[string]bool{"dnd": s.phone.DND()})
}

func (s *Server) setHints(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Numbers []string `json:"numbers"`
	}
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	if req.Numbers == nil {
		writeError(w, errorf(http.StatusUnprocessableEntity, CodeInvalid, `give the numbers to watch: {"numbers":["1001","1002"]}, or [] for none`))
		return
	}
	numbers := make([]string, 0, len(req.Numbers))
	for _, n := range req.Numbers {
		clean, err := CleanNumber(n)
		if err != nil {
			writeError(w, err)
			return
		}
		numbers = append(numbers, clean)
	}
	switch err := s.phone.SetHints(numbers); {
	case errors.Is(err, phone.ErrTooManyHints):
		writeError(w, errorf(http.StatusUnprocessableEntity, CodeInvalid, "%v", err))
		return
	case errors.Is(err, phone.ErrNoSuchAccount):
		writeError(w, errorf(http.StatusServiceUnavailable, CodeNotRegistered, "no account to watch the numbers from: %v", err))
		return
	case err != nil:
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Hint{"hints": s.hints()})
}

// Hint is a watched number and its busy-lamp status: idle, ringing, busy,
// unavailable, or unknown before the first news.
type Hint struct {
	Number string `json:"number"`
	Status string `json:"status"`
}

// hints are the engine's watched numbers as the API shows them.
func (s *Server) hints() []Hint {
	out := []Hint{}
	for _, h := range s.phone.Hints() {
		out = append(out, Hint{Number: h.Number, Status: h.Status})
	}
	return out
}

// micCheckTimeout bounds a microphone check: about a second of listening
// and a slow device's start.
const micCheckTimeout = 6 * time.Second

// micCheck listens to the microphone and answers its level, 200
// {"ok":true,"level":-23.5,"peak":-6.1} (dBFS). A microphone that is
// missing, busy, forbidden or silent answers 503 with the reason, which
// also goes to every subscriber as MIC_ERROR.
func (s *Server) micCheck(w http.ResponseWriter, r *http.Request) {
	if s.opts.MicCheck == nil {
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "this run of Ringdesk has no microphone to check (a headless run uses --audio-in instead)"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), micCheckTimeout)
	defer cancel()
	level, peak, err := s.opts.MicCheck(ctx)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away: nobody to tell
		}
		msg := "The microphone check failed: " + err.Error()
		s.phone.PublishMicError(msg)
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "%s", msg))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "level": level, "peak": peak})
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	if s.opts.History == nil {
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "the call history is not open in this run of Ringdesk"))
		return
	}
	q := history.Query{Keyword: r.URL.Query().Get("keyword")}
	var err error
	if q.Page, err = intParam(r, "page", 1, 1, 1<<30); err != nil {
		writeError(w, err)
		return
	}
	if q.PageSize, err = intParam(r, "pageSize", history.DefaultPageSize, 1, history.MaxPageSize); err != nil {
		writeError(w, err)
		return
	}
	switch d := r.URL.Query().Get("direction"); d {
	case "", "inbound", "outbound":
		q.Direction = history.Direction(d)
	default:
		writeError(w, errorf(http.StatusBadRequest, CodeBadRequest, "direction %q is not inbound or outbound", d))
		return
	}
	q.MissedOnly = r.URL.Query().Get("missed") == "true"
	page, err := s.opts.History.List(r.Context(), q)
	if err != nil {
		writeError(w, errorf(http.StatusInternalServerError, CodeInternal, "the call history could not be read: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, errorf(http.StatusBadRequest, CodeBadRequest, "%s=%q is not a whole number from %d to %d", name, raw, lo, hi)
	}
	return n, nil
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	if s.opts.Lookup == nil {
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "caller lookup is not set up in this run of Ringdesk"))
		return
	}
	number := r.URL.Query().Get("number")
	if _, err := CleanNumber(number); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Lookup.Resolve(r.Context(), number))
}

// ExternalDial is a call handed over by the operating system: a tel:,
// sip: or callto: link the user clicked somewhere.
type ExternalDial struct {
	// URI is the link as it arrived.
	URI string
	// Number is what will be dialled.
	Number string
	// Account is the account that will dial it ("" for the first
	// registered one).
	Account string
}

func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	if err := readBody(r, &struct{}{}, true); err != nil {
		writeError(w, err)
		return
	}
	if s.opts.ShowWindow == nil {
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "this Ringdesk runs without a window (headless)"))
		return
	}
	s.opts.ShowWindow()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) open(w http.ResponseWriter, r *http.Request) {
	var req struct {
		URI string `json:"uri"`
	}
	if err := readBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	d, err := s.ParseDialURI(req.URI)
	if err != nil {
		writeError(w, err)
		return
	}
	// The user's answer to the window's question may take a while: the
	// process that handed the link over only needs to know it arrived.
	s.background(2*time.Minute, func(ctx context.Context) {
		if err := s.dialExternal(ctx, d); err != nil {
			s.log.Warn("a link handed over by the system was not dialled", "uri", d.URI, "error", err)
		}
	})
	writeJSON(w, http.StatusAccepted, map[string]string{"number": d.Number, "account": d.Account})
}

// OpenURI dials a tel:, sip: or callto: link handed over by the operating
// system, once an account is registered (waiting up to wait), after the
// user confirms when the settings ask for it.
func (s *Server) OpenURI(ctx context.Context, uri string, wait time.Duration) error {
	d, err := s.ParseDialURI(uri)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		if _, err := s.dialAccount(d.Account); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no account registered within %s to dial %s", wait, uri)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return errors.New("the API shut down before the link could be dialled")
		case <-time.After(200 * time.Millisecond):
		}
	}
	return s.dialExternal(ctx, d)
}

func (s *Server) dialExternal(ctx context.Context, d ExternalDial) error {
	if s.opts.ConfirmDial != nil && !s.opts.ConfirmDial(ctx, d) {
		s.log.Info("the user declined to dial a link handed over by the system", "number", d.Number)
		return nil
	}
	_, err := s.place(ctx, DialRequest{To: d.Number, Account: d.Account})
	return err
}
