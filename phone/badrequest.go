package phone

import (
	"bytes"
	"net"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// badRequestReply builds a stateless 400 for a UDP datagram that starts
// like a SIP request but does not parse (a CSeq that is not a number, a
// body shorter than its Content-Length, ...), so the sender learns why
// instead of retransmitting into silence (RFC 3261 §8.2, §21.4.1). It
// returns nil for anything that parses, is a response, or has no Via to
// answer to.
func badRequestReply(data []byte) []byte {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Fields(string(firstLine))
	if len(fields) != 3 || !strings.HasPrefix(fields[2], "SIP/2.0") || strings.HasPrefix(fields[0], "SIP/") || fields[0] == "ACK" {
		return nil
	}
	_, err := sip.ParseMessage(data)
	if err == nil {
		return nil
	}
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	var b strings.Builder
	b.WriteString("SIP/2.0 400 Bad Request\r\n")
	haveVia := false
	for _, line := range strings.Split(string(head), "\n") {
		line = strings.TrimRight(line, "\r")
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v":
			haveVia = true
			b.WriteString(line + "\r\n")
		case "from", "f", "to", "t", "call-id", "i", "cseq":
			b.WriteString(line + "\r\n")
		}
	}
	if !haveVia {
		return nil
	}
	reason := strings.NewReplacer("\r", " ", "\n", " ").Replace(err.Error())
	if len(reason) > 120 {
		reason = reason[:120]
	}
	b.WriteString("Warning: 399 ringdesk \"" + strings.ReplaceAll(reason, `"`, "'") + "\"\r\n")
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String())
}

// answerUnparsable sends badRequestReply's answer for a datagram from
// remote on the account's UDP socket.
func (st *stack) answerUnparsable(data []byte, remote net.Addr) {
	if st.udp == nil || remote == nil {
		return
	}
	if reply := badRequestReply(data); reply != nil {
		if _, err := st.udp.WriteTo(reply, remote); err != nil {
			st.log.Debug("400 for an unparsable request not sent", "error", err)
		}
	}
}
