package media

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ringdesk/ringdesk/media/sdp"
)

// FuzzAnswer feeds offers to Session.Answer (SRTP off, and required):
// anything may be refused, but
// with an error, never a panic, and an accepted offer gives an answer that
// our own parser reads back and that a second Answer accepts again.
// Committed seeds are in testdata/fuzz/FuzzAnswer; the offers of real phones
// in sdp/testdata are added too.
func FuzzAnswer(f *testing.F) {
	files, _ := filepath.Glob("sdp/testdata/*.sdp")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s, err := NewSession(Config{LocalIP: "127.0.0.1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	secure, err := NewSession(Config{LocalIP: "127.0.0.1", SRTP: SRTPRequired})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = secure.Close() })
	f.Add(chromeOffer)
	f.Fuzz(func(t *testing.T, offer []byte) {
		if sdp.IsWebRTC(offer) {
			// A WebRTC answer binds the session to WebRTC for good: each
			// such offer gets a session of its own.
			w, err := NewSession(Config{LocalIP: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := w.Answer(offer); err == nil && (w.Codec() == "" || w.SRTP() != WebRTCSuite) {
				t.Fatalf("accepted WebRTC offer left codec %q, SRTP %q:\n%s", w.Codec(), w.SRTP(), offer)
			}
			return
		}
		// With SRTP required the a=crypto lines are read too: refused
		// or not, never a panic, and an acceptance holds a key.
		if _, err := secure.Answer(offer); err == nil && secure.SRTP() == "" {
			t.Fatalf("SRTP required but the accepted offer gave plain RTP:\n%s", offer)
		}
		answer, err := s.Answer(offer)
		if err != nil {
			return
		}
		if s.Codec() == "" {
			t.Fatalf("accepted offer left no codec:\n%s", offer)
		}
		other, err := NewSession(Config{LocalIP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := other.Offer(); err != nil {
			t.Fatal(err)
		}
		if err := other.SetAnswer(answer); err != nil {
			t.Fatalf("our answer is not acceptable to ourselves: %v\noffer:\n%q\nanswer:\n%s", err, offer, answer)
		}
	})
}
