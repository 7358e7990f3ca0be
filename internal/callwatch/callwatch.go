// Package callwatch does what happens around a call besides SIP: it writes
// each call to the history as it starts, is answered and ends; looks the
// remote party up and tells the engine's subscribers (CALLER_INFO); opens
// the CRM's screen-pop page; and posts the events to the CRM's webhook.
// The window and a headless run both start one, so both keep the same
// history and pop the same records.
package callwatch

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store/history"
)

// Options say what a Watcher feeds. Every part but Phone is optional.
type Options struct {
	// Phone is the engine whose calls are watched. Required.
	Phone *phone.Phone
	// History records every call.
	History *history.Store
	// CRM looks callers up, pops their record and posts the webhook.
	CRM *crm.Service
	// EncodeEvent turns an event into the JSON the webhook posts (the
	// local API's event shape); without it no webhook is posted.
	EncodeEvent func(phone.Event) any
	// Region is the default region for numbers without a country code
	// (crm.region), for the screen-pop page opened on answer.
	Region string
	// Logger receives what went wrong; nil discards it.
	Logger *slog.Logger
}

// Watcher follows the engine's events until Close.
type Watcher struct {
	opts     Options
	log      *slog.Logger
	sub      *phone.Subscription
	ctx      context.Context
	cancel   context.CancelFunc
	lookups  sync.WaitGroup
	done     chan struct{}
	answered map[string]bool // call ids recorded as answered; loop only
}

// Start subscribes to the engine and begins watching.
func Start(opts Options) *Watcher {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{opts: opts, log: opts.Logger, sub: opts.Phone.Subscribe(), ctx: ctx, cancel: cancel,
		done: make(chan struct{}), answered: make(map[string]bool)}
	go w.loop()
	return w
}

// Close stops watching and waits for lookups under way. The history and
// the CRM service stay open: their owner closes them.
func (w *Watcher) Close() {
	// The loop finishes the event in hand (the history write of a last
	// CALL_END) before the context its writes use is cancelled.
	w.sub.Close()
	<-w.done
	w.cancel()
	w.lookups.Wait()
}

func (w *Watcher) loop() {
	defer close(w.done)
	for e := range w.sub.C {
		w.handle(e)
	}
	if err := w.sub.Err(); errors.Is(err, phone.ErrSlowSubscriber) {
		w.log.Error("the call history and CRM stopped following calls: they fell too far behind the engine", "error", err)
	}
}

func (w *Watcher) handle(e phone.Event) {
	if w.opts.CRM != nil && w.opts.CRM.Webhook != nil && w.opts.EncodeEvent != nil {
		if err := w.opts.CRM.Webhook.Send(w.opts.EncodeEvent(e)); err != nil {
			w.log.Warn("event not queued for the CRM webhook", "event", e.Type, "error", err)
		}
	}
	if e.Call == nil {
		return
	}
	call := *e.Call
	switch e.Type {
	case phone.EventIncomingCall, phone.EventOutgoingCall:
		w.record("start", call.ID, func(ctx context.Context, h *history.Store) error { return h.Start(ctx, historyCall(call)) })
		w.lookUp(call, e.Type == phone.EventIncomingCall)
	case phone.EventInCall:
		if !w.answered[call.ID] {
			w.answered[call.ID] = true
			at := call.Answered
			w.record("answer", call.ID, func(ctx context.Context, h *history.Store) error { return h.Answer(ctx, call.ID, at) })
			if call.Direction == phone.DirectionInbound {
				w.pop(call, "answer")
			}
		}
	case phone.EventCallEnd:
		delete(w.answered, call.ID)
		if e.Cause != nil && e.Cause.Rule != "" {
			// Refused by DND or forwarded: the call never rang here,
			// but the agent should still see it in the history.
			w.record("start", call.ID, func(ctx context.Context, h *history.Store) error { return h.Start(ctx, historyCall(call)) })
		}
		cause := history.Cause{}
		if e.Cause != nil {
			cause = history.Cause{Code: e.Cause.Code, Reason: e.Cause.Reason, Message: e.Cause.Message, By: history.EndedBy(e.Cause.By)}
		}
		w.record("end", call.ID, func(ctx context.Context, h *history.Store) error {
			if len(call.Data) > 0 {
				if err := h.SetData(ctx, call.ID, anyMap(call.Data)); err != nil {
					return err
				}
			}
			return h.End(ctx, call.ID, e.Time, cause)
		})
	}
}

// record runs one history write, logging a failure: the call goes on.
func (w *Watcher) record(step, id string, write func(context.Context, *history.Store) error) {
	if w.opts.History == nil {
		return
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	if err := write(ctx, w.opts.History); err != nil {
		w.log.Error("call history not written", "step", step, "call", id, "error", err)
	}
}

// lookUp asks the CRM who the remote party is, without holding up the
// events that follow, then announces CALLER_INFO, keeps the card in the
// history and pops the record when the call rings in.
func (w *Watcher) lookUp(call phone.CallInfo, ringing bool) {
	if w.opts.CRM == nil || w.opts.CRM.Resolver == nil {
		return
	}
	w.lookups.Add(1)
	go func() {
		defer w.lookups.Done()
		res := w.opts.CRM.Resolver.Resolve(w.ctx, call.Number)
		info := phone.CallerInfo{Found: res.Found}
		if res.Found {
			c := res.Contact
			info.Name, info.Company, info.URL, info.Notes, info.Fields, info.Source = c.Name, c.Company, c.URL, c.Notes, c.Fields, c.Source
			w.record("caller card", call.ID, func(ctx context.Context, h *history.Store) error {
				return h.SetCallerCard(ctx, call.ID, history.CallerCard{Name: c.Name, Company: c.Company, URL: c.URL, Fields: c.Fields})
			})
		} else {
			info.Reason = "no contact has this number"
			if len(res.Reasons) > 0 {
				info.Reason = strings.Join(res.Reasons, "; ")
			}
		}
		if err := w.opts.Phone.PublishCallerInfo(call.ID, info); err != nil && !errors.Is(err, phone.ErrNoSuchCall) {
			w.log.Warn("caller info not announced", "call", call.ID, "error", err)
		}
		if ringing {
			w.popNumber(res.Number, "ring")
		}
	}()
}

// pop opens the CRM's page for the call at moment (ring or answer), when
// pop_on says so.
func (w *Watcher) pop(call phone.CallInfo, moment string) {
	if w.opts.CRM == nil || w.opts.CRM.Popper == nil {
		return
	}
	n, err := crm.Normalize(call.Number, w.opts.Region)
	if err != nil {
		n = crm.Number{Raw: call.Number, Digits: call.Number}
	}
	w.popNumber(n, moment)
}

func (w *Watcher) popNumber(n crm.Number, moment string) {
	if w.opts.CRM == nil || w.opts.CRM.Popper == nil {
		return
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	if _, err := w.opts.CRM.Popper.Pop(ctx, moment, n); err != nil {
		w.log.Warn("the CRM's page was not opened", "moment", moment, "error", err)
	}
}

// historyCall is the history's row for a call as it starts.
func historyCall(call phone.CallInfo) history.Call {
	return history.Call{ID: call.ID, SIPCallID: call.SIPCallID, Account: call.Account,
		Direction: history.Direction(call.Direction), Number: call.Number, Name: call.Name, Video: call.Video,
		Headers: maps.Clone(call.Headers), Data: anyMap(call.Data), StartedAt: call.Started}
}

func anyMap(m map[string]string) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
