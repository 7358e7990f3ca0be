package api

import (
	"errors"
	"strings"
	"sync"
)

// tokenBox holds the bearer token a running Server checks; SetToken
// replaces it while requests are being answered.
type tokenBox struct {
	mu    sync.RWMutex
	value string // guarded by mu; "" means Options.Token
}

// SetToken makes token the one every request must carry from now on (the
// user rotated it in Settings): requests with the old token get 401 at
// once, and event streams already open are closed (1008, "the API token
// changed"): a token is rotated because it leaked, and whoever holds it
// must stop hearing the calls. The token must be one word of at least 16
// characters.
func (s *Server) SetToken(token string) error {
	token = strings.TrimSpace(token)
	if len(token) < 16 || strings.ContainsAny(token, " \t\r\n") {
		return errors.New("api: the new token must be one word of at least 16 characters")
	}
	s.tokens.mu.Lock()
	s.tokens.value = token
	s.tokens.mu.Unlock()
	s.hub.dropAll(reasonToken)
	s.log.Info("local API token replaced")
	return nil
}

// token is the bearer token requests must carry now.
func (s *Server) token() string {
	s.tokens.mu.RLock()
	defer s.tokens.mu.RUnlock()
	if s.tokens.value != "" {
		return s.tokens.value
	}
	return s.opts.Token
}
