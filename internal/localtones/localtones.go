// Package localtones plays the sounds a phone makes on its own, from the
// engine's events: the ringtone while an incoming call rings, the ringback
// while a call we place rings without early media, a busy or error tone
// when a call we place fails, and key-press feedback.
//
// Policy (what a Linphone, MicroSIP or Zoiper user expects):
//
//   - INCOMING_CALL starts the ringtone on the ringer device; it stops when
//     no call rings any more (answered, declined, cancelled by the caller,
//     timed out). A call refused by Do Not Disturb or forwarded never
//     rings: the engine sends no INCOMING_CALL for it. A call that replaces
//     another (the far end of an attended transfer) is answered at once and
//     does not ring.
//   - PROGRESS of a call we placed, in state "ringing" (180, or 183
//     without SDP), starts the ringback on the speaker; in state "early"
//     (183 with SDP) the far end's early media plays instead, so no local
//     ringback — and none afterwards for that call, even if a later 180
//     comes without SDP (RFC 3960: the early media already stands). It
//     stops at IN_CALL or CALL_END.
//   - CALL_END of a call we placed that was never answered and that the far
//     end or the network refused plays the busy tone once for 486, 600
//     (busy everywhere) and 603 (declined, as a PSTN caller hears it) and
//     the error tone (special information tone) once for other failures
//     (404, 408, 480, 5xx...). A call we hung up or cancelled ourselves
//     ends silently. A new call (placed, incoming or answered) cuts such a
//     tone short.
//   - KeyPressed plays a dial-pad key's DTMF pair on the speaker.
//   - An incoming call while another call is up (established, not on
//     hold) does not ring on the ringer: the call-waiting tone (two short
//     beeps every 5 s) plays on the speaker, over the conversation, until
//     it stops ringing; the window shows it too. With every other call on
//     hold it rings as usual.
//
// The subscriber only flips state and tells the players, which never
// wait, so the engine's events are drained at once.
package localtones

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/ringdesk/ringdesk/media/tones"
	"github.com/ringdesk/ringdesk/phone"
)

// Options are what Start needs.
type Options struct {
	// Phone is the engine whose events drive the sounds. Required.
	Phone *phone.Phone
	// Ringer opens the device the ringtone plays on; nil: no ringtone.
	Ringer tones.OpenFunc
	// Speaker opens the device the ringback, busy and error tones and the
	// key feedback play on; nil: none of those.
	Speaker tones.OpenFunc
	// Logger receives a line when a device does not open; nil discards.
	Logger *slog.Logger
}

// Tones plays the local sounds for one engine. Close it before or after
// the engine; its methods are safe for concurrent use.
type Tones struct {
	ringer  *tones.Player // nil without a ringer
	speaker *tones.Player // nil without a speaker
	sub     *phone.Subscription
	log     *slog.Logger
	done    chan struct{}

	mu       sync.Mutex
	ringing  map[string]bool // incoming calls ringing; guarded by mu
	ringback map[string]bool // outgoing calls ringing without early media; guarded by mu
	early    map[string]bool // outgoing calls that had early media; guarded by mu
	up       map[string]bool // calls established and not on hold; guarded by mu
	// speakerSound is what the speaker plays for calls (tones.None,
	// Ringback, Waiting, Busy or Error); guarded by mu.
	speakerSound tones.Sound

	closeOnce sync.Once
}

// Start subscribes to the engine's events and plays the local sounds
// until Close.
func Start(opts Options) *Tones {
	t := &Tones{log: opts.Logger, done: make(chan struct{}),
		ringing: map[string]bool{}, ringback: map[string]bool{}, early: map[string]bool{}, up: map[string]bool{}}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if opts.Ringer != nil {
		t.ringer = tones.NewPlayer(opts.Ringer, tones.WithLogger(t.log))
	}
	if opts.Speaker != nil {
		t.speaker = tones.NewPlayer(opts.Speaker, tones.WithLogger(t.log))
	}
	t.sub = opts.Phone.Subscribe()
	go t.run()
	return t
}

func (t *Tones) run() {
	defer close(t.done)
	for e := range t.sub.C {
		t.handle(e)
	}
	if err := t.sub.Err(); errors.Is(err, phone.ErrSlowSubscriber) {
		// Cannot happen with a subscriber this quick; say so if it does.
		t.log.Error("local tones stopped: they fell behind the engine's events", "error", err)
	}
	t.silence()
}

// handle applies one engine event.
func (t *Tones) handle(e phone.Event) {
	if e.Call == nil {
		return
	}
	id := e.Call.ID
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Type != phone.EventCallEnd && e.Call.State == phone.CallStateEstablished {
		t.up[id] = true
	} else {
		delete(t.up, id)
	}
	switch e.Type {
	case phone.EventOutgoingCall, phone.EventIncomingCall, phone.EventInCall:
		// A new call, or one answered: the last failure's tone is old news.
		if t.speakerSound == tones.Busy || t.speakerSound == tones.Error {
			t.speakerSound = tones.None
			if t.speaker != nil {
				_ = t.speaker.Stop()
			}
		}
	}
	switch e.Type {
	case phone.EventIncomingCall:
		if e.Call.ReplacedCall == "" && e.Call.State == phone.CallStateIncoming {
			t.ringing[id] = true
		}
	case phone.EventProgress:
		switch {
		case e.Call.State == phone.CallStateEarly:
			t.early[id] = true
			delete(t.ringback, id)
		case e.Call.State == phone.CallStateRinging && !t.early[id]:
			t.ringback[id] = true
		}
	case phone.EventCallEnd:
		delete(t.ringing, id)
		delete(t.ringback, id)
		delete(t.early, id)
		if s := failureSound(e); s != tones.None {
			t.speakerSound = s
			t.play(t.speaker, s)
			t.updateRinger()
			return
		}
	default:
		// IN_CALL, and any other sign that a call left its ringing state.
		if e.Call.State != phone.CallStateIncoming {
			delete(t.ringing, id)
		}
		if e.Call.State != phone.CallStateRinging && e.Call.State != phone.CallStateDialing {
			delete(t.ringback, id)
		}
	}
	t.updateRinger()
	t.updateSpeaker()
}

// failureSound is the tone for the end of a call we placed: Busy when the
// far end was busy, Error when the call failed otherwise, None when it was
// answered, or ended by us, or never got a SIP answer.
func failureSound(e phone.Event) tones.Sound {
	c := e.Cause
	if e.Call.Direction != phone.DirectionOutbound || c == nil || !e.Call.Answered.IsZero() ||
		c.By == phone.ByLocal || c.Code < 400 {
		return tones.None
	}
	switch c.Code {
	case 486, 600, 603:
		return tones.Busy
	case 487:
		return tones.None // the request was cancelled: nothing failed
	}
	return tones.Error
}

// updateRinger starts or stops the ringtone for the calls ringing; t.mu is
// held.
func (t *Tones) updateRinger() {
	if t.ringer == nil {
		return
	}
	switch ringing := len(t.ringing) > 0 && !t.waiting(); {
	case ringing && t.ringer.Playing() != tones.Ring:
		t.play(t.ringer, tones.Ring)
	case !ringing && t.ringer.Playing() == tones.Ring:
		_ = t.ringer.Stop()
	}
}

// updateSpeaker starts or stops the ringback; a busy or error tone plays
// on to its end unless a ringback replaces it. t.mu is held.
func (t *Tones) updateSpeaker() {
	if t.speaker == nil {
		return
	}
	want := tones.None
	switch {
	case len(t.ringback) > 0:
		want = tones.Ringback
	case t.waiting():
		want = tones.Waiting
	}
	if want != tones.None {
		if t.speakerSound != want || t.speaker.Playing() != want {
			t.speakerSound = want
			t.play(t.speaker, want)
		}
		return
	}
	if t.speakerSound == tones.Ringback || t.speakerSound == tones.Waiting {
		t.speakerSound = tones.None
		_ = t.speaker.Stop()
	}
}

// waiting says a call rings while another is up: call waiting. t.mu is
// held.
func (t *Tones) waiting() bool { return len(t.ringing) > 0 && len(t.up) > 0 }

func (t *Tones) play(p *tones.Player, s tones.Sound) {
	if p == nil {
		return
	}
	if err := p.Play(s); err != nil && !errors.Is(err, tones.ErrClosed) {
		t.log.Warn("local sound", "sound", s, "error", err)
	}
}

// KeyPressed plays the feedback of a dial-pad key (0-9, *, #, A-D) on the
// speaker; other keys are ignored.
func (t *Tones) KeyPressed(key rune) {
	if t.speaker != nil {
		_ = t.speaker.Key(key)
	}
}

// silence stops every sound.
func (t *Tones) silence() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.ringing)
	clear(t.ringback)
	t.speakerSound = tones.None
	for _, p := range []*tones.Player{t.ringer, t.speaker} {
		if p != nil {
			_ = p.Stop()
		}
	}
}

// Close stops every sound, ends the subscription and closes the devices;
// it returns once its goroutines are gone.
func (t *Tones) Close() {
	t.closeOnce.Do(func() {
		t.sub.Close()
		<-t.done
		for _, p := range []*tones.Player{t.ringer, t.speaker} {
			if p != nil {
				_ = p.Close()
			}
		}
	})
}
