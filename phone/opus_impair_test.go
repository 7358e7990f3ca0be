package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestOpusImpairedAudio is TestImpairedAudio with Opus: the relay between
// two engines drops 5% of the caller's RTP and delays each packet it
// keeps by a random 0–40 ms, the same way every run (fixed seed). The
// callee must still hear the 440 Hz tone in at least 90% of its
// recording's 20 ms frames, and its statistics must report the loss and
// the concealment (or Opus FEC recovery) of the missing frames.
func TestOpusImpairedAudio(t *testing.T) {
	for _, tc := range []struct{ name, srtp string }{{"plain", "off"}, {"srtp", "required"}} {
		t.Run(tc.name, func(t *testing.T) {
			heard := mediatest.NewRecorder()
			callee, rb, addr := opusCallee(t, tc.srtp, toneMedia(1000, heard))
			relay := newSIPRelay(t, addr, &impairment{loss: 0.05, jitter: 40 * time.Millisecond, seed: 4})
			caller, ra := opusCaller(t, tc.srtp, relay.addr(), toneMedia(440, nil))
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			call, bc := connectDirect(ctx, t, caller, ra, callee, rb)
			// Six seconds: 300 packets, about 15 of them dropped.
			if err := heard.WaitFrames(ctx, 300); err != nil {
				t.Fatalf("callee heard %d frames: %v", heard.Frames(), err)
			}
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			ra.waitFor(EventCallEnd, call.ID())
			rb.waitFor(EventCallEnd, bc.ID())
			st := bc.MediaStats()
			_, toCallee := relay.media()
			if toCallee == nil {
				t.Fatal("the caller's audio did not cross the relay")
			}
			forwarded, dropped := toCallee.counts()
			samples, rate := heard.Samples()
			if rate == 0 {
				t.Fatal("the callee recorded nothing")
			}
			trimmed := mediatest.Trim(samples)
			frame := rate / 50 // 20 ms
			share := mediatest.FramesWithTone(trimmed, rate, 440, frame, 10)
			t.Logf("relay: %d forwarded, %d dropped (%.1f%%); callee: %+v; 440 Hz in %.1f%% of %d frames at %d Hz (SNR ≥ 10 dB), whole recording %+v",
				forwarded, dropped, 100*float64(dropped)/float64(forwarded+dropped), st, 100*share, len(trimmed)/frame, rate, mediatest.Measure(samples, rate, 440))
			if st.Codec != "opus" {
				t.Errorf("callee's codec %q, want opus", st.Codec)
			}
			if share < 0.9 {
				t.Errorf("the tone is in %.1f%% of the frames, want at least 90%%", 100*share)
			}
			if dropped == 0 || st.PacketsLost <= 0 || st.PacketsLost < int64(dropped)/2 || st.PacketsLost > int64(dropped)+5 {
				t.Errorf("the callee reports %d packets lost; the relay dropped %d", st.PacketsLost, dropped)
			}
			if st.FramesConcealed+st.FramesRecovered == 0 || st.Jitter <= 0 || st.PacketsUnauthenticated != 0 {
				t.Errorf("callee's stats %+v: want concealed or recovered frames, jitter and no auth failure", st)
			}
			if tc.srtp == "required" && st.SRTP == "" {
				t.Error("the call is not encrypted")
			}
		})
	}
}

// opusCallee is directCallee with an account that takes Opus only.
func opusCallee(t *testing.T, srtp string, opts ...Option) (*Phone, *recorder, string) {
	t.Helper()
	p := newTestPhone(t, opts...)
	rec := record(t, p)
	a, err := p.AddAccount(AccountConfig{ID: "callee", Username: "1002", Domain: "127.0.0.1", Server: "127.0.0.1:9", Transport: "udp",
		SRTP: srtp, Codecs: []string{"opus"}})
	if err != nil {
		t.Fatal(err)
	}
	ip, port := a.st.udpAddr()
	return p, rec, ip + ":" + itoa(port)
}

// opusCaller is directCaller with an account that prefers Opus.
func opusCaller(t *testing.T, srtp, server string, opts ...Option) (*Phone, *recorder) {
	t.Helper()
	p := newTestPhone(t, opts...)
	rec := record(t, p)
	if _, err := p.AddAccount(AccountConfig{ID: "caller", Username: "1001", Domain: "127.0.0.1", Server: server, Transport: "udp",
		SRTP: srtp, Codecs: []string{"opus", "pcmu"}}); err != nil {
		t.Fatal(err)
	}
	return p, rec
}
