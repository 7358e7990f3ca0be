package crm

import (
	"log/slog"
	"time"
)

// Defaults used when no Option says otherwise.
const (
	// DefaultTimeout bounds one caller lookup (crm.timeout's default).
	DefaultTimeout = 1500 * time.Millisecond
	// DefaultCacheTTL is how long an answer is reused (crm.cache_ttl's default).
	DefaultCacheTTL = 10 * time.Minute
	// DefaultCacheSize is how many numbers the cache remembers.
	DefaultCacheSize = 1000
	// DefaultMaxBody is the largest CRM answer read: 1 MiB.
	DefaultMaxBody = 1 << 20
	// DefaultQueueSize is how many events a Webhook holds while the CRM is
	// unreachable before it drops the oldest.
	DefaultQueueSize = 1000
	// DefaultPollInterval is how often a contacts file is checked for changes.
	DefaultPollInterval = 2 * time.Second
)

// Option tunes the constructors of this package (New, NewResolver,
// NewProvider, NewWebhook, OpenContacts, NewPopper); each reads the options
// that concern it and ignores the others.
type Option func(*options)

type options struct {
	logger       *slog.Logger
	timeout      time.Duration
	region       string
	cacheTTL     time.Duration
	cacheSize    int
	now          func() time.Time
	maxBody      int64
	queueSize    int
	backoffMin   time.Duration
	backoffMax   time.Duration
	opener       Opener
	pollInterval time.Duration
}

func buildOptions(opts []Option) options {
	o := options{
		logger:       slog.New(slog.DiscardHandler),
		timeout:      DefaultTimeout,
		cacheTTL:     DefaultCacheTTL,
		cacheSize:    DefaultCacheSize,
		now:          time.Now,
		maxBody:      DefaultMaxBody,
		queueSize:    DefaultQueueSize,
		backoffMin:   500 * time.Millisecond,
		backoffMax:   time.Minute,
		opener:       OpenBrowser,
		pollInterval: DefaultPollInterval,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sends the package's log lines (lookups, reloads, webhook
// retries and drops) to l. Secrets never appear in them.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithTimeout sets the lookup deadline (crm.timeout); it is also the
// request timeout of providers that set none.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithRegion sets the region numbers without a country code are read in
// (crm.region, "VN").
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithCache sets how long answers are reused and how many numbers are
// remembered; ttl 0 turns the cache off.
func WithCache(ttl time.Duration, size int) Option {
	return func(o *options) {
		o.cacheTTL = max(ttl, 0)
		if size > 0 {
			o.cacheSize = size
		}
	}
}

// WithClock replaces time.Now for cache expiry and OAuth token lifetimes
// (tests).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithMaxBody sets the largest CRM answer read, in bytes (default 1 MiB).
func WithMaxBody(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBody = n
		}
	}
}

// WithQueueSize sets how many undelivered events a Webhook keeps.
func WithQueueSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.queueSize = n
		}
	}
}

// WithBackoff sets the first and the longest wait between a Webhook's
// delivery attempts (defaults 500ms and 1m); each wait doubles, with jitter.
func WithBackoff(first, longest time.Duration) Option {
	return func(o *options) {
		if first > 0 {
			o.backoffMin = first
		}
		if longest >= o.backoffMin {
			o.backoffMax = longest
		}
	}
}

// WithOpener replaces the browser opener of a Popper (tests, or a GUI that
// opens URLs its own way).
func WithOpener(open Opener) Option {
	return func(o *options) {
		if open != nil {
			o.opener = open
		}
	}
}

// WithPollInterval sets how often contacts files are checked for changes.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.pollInterval = d
		}
	}
}
