package phone

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestWebRTCWithBrowser calls between Ringdesk on a WebSocket account and
// JsSIP in headless Chromium (the webphone CRMs embed), through
// Kamailio's WebSocket, in both directions: the call is established over
// ICE and DTLS-SRTP, Chromium's getStats counts our audio arriving (with
// energy: our tone, not silence), and our recording holds the browser's
// fake microphone, a beep each second, found by its energy.
func TestWebRTCWithBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium: not in -short")
	}
	k := testbed.StartKamailio(t)
	browser := testbed.StartBrowserPhone(t, k.WSURL(), "1005", testbed.Password("1005"), k.Domain())

	for _, dir := range []string{"from the browser", "to the browser"} {
		t.Run(dir, func(t *testing.T) {
			heard := mediatest.NewRecorder()
			p := newTestPhone(t, WithMedia(func(CallInfo) MediaOptions {
				return MediaOptions{Source: media.NewToneSource(440, 0.5), Sink: heard}
			}))
			rec := record(t, p)
			cfg := kamailioAccount(k, "1006", "ws")
			cfg.Codecs = []string{"opus", "pcmu", "pcma"}
			if _, err := p.AddAccount(cfg); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(EventRegistered, "")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			var call *Call
			if dir == "to the browser" {
				c, err := p.Dial(ctx, "", "1005", DialOptions{})
				if err != nil {
					t.Fatal(err)
				}
				call = c
				if ev, err := browser.WaitEvent(ctx, "session"); err != nil || ev.Originator != "remote" || ev.Number != "1006" {
					t.Fatalf("the browser's new session: %+v, %v", ev, err)
				}
				if err := browser.Answer(); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := browser.Call("1006"); err != nil {
					t.Fatal(err)
				}
				in := rec.waitFor(EventIncomingCall, "")
				if in.Call.Number != "1005" {
					t.Errorf("INCOMING_CALL from %q, want 1005", in.Call.Number)
				}
				c, err := p.Call(in.Call.ID)
				if err != nil {
					t.Fatal(err)
				}
				call = c
				if err := call.Answer(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if e := rec.waitFor(EventInCall, call.ID()); e.Call.Codec != "opus" {
				t.Errorf("codec %q, want opus", e.Call.Codec)
			}
			if _, err := browser.WaitEvent(ctx, "confirmed"); err != nil {
				t.Fatal(err)
			}
			// Three seconds of call from the first frame we played.
			if err := heard.WaitFrames(ctx, 150); err != nil {
				t.Fatalf("Ringdesk played only %d frames: %v", heard.Frames(), err)
			}
			st, err := browser.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if st.PacketsReceived < 50 || st.TotalAudioEnergy <= 0 {
				t.Errorf("the browser's getStats: %+v; want our audio arriving, with energy", st)
			}
			ours := call.MediaStats()
			if ours.SRTP != media.WebRTCSuite || ours.PacketsReceived < 50 {
				t.Errorf("our media stats: %+v", ours)
			}
			holdWithBrowser(ctx, t, browser, rec, call, dir == "to the browser")
			if dir == "to the browser" {
				if err := call.Hangup(ctx); err != nil {
					t.Fatal(err)
				}
			} else if err := browser.Hangup(); err != nil {
				t.Fatal(err)
			}
			end := rec.waitFor(EventCallEnd, call.ID())
			if (dir == "to the browser") != (end.Cause.By == ByLocal) {
				t.Errorf("CALL_END cause %+v", end.Cause)
			}
			if _, err := browser.WaitEvent(ctx, "ended"); err != nil {
				t.Fatal(err)
			}
			samples, rate := heard.Samples()
			loud, peak := beepFrames(samples, rate)
			t.Logf("our recording: %d frames, %d loud, peak %.1f dBFS", len(samples)/(rate/50), loud, peak)
			if loud < 3 || peak < -30 {
				t.Errorf("our recording of the browser's fake microphone: %d loud frames, peak %.1f dBFS; want its beeps", loud, peak)
			}
		})
	}
}

// holdWithBrowser holds the call from one side (ours when weHold, else
// the browser's) and resumes it: the held side's RTP stops and restarts.
func holdWithBrowser(ctx context.Context, t *testing.T, browser *testbed.BrowserPhone, rec *recorder, call *Call, weHold bool) {
	t.Helper()
	sent := func() uint64 { return call.MediaStats().PacketsSent }
	if weHold {
		if err := call.Hold(ctx); err != nil {
			t.Fatalf("hold: %v", err)
		}
		if ev, err := browser.WaitEvent(ctx, "hold"); err != nil || ev.Originator != "remote" {
			t.Fatalf("the browser's hold event: %+v, %v", ev, err)
		}
	} else {
		if err := browser.Hold(); err != nil {
			t.Fatal(err)
		}
		if e := rec.waitFor(EventHold, call.ID()); !e.Call.RemoteHold {
			t.Errorf("HOLD without RemoteHold: %+v", e.Call)
		}
		// Held by the far end, we send nothing.
		time.Sleep(200 * time.Millisecond)
		before := sent()
		time.Sleep(500 * time.Millisecond)
		if after := sent(); after != before {
			t.Errorf("we sent %d RTP packets while the browser held the call", after-before)
		}
	}
	if weHold {
		if err := call.Unhold(ctx); err != nil {
			t.Fatalf("unhold: %v", err)
		}
		if _, err := browser.WaitEvent(ctx, "unhold"); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := browser.Unhold(); err != nil {
			t.Fatal(err)
		}
		rec.waitFor(EventUnhold, call.ID())
	}
	before := sent()
	deadline := time.Now().Add(5 * time.Second)
	for sent() < before+10 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if sent() < before+10 {
		t.Errorf("no RTP after resuming: %d packets sent since", sent()-before)
	}
}

// beepFrames counts the 20 ms frames above -40 dBFS and returns the
// loudest frame's level.
func beepFrames(samples []int16, rate int) (loud int, peak float64) {
	n := rate / 50
	peak = math.Inf(-1)
	for i := 0; i+n <= len(samples); i += n {
		l := mediatest.Level(samples[i : i+n])
		if l > -40 {
			loud++
		}
		peak = math.Max(peak, l)
	}
	return loud, peak
}
