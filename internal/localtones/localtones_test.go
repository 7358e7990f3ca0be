package localtones

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/tones"
	"github.com/ringdesk/ringdesk/phone"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// device hands out recorders as a sound device would open streams, and
// remembers them.
type device struct {
	mu  sync.Mutex
	all []*mediatest.Recorder
}

func (d *device) open() (media.Sink, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := mediatest.NewRecorder()
	d.all = append(d.all, r)
	return r, nil
}

// current returns the stream open now, or nil.
func (d *device) current() *mediatest.Recorder {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.all); n > 0 && !d.all[n-1].Closed() {
		return d.all[n-1]
	}
	return nil
}

// wait waits until cond holds, for at most 10 s.
func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hears waits until d plays freq (the last 200 ms of its open stream hold
// it), for at most 10 s.
func hears(t *testing.T, d *device, what string, freq float64) {
	t.Helper()
	wait(t, what, func() bool {
		r := d.current()
		if r == nil {
			return false
		}
		s, rate := r.Samples()
		if len(s) < rate/5 {
			return false
		}
		return mediatest.Measure(s[len(s)-rate/5:], rate, freq).SNR > 20
	})
}

// quiet waits until d has no stream open.
func quiet(t *testing.T, d *device, what string) {
	t.Helper()
	wait(t, what, func() bool { return d.current() == nil })
}

// newTones is a Tones without an engine, fed by handle.
func newTones(ringer, speaker *device) *Tones {
	t := &Tones{ringing: map[string]bool{}, ringback: map[string]bool{}, early: map[string]bool{}, up: map[string]bool{}}
	t.log = discard
	t.ringer = tones.NewPlayer(ringer.open)
	t.speaker = tones.NewPlayer(speaker.open)
	return t
}

func (t *Tones) closePlayers() {
	t.ringer.Close()
	t.speaker.Close()
}

func call(id string, dir phone.Direction, state phone.CallState) *phone.CallInfo {
	return &phone.CallInfo{ID: id, Direction: dir, State: state}
}

func TestPolicy(t *testing.T) {
	ringer, speaker := &device{}, &device{}
	lt := newTones(ringer, speaker)
	defer lt.closePlayers()

	// An incoming call rings until answered.
	lt.handle(phone.Event{Type: phone.EventIncomingCall, Call: call("1", phone.DirectionInbound, phone.CallStateIncoming)})
	wait(t, "the ringtone", func() bool { return lt.ringer.Playing() == tones.Ring })
	lt.handle(phone.Event{Type: phone.EventInCall, Call: call("1", phone.DirectionInbound, phone.CallStateEstablished)})
	wait(t, "the ringtone to stop", func() bool { return lt.ringer.Playing() == tones.None })
	quiet(t, ringer, "the ringer to close")
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("1", phone.DirectionInbound, phone.CallStateEnded)})

	// A call we place: 180 plays the ringback, IN_CALL stops it.
	lt.handle(phone.Event{Type: phone.EventOutgoingCall, Call: call("2", phone.DirectionOutbound, phone.CallStateDialing)})
	lt.handle(phone.Event{Type: phone.EventProgress, Call: call("2", phone.DirectionOutbound, phone.CallStateRinging)})
	hears(t, speaker, "the ringback", 425)
	lt.handle(phone.Event{Type: phone.EventInCall, Call: call("2", phone.DirectionOutbound, phone.CallStateEstablished)})
	quiet(t, speaker, "the ringback to stop")

	// Call waiting: a call rings while call 2 is up: no ringtone, the
	// call-waiting beeps on the speaker; with call 2 on hold, the ringtone.
	lt.handle(phone.Event{Type: phone.EventIncomingCall, Call: call("9", phone.DirectionInbound, phone.CallStateIncoming)})
	hears(t, speaker, "the call-waiting tone", 425)
	if lt.ringer.Playing() != tones.None || lt.speaker.Playing() != tones.Waiting {
		t.Errorf("call waiting: ringer %q, speaker %q", lt.ringer.Playing(), lt.speaker.Playing())
	}
	lt.handle(phone.Event{Type: phone.EventHold, Call: call("2", phone.DirectionOutbound, phone.CallStateHeld)})
	wait(t, "the ringtone once the other call is held", func() bool { return lt.ringer.Playing() == tones.Ring })
	quiet(t, speaker, "the call-waiting tone to stop")
	lt.handle(phone.Event{Type: phone.EventUnhold, Call: call("2", phone.DirectionOutbound, phone.CallStateEstablished)})
	wait(t, "the call-waiting tone again", func() bool { return lt.speaker.Playing() == tones.Waiting && lt.ringer.Playing() == tones.None })
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("9", phone.DirectionInbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 487, By: phone.ByRemote}})
	quiet(t, speaker, "the call-waiting tone to stop when the call stops ringing")
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("2", phone.DirectionOutbound, phone.CallStateEnded)})

	// 183 with SDP: early media, no ringback, not even after a later 180.
	lt.handle(phone.Event{Type: phone.EventProgress, Call: call("3", phone.DirectionOutbound, phone.CallStateEarly)})
	lt.handle(phone.Event{Type: phone.EventProgress, Call: call("3", phone.DirectionOutbound, phone.CallStateRinging)})
	time.Sleep(100 * time.Millisecond)
	if s := lt.speaker.Playing(); s != tones.None {
		t.Errorf("early media, then 180: the speaker plays %q", s)
	}
	// Ended by the far end with 486: busy tone.
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("3", phone.DirectionOutbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 486, Reason: "Busy Here", By: phone.ByRemote}})
	hears(t, speaker, "the busy tone", 425)
	if s := lt.speaker.Playing(); s != tones.Busy {
		t.Errorf("after 486 the speaker plays %q", s)
	}
	// A new call cuts it short.
	lt.handle(phone.Event{Type: phone.EventOutgoingCall, Call: call("4", phone.DirectionOutbound, phone.CallStateDialing)})
	quiet(t, speaker, "the busy tone to stop for a new call")
	// 404: the error tone.
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("4", phone.DirectionOutbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 404, Reason: "Not Found", By: phone.ByRemote}})
	hears(t, speaker, "the error tone", 950)
	lt.handle(phone.Event{Type: phone.EventOutgoingCall, Call: call("5", phone.DirectionOutbound, phone.CallStateDialing)})
	quiet(t, speaker, "the error tone to stop for a new call")
	// Cancelled by us: silence.
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("5", phone.DirectionOutbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 487, Reason: "Request Terminated", By: phone.ByLocal}})
	// A DND refusal: CALL_END alone, no ringtone.
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("6", phone.DirectionInbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 486, Reason: "Busy Here", By: phone.ByLocal, Rule: phone.RuleDND}})
	time.Sleep(100 * time.Millisecond)
	if lt.ringer.Playing() != tones.None || lt.speaker.Playing() != tones.None {
		t.Errorf("after a cancel and a DND refusal: ringer %q, speaker %q", lt.ringer.Playing(), lt.speaker.Playing())
	}

	// Two calls ring; the ringtone goes on until both stop ringing.
	lt.handle(phone.Event{Type: phone.EventIncomingCall, Call: call("7", phone.DirectionInbound, phone.CallStateIncoming)})
	lt.handle(phone.Event{Type: phone.EventIncomingCall, Call: call("8", phone.DirectionInbound, phone.CallStateIncoming)})
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("7", phone.DirectionInbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 487, By: phone.ByRemote}})
	time.Sleep(50 * time.Millisecond)
	if lt.ringer.Playing() != tones.Ring {
		t.Error("the ringtone stopped while a call still rings")
	}
	lt.handle(phone.Event{Type: phone.EventCallEnd, Call: call("8", phone.DirectionInbound, phone.CallStateEnded),
		Cause: &phone.Cause{Code: 603, By: phone.ByLocal}})
	quiet(t, ringer, "the ringtone to stop once no call rings")

	// Key feedback.
	lt.KeyPressed('1')
	wait(t, "the key's tone", func() bool {
		d := speaker
		d.mu.Lock()
		defer d.mu.Unlock()
		r := d.all[len(d.all)-1]
		s, rate := r.Samples()
		return r.Closed() && mediatest.Goertzel(mediatest.Trim(s), rate, 1209) > 2000
	})
}

func TestFailureSound(t *testing.T) {
	answered := call("1", phone.DirectionOutbound, phone.CallStateEnded)
	answered.Answered = time.Now()
	for _, tc := range []struct {
		call  *phone.CallInfo
		cause *phone.Cause
		want  tones.Sound
	}{
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 486, By: phone.ByRemote}, tones.Busy},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 600, By: phone.ByRemote}, tones.Busy},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 603, By: phone.ByRemote}, tones.Busy},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 404, By: phone.ByRemote}, tones.Error},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 503, By: phone.ByRemote}, tones.Error},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 408, By: phone.ByNetwork}, tones.Error},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 487, By: phone.ByLocal}, tones.None},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{Code: 487, By: phone.ByRemote}, tones.None},
		{call("1", phone.DirectionOutbound, phone.CallStateEnded), &phone.Cause{By: phone.ByNetwork}, tones.None},
		{answered, &phone.Cause{By: phone.ByRemote}, tones.None},
		{call("1", phone.DirectionInbound, phone.CallStateEnded), &phone.Cause{Code: 486, By: phone.ByRemote}, tones.None},
	} {
		if got := failureSound(phone.Event{Type: phone.EventCallEnd, Call: tc.call, Cause: tc.cause}); got != tc.want {
			t.Errorf("%s call ended %+v: %q, want %q", tc.call.Direction, *tc.cause, got, tc.want)
		}
	}
}

// newPhone is an engine on loopback, closed at the test's end.
func newPhone(t *testing.T) *phone.Phone {
	t.Helper()
	p := phone.New(phone.WithLocalIP("127.0.0.1"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p
}

// dialSIPp places a call from a fresh engine, with local tones, to a SIPp
// UAS.
func dialSIPp(t *testing.T, sp *testbed.SIPp) (*phone.Phone, *Tones, *device, *phone.Call) {
	t.Helper()
	p := newPhone(t)
	speaker := &device{}
	lt := Start(Options{Phone: p, Ringer: (&device{}).open, Speaker: speaker.open})
	t.Cleanup(lt.Close)
	if _, err := p.AddAccount(phone.AccountConfig{ID: "direct", Username: "1001", Domain: "127.0.0.1", Server: sp.Addr(), Transport: "udp"}); err != nil {
		t.Fatal(err)
	}
	c, err := p.Dial(context.Background(), "", "sipp", phone.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p, lt, speaker, c
}

func waitSIPp(t *testing.T, sp *testbed.SIPp) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sp.Wait(ctx); err != nil {
		t.Fatalf("SIPp scenario failed: %v\n%s", err, sp.Logs())
	}
}

// TestRingbackWithEngine: a real 180 plays the ringback on the speaker
// until we hang up.
func TestRingbackWithEngine(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_ring_no_answer.xml", testbed.SIPpUAS())
	_, lt, speaker, c := dialSIPp(t, sp)
	hears(t, speaker, "the ringback after 180", 425)
	if s := lt.speaker.Playing(); s != tones.Ringback {
		t.Errorf("the speaker plays %q", s)
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	quiet(t, speaker, "the ringback to stop after hanging up")
	waitSIPp(t, sp)
}

// TestRejectedWithEngine: a real 486 plays the busy tone, a real 404 the
// error tone.
func TestRejectedWithEngine(t *testing.T) {
	for _, tc := range []struct {
		code   int
		reason string
		sound  tones.Sound
		freq   float64
	}{
		{486, "Busy Here", tones.Busy, 425},
		{404, "Not Found", tones.Error, 950},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			sp := testbed.RunSIPp(t, "uas_reject.xml", testbed.SIPpUAS(),
				testbed.SIPpKey("code", strconv.Itoa(tc.code)), testbed.SIPpKey("reason", tc.reason))
			_, lt, speaker, _ := dialSIPp(t, sp)
			hears(t, speaker, string(tc.sound), tc.freq)
			if s := lt.speaker.Playing(); s != tc.sound {
				t.Errorf("after %d the speaker plays %q", tc.code, s)
			}
			waitSIPp(t, sp)
		})
	}
}

// TestEarlyMediaWithEngine: a real 183 with SDP plays no ringback.
func TestEarlyMediaWithEngine(t *testing.T) {
	sp := testbed.RunSIPp(t, "uas_early_media.xml", testbed.SIPpUAS())
	p, lt, speaker, c := dialSIPp(t, sp)
	sub := p.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for established := false; !established; {
		select {
		case e := <-sub.C:
			established = e.Type == phone.EventInCall
		case <-ctx.Done():
			t.Fatal("no IN_CALL")
		}
		if s := lt.speaker.Playing(); s != tones.None {
			t.Errorf("with early media the speaker plays %q", s)
		}
	}
	if speaker.current() != nil {
		t.Error("the speaker opened during early media")
	}
	if err := c.Hangup(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSIPp(t, sp)
}

// TestRingtoneWithEngine: a real incoming call through Kamailio rings on
// the ringer until the caller cancels.
func TestRingtoneWithEngine(t *testing.T) {
	k := testbed.StartKamailio(t, testbed.KamailioNoAuth())
	p := newPhone(t)
	ringer := &device{}
	lt := Start(Options{Phone: p, Ringer: ringer.open, Speaker: (&device{}).open})
	defer lt.Close()
	if _, err := p.AddAccount(phone.AccountConfig{ID: "main", Username: "1001", Domain: k.Domain(), Server: k.UDPAddr(),
		Transport: "udp", Register: true, Codecs: []string{"pcmu"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := k.WaitRegistered(ctx, "1001", true); err != nil {
		t.Fatal(err)
	}
	sp := testbed.RunSIPp(t, "uac_cancel.xml", testbed.SIPpProxy(k), testbed.SIPpService("1001"), testbed.SIPpPause(2*time.Second))
	// The ringtone opens with C6 (1046.5 Hz).
	wait(t, "the ringtone", func() bool {
		r := ringer.current()
		if r == nil {
			return false
		}
		s, rate := r.Samples()
		s = mediatest.Trim(s)
		return len(s) >= rate/10 && mediatest.Measure(s[:rate/10], rate, 1046.5).SNR > 10
	})
	quiet(t, ringer, "the ringtone to stop when the caller cancels")
	waitSIPp(t, sp)
}

var discard = newDiscard()
