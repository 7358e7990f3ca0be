package media

import "testing"

// BenchmarkSendFrame measures the per-frame send path: read the Source,
// encode G.711, stamp the RTP header, write the datagram to a loopback
// socket.
func BenchmarkSendFrame(b *testing.B) {
	for _, name := range []string{"pcmu", "pcma"} {
		b.Run(name, func(b *testing.B) {
			a, err := NewSession(Config{LocalIP: "127.0.0.1", Codecs: []string{name}, Source: NewToneSource(440, 0.5)})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			peer, err := NewSession(Config{LocalIP: "127.0.0.1"})
			if err != nil {
				b.Fatal(err)
			}
			defer peer.Close()
			offer, err := a.Offer()
			if err != nil {
				b.Fatal(err)
			}
			answer, err := peer.Answer(offer)
			if err != nil {
				b.Fatal(err)
			}
			if err := a.SetAnswer(answer); err != nil {
				b.Fatal(err)
			}
			st := newLoopState()
			f := a.flow.Load()
			st.flow, st.enc = f, f.codec.NewEncoder()
			b.ReportAllocs()
			for b.Loop() {
				a.readSource(st)
				a.sendFrame(st, f)
			}
			if a.Stats().PacketsSent == 0 {
				b.Fatal("nothing sent")
			}
		})
	}
}
