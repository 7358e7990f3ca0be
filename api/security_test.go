package api_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/phone"
)

// TestTokenIsRequired: every path answers 401 without the token, with a
// wrong one, or with another scheme, and a WebSocket needs it too.
func TestTokenIsRequired(t *testing.T) {
	b := newBench(t, false)
	for _, tc := range []struct{ name, auth string }{
		{"none", ""},
		{"wrong", "Bearer not-the-token"},
		{"basic", "Basic " + testToken},
		{"prefix", "Bearer " + testToken[:5]},
	} {
		for _, path := range []string{"/v1/status", "/v1/calls", "/v1/history", "/v1/nope"} {
			a := b.do(t, http.MethodGet, path, "", "Authorization", tc.auth)
			if a.status != http.StatusUnauthorized || a.errCode() != api.CodeUnauthorized {
				t.Errorf("%s token, GET %s: %d %s, want 401 unauthorized", tc.name, path, a.status, a.body)
			}
		}
	}
	a := b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002"}`, "Authorization", "")
	if a.status != http.StatusUnauthorized {
		t.Errorf("POST /v1/calls without a token: %d", a.status)
	}
	if a := b.do(t, http.MethodGet, "/v1/status?token="+testToken, "", "Authorization", ""); a.status != http.StatusUnauthorized {
		t.Errorf("?token= outside /v1/events: %d, want 401", a.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws := strings.Replace(b.url, "http", "ws", 1) + "/v1/events"
	if _, resp, err := websocket.Dial(ctx, ws+"?token=wrong", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("WebSocket with a wrong token: %v %v, want 401", resp, err)
	}
	conn, _, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + testToken}}})
	if err != nil {
		t.Fatalf("WebSocket with the bearer header: %v", err)
	}
	conn.CloseNow()
}

// TestOriginAllowList: a browser page from an Origin not on the list gets
// 403 and no CORS header, even with the token; an allowed Origin gets the
// CORS answer, preflight included; a Host that is not this computer (DNS
// rebinding) gets 403.
func TestOriginAllowList(t *testing.T) {
	b := newBench(t, false)
	a := b.do(t, http.MethodGet, "/v1/status", "", "Origin", "https://evil.example")
	if a.status != http.StatusForbidden || a.errCode() != api.CodeForbiddenOrigin {
		t.Errorf("foreign Origin: %d %s, want 403 origin_forbidden", a.status, a.body)
	}
	if got := a.header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("foreign Origin got Access-Control-Allow-Origin %q", got)
	}
	a = b.do(t, http.MethodPost, "/v1/calls", `{"to":"1002"}`, "Origin", "null")
	if a.status != http.StatusForbidden {
		t.Errorf("Origin null (a file:// page or sandbox): %d, want 403", a.status)
	}
	a = b.do(t, http.MethodOptions, "/v1/calls", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST", "Authorization", "")
	if a.status != http.StatusForbidden {
		t.Errorf("preflight from a foreign Origin: %d, want 403", a.status)
	}

	a = b.do(t, http.MethodGet, "/v1/status", "", "Origin", allowedOrigin)
	if a.status != http.StatusOK || a.header.Get("Access-Control-Allow-Origin") != allowedOrigin {
		t.Errorf("allowed Origin: %d, Access-Control-Allow-Origin %q", a.status, a.header.Get("Access-Control-Allow-Origin"))
	}
	req, _ := http.NewRequest(http.MethodOptions, b.url+"/v1/calls", nil)
	req.Header.Set("Origin", allowedOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from the allowed Origin: %d %v", resp.StatusCode, resp.Header)
	}

	req, _ = http.NewRequest(http.MethodGet, b.url+"/v1/status", nil)
	req.Host = "rebind.evil.example"
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("Host rebind.evil.example: %d, want 403", resp.StatusCode)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws := strings.Replace(b.url, "http", "ws", 1) + "/v1/events?token=" + testToken
	if _, resp, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("WebSocket from a foreign Origin: %v %v, want 403", resp, err)
	}
	conn, _, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {allowedOrigin}}})
	if err != nil {
		t.Fatalf("WebSocket from the allowed Origin: %v", err)
	}
	conn.CloseNow()
}

// TestListenIsLoopbackOnly: addresses that are not loopback are refused
// before anything is bound, and every socket the API does bind is on a
// loopback address, as the kernel reports it. No traffic goes anywhere.
func TestListenIsLoopbackOnly(t *testing.T) {
	p := phone.New()
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.10:0", "example.com:0", "127.0.0.1"} {
		srv, err := api.New(api.Options{Phone: p, Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(addr); err == nil {
			t.Errorf("Listen(%q) succeeded: %v", addr, srv.Addrs())
		}
		srv.Close()
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		srv, err := api.New(api.Options{Phone: p, Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(addr); err != nil {
			if addr == "[::1]:0" {
				t.Logf("no IPv6 loopback here: %v", err)
				srv.Close()
				continue
			}
			t.Fatalf("Listen(%q): %v", addr, err)
		}
		addrs := srv.Addrs()
		if len(addrs) == 0 {
			t.Fatalf("Listen(%q) bound nothing", addr)
		}
		for _, a := range addrs {
			tcp := a.(*net.TCPAddr)
			if !tcp.IP.IsLoopback() {
				t.Errorf("Listen(%q) bound %s", addr, a)
			}
			local, err := kernelListenAddrs(tcp.Port)
			if err != nil {
				t.Fatal(err)
			}
			for _, ip := range local {
				if !ip.IsLoopback() {
					t.Errorf("the kernel shows a listener on %s port %d", ip, tcp.Port)
				}
			}
			if len(local) == 0 {
				t.Errorf("the kernel shows no listener on port %d", tcp.Port)
			}
		}
		srv.Close()
	}
}

// TestNoToken: the API refuses to start without a token.
func TestNoToken(t *testing.T) {
	p := phone.New()
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	if _, err := api.New(api.Options{Phone: p, Token: "  "}); err == nil {
		t.Error("api.New without a token succeeded")
	}
}

// kernelListenAddrs reads /proc/net/tcp and tcp6 for the local addresses
// of listening sockets on port.
func kernelListenAddrs(port int) ([]net.IP, error) {
	var out []net.IP
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			hostHex, portHex, ok := strings.Cut(fields[1], ":")
			if !ok {
				continue
			}
			p, err := strconv.ParseUint(portHex, 16, 16)
			if err != nil || int(p) != port {
				continue
			}
			raw, err := hex.DecodeString(hostHex)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			// /proc/net/tcp* writes each 32-bit word in host (little
			// endian) order.
			for i := 0; i+4 <= len(raw); i += 4 {
				raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
			}
			out = append(out, net.IP(raw))
		}
		f.Close()
	}
	return out, nil
}
