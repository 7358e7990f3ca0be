package history

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	s := openTest(t, WithClock(newClock(t0.Add(time.Hour)).Now))
	ctx := t.Context()
	in := Call{
		ID: "c1", SIPCallID: "a84b4c76e66710", Account: "main", Direction: Inbound,
		Number: "0977805845", Name: "Jane Black", Video: true, StartedAt: t0,
		Headers: map[string]string{"X-Videocall": "true", "X-Business-Id": "42"},
		Data:    map[string]any{"ticket": "7"},
		// Fields the store fills in are ignored by Start.
		HistoryID: 99, Status: StatusEnded, Duration: 5, Recording: "/x.wav",
	}
	mustStart(t, s, in)
	answered, ended := t0.Add(4*time.Second), t0.Add(4*time.Second+65_600*time.Millisecond)
	card := CallerCard{Name: "Jane Black", Company: "Acme", URL: "https://crm.example.com/c/1",
		Fields: map[string]string{"Tier": "Gold", "Open tickets": "2"}}
	cause := Cause{Code: 200, Reason: "OK", Message: "Call ended", By: ByLocal}
	steps := []struct {
		name string
		do   func() error
	}{
		{"Answer", func() error { return s.Answer(ctx, "c1", answered) }},
		{"SetCallerCard", func() error { return s.SetCallerCard(ctx, "c1", card) }},
		{"SetData", func() error { return s.SetData(ctx, "c1", map[string]any{"ticket": "8", "n": 3.0}) }},
		{"End", func() error { return s.End(ctx, "c1", ended, cause) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	want := Call{
		ID: "c1", SIPCallID: "a84b4c76e66710", Account: "main", Direction: Inbound,
		Number: "0977805845", Name: "Jane Black", Video: true,
		Headers: map[string]string{"X-Videocall": "true", "X-Business-Id": "42"},
		Data:    map[string]any{"ticket": "8", "n": 3.0},
		Status:  StatusEnded, StartedAt: t0, AnsweredAt: answered, EndedAt: ended,
		Duration: 66, // 65.6 s, rounded
		Cause:    cause, Contact: &card,
	}
	got, err := s.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want.HistoryID = got.HistoryID
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get:\n got %+v\nwant %+v", got, want)
	}
	listed := all(t, s)
	if len(listed) != 1 || !reflect.DeepEqual(listed[0], want) {
		t.Errorf("List:\n got %+v\nwant [%+v]", listed, want)
	}
}

func TestStartDefaults(t *testing.T) {
	now := t0.Add(time.Minute)
	s := openTest(t, WithClock(newClock(now).Now))
	mustStart(t, s, Call{ID: "c1", Direction: Outbound, Number: "1002"})
	got, err := s.Get(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartedAt.Equal(now) || got.Status != StatusRinging || got.Headers == nil || got.Data == nil ||
		got.Contact != nil || !got.AnsweredAt.IsZero() || !got.EndedAt.IsZero() {
		t.Errorf("a bare Start gave %+v; want ringing, started now, empty headers and data, no card", got)
	}
}

func TestEndings(t *testing.T) {
	cases := []struct {
		name         string
		dir          Direction
		answerAfter  time.Duration // 0: never answered
		endAfter     time.Duration
		wantStatus   Status
		wantDuration int
	}{
		{"inbound answered", Inbound, 3 * time.Second, 63 * time.Second, StatusEnded, 60},
		{"inbound never answered is missed", Inbound, 0, 20 * time.Second, StatusMissed, 0},
		{"outbound answered", Outbound, 10 * time.Second, 10*time.Second + 1499*time.Millisecond, StatusEnded, 1},
		{"outbound never answered (busy) is ended", Outbound, 0, 5 * time.Second, StatusEnded, 0},
		{"half a second rounds up", Inbound, time.Second, 1500 * time.Millisecond, StatusEnded, 1},
		{"end before answer (clock step) is 0 s", Inbound, 10 * time.Second, 5 * time.Second, StatusEnded, 0},
	}
	s := openTest(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := cid(i)
			mustStart(t, s, call(id, tc.dir, "1002", "", t0))
			var answer time.Time
			if tc.answerAfter > 0 {
				answer = t0.Add(tc.answerAfter)
			}
			finish(t, s, id, answer, t0.Add(tc.endAfter))
			got, err := s.Get(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.wantStatus || got.Duration != tc.wantDuration || !got.EndedAt.Equal(t0.Add(tc.endAfter)) {
				t.Errorf("got status %s, duration %d, ended %v; want %s, %d, %v",
					got.Status, got.Duration, got.EndedAt, tc.wantStatus, tc.wantDuration, t0.Add(tc.endAfter))
			}
		})
	}
}

func TestStepErrors(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	mustStart(t, s, call("c1", Inbound, "1002", "", t0))
	mustStart(t, s, call("c2", Inbound, "1003", "", t0))
	finish(t, s, "c2", t0.Add(time.Second), t0.Add(time.Minute))
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"Start again", s.Start(ctx, call("c1", Outbound, "1", "", t0)), ErrDuplicate},
		{"Start without id", s.Start(ctx, Call{Direction: Inbound}), ErrInvalid},
		{"Start with a bad direction", s.Start(ctx, Call{ID: "c9", Direction: "sideways"}), ErrInvalid},
		{"Answer unknown", s.Answer(ctx, "c7", t0), ErrNotFound},
		{"End unknown", s.End(ctx, "c7", t0, Cause{}), ErrNotFound},
		{"SetData unknown", s.SetData(ctx, "c7", nil), ErrNotFound},
		{"SetCallerCard unknown", s.SetCallerCard(ctx, "c7", CallerCard{}), ErrNotFound},
		{"Answer ended", s.Answer(ctx, "c2", t0), ErrState},
		{"End ended", s.End(ctx, "c2", t0, Cause{}), ErrState},
		{"Answer twice", func() error {
			if err := s.Answer(ctx, "c1", t0.Add(time.Second)); err != nil {
				return err
			}
			return s.Answer(ctx, "c1", t0.Add(2*time.Second))
		}(), ErrState},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	_, err := s.Get(ctx, "c7")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get unknown: %v, want ErrNotFound", err)
	}
	// Nothing those failures touched changed.
	got := byID(all(t, s))
	if len(got) != 2 || got["c1"].Status != StatusAnswered || !got["c1"].AnsweredAt.Equal(t0.Add(time.Second)) ||
		got["c2"].Status != StatusEnded || !got["c2"].EndedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("after the failed steps: %+v", got)
	}
	if msg := fmt.Sprint(s.Answer(ctx, "c2", t0)); msg != "history: recording the answer of call c2: the call is ended: the call is past that step" {
		t.Errorf("message: %s", msg)
	}
}

func TestSettersAfterEnd(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	mustStart(t, s, call("c1", Inbound, "0977805845", "", t0))
	finish(t, s, "c1", time.Time{}, t0.Add(time.Second))
	// A slow CRM answers after the caller hung up; the agent adds data in
	// wrap-up.
	if err := s.SetCallerCard(ctx, "c1", CallerCard{Name: "Jane Black"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetData(ctx, "c1", map[string]any{"note": "call back"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusMissed || got.Contact == nil || got.Contact.Name != "Jane Black" || got.Data["note"] != "call back" {
		t.Errorf("got %+v", got)
	}
	p, err := s.List(ctx, Query{Keyword: "jane"})
	if err != nil || p.TotalDocs != 1 {
		t.Errorf("search by the card's name: %d found, %v", p.TotalDocs, err)
	}
}

func TestInterruptedOnReopen(t *testing.T) {
	path := testPath(t)
	clock := newClock(t0)
	s, err := Open(context.Background(), path, WithClock(clock.Now), WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	// c1 finished; c2 rang and nobody answered before the crash; c3 was
	// answered, then touched by SetData 40 s later; c4 was answered and
	// touched by nothing after.
	mustStart(t, s, call("c1", Outbound, "1001", "", t0))
	finish(t, s, "c1", t0.Add(time.Second), t0.Add(time.Minute))
	mustStart(t, s, call("c2", Inbound, "1002", "", t0.Add(2*time.Minute)))
	mustStart(t, s, call("c3", Inbound, "1003", "", t0.Add(3*time.Minute)))
	if err := s.Answer(ctx, "c3", t0.Add(3*time.Minute+5*time.Second)); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(3*time.Minute + 45*time.Second))
	if err := s.SetData(ctx, "c3", map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	mustStart(t, s, call("c4", Outbound, "1004", "", t0.Add(4*time.Minute)))
	if err := s.Answer(ctx, "c4", t0.Add(4*time.Minute+2*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The process dies: the calls are never ended.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openAt(t, path, WithClock(newClock(t0.Add(time.Hour)).Now), WithHeartbeat(0))
	if s2.Interrupted() != 3 {
		t.Errorf("Interrupted() = %d, want 3", s2.Interrupted())
	}
	got := byID(all(t, s2))
	for _, w := range []struct {
		id       string
		status   Status
		ended    time.Time
		duration int
	}{
		{"c1", StatusEnded, t0.Add(time.Minute), 59},
		{"c2", StatusInterrupted, t0.Add(2 * time.Minute), 0},
		{"c3", StatusInterrupted, t0.Add(3*time.Minute + 45*time.Second), 40},
		{"c4", StatusInterrupted, t0.Add(4*time.Minute + 2*time.Second), 0},
	} {
		c := got[w.id]
		if c.Status != w.status || !c.EndedAt.Equal(w.ended) || c.Duration != w.duration {
			t.Errorf("%s: status %s, ended %v, duration %d; want %s, %v, %d",
				w.id, c.Status, c.EndedAt, c.Duration, w.status, w.ended, w.duration)
		}
	}
	// The new run counts from c1 again; its calls are its own.
	mustStart(t, s2, call("c1", Inbound, "2001", "", t0.Add(time.Hour)))
	finish(t, s2, "c1", time.Time{}, t0.Add(time.Hour+time.Second))
	if c, err := s2.Get(ctx, "c1"); err != nil || c.Number != "2001" || c.Status != StatusMissed {
		t.Errorf("this run's c1: %+v, %v", c, err)
	}
	if err := s2.Answer(ctx, "c3", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Answer of the last run's c3: %v, want ErrNotFound", err)
	}
	if n := len(all(t, s2)); n != 5 {
		t.Errorf("%d calls in the history, want 5", n)
	}
	// A clean third run finds nothing to interrupt.
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if s3 := openAt(t, path, WithHeartbeat(0)); s3.Interrupted() != 0 {
		t.Errorf("third run: Interrupted() = %d, want 0", s3.Interrupted())
	}
}

func TestConcurrentWriters(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	const writers, perWriter = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	stopReaders := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 2; r++ {
		readers.Go(func() {
			for {
				select {
				case <-stopReaders:
					return
				default:
				}
				if _, err := s.List(ctx, Query{Keyword: "10", PageSize: 20}); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
		})
	}
	for w := 0; w < writers; w++ {
		wg.Go(func() {
			for i := 0; i < perWriter; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				at := t0.Add(time.Duration(w*perWriter+i) * time.Second)
				err := errors.Join(
					s.Start(ctx, call(id, Inbound, fmt.Sprintf("10%02d%02d", w, i), "", at)),
					s.Answer(ctx, id, at.Add(time.Second)),
					s.SetData(ctx, id, map[string]any{"writer": float64(w)}),
					s.End(ctx, id, at.Add(3*time.Second), Cause{By: ByRemote}),
				)
				if err != nil {
					errs <- fmt.Errorf("writer %d call %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stopReaders)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := all(t, s)
	if len(got) != writers*perWriter {
		t.Fatalf("%d calls recorded, want %d", len(got), writers*perWriter)
	}
	for _, c := range got {
		if c.Status != StatusEnded || c.Duration != 2 || c.Data["writer"] == nil {
			t.Errorf("%s: %+v", c.ID, c)
		}
	}
}
