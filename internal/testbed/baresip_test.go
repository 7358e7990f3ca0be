package testbed

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIPpCallsBaresipThroughKamailio: an authenticated SIPp UAC (1001),
// over UDP and over TCP, calls baresip registered as 1003 over UDP; baresip
// auto-answers, SIPp hangs up.
func TestSIPpCallsBaresipThroughKamailio(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []SIPpOption
	}{{"udp", nil}, {"tcp", []SIPpOption{SIPpTCP()}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := StartKamailio(t)
			b := StartBaresip(t, BaresipRegister(k, "1003"))
			if b.AOR() != "sip:1003@127.0.0.1" {
				t.Errorf("AOR = %q", b.AOR())
			}
			ctx := testContext(t, 30*time.Second)

			opts := append([]SIPpOption{SIPpProxy(k), SIPpUser("1001"), SIPpService("1003"), SIPpPause(300 * time.Millisecond)}, tc.opts...)
			sp := RunSIPp(t, "uac_call.xml", opts...)
			if err := sp.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			est, err := b.WaitEvent(ctx, "CALL_ESTABLISHED")
			if err != nil {
				t.Fatal(err)
			}
			if est.Direction != "incoming" || est.Peer != "sip:1001@127.0.0.1" || est.Account != "sip:1003@127.0.0.1" {
				t.Errorf("CALL_ESTABLISHED = %+v", est)
			}
			if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
				t.Fatal(err)
			}
			// Challenged, then authenticated. The ACK of the 407 is absorbed
			// by Kamailio's sl module before the script, so only the ACK of
			// the 200 is counted.
			for method, want := range map[string]int{"INVITE": 2, "ACK": 1, "BYE": 1} {
				if got := k.Count(method); got != want {
					t.Errorf("Kamailio counted %d %s, want %d", got, method, want)
				}
			}
			// SIPp sends no RTP: the recording exists but holds (almost) nothing.
			if _, err := b.ReceivedWAV(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestBaresipToBaresipAudio: two baresips call each other through Kamailio
// (baresip answers the 407 itself) and each records the other's tone.
func TestBaresipToBaresipAudio(t *testing.T) {
	t.Parallel()
	for _, codec := range []string{"PCMU", "PCMA", "opus"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			testBaresipToBaresipAudio(t, codec)
		})
	}
}

func testBaresipToBaresipAudio(t *testing.T, codec string) {
	k := StartKamailio(t)
	dir := t.TempDir()
	low, high := filepath.Join(dir, "440.wav"), filepath.Join(dir, "1000.wav")
	if err := WriteToneWAV(low, 440, 10, 8000); err != nil {
		t.Fatal(err)
	}
	if err := WriteToneWAV(high, 1000, 10, 8000); err != nil {
		t.Fatal(err)
	}
	caller := StartBaresip(t, BaresipRegister(k, "1007"), BaresipAudioFile(low), BaresipCodecs(codec))
	callee := StartBaresip(t, BaresipRegister(k, "1008"), BaresipAudioFile(high), BaresipCodecs(codec))
	ctx := testContext(t, 30*time.Second)

	if err := caller.Dial(k.URI("1008")); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*Baresip{caller, callee} {
		if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
	}
	// Let a second of audio flow; the recording is what is checked.
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*Baresip{caller, callee} {
		if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		b             *Baresip
		hear, notHear float64
	}{{caller, 1000, 440}, {callee, 440, 1000}} {
		path, err := tc.b.ReceivedWAV(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w, err := ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		m := w.Mono()
		wantRate := 8000
		if codec == "opus" {
			wantRate = 48000
		}
		if w.SampleRate != wantRate || w.Duration() < 0.5 {
			t.Fatalf("%s: %d Hz, %.2f s; want %d Hz and at least 0.5 s", path, w.SampleRate, w.Duration(), wantRate)
		}
		if hear, other := ToneLevel(m, w.SampleRate, tc.hear), ToneLevel(m, w.SampleRate, tc.notHear); hear < 0.2 || other > 0.05 {
			t.Errorf("%s heard %.0f Hz at %.3f and %.0f Hz at %.3f; want the far end's tone only",
				tc.b.User(), tc.hear, hear, tc.notHear, other)
		}
	}
}

// TestBaresipCallsSIPpUAS: baresip, not registered, dials a SIPp UAS
// directly; the UAS answers and baresip hangs up.
func TestBaresipCallsSIPpUAS(t *testing.T) {
	t.Parallel()
	uas := RunSIPp(t, "uas_answer.xml", SIPpUAS())
	b := StartBaresip(t, BaresipUser("alice"))
	if !strings.HasPrefix(b.URI(), "sip:alice@127.0.0.1:") {
		t.Errorf("URI = %q", b.URI())
	}
	ctx := testContext(t, 30*time.Second)
	if err := b.Dial(uas.URI("sipp")); err != nil {
		t.Fatal(err)
	}
	ev, err := b.WaitEvent(ctx, "CALL_ESTABLISHED")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Direction != "outgoing" {
		t.Errorf("CALL_ESTABLISHED direction %q, want outgoing", ev.Direction)
	}
	if err := b.Hangup(); err != nil {
		t.Fatal(err)
	}
	if err := uas.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Quit(); err != nil {
		t.Fatal(err)
	}
}
