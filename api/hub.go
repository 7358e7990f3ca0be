package api

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/phone"
)

// hub fans the engine's events out to the WebSocket clients. It encodes
// each event once, keeps where things stand (the phone's status, each
// account's registration, each current call) so a new client's snapshot
// and the live stream after it never disagree, and never waits for a
// client: each has a bounded queue and is dropped when it overflows.
type hub struct {
	mu       sync.Mutex
	clients  map[*client]struct{}      // guarded by mu
	status   *phone.Event              // last PHONE_STATUS; guarded by mu
	accounts map[string]phone.Event    // last registration event per account; guarded by mu
	calls    map[string]phone.CallInfo // current calls by id; guarded by mu
	order    []string                  // call ids, oldest first; guarded by mu
	ended    map[string]bool           // ids of calls that ended lately; guarded by mu
	endedIDs []string                  // the same, oldest first, at most maxEnded; guarded by mu
	closed   bool                      // no client may join; guarded by mu
	queueLen int
}

// maxEnded is how many ended calls the hub remembers, so that a late event
// about one (a CALLER_INFO after its CALL_END) does not bring it back.
const maxEnded = 1000

// client is one WebSocket's queue of encoded events.
type client struct {
	out     chan []byte
	dropped chan struct{} // closed when the client must go; reason says why
	reason  string        // written once, before dropped is closed
	once    sync.Once
}

// Reasons a client is dropped, sent as the WebSocket close reason.
const (
	reasonSlow     = "too slow: the client fell too many events behind"
	reasonShutdown = "Ringdesk is shutting down"
	reasonRestart  = "events were lost inside Ringdesk: reconnect for a fresh snapshot"
	reasonToken    = "the API token changed: reconnect with the new one"
)

func (c *client) drop(reason string) {
	c.once.Do(func() {
		c.reason = reason
		close(c.dropped)
	})
}

func newHub(queueLen int) *hub {
	return &hub{clients: make(map[*client]struct{}), accounts: make(map[string]phone.Event),
		calls: make(map[string]phone.CallInfo), ended: make(map[string]bool), queueLen: queueLen}
}

// seed records where the engine stands before the hub heard any event.
func (h *hub) seed(p *phone.Phone) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	h.status = &phone.Event{Type: phone.EventPhoneStatus, Time: now, Status: p.Status()}
	for _, a := range p.Accounts() {
		state, cause := a.Registration()
		h.accounts[a.ID()] = phone.Event{Type: registrationEventType(state), Time: now, Account: a.ID(), Cause: cause}
	}
	for _, c := range p.Calls() {
		info := c.Info()
		h.remember(info)
	}
}

// restart drops every client (they reconnect) and starts the hub's view
// over from where the engine stands: after events were lost.
func (h *hub) restart(p *phone.Phone) {
	h.mu.Lock()
	for c := range h.clients {
		delete(h.clients, c)
		c.drop(reasonRestart)
	}
	h.status, h.order = nil, nil
	h.accounts = make(map[string]phone.Event)
	h.calls = make(map[string]phone.CallInfo)
	h.mu.Unlock()
	h.seed(p)
}

// remember keeps a call's latest snapshot; guarded by mu.
func (h *hub) remember(info phone.CallInfo) {
	if h.ended[info.ID] {
		return // a late event about a call that has ended
	}
	if info.State == phone.CallStateEnded {
		h.ended[info.ID] = true
		h.endedIDs = append(h.endedIDs, info.ID)
		if len(h.endedIDs) > maxEnded {
			delete(h.ended, h.endedIDs[0])
			h.endedIDs = h.endedIDs[1:]
		}
		if _, ok := h.calls[info.ID]; ok {
			delete(h.calls, info.ID)
			for i, id := range h.order {
				if id == info.ID {
					h.order = append(h.order[:i], h.order[i+1:]...)
					break
				}
			}
		}
		return
	}
	if _, ok := h.calls[info.ID]; !ok {
		h.order = append(h.order, info.ID)
	}
	h.calls[info.ID] = info
}

// publish records e and queues it for every client.
func (h *hub) publish(e phone.Event) {
	msg, err := json.Marshal(EventFrom(e))
	if err != nil {
		return // the API's own types always encode
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch e.Type {
	case phone.EventPhoneStatus:
		ev := e
		h.status = &ev
	case phone.EventRegistered, phone.EventUnregistered, phone.EventRegisterFailed:
		h.accounts[e.Account] = e
	}
	if e.Call != nil {
		info := *e.Call
		if e.Type == phone.EventCallEnd {
			info.State = phone.CallStateEnded
		}
		h.remember(info)
	}
	h.sendLocked(msg)
}

// sendLocked queues msg for every client, dropping those whose queue is
// full; guarded by mu.
func (h *hub) sendLocked(msg []byte) {
	for c := range h.clients {
		select {
		case c.out <- msg:
		default:
			delete(h.clients, c)
			c.drop(reasonSlow)
		}
	}
}

// join adds a client whose queue starts with the snapshot: PHONE_STATUS,
// one registration event per account the engine still has (known says
// which), one event per current call. After closeAll, the client comes
// back already dropped.
func (h *hub) join(known func(account string) bool) *client {
	c := &client{out: make(chan []byte, h.queueLen), dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.drop(reasonShutdown)
		return c
	}
	var snapshot []phone.Event
	if h.status != nil {
		snapshot = append(snapshot, *h.status)
	}
	for _, id := range slices.Sorted(maps.Keys(h.accounts)) {
		if known(id) {
			snapshot = append(snapshot, h.accounts[id])
		}
	}
	for _, id := range h.order {
		info := h.calls[id]
		snapshot = append(snapshot, phone.Event{Type: stateEventType(info), Time: time.Now(), Account: info.Account, Call: &info})
	}
	for _, e := range snapshot {
		msg, err := json.Marshal(EventFrom(e))
		if err != nil {
			continue
		}
		select {
		case c.out <- msg:
		default:
			c.drop(reasonSlow)
			return c
		}
	}
	h.clients[c] = struct{}{}
	return c
}

// leave removes a client.
func (h *hub) leave(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// dropAll drops every client now, for reason; later ones may join.
func (h *hub) dropAll(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		delete(h.clients, c)
		c.drop(reason)
	}
}

// closeAll drops every client, and every one that tries to join later.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		delete(h.clients, c)
		c.drop(reasonShutdown)
	}
}
