package crm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// ErrClosed is wrapped by the errors (and reasons) of a Resolver or Webhook
// used after Close.
var ErrClosed = errors.New("the CRM lookup service was closed")

// Resolver answers "who is calling?" by asking its providers under a
// deadline. It is safe for concurrent use.
//
// All providers are asked at once, and the answer of the first one in
// their configured order that knows the number wins: a slow CRM listed
// first is waited for (until the deadline), a fast local file listed second
// answers at once when the CRM fails or does not know. A provider that
// fails or misses the deadline is skipped, its reason recorded in the
// Result. Once the winner is known the other lookups are cancelled.
//
// Resolve never blocks past the deadline, even when a provider ignores its
// context: each provider runs in its own goroutine, which ends when its
// Lookup returns (the HTTP providers bound that by their request timeout).
// Close waits for all of them, so none outlives it.
//
// Answers are cached by Number.Key for the cache TTL: contacts found, and
// numbers every provider said it does not know. A lookup in which a
// provider failed before any provider found the number is not cached, so
// the next call asks again. Concurrent Resolves of the same number share one
// lookup.
type Resolver struct {
	providers []Provider
	region    string
	timeout   time.Duration
	log       *slog.Logger
	cache     *cache // nil when caching is off

	// base is the lifecycle of the resolver, cancelled by Close; every
	// lookup's context derives from it.
	base   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // lookups and provider goroutines

	mu      sync.Mutex
	flights map[string]*flight // guarded by mu; lookups in progress by key
	closed  bool               // guarded by mu
}

// flight is one lookup in progress, shared by the Resolves that asked for
// the same number meanwhile.
type flight struct {
	done   chan struct{} // closed when result is set
	result Result
}

// NewResolver returns a Resolver asking providers, in this order of
// preference. It takes ownership of the providers: Close closes those that
// have a Close method. Options: WithTimeout (the deadline, default 1.5s),
// WithRegion, WithCache, WithClock, WithLogger.
func NewResolver(providers []Provider, opts ...Option) *Resolver {
	o := buildOptions(opts)
	base, cancel := context.WithCancel(context.Background())
	r := &Resolver{
		providers: append([]Provider(nil), providers...),
		region:    o.region,
		timeout:   o.timeout,
		log:       o.logger,
		base:      base,
		cancel:    cancel,
		flights:   map[string]*flight{},
	}
	if o.cacheTTL > 0 {
		r.cache = newCache(o.cacheTTL, o.cacheSize, o.now)
	}
	return r
}

// Timeout returns the lookup deadline.
func (r *Resolver) Timeout() time.Duration { return r.timeout }

// Resolve normalises raw (see Normalize, in the resolver's region) and finds
// its contact. It returns within the resolver's timeout, or sooner when ctx
// ends; it never fails: what went wrong is in Result.Reasons (a number
// Normalize refuses gives a Result with only Number.Raw and the reason).
func (r *Resolver) Resolve(ctx context.Context, raw string) Result {
	n, err := Normalize(raw, r.region)
	if err != nil {
		return Result{Number: n, Reasons: []string{err.Error()}}
	}
	return r.Lookup(ctx, n)
}

// Lookup finds the contact of an already normalised number; see Resolve.
func (r *Resolver) Lookup(ctx context.Context, n Number) Result {
	key := n.Key()
	if r.cache != nil {
		if res, ok := r.cache.get(key); ok {
			res.Number, res.Cached = n, true
			return res
		}
	}
	f, err := r.join(key, n)
	if err != nil {
		return Result{Number: n, Reasons: []string{err.Error()}}
	}
	select {
	case <-f.done:
		res := f.result.clone()
		res.Number = n
		return res
	case <-ctx.Done():
		return Result{Number: n, Reasons: []string{fmt.Sprintf("the lookup was abandoned: %v", context.Cause(ctx))}}
	}
}

// join returns the flight for key, starting one when none is in progress.
func (r *Resolver) join(key string, n Number) (*flight, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("looking up %s: %w", n, ErrClosed)
	}
	if f, ok := r.flights[key]; ok {
		return f, nil
	}
	f := &flight{done: make(chan struct{})}
	r.flights[key] = f
	r.wg.Add(1)
	go r.run(key, n, f)
	return f, nil
}

// answer is one provider's reply.
type answer struct {
	index   int
	contact Contact
	err     error
}

// run performs one lookup and publishes its result; it returns by the
// deadline whatever the providers do.
func (r *Resolver) run(key string, n Number, f *flight) {
	defer r.wg.Done()
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.base, r.timeout)
	defer cancel()

	replies := make(chan answer, len(r.providers)) // buffered: providers never block on it
	for i, p := range r.providers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			c, err := safeLookup(ctx, p, n)
			replies <- answer{index: i, contact: c, err: err}
		}()
	}

	got := make([]*answer, len(r.providers))
	res, decided := decide(r.providers, got)
	for !decided {
		select {
		case a := <-replies:
			got[a.index] = &a
		case <-ctx.Done():
			for i := range got {
				if got[i] == nil {
					got[i] = &answer{index: i, err: timeoutError(ctx, r.timeout)}
				}
			}
		}
		res, decided = decide(r.providers, got)
	}
	cancel()
	res.Number = n

	r.mu.Lock()
	delete(r.flights, key)
	r.mu.Unlock()
	if r.cache != nil && (res.Found || len(res.Reasons) == 0) {
		r.cache.put(key, res)
	}
	f.result = res
	close(f.done)
	r.log.Debug("caller lookup", "number", key, "found", res.Found, "source", res.Contact.Source,
		"reasons", len(res.Reasons), "elapsed", time.Since(start))
}

// decide returns the result once the providers' answers so far settle it:
// the first provider in order that found the number, when all before it
// have answered; or not found, when every provider has answered.
func decide(providers []Provider, got []*answer) (Result, bool) {
	var res Result
	for i, a := range got {
		if a == nil {
			return Result{}, false
		}
		switch {
		case a.err == nil:
			res.Found, res.Contact = true, a.contact
			if res.Contact.Source == "" {
				res.Contact.Source = providers[i].Name()
			}
			return res, true
		case errors.Is(a.err, ErrNotFound):
		default:
			res.Reasons = append(res.Reasons, providers[i].Name()+": "+a.err.Error())
		}
	}
	return res, true
}

// safeLookup calls p.Lookup, turning a panic into an error and an empty
// contact into ErrNotFound.
func safeLookup(ctx context.Context, p Provider, n Number) (c Contact, err error) {
	defer func() {
		if v := recover(); v != nil {
			c, err = Contact{}, fmt.Errorf("the provider crashed (%v); please report this", v)
		}
	}()
	c, err = p.Lookup(ctx, n)
	if err == nil && c.empty() {
		return Contact{}, ErrNotFound
	}
	return c, err
}

// timeoutError says why a provider that never answered was skipped.
func timeoutError(ctx context.Context, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v", timeout)
	}
	return fmt.Errorf("the lookup was stopped: %w", ErrClosed)
}

// Flush forgets every cached answer, e.g. after a contacts file or the
// settings changed.
func (r *Resolver) Flush() {
	if r.cache != nil {
		r.cache.flush()
	}
}

// Close stops lookups in progress (their Resolves return at once with a
// reason), waits until every provider goroutine has returned, then closes
// the providers that have a Close method. Later Resolves return a reason
// wrapping ErrClosed. Close may be called more than once.
func (r *Resolver) Close() error {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	r.mu.Unlock()
	if already {
		return nil
	}
	r.cancel()
	r.wg.Wait()
	var errs []error
	for _, p := range r.providers {
		if c, ok := p.(io.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s: %w", p.Name(), err))
			}
		}
	}
	return errors.Join(errs...)
}
