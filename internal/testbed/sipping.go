package testbed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// PingUserAgent is the User-Agent of the test bed's OPTIONS pings. The
// generated Kamailio configuration answers such pings before it logs or
// counts anything, so readiness checks never show up in [Kamailio.Count].
const PingUserAgent = "ringdesk-testbed-ping"

// pingInterval is how often an unanswered OPTIONS ping is sent again.
const pingInterval = 100 * time.Millisecond

// SIPPing sends a SIP OPTIONS request over UDP to addr (host:port, loopback
// only) and returns the status code of the first final response, sending
// the request again every 100 ms until one arrives or ctx ends. Any final
// response proves a SIP stack is listening; the caller decides which codes
// it accepts.
func SIPPing(ctx context.Context, addr string) (int, error) {
	raddr, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return 0, fmt.Errorf("testbed: OPTIONS ping: bad address %q: %w", addr, err)
	}
	if !raddr.IP.IsLoopback() {
		return 0, fmt.Errorf("testbed: OPTIONS ping: refusing non-loopback address %s", addr)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, fmt.Errorf("testbed: OPTIONS ping: opening a UDP socket: %w", err)
	}
	defer conn.Close()

	callID := randomHex(8) + "@testbed"
	req := optionsRequest(raddr, conn.LocalAddr().(*net.UDPAddr), callID)
	buf := make([]byte, 65535)
	var lastErr error
	for {
		if _, err := conn.WriteToUDP(req, raddr); err != nil {
			lastErr = err
		}
		deadline := time.Now().Add(pingInterval)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		_ = conn.SetReadDeadline(deadline)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					lastErr = err
				}
				break
			}
			if !from.IP.Equal(raddr.IP) || from.Port != raddr.Port {
				continue
			}
			code, ok := parseResponse(buf[:n], callID)
			if ok && code >= 200 {
				return code, nil
			}
		}
		if ctx.Err() != nil {
			if lastErr != nil {
				return 0, fmt.Errorf("testbed: OPTIONS ping to %s: no answer (%w; last error: %v)", addr, ctx.Err(), lastErr)
			}
			return 0, fmt.Errorf("testbed: OPTIONS ping to %s: no answer: %w", addr, ctx.Err())
		}
	}
}

func optionsRequest(to, local *net.UDPAddr, callID string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "OPTIONS sip:%s SIP/2.0\r\n", to)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n", local, randomHex(8))
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:testbed@%s>;tag=%s\r\n", local.IP, randomHex(4))
	fmt.Fprintf(&b, "To: <sip:%s>\r\n", to)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", callID)
	b.WriteString("CSeq: 1 OPTIONS\r\n")
	fmt.Fprintf(&b, "Contact: <sip:testbed@%s>\r\n", local)
	fmt.Fprintf(&b, "User-Agent: %s\r\n", PingUserAgent)
	b.WriteString("Accept: application/sdp\r\n")
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String())
}

// parseResponse returns the status code of a SIP response with the given
// Call-ID; ok is false for anything else.
func parseResponse(msg []byte, callID string) (code int, ok bool) {
	head, _, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "SIP/2.0 ") {
		return 0, false
	}
	fields := strings.Fields(lines[0])
	if len(fields) < 2 {
		return 0, false
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, false
	}
	for _, l := range lines[1:] {
		name, value, found := strings.Cut(l, ":")
		if !found {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if (name == "call-id" || name == "i") && strings.TrimSpace(value) == callID {
			return code, true
		}
	}
	return 0, false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
