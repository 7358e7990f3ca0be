package testbed

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RawSIP is one hand-written SIP message of the corpus in
// testdata/sipp/raw: a request with one defect, for what a phone must do
// with a broken or unexpected request (see testdata/sipp/README.md).
type RawSIP struct {
	Name string // file name without ".sip", e.g. "missing_call_id"
	Doc  string // the file's comment lines, without "# "
	// Expect lists the status codes a correct answer may have, from the
	// file's "# expect:" line; empty when no answer is expected ("none").
	Expect []int
	Text   string // the message, with keywords for [SendRawUDP] to fill in
}

// Message returns the message addressed to the user service (the phone's
// user part; "" for none): [service] replaced, ready for [SendRawUDP].
func (r RawSIP) Message(service string) string {
	if service == "" {
		return strings.ReplaceAll(r.Text, "[service]@", "")
	}
	return strings.ReplaceAll(r.Text, "[service]", service)
}

// RawSIPCorpus returns every message in testdata/sipp/raw, sorted by name.
// Each file starts with "# " comment lines, one of them
// "# expect: CODE [CODE...]" or "# expect: none", then the message with LF
// or CRLF line ends.
func RawSIPCorpus(t testing.TB) []RawSIP {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(root, "testdata", "sipp", "raw", "*.sip"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("testbed: no raw SIP messages in testdata/sipp/raw (%v)", err)
	}
	sort.Strings(paths)
	out := make([]RawSIP, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("testbed: %v", err)
		}
		r, err := parseRawSIP(strings.TrimSuffix(filepath.Base(p), ".sip"), string(data))
		if err != nil {
			t.Fatalf("testbed: %s: %v", p, err)
		}
		out = append(out, r)
	}
	return out
}

// LoadRawSIP returns the message testdata/sipp/raw/NAME.sip.
func LoadRawSIP(t testing.TB, name string) RawSIP {
	t.Helper()
	for _, r := range RawSIPCorpus(t) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("testbed: no raw SIP message %q in testdata/sipp/raw", name)
	return RawSIP{}
}

func parseRawSIP(name, data string) (RawSIP, error) {
	r := RawSIP{Name: name}
	lines := strings.SplitAfter(data, "\n")
	i := 0
	var doc []string
	sawExpect := false
	for ; i < len(lines) && strings.HasPrefix(lines[i], "#"); i++ {
		line := strings.TrimSpace(strings.TrimPrefix(lines[i], "#"))
		if rest, ok := strings.CutPrefix(line, "expect:"); ok {
			sawExpect = true
			for _, f := range strings.Fields(rest) {
				if f == "none" {
					continue
				}
				code, err := strconv.Atoi(f)
				if err != nil || code < 100 || code > 699 {
					return r, fmt.Errorf("bad status code %q in %q", f, line)
				}
				r.Expect = append(r.Expect, code)
			}
			continue
		}
		doc = append(doc, line)
	}
	if !sawExpect {
		return r, errors.New(`no "# expect:" line`)
	}
	r.Doc = strings.TrimSpace(strings.Join(doc, "\n"))
	r.Text = strings.Join(lines[i:], "")
	if strings.TrimSpace(r.Text) == "" {
		return r, errors.New("no message after the comment lines")
	}
	return r, nil
}

// SendRawUDP sends msg as one UDP datagram from a new socket on 127.0.0.1
// to addr (loopback only) and returns what came back to that socket, in
// order, until a final response (status 200 or more) arrived or wait
// passed; datagrams that are not SIP are left out. It never retransmits.
//
// Before sending it fills in, as SIPp would: [local_ip] and [local_port]
// (the new socket, for the Via), [remote_ip] and [remote_port] (addr),
// [call_id], [branch] (with the z9hG4bK cookie) and [tag] (fresh random
// values) and [len] (the body's length in bytes). A [service] still there
// goes, "[service]@" with it: the Request-URI then has no user part (see
// [RawSIP.Message]). If msg has no CR at all, every LF becomes CRLF.
func SendRawUDP(t testing.TB, addr string, msg string, wait time.Duration) []*SIPMessage {
	t.Helper()
	raddr, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		t.Fatalf("testbed: SendRawUDP: bad address %q: %v", addr, err)
	}
	if !raddr.IP.IsLoopback() {
		t.Fatalf("testbed: SendRawUDP: refusing non-loopback address %s", addr)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("testbed: SendRawUDP: %v", err)
	}
	defer conn.Close()
	data := fillRawSIP(msg, conn.LocalAddr().(*net.UDPAddr), raddr)
	if _, err := conn.WriteToUDP(data, raddr); err != nil {
		t.Fatalf("testbed: SendRawUDP to %s: %v", addr, err)
	}

	var got []*SIPMessage
	buf := make([]byte, 65535)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	for {
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("testbed: SendRawUDP: reading answers from %s: %v", addr, err)
			}
			return got
		}
		m, err := ParseSIPMessage(string(buf[:n]))
		if err != nil {
			continue
		}
		got = append(got, m)
		if m.StatusCode() >= 200 {
			return got
		}
	}
}

// fillRawSIP replaces the keywords of a raw message (see [SendRawUDP]).
func fillRawSIP(msg string, local, remote *net.UDPAddr) []byte {
	if !strings.Contains(msg, "\r") {
		msg = strings.ReplaceAll(msg, "\n", "\r\n")
	}
	msg = strings.NewReplacer(
		"[service]@", "", // left by a caller that did not use RawSIP.Message
		"[service]", "",
		"[local_ip]", local.IP.String(),
		"[local_port]", strconv.Itoa(local.Port),
		"[remote_ip]", remote.IP.String(),
		"[remote_port]", strconv.Itoa(remote.Port),
		"[call_id]", randomHex(8)+"@testbed",
		"[branch]", "z9hG4bK"+randomHex(8),
		"[tag]", randomHex(4),
	).Replace(msg)
	if _, body, ok := strings.Cut(msg, "\r\n\r\n"); ok {
		msg = strings.ReplaceAll(msg, "[len]", strconv.Itoa(len(body)))
	}
	return []byte(msg)
}
