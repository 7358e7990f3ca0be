package phone

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// mwiNotify is an unsolicited message-summary NOTIFY for testbed.SendRawUDP.
func mwiNotify(event, body string) string {
	return "NOTIFY sip:1001@[remote_ip]:[remote_port] SIP/2.0\n" +
		"Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]\n" +
		"Max-Forwards: 70\n" +
		"From: <sip:voicemail@[local_ip]>;tag=[tag]\n" +
		"To: <sip:1001@[remote_ip]>\n" +
		"Call-ID: [call_id]\n" +
		"CSeq: 1 NOTIFY\n" +
		"Event: " + event + "\n" +
		"Subscription-State: active\n" +
		"Content-Type: application/simple-message-summary\n" +
		"Content-Length: [len]\n\n" + body
}

// answer sends msg to the phone and returns the final answer's code.
func answer(t *testing.T, addr, msg string) int {
	t.Helper()
	got := testbed.SendRawUDP(t, addr, msg, 5*time.Second)
	if len(got) == 0 {
		t.Fatalf("no answer to\n%s", msg)
	}
	return got[len(got)-1].StatusCode()
}

// TestUnsolicitedMWI: a message-summary NOTIFY outside any subscription
// (what many PBXs send to a registered Contact) is answered 200 and gives
// VOICEMAIL with the counts, only when they change; an unreadable body is
// answered 400 and changes nothing; a dialog NOTIFY of no subscription
// 481, another event outside a call 481 as before.
func TestUnsolicitedMWI(t *testing.T) {
	t.Parallel()
	p, rec, addr := sippCallee(t)
	a, err := p.Account("callee")
	if err != nil {
		t.Fatal(err)
	}
	if code := answer(t, addr, mwiNotify("message-summary", "Messages-Waiting: yes\nMessage-Account: sip:*97@127.0.0.1\nVoice-Message: 2/8 (0/2)\n")); code != 200 {
		t.Errorf("answered %d, want 200", code)
	}
	e := rec.waitFor(EventVoicemail, "")
	want := Voicemail{NewMessages: 2, OldMessages: 8, Waiting: true}
	if *e.Voicemail != want || e.Account != "callee" {
		t.Errorf("VOICEMAIL %+v for %q, want %+v for callee", *e.Voicemail, e.Account, want)
	}
	if a.Voicemail() != want {
		t.Errorf("Voicemail() = %+v", a.Voicemail())
	}
	// The same counts again (compact Event header): no event; then a
	// change without a Messages-Waiting line.
	same := strings.Replace(mwiNotify("message-summary", "Messages-Waiting: yes\nVoice-Message: 2/8\n"), "Event:", "o:", 1)
	if code := answer(t, addr, same); code != 200 {
		t.Errorf("answered %d, want 200", code)
	}
	for _, bad := range []string{"Messages-Waiting: maybe\n", "Voice-Message: two/8\n", "hello\n", ""} {
		if code := answer(t, addr, mwiNotify("message-summary", bad)); code != 400 {
			t.Errorf("body %q answered %d, want 400", bad, code)
		}
	}
	msg := mwiNotify("message-summary", "voice-message: 0/10 (0/0)\n")
	if code := answer(t, addr, msg); code != 200 {
		t.Errorf("answered %d, want 200", code)
	}
	e = rec.waitFor(EventVoicemail, "")
	if want := (Voicemail{OldMessages: 10}); *e.Voicemail != want {
		t.Errorf("second VOICEMAIL %+v, want %+v", *e.Voicemail, want)
	}
	var n int
	for _, e := range rec.got {
		if e.Type == EventVoicemail {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d VOICEMAIL events, want 2", n)
	}
	if code := answer(t, addr, mwiNotify("dialog", "<dialog-info/>")); code != 481 {
		t.Errorf("a dialog NOTIFY of no subscription answered %d, want 481", code)
	}
	if code := answer(t, addr, mwiNotify("presence", "")); code != 481 {
		t.Errorf("a presence NOTIFY outside a call answered %d, want 481", code)
	}
}

// TestSIPpMWISubscription: against uas_mwi_notifier.xml a registered
// account subscribes to its own AOR (Event: message-summary, Expires
// 3600), reports the NOTIFY's counts as VOICEMAIL, and on Close
// unsubscribes (Expires: 0) before it unregisters.
func TestSIPpMWISubscription(t *testing.T) {
	t.Parallel()
	sp := testbed.RunSIPp(t, "uas_mwi_notifier.xml", testbed.SIPpUAS(), testbed.SIPpCalls(2))
	p := newTestPhone(t, WithKeepAlive(time.Hour, 200*time.Millisecond))
	rec := record(t, p)
	a, err := p.AddAccount(AccountConfig{ID: "mwi", Username: "1001", Domain: "127.0.0.1", Server: sp.Addr(),
		Transport: "udp", Register: true, Expires: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := rec.waitFor(EventVoicemail, "")
	want := Voicemail{NewMessages: 2, OldMessages: 8, Waiting: true}
	if *e.Voicemail != want || e.Account != "mwi" || a.Voicemail() != want {
		t.Errorf("VOICEMAIL %+v for %q (Voicemail() %+v), want %+v", *e.Voicemail, e.Account, a.Voicemail(), want)
	}
	closePhone(t, p)
	waitSIPp(t, sp)
	for prefix, want := range map[string][]string{
		"MWI-SUBSCRIBE":           {"sip:1001@127.0.0.1"},
		"MWI-SUBSCRIBE-EXPIRES":   {"3600"},
		"MWI-UNSUBSCRIBE-EXPIRES": {"0"},
		"MWI-UNSUBSCRIBED":        {""},
		"REGISTER-EXPIRES":        {"60", "0"},
	} {
		if got := sp.Logged(prefix); !slices.Equal(got, want) {
			t.Errorf("SIPp logged %s %q, want %q", prefix, got, want)
		}
	}
	// Unsubscribed before unregistering.
	var order []string
	for _, m := range sp.Received() {
		if m.Method() == "SUBSCRIBE" || m.Method() == "REGISTER" {
			order = append(order, m.Method()+" "+m.Header("Expires"))
		}
	}
	if want := []string{"REGISTER 60", "SUBSCRIBE 3600", "SUBSCRIBE 0", "REGISTER 0"}; !slices.Equal(order, want) {
		t.Errorf("requests %q, want %q", order, want)
	}
}

func TestParseMessageSummary(t *testing.T) {
	for _, tc := range []struct {
		body string
		want Voicemail
	}{
		{"Messages-Waiting: yes\r\nMessage-Account: sip:*97@x\r\nVoice-Message: 2/8 (0/2)\r\n", Voicemail{2, 8, true}},
		{"Messages-Waiting: no\r\n", Voicemail{}},
		{"messages-waiting:YES\nvoice-message:1/0", Voicemail{1, 0, true}},
		{"Voice-Message: 3/4\r\n", Voicemail{3, 4, true}},
		{"Voice-Message: 0/4 (0/0)\r\nFax-Message: 1/1\r\n", Voicemail{0, 4, false}},
		{"Messages-Waiting: yes\r\n\r\nVoice-Message: 5/6\r\n", Voicemail{5, 6, true}},
	} {
		got, err := parseMessageSummary([]byte(tc.body))
		if err != nil || got != tc.want {
			t.Errorf("parseMessageSummary(%q) = %+v, %v; want %+v", tc.body, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "Fax-Message: 1/1", "Messages-Waiting: perhaps", "Voice-Message: -1/2", "Voice-Message: 1", "Voice-Message: 99999999999999999999/1"} {
		if _, err := parseMessageSummary([]byte(bad)); err == nil {
			t.Errorf("parseMessageSummary(%q) accepted it", bad)
		}
	}
}

// FuzzMessageSummary: the message-summary parser never panics nor
// returns negative counts.
func FuzzMessageSummary(f *testing.F) {
	f.Add([]byte("Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/2)\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		vm, err := parseMessageSummary(body)
		if err == nil && (vm.NewMessages < 0 || vm.OldMessages < 0) {
			t.Fatalf("negative counts %+v from %s", vm, strconv.Quote(string(body)))
		}
	})
}
