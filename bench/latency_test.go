package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
)

// latencySecondsEnv overrides the length of each call of
// BenchmarkMouthToEar (default 10 s: 10 clicks), latencyCallsEnv how many
// calls it makes per codec (default 4).
const (
	latencySecondsEnv = "BENCH_LATENCY_SECONDS"
	latencyCallsEnv   = "BENCH_LATENCY_CALLS"
)

// BenchmarkMouthToEar measures the mouth-to-ear latency of the media
// path between two Ringdesk engines (phone.Phone, in this process) that
// call each other through Kamailio on loopback: the caller's source is
// silence with a sharp click every second, the callee records; each
// click's delay is the time from the caller's engine reading it from its
// source to the callee's engine writing its onset to its sink (sound
// devices' own buffers come on top). The first two clicks, while the
// jitter buffer settles, are left out. Reported: the median and the 95th
// percentile in ms, with PCMU and with Opus. Each call's engines start
// their media clocks independently, so the phase between the caller's
// sending and the callee's playing (0–20 ms) differs from call to call:
// the figures pool several calls (BENCH_LATENCY_CALLS, default 4, of
// BENCH_LATENCY_SECONDS, default 10).
func BenchmarkMouthToEar(b *testing.B) {
	for _, codec := range []string{"pcmu", "opus"} {
		b.Run(codec, func(b *testing.B) { benchMouthToEar(b, codec) })
	}
}

func benchMouthToEar(b *testing.B, codec string) {
	dur := envDuration(b, latencySecondsEnv, 10*time.Second)
	calls := 4
	if v := os.Getenv(latencyCallsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number of calls", latencyCallsEnv, v)
		}
		calls = n
	}
	k := testbed.StartKamailio(b)
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		for range calls {
			d, err := clickCall(b, k, codec, dur)
			if err != nil {
				b.Fatal(err)
			}
			all = append(all, d...)
		}
	}
	b.StopTimer()
	med, p95 := percentile(all, 50), percentile(all, 95)
	b.ReportMetric(float64(med.Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.Logf("%s: %d clicks, mouth-to-ear median %.1f ms, p95 %.1f ms, min %.1f ms, max %.1f ms", codec, len(all),
		ms(med), ms(p95), ms(percentile(all, 0)), ms(percentile(all, 100)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// clickCall makes one call of length dur between two engines on k, the
// caller clicking, and returns the delay of each click after the second.
func clickCall(b *testing.B, k *testbed.Kamailio, codec string, dur time.Duration) ([]time.Duration, error) {
	src, sink := newClickSource(), newClickSink()
	caller := startEngine(b, k, "1001", codec, phone.MediaOptions{Source: src})
	defer caller.close()
	callee := startEngine(b, k, "1002", codec, phone.MediaOptions{Sink: sink})
	defer callee.close()
	ctx, cancel := context.WithTimeout(context.Background(), dur+time.Minute)
	defer cancel()
	call, err := caller.p.Dial(ctx, "", "1002", phone.DialOptions{})
	if err != nil {
		return nil, err
	}
	in, err := callee.wait(ctx, phone.EventIncomingCall, "")
	if err != nil {
		return nil, err
	}
	answered, err := callee.p.Call(in.Call.ID)
	if err != nil {
		return nil, err
	}
	if err := answered.Answer(ctx); err != nil {
		return nil, err
	}
	e, err := caller.wait(ctx, phone.EventInCall, call.ID())
	if err != nil {
		return nil, err
	}
	if e.Call.Codec != codec {
		return nil, fmt.Errorf("codec %q, want %q", e.Call.Codec, codec)
	}
	select {
	case <-time.After(dur):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	st := answered.MediaStats()
	if err := call.Hangup(ctx); err != nil {
		return nil, err
	}
	if _, err := callee.wait(ctx, phone.EventCallEnd, answered.ID()); err != nil {
		return nil, err
	}
	clicks, onsets := src.times(), sink.onsets()
	d := delays(clicks, onsets, 500*time.Millisecond)
	b.Logf("%s call: %d clicks sent, %d heard, %d paired, median %.1f ms; callee's stats %+v", codec, len(clicks), len(onsets), len(d), ms(percentile(d, 50)), st)
	if len(d) < len(clicks)-3 {
		return nil, fmt.Errorf("only %d of %d clicks were heard", len(d), len(clicks))
	}
	return d[min(2, len(d)):], nil
}

// engine is a phone.Phone registered at Kamailio, with its events.
type engine struct {
	p   *phone.Phone
	sub *phone.Subscription
}

// startEngine starts an engine on 127.0.0.1 registered as user, offering
// only codec, whose calls use m; it returns once registered. Close it
// before another engine registers as the same user.
func startEngine(b *testing.B, k *testbed.Kamailio, user, codec string, m phone.MediaOptions) *engine {
	b.Helper()
	p := phone.New(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(func(phone.CallInfo) phone.MediaOptions { return m }))
	e := &engine{p: p, sub: p.Subscribe()}
	if _, err := p.AddAccount(phone.AccountConfig{ID: user, Username: user, Domain: k.Domain(), Transport: "udp", Server: k.UDPAddr(),
		Password: testbed.Password(user), Register: true, Expires: 300 * time.Second, Codecs: []string{codec}}); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.wait(ctx, phone.EventRegistered, ""); err != nil {
		e.close()
		b.Fatal(err)
	}
	return e
}

// close hangs up, unregisters and stops the engine.
func (e *engine) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = e.p.Close(ctx) // a benchmark's teardown: nothing to report
	e.sub.Close()
}

// wait returns the next event of type typ (of call callID unless empty).
func (e *engine) wait(ctx context.Context, typ phone.EventType, callID string) (phone.Event, error) {
	for {
		select {
		case ev, ok := <-e.sub.C:
			if !ok {
				return phone.Event{}, fmt.Errorf("event stream closed while waiting for %s", typ)
			}
			if ev.Type == typ && (callID == "" || (ev.Call != nil && ev.Call.ID == callID)) {
				return ev, nil
			}
		case <-ctx.Done():
			return phone.Event{}, fmt.Errorf("no %s: %w", typ, ctx.Err())
		}
	}
}
