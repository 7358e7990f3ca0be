package api

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// writeTimeout bounds one event's write to a WebSocket: a client that
// stops reading is dropped rather than holding its goroutine forever.
const writeTimeout = 10 * time.Second

// events upgrades to a WebSocket and sends the snapshot, then every event,
// until the client goes, falls too far behind, or the API shuts down.
// Whatever the client sends is read and ignored (the API's commands are
// HTTP requests).
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if !s.enter(&s.conns) {
		writeError(w, errorf(http.StatusServiceUnavailable, CodeUnavailable, "Ringdesk's local API is shutting down"))
		return
	}
	defer s.conns.Done()
	// The Origin was checked by guard; the library's own same-origin check
	// would refuse the allowed CRM pages, which are on other origins.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("WebSocket upgrade failed", "error", err)
		return
	}
	c := s.hub.join(func(account string) bool {
		a, err := s.phone.Account(account)
		return err == nil && a.ID() == account
	})
	defer s.hub.leave(c)
	s.log.Info("event stream client connected", "remote", r.RemoteAddr)

	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer cancel()
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return
			}
		}
	}()
	defer func() { <-readDone }()

	dropped := func() {
		status := websocket.StatusPolicyViolation
		switch c.reason {
		case reasonShutdown:
			status = websocket.StatusGoingAway
		case reasonRestart:
			status = websocket.StatusTryAgainLater
		}
		s.log.Info("event stream client closed", "remote", r.RemoteAddr, "reason", c.reason)
		closeWithin(conn, status, c.reason)
	}
	for {
		// A dropped client goes at once, not after the backlog it could
		// not take.
		select {
		case <-c.dropped:
			dropped()
			return
		default:
		}
		select {
		case msg := <-c.out:
			wctx, wcancel := context.WithTimeout(ctx, writeTimeout)
			err := conn.Write(wctx, websocket.MessageText, msg)
			wcancel()
			if err != nil {
				s.log.Info("event stream client dropped", "remote", r.RemoteAddr, "error", err)
				conn.CloseNow()
				return
			}
		case <-c.dropped:
			dropped()
			return
		case <-ctx.Done():
			conn.CloseNow()
			return
		}
	}
}

// closeWithin closes a WebSocket with a reason, without waiting long for a
// client that does not answer the close.
func closeWithin(conn *websocket.Conn, status websocket.StatusCode, reason string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = conn.Close(status, reason)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		conn.CloseNow()
		<-done
	}
}
