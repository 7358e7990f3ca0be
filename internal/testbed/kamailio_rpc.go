package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// RPC calls a Kamailio JSON-RPC command (for example "ul.dump", or
// "ul.lookup" with params "location", "1001") over HTTP on the WebSocket
// port and returns its "result". A JSON-RPC error is returned as an error
// whose text holds Kamailio's code and message.
func (k *Kamailio) RPC(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	if err != nil {
		return nil, fmt.Errorf("testbed: kamailio RPC %s: encoding: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+k.wsAddr()+"/RPC", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("testbed: kamailio RPC %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Close = true
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("testbed: kamailio RPC %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("testbed: kamailio RPC %s: reading the answer: %w", method, err)
	}
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("testbed: kamailio RPC %s: HTTP %d, undecodable answer %q: %w", method, resp.StatusCode, raw, err)
	}
	if out.Error != nil {
		return nil, &RPCError{Method: method, Code: out.Error.Code, Message: out.Error.Message}
	}
	return out.Result, nil
}

// RPCError is a JSON-RPC error answered by Kamailio.
type RPCError struct {
	Method  string
	Code    int
	Message string
}

// Error implements error.
func (e *RPCError) Error() string {
	return fmt.Sprintf("testbed: kamailio RPC %s: error %d: %s", e.Method, e.Code, e.Message)
}

// Contacts returns the Contact URIs registered for user (its address of
// record, without domain), or nil if it has none. It asks Kamailio's usrloc
// over JSON-RPC (ul.lookup).
func (k *Kamailio) Contacts(ctx context.Context, user string) ([]string, error) {
	res, err := k.RPC(ctx, "ul.lookup", "location", user)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) && strings.Contains(strings.ToLower(rpcErr.Message), "not found") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var aor struct {
		Contacts []struct {
			Contact struct {
				Address string `json:"Address"`
			} `json:"Contact"`
		} `json:"Contacts"`
	}
	if err := json.Unmarshal(res, &aor); err != nil {
		return nil, fmt.Errorf("testbed: kamailio ul.lookup %s: unexpected answer %s: %w", user, res, err)
	}
	var out []string
	for _, c := range aor.Contacts {
		if c.Contact.Address != "" {
			out = append(out, c.Contact.Address)
		}
	}
	return out, nil
}

// Registered reports whether user has at least one registered contact. It
// fails the test if Kamailio cannot be asked.
func (k *Kamailio) Registered(user string) bool {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := k.Contacts(ctx, user)
	if err != nil {
		k.t.Errorf("testbed: asking Kamailio whether %s is registered: %v", user, err)
		return false
	}
	return len(c) > 0
}

// WaitRegistered waits until user has a registered contact (want true) or
// has none (want false), polling Kamailio every 50 ms until ctx ends.
func (k *Kamailio) WaitRegistered(ctx context.Context, user string, want bool) error {
	for {
		c, err := k.Contacts(ctx, user)
		if err == nil && (len(c) > 0) == want {
			return nil
		}
		select {
		case <-ctx.Done():
			state := "registered"
			if !want {
				state = "unregistered"
			}
			if err != nil {
				return fmt.Errorf("testbed: waiting for %s to be %s: %w (last error: %v)", user, state, ctx.Err(), err)
			}
			return fmt.Errorf("testbed: waiting for %s to be %s: %w (contacts now: %s)", user, state, ctx.Err(), strings.Join(c, ", "))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
