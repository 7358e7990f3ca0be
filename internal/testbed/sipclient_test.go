package testbed

// A tiny SIP-over-WebSocket client for the test bed's own tests: enough to
// register with digest auth and answer one call, so that Kamailio's WS path
// is proved without any library the module does not already have.

import (
	"bufio"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

type wsClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialWS(t *testing.T, rawURL string) *wsClient {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp4", u.Host, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", rawURL, err)
	}
	t.Cleanup(func() { conn.Close() })
	keyRaw := make([]byte, 16)
	_, _ = rand.Read(keyRaw)
	key := base64.StdEncoding.EncodeToString(keyRaw)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n", u.Path, u.Host, key)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("WebSocket handshake: %v", err)
	}
	resp.Body.Close()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols ||
		resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("WebSocket handshake answered %s, headers %v", resp.Status, resp.Header)
	}
	return &wsClient{conn: conn, r: r}
}

func (w *wsClient) send(t *testing.T, msg string) {
	t.Helper()
	if err := w.writeFrame(0x1, []byte(msg)); err != nil {
		t.Fatalf("WebSocket send: %v", err)
	}
}

func (w *wsClient) writeFrame(opcode byte, payload []byte) error {
	hdr := []byte{0x80 | opcode}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := make([]byte, 4)
	_, _ = rand.Read(mask)
	hdr = append(hdr, mask...)
	body := make([]byte, len(payload))
	for i, b := range payload {
		body[i] = b ^ mask[i%4]
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := w.conn.Write(append(hdr, body...))
	return err
}

// recv returns the next SIP message, answering pings on the way.
func (w *wsClient) recv(t *testing.T) *sipMsg {
	t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var h [2]byte
		if _, err := io.ReadFull(w.r, h[:]); err != nil {
			t.Fatalf("WebSocket receive: %v", err)
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			_, _ = io.ReadFull(w.r, ext[:])
			n = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			_, _ = io.ReadFull(w.r, ext[:])
			n = binary.BigEndian.Uint64(ext[:])
		}
		var mask []byte
		if h[1]&0x80 != 0 {
			mask = make([]byte, 4)
			_, _ = io.ReadFull(w.r, mask)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(w.r, payload); err != nil {
			t.Fatalf("WebSocket receive: %v", err)
		}
		for i := range payload {
			if mask != nil {
				payload[i] ^= mask[i%4]
			}
		}
		switch h[0] & 0x0f {
		case 0x1, 0x2:
			return parseSIP(t, string(payload))
		case 0x8:
			t.Fatal("WebSocket closed by Kamailio")
		case 0x9:
			_ = w.writeFrame(0xA, payload)
		}
	}
}

// sipMsg is a parsed SIP message; raw header lines are kept for copying.
type sipMsg struct {
	first string
	lines []string // header lines as received
	body  string
}

func parseSIP(t *testing.T, raw string) *sipMsg {
	t.Helper()
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		t.Fatalf("not a SIP message: %q", raw)
	}
	lines := strings.Split(head, "\r\n")
	return &sipMsg{first: lines[0], lines: lines[1:], body: body}
}

var compact = map[string]string{"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length"}

func headerName(line string) string {
	name, _, _ := strings.Cut(line, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if long, ok := compact[name]; ok {
		return long
	}
	return name
}

// header returns the first value of the named header ("" if absent).
func (m *sipMsg) header(name string) string {
	for _, l := range m.lines {
		if headerName(l) == strings.ToLower(name) {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// copyLines returns every raw header line with one of the names.
func (m *sipMsg) copyLines(names ...string) string {
	var b strings.Builder
	for _, l := range m.lines {
		for _, n := range names {
			if headerName(l) == n {
				b.WriteString(l + "\r\n")
			}
		}
	}
	return b.String()
}

func (m *sipMsg) method() string { return strings.Fields(m.first)[0] }

func (m *sipMsg) status() int {
	var code int
	if strings.HasPrefix(m.first, "SIP/2.0 ") {
		fmt.Sscanf(m.first, "SIP/2.0 %d", &code)
	}
	return code
}

var challengeParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

// digestAuthorization answers a WWW-/Proxy-Authenticate challenge.
func digestAuthorization(challenge, method, uri, user, password string) (string, error) {
	params := map[string]string{}
	for _, m := range challengeParam.FindAllStringSubmatch(strings.TrimPrefix(challenge, "Digest "), -1) {
		params[strings.ToLower(m[1])] = m[2]
	}
	realm, nonce := params["realm"], params["nonce"]
	if nonce == "" {
		return "", errors.New("challenge without nonce: " + challenge)
	}
	md5hex := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	ha1 := HA1(user, realm, password)
	ha2 := md5hex(method + ":" + uri)
	if strings.Contains(params["qop"], "auth") {
		cnonce, nc := randomHex(4), "00000001"
		resp := md5hex(strings.Join([]string{ha1, nonce, nc, cnonce, "auth", ha2}, ":"))
		return fmt.Sprintf(`Digest username="%s",realm="%s",nonce="%s",uri="%s",response="%s",algorithm=MD5,qop=auth,nc=%s,cnonce="%s"`,
			user, realm, nonce, uri, resp, nc, cnonce), nil
	}
	resp := md5hex(ha1 + ":" + nonce + ":" + ha2)
	return fmt.Sprintf(`Digest username="%s",realm="%s",nonce="%s",uri="%s",response="%s",algorithm=MD5`,
		user, realm, nonce, uri, resp), nil
}
