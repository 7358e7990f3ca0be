package resolve

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// zone is the test domain. pbx.example has NAPTR records for every SIP
// service plus two that must be ignored; srv.example has SRV records only;
// a.example has addresses only.
var zone = []string{
	`pbx.example. 60 IN NAPTR 20 10 "s" "SIP+D2U" "" _sip._udp.pbx.example.`,
	`pbx.example. 60 IN NAPTR 10 20 "s" "SIP+D2T" "" _sip._tcp.pbx.example.`,
	`pbx.example. 60 IN NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.pbx.example.`,
	`pbx.example. 60 IN NAPTR 30 10 "S" "sip+d2w" "" _sip._ws.pbx.example.`,
	`pbx.example. 60 IN NAPTR 40 10 "s" "SIPS+D2W" "" _sips._ws.pbx.example.`,
	`pbx.example. 60 IN NAPTR 5 10 "s" "E2U+sip" "" _other.pbx.example.`,
	`pbx.example. 60 IN NAPTR 5 10 "u" "SIP+D2U" "!^.*$!sip:info@pbx.example!" .`,
	`pbx.example. 60 IN A 192.0.2.1`,
	`_sips._tcp.pbx.example. 60 IN SRV 10 0 5061 tls1.pbx.example.`,
	`_sip._tcp.pbx.example. 60 IN SRV 10 0 5060 tcp1.pbx.example.`,
	`_sip._udp.pbx.example. 60 IN SRV 10 0 5060 udp1.pbx.example.`,
	`_sip._ws.pbx.example. 60 IN SRV 10 0 8088 ws1.pbx.example.`,
	`_sips._ws.pbx.example. 60 IN SRV 10 0 8089 ws1.pbx.example.`,
	`tls1.pbx.example. 60 IN A 192.0.2.10`,
	`tls1.pbx.example. 60 IN AAAA 2001:db8::10`,
	`tcp1.pbx.example. 60 IN A 192.0.2.11`,
	`udp1.pbx.example. 60 IN A 192.0.2.12`,
	`ws1.pbx.example. 60 IN A 192.0.2.13`,

	`_sip._udp.srv.example. 60 IN SRV 20 0 5062 b.srv.example.`,
	`_sip._udp.srv.example. 60 IN SRV 10 0 5060 a.srv.example.`,
	`_sip._tcp.srv.example. 60 IN SRV 10 0 5060 a.srv.example.`,
	`a.srv.example. 60 IN A 192.0.2.20`,
	`b.srv.example. 60 IN AAAA 2001:db8::21`,

	`a.example. 60 IN AAAA 2001:db8::30`,
	`a.example. 60 IN A 192.0.2.30`,

	`txt.example. 60 IN TXT "no SIP here"`,
	`_sip._udp.dangling.example. 60 IN SRV 10 0 5060 ghost.dangling.example.`,
	`_sip._udp.dot.example. 60 IN SRV 0 0 0 .`,
	`dot.example. 60 IN A 192.0.2.50`,
	`slow.example. 60 IN A 192.0.2.40`,
	`big.example. 60 IN A 192.0.2.60`,
}

func newTestResolver(t *testing.T, opts ...Option) (*Resolver, *dnsServer) {
	t.Helper()
	s := startDNS(t, zone...)
	return New(append([]Option{WithServer(s.addr)}, opts...)...), s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNumericHost(t *testing.T) {
	r, s := newTestResolver(t)
	tests := []struct {
		host      string
		port      int
		transport string
		secure    bool
		want      string
	}{
		{"192.0.2.1", 0, "", false, "udp:192.0.2.1:5060"},
		{"192.0.2.1", 0, "", true, "tls:192.0.2.1:5061"},
		{"192.0.2.1", 5080, "TCP", false, "tcp:192.0.2.1:5080"},
		{"192.0.2.1", 0, "tcp", true, "tls:192.0.2.1:5061"},
		{"192.0.2.1", 0, "tls", false, "tls:192.0.2.1:5061"},
		{"192.0.2.1", 0, "ws", false, "ws:192.0.2.1:80"},
		{"192.0.2.1", 0, "ws", true, "wss:192.0.2.1:443"},
		{"192.0.2.1", 8089, "wss", false, "wss:192.0.2.1:8089"},
		{"[2001:db8::1]", 0, "", false, "udp:[2001:db8::1]:5060"},
		{"2001:db8::1", 5070, "udp", false, "udp:[2001:db8::1]:5070"},
		{"::ffff:192.0.2.7", 0, "", false, "udp:192.0.2.7:5060"},
	}
	for _, tt := range tests {
		got, err := r.Lookup(testContext(t), tt.host, tt.port, tt.transport, tt.secure)
		if err != nil {
			t.Errorf("Lookup(%q, %d, %q, %v): %v", tt.host, tt.port, tt.transport, tt.secure, err)
			continue
		}
		if len(got) != 1 || got[0].String() != tt.want {
			t.Errorf("Lookup(%q, %d, %q, %v) = %s, want %s", tt.host, tt.port, tt.transport, tt.secure, targetsString(got), tt.want)
		}
	}
	if q := s.questions(); len(q) != 0 {
		t.Errorf("numeric hosts asked DNS: %v", q)
	}
}

func TestExplicitPortAsksOnlyAddresses(t *testing.T) {
	r, s := newTestResolver(t)
	got, err := r.Lookup(testContext(t), "pbx.example", 5070, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.1:5070")
	if n := askedTypes(s.questions()); n["NAPTR"]+n["SRV"] != 0 || n["A"] != 1 || n["AAAA"] != 1 {
		t.Errorf("asked %v, want one A and one AAAA only", n)
	}

	got, err = r.Lookup(testContext(t), "a.example", 5071, "", true)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "tls:192.0.2.30:5071", "tls:[2001:db8::30]:5071")
}

func TestNAPTR(t *testing.T) {
	r, s := newTestResolver(t)
	got, err := r.Lookup(testContext(t), "pbx.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	// Order 10 (SIPS+D2T pref 10, SIP+D2T pref 20), 20 UDP, 30 WS, 40 WSS;
	// the E2U service and the regexp record are ignored.
	sameTargets(t, got,
		"tls:192.0.2.10:5061", "tls:[2001:db8::10]:5061",
		"tcp:192.0.2.11:5060",
		"udp:192.0.2.12:5060",
		"ws:192.0.2.13:8088",
		"wss:192.0.2.13:8089")
	q := s.questions()
	if q[0] != "NAPTR pbx.example." {
		t.Errorf("first question %q, want the NAPTR", q[0])
	}
	if slices.Contains(q, "SRV _other.pbx.example.") {
		t.Error("followed a NAPTR record of an unknown service")
	}

	got, err = r.Lookup(testContext(t), "pbx.example.", 0, "", true)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "tls:192.0.2.10:5061", "tls:[2001:db8::10]:5061", "wss:192.0.2.13:8089")
}

func TestSRVWithoutNAPTR(t *testing.T) {
	r, s := newTestResolver(t)
	got, err := r.Lookup(testContext(t), "srv.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.20:5060", "udp:[2001:db8::21]:5062", "tcp:192.0.2.20:5060")
	want := []string{"NAPTR srv.example.", "SRV _sip._udp.srv.example.", "SRV _sip._tcp.srv.example.", "SRV _sips._tcp.srv.example."}
	var q []string
	for _, x := range s.questions() {
		if strings.HasPrefix(x, "NAPTR") || strings.HasPrefix(x, "SRV") {
			q = append(q, x)
		}
	}
	if !slices.Equal(q, want) {
		t.Errorf("NAPTR and SRV questions %v, want %v", q, want)
	}

	// No _sips._tcp records: a sips URI falls back to the host's own
	// addresses, of which srv.example has none.
	got, err = r.Lookup(testContext(t), "srv.example", 0, "", true)
	if !errors.Is(err, ErrNoRecords) {
		t.Errorf("sips lookup without _sips._tcp = %v, %v; want ErrNoRecords", got, err)
	}
}

func TestAddressesOnly(t *testing.T) {
	r, _ := newTestResolver(t)
	got, err := r.Lookup(testContext(t), "a.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.30:5060", "udp:[2001:db8::30]:5060")

	got, err = r.Lookup(testContext(t), "A.EXAMPLE", 0, "", true)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "tls:192.0.2.30:5061", "tls:[2001:db8::30]:5061")
}

func TestTransportGiven(t *testing.T) {
	r, s := newTestResolver(t)
	tests := []struct {
		host, transport string
		secure          bool
		want            []string
		srvName         string
	}{
		{"pbx.example", "tcp", false, []string{"tcp:192.0.2.11:5060"}, "_sip._tcp.pbx.example."},
		{"pbx.example", "udp", false, []string{"udp:192.0.2.12:5060"}, "_sip._udp.pbx.example."},
		{"pbx.example", "tls", false, []string{"tls:192.0.2.10:5061", "tls:[2001:db8::10]:5061"}, "_sips._tcp.pbx.example."},
		{"pbx.example", "tcp", true, []string{"tls:192.0.2.10:5061", "tls:[2001:db8::10]:5061"}, "_sips._tcp.pbx.example."},
		{"a.example", "tcp", false, []string{"tcp:192.0.2.30:5060", "tcp:[2001:db8::30]:5060"}, "_sip._tcp.a.example."},
		{"a.example", "tls", false, []string{"tls:192.0.2.30:5061", "tls:[2001:db8::30]:5061"}, "_sips._tcp.a.example."},
	}
	for _, tt := range tests {
		got, err := r.Lookup(testContext(t), tt.host, 0, tt.transport, tt.secure)
		if err != nil {
			t.Errorf("%s %s: %v", tt.host, tt.transport, err)
			continue
		}
		sameTargets(t, got, tt.want...)
		q := s.questions()
		if n := askedTypes(q); n["NAPTR"] != 0 || n["SRV"] != 1 || !slices.Contains(q, "SRV "+tt.srvName) {
			t.Errorf("%s %s secure=%v asked %v, want one SRV %s and no NAPTR", tt.host, tt.transport, tt.secure, q, tt.srvName)
		}
	}
}

func TestWebSocketAsksOnlyAddresses(t *testing.T) {
	r, s := newTestResolver(t)
	tests := []struct {
		transport string
		secure    bool
		port      int
		want      string
	}{
		{"ws", false, 0, "ws:192.0.2.1:80"},
		{"wss", false, 0, "wss:192.0.2.1:443"},
		{"ws", true, 0, "wss:192.0.2.1:443"},
		{"WSS", false, 8089, "wss:192.0.2.1:8089"},
	}
	for _, tt := range tests {
		got, err := r.Lookup(testContext(t), "pbx.example", tt.port, tt.transport, tt.secure)
		if err != nil {
			t.Fatal(err)
		}
		sameTargets(t, got, tt.want)
		if n := askedTypes(s.questions()); n["NAPTR"]+n["SRV"] != 0 {
			t.Errorf("%s asked %v; WebSocket has no standard SRV", tt.transport, n)
		}
	}
}

func TestSRVPriorityAndWeight(t *testing.T) {
	s := startDNS(t,
		`_sip._udp.w.example. 60 IN SRV 20 0 5060 last.w.example.`,
		`_sip._udp.w.example. 60 IN SRV 10 80 5060 heavy.w.example.`,
		`_sip._udp.w.example. 60 IN SRV 10 20 5060 light.w.example.`,
		`_sip._udp.w.example. 60 IN SRV 5 0 5060 first.w.example.`,
		`first.w.example. 60 IN A 192.0.2.1`,
		`heavy.w.example. 60 IN A 192.0.2.2`,
		`light.w.example. 60 IN A 192.0.2.3`,
		`last.w.example. 60 IN A 192.0.2.4`,
	)
	rng := rand.New(rand.NewPCG(1, 2))
	r := New(WithServer(s.addr))
	r.intn = rng.IntN // Lookup is called from this goroutine only
	const runs = 300
	heavySecond := 0
	for range runs {
		got, err := r.Lookup(testContext(t), "w.example", 0, "udp", false)
		if err != nil {
			t.Fatal(err)
		}
		hosts := make([]string, len(got))
		for i, tg := range got {
			hosts[i] = tg.Host
		}
		if len(hosts) != 4 || hosts[0] != "192.0.2.1" || hosts[3] != "192.0.2.4" {
			t.Fatalf("priorities not respected: %v", hosts)
		}
		if hosts[1] == "192.0.2.2" {
			heavySecond++
		}
	}
	// RFC 2782: weight 80 against 20 comes first 81 times in 101.
	if frac := float64(heavySecond) / runs; frac < 0.70 || frac > 0.90 {
		t.Errorf("weight-80 target first in its priority %.2f of the time, want about 0.80", frac)
	}
}

func TestOrderSRVDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	recs := []*dns.SRV{
		{Priority: 1, Weight: 30, Target: "c"},
		{Priority: 1, Weight: 0, Target: "zero"},
		{Priority: 1, Weight: 60, Target: "b"},
		{Priority: 0, Weight: 5, Target: "top"},
		{Priority: 2, Weight: 0, Target: "z1"},
		{Priority: 2, Weight: 0, Target: "z2"},
	}
	const runs = 20000
	first := map[string]int{}
	for range runs {
		out := orderSRV(recs, rng.IntN)
		var names []string
		for _, r := range out {
			names = append(names, r.Target)
		}
		if len(names) != 6 || names[0] != "top" || names[4] != "z1" || names[5] != "z2" {
			t.Fatalf("order %v breaks priority or the order of equal zero weights", names)
		}
		first[names[1]]++
	}
	// Draws are uniform over [0, 90]: "zero" (listed first) wins on 0,
	// "c" on 1..30, "b" on 31..90.
	for name, want := range map[string]float64{"zero": 1.0 / 91, "c": 30.0 / 91, "b": 60.0 / 91} {
		if got := float64(first[name]) / runs; got < want*0.85-0.002 || got > want*1.15+0.002 {
			t.Errorf("%s first %.4f of the time, want about %.4f", name, got, want)
		}
	}
	if got := orderSRV(nil, rng.IntN); len(got) != 0 {
		t.Errorf("orderSRV(nil) = %v", got)
	}
}

func TestNotFoundErrors(t *testing.T) {
	r, s := newTestResolver(t)
	s.setRcode("broken.example.", dns.RcodeServerFailure)
	tests := []struct {
		host   string
		reason error
		msg    string
	}{
		{"nosuch.example", ErrNoSuchName, "no SIP server found for nosuch.example: DNS says the name does not exist"},
		{"txt.example", ErrNoRecords, "no SIP server found for txt.example: DNS has no SIP service or address records for the name"},
		{"broken.example", ErrServerFailure, "no SIP server found for broken.example: the DNS server could not answer (SERVFAIL from " + s.addr + ")"},
		{"dangling.example", ErrNoSuchName, "no SIP server found for dangling.example: the domain's SRV records lead to no usable server: " +
			"the SRV records name ghost.dangling.example, which have no addresses: DNS says the name does not exist"},
		{"dot.example", ErrNotOffered, "no SIP server found for dot.example: the domain's SRV records lead to no usable server: the SRV records say SIP is not offered here"},
	}
	for _, tt := range tests {
		got, err := r.Lookup(testContext(t), tt.host, 0, "", false)
		if err == nil {
			t.Errorf("%s: found %v", tt.host, got)
			continue
		}
		if !errors.Is(err, ErrNotFound) || !errors.Is(err, tt.reason) {
			t.Errorf("%s: error %v does not wrap ErrNotFound and %v", tt.host, err, tt.reason)
		}
		if err.Error() != tt.msg {
			t.Errorf("%s: error\n %q\nwant\n %q", tt.host, err, tt.msg)
		}
	}
	// With SRV records present there is no fallback to the domain's own
	// address (RFC 3263 §4.2), though dot.example has one.
	if q := s.questions(); slices.Contains(q, "A dot.example.") {
		t.Error("fell back to A of a domain that has SRV records")
	}
}

func TestTimeoutWithShortContext(t *testing.T) {
	r := New(WithServer(silentServer(t)))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.Lookup(ctx, "pbx.example", 0, "", false)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Lookup took %v with a 200ms context", elapsed)
	}
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v should wrap ErrNotFound, ErrTimeout and context.DeadlineExceeded", err)
	}
	const want = "no SIP server found for pbx.example: the DNS server did not answer in time: context deadline exceeded"
	if err.Error() != want {
		t.Errorf("error\n %q\nwant\n %q", err, want)
	}
}

func TestPerQueryTimeout(t *testing.T) {
	silent := silentServer(t)
	r := New(WithServer(silent), WithTimeout(100*time.Millisecond))
	_, err := r.Lookup(testContext(t), "a.example", 5060, "", false)
	if !errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v should wrap ErrTimeout, not the context's deadline", err)
	}
	if want := "no SIP server found for a.example: the DNS server did not answer in time (asked " + silent + ")"; err.Error() != want {
		t.Errorf("error\n %q\nwant\n %q", err, want)
	}
}

// TestNAPTRAndSRVDroppedStillFindsAddress is the home router that swallows
// NAPTR and SRV queries: after the first timeout the remaining NAPTR and
// SRV queries are skipped and the A record is used.
func TestNAPTRAndSRVDroppedStillFindsAddress(t *testing.T) {
	r, s := newTestResolver(t, WithTimeout(100*time.Millisecond))
	s.setSilent("slow.example. NAPTR")
	s.setSilent("_sip._udp.slow.example. SRV")
	s.setSilent("_sip._tcp.slow.example. SRV")
	s.setSilent("_sips._tcp.slow.example. SRV")
	start := time.Now()
	got, err := r.Lookup(testContext(t), "slow.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.40:5060")
	if n := askedTypes(s.questions()); n["SRV"] != 0 {
		t.Errorf("asked %d SRV questions after the NAPTR timed out", n["SRV"])
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("took %v", elapsed)
	}
}

func TestCancel(t *testing.T) {
	r := New(WithServer(silentServer(t)), WithTimeout(time.Minute))
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := r.Lookup(ctx, "pbx.example", 0, "", false)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("cancelled Lookup returned after %v", elapsed)
	}
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v should wrap context.Canceled and not ErrNotFound", err)
	}
	if want := "SIP server lookup for pbx.example stopped: context canceled"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestSlowAnswerWithinTimeout checks that WithTimeout, not miekg/dns's
// default of 2 seconds, decides how long a query may take.
func TestSlowAnswerWithinTimeout(t *testing.T) {
	r, s := newTestResolver(t, WithTimeout(4*time.Second))
	s.setDelay("a.example. A", 2200*time.Millisecond)
	got, err := r.Lookup(testContext(t), "a.example", 5060, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.30:5060", "udp:[2001:db8::30]:5060")
}

func TestSecondServerAnswers(t *testing.T) {
	s := startDNS(t, zone...)
	r := New(WithServer(silentServer(t)), WithServer(s.addr), WithTimeout(100*time.Millisecond))
	got, err := r.Lookup(testContext(t), "a.example", 0, "udp", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.30:5060", "udp:[2001:db8::30]:5060")
}

func TestTruncatedAnswerRetriedOverTCP(t *testing.T) {
	r, s := newTestResolver(t)
	s.setTruncate("big.example. A")
	got, err := r.Lookup(testContext(t), "big.example", 5060, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.60:5060")
	if n := askedTypes(s.questions()); n["A"] != 2 {
		t.Errorf("A asked %d times, want 2 (UDP, then TCP)", n["A"])
	}
}

func TestInvalidArguments(t *testing.T) {
	r, s := newTestResolver(t)
	tests := []struct {
		host      string
		port      int
		transport string
		secure    bool
		msg       string
	}{
		{"pbx.example", 0, "sctp", false, `transport "sctp" is not one of udp, tcp, tls, ws, wss`},
		{"pbx.example", 0, "udp", true, "a sips address cannot use UDP"},
		{"pbx.example", -1, "", false, "port -1 is out of range"},
		{"pbx.example", 70000, "", false, "port 70000 is out of range"},
		{"", 0, "", false, "the host is empty"},
		{"pbx.example:5060", 0, "", false, "give the port separately"},
		{"pbx example", 0, "", false, "is not a host name"},
		{"[pbx.example]", 0, "", false, "is not a host name"},
		{strings.Repeat("a", 64) + ".example", 0, "", false, "is not a valid host name"},
	}
	for _, tt := range tests {
		_, err := r.Lookup(testContext(t), tt.host, tt.port, tt.transport, tt.secure)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Lookup(%q, %d, %q, %v) error %v, want ErrInvalid saying %q", tt.host, tt.port, tt.transport, tt.secure, err, tt.msg)
		}
	}
	if q := s.questions(); len(q) != 0 {
		t.Errorf("invalid arguments asked DNS: %v", q)
	}
}

// loopbackNetResolver is a Go resolver whose every query goes to addr.
func loopbackNetResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// TestResolvConf runs the production configuration: NAPTR and SRV to the
// servers of a resolv.conf file, A and AAAA through a net.Resolver, both
// pointed at the loopback server.
func TestResolvConf(t *testing.T) {
	s := startDNS(t, zone...)
	_, port, _ := net.SplitHostPort(s.addr)
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(conf, []byte("# test\nnameserver 127.0.0.1\noptions timeout:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{confPath: conf, confPort: port, ipResolver: loopbackNetResolver(s.addr)}
	got, err := r.Lookup(testContext(t), "pbx.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got,
		"tls:192.0.2.10:5061", "tls:[2001:db8::10]:5061",
		"tcp:192.0.2.11:5060",
		"udp:192.0.2.12:5060",
		"ws:192.0.2.13:8088",
		"wss:192.0.2.13:8089")

	_, err = r.Lookup(testContext(t), "nosuch.example", 0, "", false)
	if !errors.Is(err, ErrNoSuchName) {
		t.Errorf("nosuch.example through the system resolver path: %v, want ErrNoSuchName", err)
	}
}

// TestNoResolvConf is the Windows path: no resolv.conf, so no NAPTR, and SRV,
// A and AAAA through the net.Resolver.
func TestNoResolvConf(t *testing.T) {
	s := startDNS(t, zone...)
	r := &Resolver{confPath: filepath.Join(t.TempDir(), "missing"), ipResolver: loopbackNetResolver(s.addr)}
	got, err := r.Lookup(testContext(t), "srv.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.20:5060", "udp:[2001:db8::21]:5062", "tcp:192.0.2.20:5060")
	if n := askedTypes(s.questions()); n["NAPTR"] != 0 {
		t.Errorf("asked NAPTR without a resolv.conf: %v", n)
	}
	got, err = r.Lookup(testContext(t), "a.example", 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sameTargets(t, got, "udp:192.0.2.30:5060", "udp:[2001:db8::30]:5060")
}

func TestTargetString(t *testing.T) {
	for tg, want := range map[Target]string{
		{Transport: "udp", Host: "192.0.2.1", Port: 5060}:    "udp:192.0.2.1:5060",
		{Transport: "wss", Host: "2001:db8::1", Port: 443}:   "wss:[2001:db8::1]:443",
		{Transport: "tls", Host: "fe80::1%eth0", Port: 5061}: "tls:[fe80::1%eth0]:5061",
	} {
		if got := tg.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
