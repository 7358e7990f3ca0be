package phone

import (
	"errors"
	"testing"
	"time"
)

// TestBusCloseDeliversWhatIsQueued: events published just before the
// phone shuts down (the last CALL_ENDs) still reach a subscriber that is
// reading, before its channel closes.
func TestBusCloseDeliversWhatIsQueued(t *testing.T) {
	b := newBus(100)
	sub := b.subscribe()
	for range 50 {
		b.publish(Event{Type: EventCallEnd})
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		b.close()
	}()
	got := 0
	for range sub.C {
		got++
		time.Sleep(time.Millisecond) // a subscriber writing each to disk
	}
	<-closed
	if got != 50 {
		t.Errorf("%d of 50 queued events delivered before the close", got)
	}
	if !errors.Is(sub.Err(), ErrClosed) {
		t.Errorf("Err after the close: %v", sub.Err())
	}
}

// TestBusCloseDoesNotWaitForeverForAStuckSubscriber: a subscriber that
// never reads holds the shutdown up only for closeDrainTime.
func TestBusCloseDoesNotWaitForeverForAStuckSubscriber(t *testing.T) {
	b := newBus(100)
	stuck := b.subscribe()
	reader := b.subscribe()
	for range 10 {
		b.publish(Event{Type: EventDTMF})
	}
	go func() {
		for range reader.C {
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.close()
	}()
	select {
	case <-done:
	case <-time.After(closeDrainTime + 20*time.Second):
		t.Fatal("close waited far past closeDrainTime for a subscriber that does not read")
	}
	if _, ok := <-stuck.C; ok {
		// It may hold one event it was handed; after that the channel
		// must be closed.
		if _, ok := <-stuck.C; ok {
			t.Error("the stuck subscriber's channel is still open after the close")
		}
	}
}
