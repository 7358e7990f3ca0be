package phone

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are requests and responses the engine must survive; the
// fuzzer mutates them.
var fuzzSeeds = []string{
	"INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nFrom: \"Jane\" <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: fuzz-1\r\nCSeq: 1 INVITE\r\nContact: <sip:1002@127.0.0.1:5999>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 129\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
	"BYE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK2\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: unknown\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
	"INFO sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK3\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: fuzz-1\r\nCSeq: 3 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n",
	"REFER sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK4\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: fuzz-1\r\nCSeq: 4 REFER\r\nRefer-To: <sip:1003@127.0.0.1>\r\nContent-Length: 0\r\n\r\n",
	"NOTIFY sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK5\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: fuzz-1\r\nCSeq: 5 NOTIFY\r\nEvent: refer\r\nContent-Type: message/sipfrag\r\nContent-Length: 16\r\n\r\nSIP/2.0 200 OK\r\n",
	"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK6\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: fuzz-2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	"FOO sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK7\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: fuzz-3\r\nCSeq: 1 FOO\r\nContent-Length: 0\r\n\r\n",
	"INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK8\r\nFrom: <sip:1002@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>;tag=zz\r\nCall-ID: fuzz-4\r\nCSeq: 1 INVITE\r\nContent-Length: 9999\r\n\r\nv=0\r\n",
}

// FuzzIncomingMessage sends mutated SIP messages to a running engine's
// UDP socket. The engine must never panic (a panic in any goroutine
// fails the fuzz run) and must still answer an OPTIONS afterwards.
func FuzzIncomingMessage(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	p := New(WithLocalIP("127.0.0.1"), WithRingTimeout(time.Second))
	defer p.Close(context.Background())
	a, err := p.AddAccount(AccountConfig{ID: "fuzz", Username: "1001", Domain: "127.0.0.1", Server: "127.0.0.1:9"})
	if err != nil {
		f.Fatal(err)
	}
	ip, port := a.st.udpAddr()
	target := &net.UDPAddr{IP: net.ParseIP(ip), Port: port}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")})
	if err != nil {
		f.Fatal(err)
	}
	defer conn.Close()
	f.Fuzz(func(t *testing.T, msg []byte) {
		if _, err := conn.WriteTo(msg, target); err != nil {
			t.Skip("datagram too large")
		}
	})
	// The engine still works after all of it.
	ping := "OPTIONS sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + conn.LocalAddr().String() + ";branch=z9hG4bKping\r\nFrom: <sip:x@127.0.0.1>;tag=p\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ping\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	if _, err := conn.WriteTo([]byte(ping), target); err != nil {
		f.Fatal(err)
	}
	buf := make([]byte, 65535)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			f.Fatalf("no answer to OPTIONS after the fuzz messages: %v", err)
		}
		if containsAll(string(buf[:n]), "SIP/2.0 200", "Call-ID: ping") {
			return
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
