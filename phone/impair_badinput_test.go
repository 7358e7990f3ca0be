package phone

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/codec/g711"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// syncBuffer is a log destination shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBadInputOnTheRTPPort: in an established call, a stranger sends the
// callee's RTP port garbage, RTP with a payload type nobody negotiated,
// RTP from another SSRC carrying a loud 1 kHz tone, and, on an SRTP call,
// plain RTP in the caller's own stream, altered SRTP, and replays of the
// caller's packets. Everything is dropped with a logged reason and
// counted; none of the 1 kHz is played; the caller's 440 Hz goes on
// clean. No SRTP key appears in any log.
func TestBadInputOnTheRTPPort(t *testing.T) {
	for _, tc := range []struct {
		name, srtp string
		reasons    []string
	}{
		{"plain", "off", []string{"not an RTP packet", "payload type we did not negotiate", "second source"}},
		{"srtp", "required", []string{"not an RTP packet", "payload type we did not negotiate", "failed authentication", "replayed SRTP packet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			heard := mediatest.NewRecorder()
			callee, rb, addr := directCallee(t, tc.srtp, toneMedia(1000, heard), WithLogger(log))
			relay := newSIPRelay(t, addr, nil)
			caller, ra := directCaller(t, tc.srtp, relay.addr(), toneMedia(440, nil), WithLogger(log))
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			call, bc := connectDirect(ctx, t, caller, ra, callee, rb)
			if err := heard.WaitFrames(ctx, 50); err != nil {
				t.Fatal(err)
			}
			_, toCallee := relay.media()
			if toCallee == nil {
				t.Fatal("the caller's audio did not cross the relay")
			}
			genuine := toCallee.rtpPackets()
			var first pionrtp.Header
			if _, err := first.Unmarshal(genuine[len(genuine)-1]); err != nil {
				t.Fatal(err)
			}

			// The attack, from a socket of its own.
			c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(toCallee.to))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			loud := make([]int16, 160)
			if err := media.NewToneSource(1000, 0.9).ReadFrame(loud, 8000); err != nil {
				t.Fatal(err)
			}
			payload := g711.AppendULaw(nil, loud)
			rtpPkt := func(pt uint8, ssrc uint32, seq uint16) []byte {
				b, err := (&pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: ssrc}, Payload: payload}).Marshal()
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			sent := 0
			send := func(b []byte) {
				if _, err := c.Write(b); err != nil {
					t.Fatal(err)
				}
				sent++
			}
			for i := range 20 {
				seq := first.SequenceNumber + uint16(i) + 3
				send([]byte{0xde, 0xad, byte(i)})
				send(bytes.Repeat([]byte{0x80}, 11))
				send(rtpPkt(96, first.SSRC, seq))
				send(rtpPkt(first.PayloadType, first.SSRC^0xffff, seq)) // another source
				if tc.srtp == "required" {
					send(rtpPkt(first.PayloadType, first.SSRC, seq)) // plain in an SRTP call
					// A genuine packet altered, under a sequence number
					// not seen yet (an old one would be a replay).
					forged := bytes.Clone(genuine[len(genuine)-1-i])
					forged[2], forged[3] = byte((seq+500)>>8), byte(seq+500)
					forged[len(forged)-15] ^= 0x40
					send(forged)
					send(genuine[len(genuine)-1-i]) // replayed
				}
			}
			mark := heard.Frames()
			if err := heard.WaitFrames(ctx, mark+100); err != nil {
				t.Fatal(err)
			}
			st := bc.MediaStats()
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			ra.waitFor(EventCallEnd, call.ID())
			rb.waitFor(EventCallEnd, bc.ID())

			t.Logf("%d bad datagrams sent; callee: %+v", sent, st)
			// Relayed retransmissions aside, only our datagrams are bad.
			if st.PacketsDiscarded < uint64(sent)*9/10 {
				t.Errorf("discarded %d of the %d bad datagrams: %+v", st.PacketsDiscarded, sent, st)
			}
			if tc.srtp == "required" && st.PacketsUnauthenticated < 54 {
				t.Errorf("%d packets failed authentication, want the 60 (plain, altered, other SSRC): %+v", st.PacketsUnauthenticated, st)
			}
			samples, rate := heard.Samples()
			after := samples[mark*160:]
			if tone := mediatest.Measure(after, rate, 440); tone.SNR < 20 {
				t.Errorf("after the bad input the callee hears 440 Hz at SNR %.1f dB (stats %+v)", tone.SNR, st)
			}
			if tone := mediatest.Measure(samples, rate, 1000); tone.SNR > 0 {
				t.Errorf("the stranger's 1 kHz was played (SNR %.1f dB)", tone.SNR)
			}
			out := logs.String()
			for _, why := range tc.reasons {
				if !strings.Contains(out, why) {
					t.Errorf("no log line says %q", why)
				}
			}
			keys := relay.sdesKeys()
			if tc.srtp == "required" && len(keys) < 2 {
				t.Errorf("SDP keys seen: %d, want the offer's and the answer's", len(keys))
			}
			for _, k := range keys {
				if strings.Contains(out, k) {
					t.Error("an SRTP key is in the logs")
				}
			}
		})
	}
}
