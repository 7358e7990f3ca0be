package testbed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// BaresipEvent is an event baresip's ctrl_tcp module reported, such as
// CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK or CALL_DTMF_START.
type BaresipEvent struct {
	Class     string          `json:"class"`      // "call", "register", ...
	Type      string          `json:"type"`       // e.g. "CALL_ESTABLISHED"
	Param     string          `json:"param"`      // e.g. the close reason, the DTMF key
	Account   string          `json:"accountaor"` // the baresip account's AOR
	Direction string          `json:"direction"`  // "incoming" or "outgoing"
	Peer      string          `json:"peeruri"`    // the remote URI
	ID        string          `json:"id"`         // baresip's call id
	Raw       json.RawMessage `json:"-"`          // the whole event as sent
	At        time.Time       `json:"-"`          // when it arrived
}

// ctrlMessage is any message from ctrl_tcp: an event or a command response.
type ctrlMessage struct {
	Event    bool   `json:"event"`
	Response bool   `json:"response"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
}

type ctrlResponse struct {
	ok   bool
	data string
}

// ctrlClient speaks ctrl_tcp's JSON netstrings: commands out, responses and
// events in. One reader goroutine runs until the connection closes.
type ctrlClient struct {
	conn net.Conn
	done chan struct{} // closed when the reader ended

	writeMu sync.Mutex
	mu      sync.Mutex
	nextTok int
	pending map[string]chan ctrlResponse
	events  []BaresipEvent
	taken   []bool        // events already returned by waitEvent
	changed chan struct{} // closed and replaced whenever events grow
	readErr error
}

func dialCtrl(ctx context.Context, addr string) (*ctrlClient, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp4", addr)
	if err != nil {
		return nil, err
	}
	c := &ctrlClient{
		conn:    conn,
		done:    make(chan struct{}),
		pending: make(map[string]chan ctrlResponse),
		changed: make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

func (c *ctrlClient) close() {
	c.conn.Close()
	<-c.done
}

func (c *ctrlClient) readLoop() {
	defer close(c.done)
	r := bufio.NewReader(c.conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			for tok, ch := range c.pending {
				close(ch)
				delete(c.pending, tok)
			}
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
			return
		}
		var m ctrlMessage
		if json.Unmarshal(msg, &m) != nil {
			continue
		}
		c.mu.Lock()
		switch {
		case m.Response:
			if ch, ok := c.pending[m.Token]; ok {
				ch <- ctrlResponse{ok: m.OK, data: m.Data}
				delete(c.pending, m.Token)
			}
		case m.Event:
			var ev BaresipEvent
			if json.Unmarshal(msg, &ev) == nil {
				ev.Raw = append(json.RawMessage(nil), msg...)
				ev.At = time.Now()
				c.events = append(c.events, ev)
				c.taken = append(c.taken, false)
				close(c.changed)
				c.changed = make(chan struct{})
			}
		}
		c.mu.Unlock()
	}
}

// readNetstring reads one "LEN:PAYLOAD," netstring.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(head[:len(head)-1])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring not terminated by a comma")
	}
	return buf[:n], nil
}

// command sends a command and waits for its response.
func (c *ctrlClient) command(ctx context.Context, command, params string) (string, error) {
	c.mu.Lock()
	if c.readErr != nil {
		err := c.readErr
		c.mu.Unlock()
		return "", fmt.Errorf("control connection closed: %w", err)
	}
	c.nextTok++
	tok := strconv.Itoa(c.nextTok)
	ch := make(chan ctrlResponse, 1)
	c.pending[tok] = ch
	c.mu.Unlock()

	msg := map[string]string{"command": command, "token": tok}
	if params != "" {
		msg["params"] = params
	}
	payload, _ := json.Marshal(msg)
	frame := []byte(strconv.Itoa(len(payload)) + ":" + string(payload) + ",")
	c.writeMu.Lock()
	if d, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(d)
	}
	_, err := c.conn.Write(frame)
	_ = c.conn.SetWriteDeadline(time.Time{})
	c.writeMu.Unlock()
	if err != nil {
		c.forget(tok)
		return "", fmt.Errorf("sending: %w", err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return "", errors.New("control connection closed before the answer")
		}
		if !r.ok {
			return r.data, fmt.Errorf("baresip refused: %s", r.data)
		}
		return r.data, nil
	case <-ctx.Done():
		c.forget(tok)
		return "", ctx.Err()
	}
}

func (c *ctrlClient) forget(tok string) {
	c.mu.Lock()
	delete(c.pending, tok)
	c.mu.Unlock()
}

// waitEvent returns the oldest event of the given type not returned before.
func (c *ctrlClient) waitEvent(ctx context.Context, typ string) (BaresipEvent, error) {
	for {
		c.mu.Lock()
		for i, ev := range c.events {
			if !c.taken[i] && ev.Type == typ {
				c.taken[i] = true
				c.mu.Unlock()
				return ev, nil
			}
		}
		changed, readErr := c.changed, c.readErr
		c.mu.Unlock()
		if readErr != nil {
			return BaresipEvent{}, fmt.Errorf("control connection closed (%v) before event %s", readErr, typ)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return BaresipEvent{}, fmt.Errorf("waiting for event %s: %w", typ, ctx.Err())
		}
	}
}

// allEvents returns a copy of every event received so far.
func (c *ctrlClient) allEvents() []BaresipEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]BaresipEvent(nil), c.events...)
}
