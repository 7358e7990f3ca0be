package testbed

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestKamailioWebSocketToUDP registers a WebSocket client with digest auth
// and has a SIPp UAC call it over UDP through Kamailio: INVITE, 200, ACK and
// BYE must all cross between the transports. Both Contact shapes are tried:
// the JsSIP one (a random .invalid host) and a loopback one without a port,
// which needs loose_route_mode("1") in the cfg.
func TestKamailioWebSocketToUDP(t *testing.T) {
	t.Parallel()
	for _, contactHost := range []string{"df7jal23ls0d.invalid", "127.0.0.1"} {
		t.Run(contactHost, func(t *testing.T) {
			t.Parallel()
			k := StartKamailio(t)
			ws := dialWS(t, k.WSURL())
			const user = "1005"
			contact := fmt.Sprintf("<sip:%s@%s;transport=ws>", user, contactHost)
			wsRegister(t, ws, k, user, contact)
			if !k.Registered(user) {
				t.Fatalf("%s not registered after 200 OK", user)
			}

			sp := RunSIPp(t, "uac_call.xml", SIPpProxy(k), SIPpUser("1001"), SIPpService(user), SIPpPause(200*time.Millisecond))

			invite := ws.recv(t)
			if invite.method() != "INVITE" {
				t.Fatalf("WS client got %q, want an INVITE", invite.first)
			}
			ws.send(t, wsAnswer(invite, contact, "180 Ringing", ""))
			ws.send(t, wsAnswer(invite, contact, "200 OK", "v=0\r\no=ws 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"+
				"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"))
			if ack := ws.recv(t); ack.method() != "ACK" {
				t.Fatalf("WS client got %q, want the ACK", ack.first)
			}
			bye := ws.recv(t)
			if bye.method() != "BYE" {
				t.Fatalf("WS client got %q, want a BYE", bye.first)
			}
			ws.send(t, wsAnswer(bye, contact, "200 OK", ""))

			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := sp.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			if got := k.Count("BYE"); got != 1 {
				t.Errorf("Kamailio counted %d BYE, want 1", got)
			}
		})
	}
}

// wsRegister registers user over the WebSocket, answering the 401.
func wsRegister(t *testing.T, ws *wsClient, k *Kamailio, user, contact string) {
	t.Helper()
	callID := randomHex(8)
	ruri := "sip:" + k.Domain()
	auth := ""
	for cseq := 1; cseq <= 2; cseq++ {
		ws.send(t, fmt.Sprintf("REGISTER %s SIP/2.0\r\n"+
			"Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK%s\r\n"+
			"Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n"+
			"Call-ID: %s\r\nCSeq: %d REGISTER\r\nContact: %s;expires=120\r\n%s"+
			"User-Agent: testbed-ws\r\nContent-Length: 0\r\n\r\n",
			ruri, randomHex(6), user, k.Domain(), randomHex(4), user, k.Domain(), callID, cseq, contact, auth))
		resp := ws.recv(t)
		switch resp.status() {
		case 200:
			return
		case 401:
			a, err := digestAuthorization(resp.header("WWW-Authenticate"), "REGISTER", ruri, user, Password(user))
			if err != nil {
				t.Fatal(err)
			}
			auth = "Authorization: " + a + "\r\n"
		default:
			t.Fatalf("REGISTER over WS answered %q", resp.first)
		}
	}
	t.Fatal("REGISTER over WS still challenged after answering the challenge")
}

// wsAnswer builds a response to req with our Contact and an optional SDP.
func wsAnswer(req *sipMsg, contact, status, sdp string) string {
	to := req.header("To")
	if !strings.Contains(to, ";tag=") {
		to += ";tag=wsanswer"
	}
	var b strings.Builder
	b.WriteString("SIP/2.0 " + status + "\r\n")
	b.WriteString(req.copyLines("via", "record-route", "from", "call-id", "cseq"))
	b.WriteString("To: " + to + "\r\nContact: " + contact + "\r\n")
	if sdp != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(sdp), sdp)
	return b.String()
}
