package testbed

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// SIPMessage is one SIP request or response as it went over the wire, split
// into its start line, header lines and body for assertions. It is a
// test's view of a message, not a parser for a SIP stack: header values are
// returned as they are, unfolded only across continuation lines.
type SIPMessage struct {
	Raw       string   // the message as sent or received
	StartLine string   // "INVITE sip:... SIP/2.0" or "SIP/2.0 200 OK"
	Lines     []string // header lines as they were, continuation lines joined
	Body      string
}

// ParseSIPMessage splits raw into a [SIPMessage]. Lines may end in CRLF or
// LF; the header ends at the first empty line (all of raw is header if
// there is none).
func ParseSIPMessage(raw string) (*SIPMessage, error) {
	text := strings.TrimLeft(raw, "\r\n") // RFC 3261 7.5: ignore leading CRLFs
	head, body, found := strings.Cut(text, "\r\n\r\n")
	if !found {
		var lfFound bool
		if head, body, lfFound = strings.Cut(text, "\n\n"); !lfFound {
			head, body = text, ""
		}
	}
	lines := strings.Split(strings.ReplaceAll(head, "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
		return nil, errors.New("testbed: not a SIP message: empty start line")
	}
	m := &SIPMessage{Raw: raw, StartLine: strings.TrimSpace(lines[0]), Body: body}
	if !m.IsRequest() && m.StatusCode() == 0 {
		return nil, fmt.Errorf("testbed: not a SIP message: start line %q", m.StartLine)
	}
	for _, l := range lines[1:] {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(m.Lines) > 0 {
			m.Lines[len(m.Lines)-1] += " " + strings.TrimSpace(l)
			continue
		}
		m.Lines = append(m.Lines, l)
	}
	return m, nil
}

// IsRequest reports whether m is a request ("METHOD URI SIP/2.0").
func (m *SIPMessage) IsRequest() bool {
	f := strings.Fields(m.StartLine)
	return len(f) == 3 && f[2] == "SIP/2.0" && f[0] != "SIP/2.0"
}

// Method returns the method of a request, or "" for a response (see
// [SIPMessage.CSeq] for the method a response answers).
func (m *SIPMessage) Method() string {
	if !m.IsRequest() {
		return ""
	}
	return strings.Fields(m.StartLine)[0]
}

// StatusCode returns the status code of a response, or 0 for a request.
func (m *SIPMessage) StatusCode() int {
	rest, ok := strings.CutPrefix(m.StartLine, "SIP/2.0 ")
	if !ok || len(rest) < 3 {
		return 0
	}
	code, err := strconv.Atoi(rest[:3])
	if err != nil || code < 100 || code > 699 {
		return 0
	}
	return code
}

// Reason returns the reason phrase of a response ("Busy Here").
func (m *SIPMessage) Reason() string {
	if m.StatusCode() == 0 {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(m.StartLine, "SIP/2.0 ")[3:])
}

// compactHeaders maps RFC 3261 7.3.3 compact forms to full names.
var compactHeaders = map[string]string{
	"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
	"c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
	"v": "via", "r": "refer-to", "b": "referred-by", "o": "event", "x": "session-expires",
}

func canonicalHeader(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if long, ok := compactHeaders[name]; ok {
		return long
	}
	return name
}

// HeaderValues returns every value of the named header (any case, compact
// forms included), in order. Comma-separated values on one line are not
// split.
func (m *SIPMessage) HeaderValues(name string) []string {
	want := canonicalHeader(name)
	var out []string
	for _, l := range m.Lines {
		n, v, ok := strings.Cut(l, ":")
		if ok && canonicalHeader(n) == want {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// Header returns the first value of the named header, or "".
func (m *SIPMessage) Header(name string) string {
	if v := m.HeaderValues(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// CSeq returns the sequence number and method of the CSeq header (0 and ""
// if it is missing or malformed).
func (m *SIPMessage) CSeq() (int, string) {
	f := strings.Fields(m.Header("CSeq"))
	if len(f) != 2 {
		return 0, ""
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, ""
	}
	return n, f[1]
}

// Summary is "INVITE" for a request and "200 INVITE" for a response: the
// shape of a message in an exchange, for comparing sequences.
func (m *SIPMessage) Summary() string {
	if m.IsRequest() {
		return m.Method()
	}
	_, method := m.CSeq()
	return strconv.Itoa(m.StatusCode()) + " " + method
}

// sippTraceHead matches the line before each message in SIPp's -trace_msg
// file: "UDP message received [617] bytes :" or "UDP message sent (244 bytes):".
var sippTraceHead = regexp.MustCompile(`(?m)^[A-Z]+ message (?:(received) \[(\d+)\] bytes :|(sent) \((\d+) bytes\):)\n\n`)

// sippTrace returns the messages of SIPp's message trace in the given
// direction ("received" or "sent"), oldest first.
func sippTrace(trace, direction string) []*SIPMessage {
	var out []*SIPMessage
	for _, loc := range sippTraceHead.FindAllStringSubmatchIndex(trace, -1) {
		dir, size := loc[2:6], loc[4:6] // "received [N]"
		if loc[2] < 0 {
			dir, size = loc[6:10], loc[8:10] // "sent (N)"
		}
		if trace[dir[0]:dir[1]] != direction {
			continue
		}
		n, _ := strconv.Atoi(trace[size[0]:size[1]])
		start := loc[1]
		end := min(start+n, len(trace))
		if m, err := ParseSIPMessage(trace[start:end]); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// Received returns the messages SIPp received so far (from its message
// trace), oldest first: the phone's requests and responses as SIPp saw
// them, e.g. to check the phone's SDP answer or the headers of its INVITE.
func (sp *SIPp) Received() []*SIPMessage {
	return sippTrace(readFile(filepath.Join(sp.dir, "messages.log")), "received")
}

// Sent returns the messages SIPp sent so far, retransmissions included,
// oldest first.
func (sp *SIPp) Sent() []*SIPMessage {
	return sippTrace(readFile(filepath.Join(sp.dir, "messages.log")), "sent")
}
