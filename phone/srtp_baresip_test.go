package phone

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestSRTPBaresip: Ringdesk and Debian's baresip (its srtp module, SDES)
// talk through Kamailio with AES_CM_128_HMAC_SHA1_80, each side placing
// the call once. Ringdesk plays 440 Hz and baresip a 1 kHz WAV; each must
// find the other's tone at SNR > 20 dB in what it recorded, each
// recording must last the call's time within 5% (no audio lost to
// decryption failures), the call's media statistics must say SRTP, and
// baresip must report the same suite (its CALL_MENC event).
// With mediaenc=srtp baresip offers RTP/AVP with a=crypto lines, which an
// account with SRTP optional takes as SRTP.
func TestSRTPBaresip(t *testing.T) {
	for _, tc := range []struct {
		name          string
		ringdeskCalls bool
		baresipMode   string // the account's mediaenc
		ringdeskMode  string // AccountConfig.SRTP
	}{
		{"ringdesk-calls", true, "srtp-mand", "required"},
		{"baresip-calls", false, "srtp-mand", "required"},
		{"baresip-calls-best-effort", false, "srtp", "optional"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testSRTPBaresip(t, tc.ringdeskCalls, tc.baresipMode, tc.ringdeskMode)
		})
	}
}

// srtpBaresipFrames is how long the calls of TestSRTPBaresip last, in
// 20 ms frames Ringdesk must have heard before hanging up: five seconds,
// so the call's set-up and tear-down are small beside 5% of it.
const srtpBaresipFrames = 250

func testSRTPBaresip(t *testing.T, ringdeskCalls bool, baresipMode, ringdeskMode string) {
	const suite = "AES_CM_128_HMAC_SHA1_80"
	k := testbed.StartKamailio(t)
	wav := filepath.Join(t.TempDir(), "1khz.wav")
	if err := testbed.WriteToneWAV(wav, 1000, 20, 8000); err != nil {
		t.Fatal(err)
	}
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(wav),
		testbed.BaresipCodecs("PCMU"), testbed.BaresipSRTP(baresipMode))
	heard := mediatest.NewRecorder()
	p := newTestPhone(t, toneMedia(440, heard))
	rec := record(t, p)
	cfg := kamailioAccount(k, "1001", "udp")
	cfg.Codecs, cfg.SRTP = []string{"pcmu"}, ringdeskMode
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	var call *Call
	if ringdeskCalls {
		var err error
		if call, err = p.Dial(ctx, "", "1009", DialOptions{}); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := b.Dial(k.URI("1001")); err != nil {
			t.Fatal(err)
		}
		in := rec.waitFor(EventIncomingCall, "")
		var err error
		if call, err = p.Call(in.Call.ID); err != nil {
			t.Fatal(err)
		}
		if err := call.Answer(ctx); err != nil {
			t.Fatal(err)
		}
	}
	inCall := rec.waitFor(EventInCall, call.ID())
	if inCall.Call.Codec != "pcmu" {
		t.Errorf("codec %q, want pcmu", inCall.Call.Codec)
	}
	if err := heard.WaitFrames(ctx, srtpBaresipFrames); err != nil {
		t.Fatalf("Ringdesk heard only %d frames: %v", heard.Frames(), err)
	}
	st := call.MediaStats()
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	end := rec.waitFor(EventCallEnd, call.ID())
	established, err := b.WaitEvent(ctx, "CALL_ESTABLISHED")
	if err != nil {
		t.Fatal(err)
	}
	closed, err := b.WaitEvent(ctx, "CALL_CLOSED")
	if err != nil {
		t.Fatal(err)
	}

	// baresip sends one plain RTCP APP packet ("PING", to open a NAT
	// pinhole) as its stream starts, before its SRTP is on: Ringdesk drops
	// it, as it must. Every RTP packet must authenticate.
	if st.SRTP != suite || st.PacketsDiscarded > 1 || st.PacketsLost != 0 || st.PacketsReceived < srtpBaresipFrames-10 {
		t.Errorf("Ringdesk's stats %+v, want SRTP %s, no loss and nothing discarded but baresip's plain RTCP PING", st, suite)
	}
	if menc := findEvent(b.Events(), "CALL_MENC"); menc == nil || !strings.HasSuffix(menc.Param, ","+suite) {
		t.Errorf("baresip reported no CALL_MENC with %s: events %v", suite, eventTypes(b.Events()))
	}
	// What Ringdesk heard, against its own view of the call.
	samples, rate := heard.Samples()
	mine := mediatest.Measure(samples, rate, 1000)
	if mine.SNR < 20 {
		t.Errorf("Ringdesk heard baresip's 1 kHz at SNR %.1f dB (level %.1f dBFS), want > 20 (stats %+v)", mine.SNR, mine.Level, st)
	}
	ringdeskCall := end.Time.Sub(inCall.Time)
	checkLength(t, "Ringdesk's recording", len(samples), rate, ringdeskCall)

	// What baresip heard, against baresip's view of the call.
	path, err := b.ReceivedWAV(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := testbed.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	theirs := mediatest.Measure(got.Mono(), got.SampleRate, 440)
	if theirs.SNR < 20 {
		t.Errorf("baresip heard Ringdesk's 440 Hz at SNR %.1f dB (level %.1f dBFS), want > 20", theirs.SNR, theirs.Level)
	}
	baresipCall := closed.At.Sub(established.At)
	checkLength(t, "baresip's recording", len(got.Mono()), got.SampleRate, baresipCall)
	t.Logf("Ringdesk heard 1 kHz at %.1f dBFS, SNR %.1f dB; baresip heard 440 Hz at %.1f dBFS, SNR %.1f dB; stats %+v; baresip's events: %v",
		mine.Level, mine.SNR, theirs.Level, theirs.SNR, st, eventTypes(b.Events()))
}

// checkLength fails the test when a recording of n samples at rate Hz is
// not as long as the call, within 5%.
func checkLength(t *testing.T, what string, n, rate int, call time.Duration) {
	t.Helper()
	if rate <= 0 || call <= 0 {
		t.Errorf("%s: %d samples at %d Hz, call of %s: nothing to compare", what, n, rate, call)
		return
	}
	length := time.Duration(n) * time.Second / time.Duration(rate)
	off := math.Abs(length.Seconds()-call.Seconds()) / call.Seconds()
	t.Logf("%s lasts %s, the call %s (%.1f%% off)", what, length.Round(time.Millisecond), call.Round(time.Millisecond), 100*off)
	if off > 0.05 {
		t.Errorf("%s lasts %s, the call %s: more than 5%% apart", what, length.Round(time.Millisecond), call.Round(time.Millisecond))
	}
}

// findEvent returns the first of evs of type typ, nil if none.
func findEvent(evs []testbed.BaresipEvent, typ string) *testbed.BaresipEvent {
	for i := range evs {
		if evs[i].Type == typ {
			return &evs[i]
		}
	}
	return nil
}

// eventTypes lists evs as TYPE(param), for messages.
func eventTypes(evs []testbed.BaresipEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type+"("+e.Param+")")
	}
	return out
}
