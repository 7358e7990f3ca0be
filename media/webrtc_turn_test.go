package media

import (
	"bytes"
	"net"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/pion/turn/v5"

	"github.com/ringdesk/ringdesk/media/mediatest"
)

// startTURN runs a TURN server (pion/turn) on loopback with one user and
// returns its turn: URL and a count of the allocations it granted.
func startTURN(t *testing.T, user, password string) (string, *atomic.Int32) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "ringdesk.test"
	key := turn.GenerateAuthKey(user, realm, password)
	var allocations atomic.Int32
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == user
		},
		EventHandler: turn.EventHandler{
			OnAllocationCreated: func(_, _ net.Addr, _, _, _ string, _ net.Addr, _ int) { allocations.Add(1) },
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return "turn:127.0.0.1:" + strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port) + "?transport=udp", &allocations
}

// TestWebRTCGathersFromTURN: with the account's TURN server and
// credentials, the offer carries a relay candidate the server allocated;
// with a wrong credential there is none, and the call still connects on
// the host candidates.
func TestWebRTCGathersFromTURN(t *testing.T) {
	url, allocations := startTURN(t, "agent", "s3cret")
	for _, tc := range []struct {
		name, credential string
		relay            bool
	}{{"right credential", "s3cret", true}, {"wrong credential", "wrong", false}} {
		t.Run(tc.name, func(t *testing.T) {
			before := allocations.Load()
			recB := mediatest.NewRecorder()
			a := newSession(t, Config{Source: NewToneSource(440, 0.5), WebRTC: &WebRTCConfig{
				ICEServers: []ICEServer{{URLs: []string{url}, Username: "agent", Credential: tc.credential}},
			}})
			b := newSession(t, Config{Sink: recB})
			offer, _ := negotiate(t, a, b)
			if got := bytes.Contains(offer, []byte("typ relay")); got != tc.relay {
				t.Errorf("relay candidate in the offer: %v, want %v\n%s", got, tc.relay, offer)
			}
			if got := allocations.Load() > before; got != tc.relay {
				t.Errorf("TURN allocation made: %v, want %v", got, tc.relay)
			}
			start(t, a, b)
			waitReceiving(t, b)
			waitFrames(t, recB, recB.Frames()+60)
			heard, rate := recB.Samples()
			if got := mediatest.Measure(heard[len(heard)-rate:], rate, 440); got.SNR < 20 {
				t.Errorf("B heard 440 Hz at SNR %.1f dB", got.SNR)
			}
		})
	}
}
