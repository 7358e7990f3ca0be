package phone

import (
	"sync"
	"time"
)

// Subscription is one subscriber's view of the engine's events. Events
// arrive on C in the order they happened. The engine never waits for a
// subscriber: each has its own queue, and one that falls more than the
// configured buffer behind is dropped (C is closed and Err says why).
type Subscription struct {
	// C delivers events; it is closed by Close or when the subscriber is
	// dropped.
	C <-chan Event

	out    chan Event
	bus    *bus
	mu     sync.Mutex
	queue  []Event // guarded by mu
	err    error   // guarded by mu
	closed bool    // guarded by mu
	// finishing says the phone is shutting down: deliver ends once the
	// queue is empty; guarded by mu.
	finishing bool
	wake      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	stopper   sync.Once
}

// Err reports why C was closed: nil after Close, ErrSlowSubscriber when
// the subscriber was dropped, ErrClosed when the phone shut down.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription and waits until its delivery goroutine is
// gone.
func (s *Subscription) Close() {
	s.bus.remove(s)
	s.shutdown(nil)
	<-s.done
}

func (s *Subscription) shutdown(err error) {
	s.stopper.Do(func() {
		s.mu.Lock()
		s.err = err
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
	})
}

func (s *Subscription) push(e Event, limit int) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return true
	}
	if len(s.queue) >= limit {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// deliver moves queued events to C, one at a time, until stopped.
func (s *Subscription) deliver() {
	defer close(s.done)
	defer close(s.out)
	for {
		s.mu.Lock()
		var next []Event
		next, s.queue = s.queue, nil
		s.mu.Unlock()
		for _, e := range next {
			select {
			case s.out <- e:
			case <-s.stop:
				return
			}
		}
		s.mu.Lock()
		finished := s.finishing && len(s.queue) == 0
		s.mu.Unlock()
		if finished {
			s.shutdown(ErrClosed)
			return
		}
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
	}
}

// bus fans events out to subscriptions.
type bus struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{} // guarded by mu
	limit  int
	closed bool // guarded by mu
}

func newBus(limit int) *bus {
	return &bus{subs: make(map[*Subscription]struct{}), limit: limit}
}

func (b *bus) subscribe() *Subscription {
	out := make(chan Event)
	s := &Subscription{C: out, out: out, bus: b, wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.deliver()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.shutdown(ErrClosed)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

func (b *bus) remove(s *Subscription) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

// publish queues e for every subscriber without waiting for any of them.
func (b *bus) publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if !s.push(e, b.limit) {
			delete(b.subs, s)
			s.shutdown(ErrSlowSubscriber)
		}
	}
}

// closeDrainTime bounds how long the phone's shutdown waits for
// subscribers to take the events still queued for them (the last
// CALL_ENDs, which the history must see).
const closeDrainTime = 2 * time.Second

// close ends every subscription once it has delivered what is queued for
// it (waiting at most closeDrainTime for subscribers that do not read),
// and waits for their goroutines.
func (b *bus) close() {
	b.mu.Lock()
	subs := b.subs
	b.subs = map[*Subscription]struct{}{}
	b.closed = true
	b.mu.Unlock()
	expired := make(chan struct{})
	timer := time.AfterFunc(closeDrainTime, func() { close(expired) })
	defer timer.Stop()
	for s := range subs {
		s.mu.Lock()
		s.finishing = true
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	for s := range subs {
		select {
		case <-s.done:
		case <-expired:
			s.shutdown(ErrClosed)
			<-s.done
		}
	}
}
