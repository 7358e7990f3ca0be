package crm

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/store"
	"github.com/tidwall/gjson"
)

// Headers of a webhook delivery.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the body,
	// keyed with the webhook's secret.
	HeaderSignature = "X-Ringdesk-Signature"
	// HeaderEventID carries the event's id, the same on every attempt: a
	// receiver that sees an id twice (its 2xx got lost) can drop the copy.
	HeaderEventID = "X-Ringdesk-Event-Id"
	// HeaderEventType carries the event's "type" (INCOMING_CALL, ...).
	HeaderEventType = "X-Ringdesk-Event"
	// HeaderAttempt counts the attempts to deliver this event, from 1.
	HeaderAttempt = "X-Ringdesk-Attempt"
)

// webhookTimeout bounds one delivery attempt.
const webhookTimeout = 10 * time.Second

// Webhook posts call events (API.md's event JSON) to a CRM, signed with
// HMAC-SHA256. Send never blocks: events wait in a bounded queue, and one
// goroutine delivers them in order, one at a time. A failed attempt
// (network error, 408, 425, 429, 5xx) is retried with exponential backoff
// and jitter, honouring Retry-After, until it succeeds; the event after it
// waits, so order is kept. An event the CRM answered 2xx is never sent
// again. Any other answer (a 4xx, a redirect) drops the event with an
// error in the log, since sending it again would not help. The queue holds
// WithQueueSize waiting events besides the one being delivered; when it is
// full, Send drops the oldest waiting event and logs a warning naming it.
type Webhook struct {
	target     string
	host       string // for messages: the URL may carry a token
	events     map[string]bool
	secret     func() (string, error)
	client     *http.Client
	transport  *http.Transport
	log        *slog.Logger
	queueSize  int
	backoffMin time.Duration
	backoffMax time.Duration

	// base is the webhook's lifecycle: Close cancels it when its deadline
	// passes, stopping the attempt in flight.
	base  context.Context
	abort context.CancelFunc
	wake  chan struct{} // one slot: something was queued, or Close began
	done  chan struct{} // closed when the delivery goroutine returns

	mu       sync.Mutex
	queue    []*delivery  // guarded by mu; oldest first, the one in flight included
	inFlight *delivery    // guarded by mu; queue[0] while it is being delivered
	closing  bool         // guarded by mu
	stats    WebhookStats // guarded by mu
}

// WebhookStats counts what a Webhook did with the events it was given.
type WebhookStats struct {
	// Delivered events were answered 2xx.
	Delivered int
	// Dropped events were pushed out of a full queue.
	Dropped int
	// Failed events were refused by the CRM (4xx other than 408, 425, 429,
	// or a redirect) and not retried.
	Failed int
	// Queued events wait for delivery (the one being delivered included).
	Queued int
}

// delivery is one event on its way.
type delivery struct {
	id, typ  string
	body     []byte
	attempts int
}

// NewWebhook starts delivering to cfg.URL (crm.webhook). The signing key
// is read through secret under store.CRMSecretKey("webhook"), or from the
// environment variable cfg.SecretEnv names, at each attempt (so a key added
// later is used). cfg.Events limits the event types sent. Options:
// WithQueueSize (default 1000), WithBackoff (default 500ms doubling to
// 1m), WithLogger.
func NewWebhook(cfg store.CRMWebhook, secret SecretFunc, opts ...Option) (*Webhook, error) {
	o := buildOptions(opts)
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("crm.webhook.url %q is not a web address: write one starting with https://", cfg.URL)
	}
	if secret == nil {
		return nil, errors.New("the webhook needs its signing key but Ringdesk was given no secret store")
	}
	key := store.CRMSecretKey(store.WebhookSecretID)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	base, abort := context.WithCancel(context.Background())
	w := &Webhook{
		target: cfg.URL, host: u.Host, log: o.logger, queueSize: o.queueSize,
		backoffMin: o.backoffMin, backoffMax: o.backoffMax, transport: tr,
		client: &http.Client{Transport: tr, Timeout: webhookTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		secret: func() (string, error) {
			v, _, err := secret(key, cfg.SecretEnv)
			if err != nil {
				return "", fmt.Errorf("no webhook signing key: %w; add it in Settings → CRM (kept in the OS keyring under %q) or name an environment variable in crm.webhook.secret_env", err, key)
			}
			return v, nil
		},
		base: base, abort: abort, wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	if len(cfg.Events) > 0 {
		w.events = map[string]bool{}
		for _, e := range cfg.Events {
			w.events[e] = true
		}
	}
	go w.run()
	return w, nil
}

// Send queues event (any JSON-marshallable value, normally an event as
// API.md shows it, with a "type") for delivery and returns at once. Events
// whose type crm.webhook.events leaves out are skipped. It fails only when
// the event cannot be marshalled or the webhook is closed.
func (w *Webhook) Send(event any) error {
	body, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("webhook: the event cannot be written as JSON: %w", err)
	}
	typ := gjson.GetBytes(body, "type").String()
	if w.events != nil && !w.events[typ] {
		return nil
	}
	d := &delivery{id: newEventID(), typ: typ, body: body}
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return fmt.Errorf("webhook: %w", ErrClosed)
	}
	var dropped *delivery
	oldest := 0 // the oldest waiting event; the one in flight is not waiting
	if len(w.queue) > 0 && w.queue[0] == w.inFlight {
		oldest = 1
	}
	if len(w.queue)-oldest >= w.queueSize {
		dropped = w.queue[oldest]
		w.queue = slices.Delete(w.queue, oldest, oldest+1)
		w.stats.Dropped++
	}
	w.queue = append(w.queue, d)
	w.mu.Unlock()
	if dropped != nil {
		w.log.Warn("webhook queue full: dropped the oldest waiting event", "queue_size", w.queueSize,
			"event_id", dropped.id, "event", dropped.typ, "host", w.host)
	}
	w.signal()
	return nil
}

func (w *Webhook) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Stats returns what the webhook did so far.
func (w *Webhook) Stats() WebhookStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Queued = len(w.queue)
	return s
}

// Close stops taking events and delivers those queued. When ctx ends
// first, it stops the attempt in flight and returns an error saying how
// many events were not delivered. It waits for the delivery goroutine
// either way. Close may be called more than once.
func (w *Webhook) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	w.signal()
	var err error
	select {
	case <-w.done:
	case <-ctx.Done():
		w.abort()
		<-w.done
		w.mu.Lock()
		left := len(w.queue)
		w.mu.Unlock()
		if left > 0 {
			err = fmt.Errorf("webhook: %d events were not delivered to %s before closing: %w", left, w.host, context.Cause(ctx))
		}
	}
	w.abort()
	w.transport.CloseIdleConnections()
	return err
}

// run delivers queued events in order until Close.
func (w *Webhook) run() {
	defer close(w.done)
	for {
		d, ok := w.next()
		if !ok {
			return
		}
		w.deliver(d)
	}
}

// next waits for the oldest queued event; false once closing with an
// empty queue, or aborted. The event stays queued until delivered.
func (w *Webhook) next() (*delivery, bool) {
	for {
		if w.base.Err() != nil {
			return nil, false
		}
		w.mu.Lock()
		if len(w.queue) > 0 {
			d := w.queue[0]
			w.inFlight = d
			w.mu.Unlock()
			return d, true
		}
		closing := w.closing
		w.mu.Unlock()
		if closing {
			return nil, false
		}
		select {
		case <-w.wake:
		case <-w.base.Done():
			return nil, false
		}
	}
}

// finish removes d, the event in flight, from the head of the queue and
// counts the outcome.
func (w *Webhook) finish(d *delivery, count *int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue[0] = nil
	w.queue = w.queue[1:]
	w.inFlight = nil
	*count++
}

// deliver tries d until it is delivered, refused for good, or the webhook
// is aborted (d then stays queued, counted as not delivered).
func (w *Webhook) deliver(d *delivery) {
	for {
		d.attempts++
		retryAfter, permanent, err := w.post(d)
		switch {
		case err == nil:
			w.finish(d, &w.stats.Delivered)
			w.log.Debug("webhook event delivered", "event_id", d.id, "event", d.typ, "attempts", d.attempts)
			return
		case permanent:
			w.finish(d, &w.stats.Failed)
			w.log.Error("webhook event refused by the CRM; not retrying", "event_id", d.id, "event", d.typ, "error", err)
			return
		case w.base.Err() != nil:
			return
		}
		wait := max(w.backoff(d.attempts), min(retryAfter, w.backoffMax))
		w.log.Warn("webhook delivery failed; retrying", "event_id", d.id, "event", d.typ,
			"attempt", d.attempts, "retry_in", wait, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-w.base.Done():
			t.Stop()
			return
		}
	}
}

// backoff is the wait before attempt+1: backoffMin doubled per attempt up
// to backoffMax, with the upper half jittered so many Ringdesks coming back
// together do not hit the CRM at once.
func (w *Webhook) backoff(attempt int) time.Duration {
	d := w.backoffMin
	for i := 1; i < attempt && d < w.backoffMax; i++ {
		d *= 2
	}
	d = min(d, w.backoffMax)
	half := d / 2
	return half + time.Duration(mathrand.Int64N(int64(half)+1))
}

// post makes one attempt. permanent says retrying would not help;
// retryAfter is the wait the CRM asked for.
func (w *Webhook) post(d *delivery) (retryAfter time.Duration, permanent bool, err error) {
	key, err := w.secret()
	if err != nil {
		return 0, false, err
	}
	req, err := http.NewRequestWithContext(w.base, http.MethodPost, w.target, bytes.NewReader(d.body))
	if err != nil {
		return 0, true, fmt.Errorf("building the webhook request: %w", innermost(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Ringdesk")
	req.Header.Set(HeaderEventID, d.id)
	req.Header.Set(HeaderEventType, d.typ)
	req.Header.Set(HeaderAttempt, strconv.Itoa(d.attempts))
	req.Header.Set(HeaderSignature, Sign([]byte(key), d.body))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, false, fmt.Errorf("the webhook at %s could not be reached: %w", w.host, innermost(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code <= 299:
		return 0, false, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooEarly || code == http.StatusTooManyRequests || code >= 500:
		return parseRetryAfter(resp.Header.Get("Retry-After")), false, fmt.Errorf("the webhook at %s answered %s", w.host, resp.Status)
	case code >= 300 && code <= 399:
		return 0, true, fmt.Errorf("the webhook at %s answered %s (a redirect to %q): write the final address in crm.webhook.url", w.host, resp.Status, resp.Header.Get("Location"))
	default:
		return 0, true, fmt.Errorf("the webhook at %s answered %s: check crm.webhook.url and the signing key", w.host, resp.Status)
	}
}

// parseRetryAfter reads a Retry-After header in seconds or as a date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// Sign returns the value of the X-Ringdesk-Signature header for body:
// "sha256=" followed by the hex HMAC-SHA256 of body keyed with key.
// Receivers compute the same over the raw body and compare in constant
// time (see docs/crm.md).
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// newEventID returns a random UUID (version 4) for an event.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
