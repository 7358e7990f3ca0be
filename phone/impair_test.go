package phone

import (
	"context"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// TestImpairedAudio: a relay between two engines drops 5% of the caller's
// RTP and delays each packet it keeps by a random 0–40 ms (so packets
// arrive reordered), the same way every run (fixed seed), with PCMU and
// with Opus, plain and SRTP. The callee must still hear the 440 Hz tone in
// at least 90% of its recording's 20 ms frames, and its call statistics
// must report the loss and the concealment (or, with Opus, the FEC
// recovery) of the missing frames.
func TestImpairedAudio(t *testing.T) {
	for _, codec := range []string{"pcmu", "opus"} {
		for _, tc := range []struct{ name, srtp string }{{"plain", "off"}, {"srtp", "required"}} {
			t.Run(codec+"-"+tc.name, func(t *testing.T) {
				// The callee takes the codec alone; the caller offers it
				// first, with PCMA after it.
				calleeCodecs, callerCodecs := []string{codec}, []string{codec, "pcma"}
				heard := mediatest.NewRecorder()
				callee, rb, addr := codecCallee(t, tc.srtp, calleeCodecs, toneMedia(1000, heard))
				relay := newSIPRelay(t, addr, &impairment{loss: 0.05, jitter: 40 * time.Millisecond, seed: 4})
				caller, ra := codecCaller(t, tc.srtp, relay.addr(), callerCodecs, toneMedia(440, nil))
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
				if st.Codec != codec {
					t.Errorf("callee's codec %q, want %s", st.Codec, codec)
				}
				if share < 0.9 {
					t.Errorf("the tone is in %.1f%% of the frames, want at least 90%%", 100*share)
				}
				if dropped == 0 || st.PacketsLost <= 0 || st.PacketsLost < int64(dropped)/2 || st.PacketsLost > int64(dropped)+5 {
					t.Errorf("the callee reports %d packets lost; the relay dropped %d", st.PacketsLost, dropped)
				}
				repaired := st.FramesConcealed
				if codec == "opus" {
					repaired += st.FramesRecovered
				}
				if repaired == 0 || st.Jitter <= 0 || st.PacketsUnauthenticated != 0 {
					t.Errorf("callee's stats %+v: want concealed (or recovered) frames, jitter and no auth failure", st)
				}
				if tc.srtp == "required" && st.SRTP == "" {
					t.Error("the call is not encrypted")
				}
			})
		}
	}
}
