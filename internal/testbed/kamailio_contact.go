package testbed

import (
	"fmt"
	"testing"
	"time"
)

// RegisterContact registers user at Kamailio with its Contact at addr — a
// SIPp UAS or any peer that cannot register itself — by one hand-written
// REGISTER. Kamailio must run with KamailioNoAuth (the REGISTER answers no
// challenge). Its Via names the socket it is sent from, so Kamailio's NAT
// test passes and the Contact is kept as written.
func (k *Kamailio) RegisterContact(t testing.TB, user, addr string) {
	t.Helper()
	msg := fmt.Sprintf("REGISTER sip:%[1]s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch];rport\r\n"+
		"Max-Forwards: 70\r\n"+
		"From: <sip:%[3]s@%[1]s>;tag=reg%[3]s\r\n"+
		"To: <sip:%[3]s@%[1]s>\r\n"+
		"Call-ID: reg-%[3]s-%[4]d\r\n"+
		"CSeq: 1 REGISTER\r\n"+
		"Contact: <sip:%[3]s@%[2]s>\r\n"+
		"Expires: 300\r\n"+
		"Content-Length: 0\r\n\r\n", k.Domain(), addr, user, time.Now().UnixNano())
	answers := SendRawUDP(t, k.UDPAddr(), msg, 5*time.Second)
	for _, a := range answers {
		if a.StatusCode() == 200 {
			return
		}
	}
	t.Fatalf("testbed: Kamailio did not take the registration of %s at %s: %v", user, addr, answers)
}
