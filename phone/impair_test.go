package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestImpairedAudio: a relay between two engines drops 5% of the caller's
// RTP and delays each packet it keeps by a random 0–40 ms (so packets
// arrive reordered), the same way every run (fixed seed). The callee must
// still hear the 440 Hz tone in at least 90% of its recording's 20 ms
// frames, and its call statistics must report the loss.
func TestImpairedAudio(t *testing.T) {
	for _, tc := range []struct{ name, srtp string }{{"plain", "off"}, {"srtp", "required"}} {
		t.Run(tc.name, func(t *testing.T) {
			heard := mediatest.NewRecorder()
			callee, rb, addr := directCallee(t, tc.srtp, toneMedia(1000, heard))
			relay := newSIPRelay(t, addr, &impairment{loss: 0.05, jitter: 40 * time.Millisecond, seed: 4})
			caller, ra := directCaller(t, tc.srtp, relay.addr(), toneMedia(440, nil))
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
			trimmed := mediatest.Trim(samples)
			share := mediatest.FramesWithTone(trimmed, rate, 440, 160, 10)
			t.Logf("relay: %d forwarded, %d dropped (%.1f%%); callee: %+v; 440 Hz in %.1f%% of %d frames (SNR ≥ 10 dB), whole recording %+v",
				forwarded, dropped, 100*float64(dropped)/float64(forwarded+dropped), st, 100*share, len(trimmed)/160, mediatest.Measure(samples, rate, 440))
			if share < 0.9 {
				t.Errorf("the tone is in %.1f%% of the frames, want at least 90%%", 100*share)
			}
			if dropped == 0 || st.PacketsLost <= 0 || st.PacketsLost < int64(dropped)/2 || st.PacketsLost > int64(dropped)+5 {
				t.Errorf("the callee reports %d packets lost; the relay dropped %d", st.PacketsLost, dropped)
			}
			if st.FramesConcealed == 0 || st.Jitter <= 0 || st.PacketsUnauthenticated != 0 {
				t.Errorf("callee's stats %+v: want concealment, jitter and no auth failure", st)
			}
			if tc.srtp == "required" && st.SRTP == "" {
				t.Error("the call is not encrypted")
			}
		})
	}
}
