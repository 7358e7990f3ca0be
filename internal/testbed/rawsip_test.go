package testbed

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// baresipLenient lists the raw messages baresip 1.0 does not answer as a
// phone must (see testdata/sipp/raw), with what it does instead. The test
// checks it still does exactly that, so a change shows, and that it keeps
// answering afterwards.
var baresipLenient = map[string]string{
	"missing_call_id":        "SIP/2.0 500 Call Error",
	"cseq_not_a_number":      "", // dropped
	"cseq_method_mismatch":   "SIP/2.0 180 Ringing",
	"content_length_too_big": "SIP/2.0 180 Ringing",
}

// TestRawSIPBaresip sends every message of testdata/sipp/raw to baresip:
// where baresip answers as the corpus expects, that proves the message and
// SendRawUDP; where it is lenient, its known answer is checked instead.
func TestRawSIPBaresip(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipManualAnswer()) // INVITEs it takes only ring
	corpus := RawSIPCorpus(t)
	if len(corpus) < 10 {
		t.Fatalf("only %d raw messages", len(corpus))
	}
	for _, r := range corpus {
		got := SendRawUDP(t, b.SIPAddr(), r.Message(b.User()), 300*time.Millisecond)
		var lines []string
		for _, m := range got {
			lines = append(lines, m.StartLine)
		}
		if lenient, ok := baresipLenient[r.Name]; ok {
			var want []string
			if lenient != "" {
				want = []string{lenient}
			}
			if !slices.Equal(lines, want) {
				t.Errorf("%s: baresip answered %q, known to answer %q", r.Name, lines, want)
			}
			continue
		}
		var codes []int
		for _, m := range got {
			if m.StatusCode() >= 200 {
				codes = append(codes, m.StatusCode())
			}
		}
		switch {
		case len(r.Expect) == 0 && len(got) != 0:
			t.Errorf("%s: want no answer, got %q", r.Name, lines)
		case len(r.Expect) > 0 && (len(codes) != 1 || !slices.Contains(r.Expect, codes[0])):
			t.Errorf("%s: want one of %v, got %q", r.Name, r.Expect, lines)
		}
	}
	// Still alive and answering.
	if got := SendRawUDP(t, b.SIPAddr(), LoadRawSIP(t, "options").Message(b.User()), 2*time.Second); len(got) != 1 || got[0].StatusCode() != 200 {
		t.Errorf("baresip no longer answers OPTIONS after the corpus: %v", got)
	}
}

func TestRawSIPCorpus(t *testing.T) {
	for _, r := range RawSIPCorpus(t) {
		if r.Doc == "" {
			t.Errorf("%s: no description", r.Name)
		}
		if !strings.Contains(r.Text, "[service]@[remote_ip]:[remote_port]") && r.Name != "not_sip" {
			t.Errorf("%s: not addressed to [service]@[remote_ip]:[remote_port]", r.Name)
		}
		if r.Name != "not_sip" && r.Name != "missing_via" && !strings.Contains(r.Text, "Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]") {
			t.Errorf("%s: its Via does not lead back to SendRawUDP's socket", r.Name)
		}
	}
	if r := LoadRawSIP(t, "unknown_method"); !slices.Equal(r.Expect, []int{501, 405}) {
		t.Errorf("unknown_method expects %v", r.Expect)
	}
	if r := LoadRawSIP(t, "ack_unknown"); len(r.Expect) != 0 {
		t.Errorf("ack_unknown expects %v", r.Expect)
	}
}

func TestParseRawSIPErrors(t *testing.T) {
	for _, data := range []string{
		"OPTIONS sip:x SIP/2.0\n\n",                   // no expect line
		"# expect: 99\nOPTIONS sip:x SIP/2.0\n\n",     // bad code
		"# expect: 200\n# nothing else\n",             // no message
		"# expect: 200 OK\nOPTIONS sip:x SIP/2.0\n\n", // not a code
	} {
		if _, err := parseRawSIP("x", data); err == nil {
			t.Errorf("parseRawSIP(%q) accepted it", data)
		}
	}
	r, err := parseRawSIP("x", "# A comment.\n# expect: 400 481\nBYE sip:x SIP/2.0\n\n")
	if err != nil || r.Doc != "A comment." || !slices.Equal(r.Expect, []int{400, 481}) || r.Text != "BYE sip:x SIP/2.0\n\n" {
		t.Errorf("parseRawSIP = %+v, %v", r, err)
	}
}

func TestFillRawSIP(t *testing.T) {
	local := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5070}
	remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5080}
	msg := "INFO sip:1001@[remote_ip]:[remote_port] SIP/2.0\nVia: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]\n" +
		"Call-ID: [call_id]\nFrom: <sip:a@b>;tag=[tag]\nContent-Length: [len]\n\nSignal=5\nDuration=160\n"
	got := string(fillRawSIP(msg, local, remote))
	m, err := ParseSIPMessage(got)
	if err != nil {
		t.Fatal(err)
	}
	if m.StartLine != "INFO sip:1001@127.0.0.1:5080 SIP/2.0" || !strings.HasPrefix(m.Header("Via"), "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK") {
		t.Errorf("addresses not filled in:\n%s", got)
	}
	if m.Body != "Signal=5\r\nDuration=160\r\n" || m.Header("Content-Length") != "24" {
		t.Errorf("body %q with Content-Length %q, want CRLF lines and 24", m.Body, m.Header("Content-Length"))
	}
	if strings.Contains(got, "[") || strings.Count(got, "\r\n") != strings.Count(got, "\n") {
		t.Errorf("keyword left or bare LF:\n%q", got)
	}
	noUser := string(fillRawSIP("OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0\nTo: <sip:[service]@x>\n\n", local, remote))
	if noUser != "OPTIONS sip:127.0.0.1:5080 SIP/2.0\r\nTo: <sip:x>\r\n\r\n" {
		t.Errorf("a [service] left over: %q", noUser)
	}
	if again := string(fillRawSIP(msg, local, remote)); again == got {
		t.Error("Call-ID, branch and tag are not fresh on each fill")
	}
}

func TestParseSIPMessage(t *testing.T) {
	raw := "\r\nSIP/2.0 486 Busy Here\r\nv: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n" +
		"t: <sip:b@x>;tag=1\r\nCSeq: 7 INVITE\r\nSubject: a\r\n  long one\r\nContent-Length: 0\r\n\r\n"
	m, err := ParseSIPMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.IsRequest() || m.Method() != "" || m.StatusCode() != 486 || m.Reason() != "Busy Here" || m.Summary() != "486 INVITE" {
		t.Errorf("start line parsed as request=%v method=%q code=%d reason=%q summary=%q",
			m.IsRequest(), m.Method(), m.StatusCode(), m.Reason(), m.Summary())
	}
	if v := m.HeaderValues("Via"); len(v) != 2 || v[1] != "SIP/2.0/UDP 10.0.0.1" {
		t.Errorf("Via values %q", v)
	}
	if m.Header("To") != "<sip:b@x>;tag=1" || m.Header("subject") != "a long one" || m.Header("Call-ID") != "" {
		t.Errorf("To %q, Subject %q, Call-ID %q", m.Header("To"), m.Header("subject"), m.Header("Call-ID"))
	}
	if n, method := m.CSeq(); n != 7 || method != "INVITE" {
		t.Errorf("CSeq %d %q", n, method)
	}
	req, err := ParseSIPMessage("BYE sip:a@b SIP/2.0\nCSeq: 2 BYE\n\nbody")
	if err != nil || !req.IsRequest() || req.Method() != "BYE" || req.StatusCode() != 0 || req.Body != "body" || req.Summary() != "BYE" {
		t.Errorf("request: %+v, %v", req, err)
	}
	for _, bad := range []string{"", "\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "SIP/2.0 99 Low\r\n\r\n", "hello"} {
		if _, err := ParseSIPMessage(bad); err == nil {
			t.Errorf("ParseSIPMessage(%q) accepted it", bad)
		}
	}
}

func TestSIPpTrace(t *testing.T) {
	inv := "INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n"
	ok := "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
	sep := "----------------------------------------------- 2026-11-23 11:31:45.162988\n"
	trace := sep + "UDP message received [" + strconv.Itoa(len(inv)) + "] bytes :\n\n" + inv + "\n" +
		sep + "UDP message sent (" + strconv.Itoa(len(ok)) + " bytes):\n\n" + ok + "\n" +
		sep + "TCP message received [" + strconv.Itoa(len(ok)) + "] bytes :\n\n" + ok
	recv, sent := sippTrace(trace, "received"), sippTrace(trace, "sent")
	if got := summaries(recv); !slices.Equal(got, []string{"INVITE", "200 INVITE"}) {
		t.Errorf("received %q", got)
	}
	if len(recv) > 0 && recv[0].Body != "v=0\n" {
		t.Errorf("body %q: the byte count must bound the message", recv[0].Body)
	}
	if got := summaries(sent); !slices.Equal(got, []string{"200 INVITE"}) {
		t.Errorf("sent %q", got)
	}
}
