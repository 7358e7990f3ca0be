package api

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ringdesk/ringdesk/phone"
)

// hubServer is an API server on loopback over an engine with no account,
// whose hub the tests feed directly.
func hubServer(t testing.TB, queueLen int) (*Server, string) {
	t.Helper()
	p := phone.New()
	srv, err := New(Options{Phone: p, Token: "hub-token-0123456789", QueueLen: queueLen})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-served
		srv.Close()
		_ = p.Close(context.Background())
	})
	return srv, strings.Replace(srv.URL(), "http", "ws", 1) + "/v1/events?token=hub-token-0123456789"
}

func dialEvents(t testing.TB, url string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(1 << 20)
	return conn
}

// dtmfEvent is a small call event for feeding the hub.
func dtmfEvent(i int) phone.Event {
	info := phone.CallInfo{ID: "c1", Account: "main", Direction: phone.DirectionOutbound, Number: "1002", State: phone.CallStateEstablished}
	return phone.Event{Type: phone.EventDTMF, Time: time.Now(), Account: "main", Call: &info, Digit: string(rune('0' + i%10))}
}

// waitClients waits until the hub has n clients.
func waitClients(t testing.TB, h *hub, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		got := len(h.clients)
		h.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients joined, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSlowClientIsDropped: a client that stops reading is dropped with a
// close reason once its queue is full, publishing never waits for it, and
// a client that reads keeps every event in order.
func TestSlowClientIsDropped(t *testing.T) {
	srv, url := hubServer(t, 64)
	stuck := dialEvents(t, url)
	defer stuck.CloseNow()
	reader := dialEvents(t, url)
	defer reader.CloseNow()
	waitClients(t, srv.hub, 2)

	const total = 20000 // far more than the socket buffers and queue hold
	var got []string
	var readErr error
	var read atomic.Int64
	var readerGone atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer readerGone.Store(true)
		for len(got) < total+1 { // +1: the snapshot's PHONE_STATUS
			_, data, err := reader.Read(context.Background())
			if err != nil {
				readErr = err
				return
			}
			var e Event
			if err := json.Unmarshal(data, &e); err != nil {
				readErr = err
				return
			}
			got = append(got, e.Digit)
			read.Add(1)
		}
	}()
	for i := range total {
		srv.hub.publish(dtmfEvent(i))
		// Publish at the reading client's pace, as a live engine's rate
		// allows; the stuck one never reads at all.
		for int64(i)-read.Load() > 32 && !readerGone.Load() {
			time.Sleep(50 * time.Microsecond)
		}
	}
	wg.Wait()
	if readErr != nil {
		t.Fatalf("the reading client lost its stream: %v", readErr)
	}
	for i, d := range got[1:] {
		if want := string(rune('0' + i%10)); d != want {
			t.Fatalf("event %d has digit %q, want %q: order or content lost", i, d, want)
		}
	}

	// The stuck client now reads: what it gets ends with the close frame
	// and its reason.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = stuck.Read(ctx)
	}
	var closeErr websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != websocket.StatusPolicyViolation || !strings.Contains(closeErr.Reason, "too slow") {
		t.Errorf("the stuck client ended with %v, want close 1008 'too slow'", err)
	}
}

// TestShutdownClosesStreams: Close tells connected clients it is going
// away.
func TestShutdownClosesStreams(t *testing.T) {
	srv, url := hubServer(t, 16)
	conn := dialEvents(t, url)
	defer conn.CloseNow()
	waitClients(t, srv.hub, 1)
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = conn.Read(ctx)
	}
	var closeErr websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != websocket.StatusGoingAway {
		var netErr net.Error
		if !errors.As(err, &netErr) {
			t.Errorf("stream ended with %v, want close 1001 going away", err)
		}
	}
}

// backlog is the longest client queue.
func backlog(h *hub) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	longest := 0
	for c := range h.clients {
		longest = max(longest, len(c.out))
	}
	return longest
}

// BenchmarkEventFanout publishes events to 10 WebSocket clients that read
// them all; it reports the events delivered per second and the heap after
// the run against before it (heap-B), which stays flat when nothing
// accumulates. The target is 1,000 events a second to 10 clients.
func BenchmarkEventFanout(b *testing.B) {
	const clients = 10
	srv, url := hubServer(b, DefaultQueueLen)
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		conns[i] = dialEvents(b, url)
	}
	waitClients(b, srv.hub, clients)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < b.N+1; n++ { // +1: the snapshot
				if _, _, err := c.Read(context.Background()); err != nil {
					b.Errorf("client lost its stream after %d events: %v", n, err)
					return
				}
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		srv.hub.publish(dtmfEvent(i))
		// Keep within the clients' pace, as the engine's real event rate
		// does: the benchmark measures delivery, not drops.
		for i%128 == 127 && backlog(srv.hub) > DefaultQueueLen/2 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)), "heap-B")
	for _, c := range conns {
		c.CloseNow()
	}
}
