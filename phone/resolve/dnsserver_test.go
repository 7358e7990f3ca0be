package resolve

import (
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsServer is a DNS server on 127.0.0.1 (UDP and TCP on one port) that
// answers from a fixed zone and records the questions it was asked.
type dnsServer struct {
	addr string

	mu       sync.Mutex
	records  []dns.RR
	silent   map[string]bool          // "name. TYPE" or "*": never answered
	rcode    map[string]int           // "name.": answer every question with this rcode
	truncate map[string]bool          // "name. TYPE": truncated over UDP
	delay    map[string]time.Duration // "name. TYPE": wait before answering
	asked    []string                 // "TYPE name." per question, guarded by mu
}

// startDNS serves zone, given as RR strings in master file syntax.
func startDNS(t *testing.T, zone ...string) *dnsServer {
	t.Helper()
	s := &dnsServer{
		silent: map[string]bool{}, rcode: map[string]int{},
		truncate: map[string]bool{}, delay: map[string]time.Duration{},
	}
	for _, z := range zone {
		rr, err := dns.NewRR(z)
		if err != nil {
			t.Fatalf("bad test record %q: %v", z, err)
		}
		s.records = append(s.records, rr)
	}
	pc, ln := listenPair(t)
	s.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: ln, Handler: s}} {
		started := make(chan struct{})
		done := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() {
			defer close(done)
			if err := srv.ActivateAndServe(); err != nil {
				t.Errorf("DNS server: %v", err)
			}
		}()
		<-started
		t.Cleanup(func() {
			if err := srv.Shutdown(); err != nil {
				t.Errorf("DNS server shutdown: %v", err)
			}
			<-done
		})
	}
	return s
}

// listenPair opens a UDP socket and a TCP listener on the same free port.
func listenPair(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatal("no free port for UDP and TCP together")
	return nil, nil
}

func (s *dnsServer) setSilent(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent[key] = true
}

func (s *dnsServer) setRcode(name string, rc int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcode[name] = rc
}

func (s *dnsServer) setDelay(key string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay[key] = d
}

func (s *dnsServer) setTruncate(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncate[key] = true
}

// questions returns and forgets the questions asked so far.
func (s *dnsServer) questions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.asked
	s.asked = nil
	return q
}

// ServeDNS answers from the zone: the records of the asked name and type,
// NODATA when the name owns other records or has records below it, and
// NXDOMAIN otherwise.
func (s *dnsServer) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if len(r.Question) != 1 {
		return
	}
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	key := name + " " + dns.TypeToString[q.Qtype]

	s.mu.Lock()
	d := s.delay[key]
	s.mu.Unlock()
	time.Sleep(d)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, dns.TypeToString[q.Qtype]+" "+name)
	if s.silent["*"] || s.silent[key] {
		return
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if rc, ok := s.rcode[name]; ok {
		m.Rcode = rc
		_ = w.WriteMsg(m)
		return
	}
	exists := false
	for _, rr := range s.records {
		owner := strings.ToLower(rr.Header().Name)
		if owner == name || strings.HasSuffix(owner, "."+name) {
			exists = true
		}
		if owner == name && rr.Header().Rrtype == q.Qtype {
			m.Answer = append(m.Answer, dns.Copy(rr))
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	if s.truncate[key] && w.LocalAddr().Network() == "udp" {
		m.Answer = nil
		m.Truncated = true
	}
	_ = w.WriteMsg(m)
}

// askedTypes counts the questions by type.
func askedTypes(questions []string) map[string]int {
	n := map[string]int{}
	for _, q := range questions {
		typ, _, _ := strings.Cut(q, " ")
		n[typ]++
	}
	return n
}

func targetsString(ts []Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, " ")
}

func sameTargets(t *testing.T, got []Target, want ...string) {
	t.Helper()
	if g := targetsString(got); !slices.Equal(strings.Fields(g), want) {
		t.Errorf("targets =\n %s\nwant\n %s", g, strings.Join(want, " "))
	}
}

// silentServer is a UDP socket on loopback that reads nothing and never
// answers.
func silentServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}
