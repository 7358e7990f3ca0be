package phone

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// This file holds the test's man in the middle: a SIP relay on UDP that
// passes messages between a caller and a callee and points the audio of
// every SDP body it carries at a media relay of its own, which forwards
// the datagrams, keeps a copy of each (a sniffer) and may impair them
// (loss, jitter). Everything stays on 127.0.0.1.

// impairment drops and delays datagrams, deterministically for a seed
// (which packets are dropped and how long each waits depends only on
// their order).
type impairment struct {
	loss   float64       // probability of dropping a datagram
	jitter time.Duration // each kept datagram waits a uniform 0..jitter
	seed   uint64
}

// mediaRelay forwards what arrives on its RTP and RTCP sockets to one
// far end's RTP and RTCP ports.
type mediaRelay struct {
	t          *testing.T
	rtp, rtcp  *net.UDPConn
	to, toRTCP netip.AddrPort
	imp        *impairment

	mu                 sync.Mutex
	rng                *rand.Rand
	captured, rtcpSeen [][]byte
	forwarded, dropped int
	pending            sync.WaitGroup
	closed             bool
	readers            sync.WaitGroup
}

// newMediaRelay binds the relay's sockets; it may run on any goroutine.
func newMediaRelay(t *testing.T, to, toRTCP netip.AddrPort, imp *impairment) (*mediaRelay, error) {
	r := &mediaRelay{t: t, to: to, toRTCP: toRTCP, imp: imp}
	if imp != nil {
		r.rng = rand.New(rand.NewPCG(imp.seed, imp.seed^0x9e3779b97f4a7c15))
	}
	var err error
	if r.rtp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		return nil, err
	}
	if r.rtcp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		r.rtp.Close()
		return nil, err
	}
	r.readers.Add(2)
	go r.forward(r.rtp, to, true)
	go r.forward(r.rtcp, toRTCP, false)
	t.Cleanup(r.close)
	return r, nil
}

func (r *mediaRelay) port() int     { return r.rtp.LocalAddr().(*net.UDPAddr).Port }
func (r *mediaRelay) rtcpPort() int { return r.rtcp.LocalAddr().(*net.UDPAddr).Port }

func (r *mediaRelay) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.rtp.Close()
	r.rtcp.Close()
	r.readers.Wait()
	r.pending.Wait()
}

func (r *mediaRelay) forward(c *net.UDPConn, to netip.AddrPort, isRTP bool) {
	defer r.readers.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt := bytes.Clone(buf[:n])
		r.mu.Lock()
		if isRTP {
			r.captured = append(r.captured, pkt)
		} else {
			r.rtcpSeen = append(r.rtcpSeen, pkt)
		}
		var delay time.Duration
		if isRTP && r.imp != nil {
			if r.rng.Float64() < r.imp.loss {
				r.dropped++
				r.mu.Unlock()
				continue
			}
			delay = time.Duration(r.rng.Int64N(int64(r.imp.jitter) + 1))
		}
		r.forwarded++
		if r.closed {
			r.mu.Unlock()
			return
		}
		r.pending.Add(1)
		r.mu.Unlock()
		if delay == 0 {
			_, _ = c.WriteToUDPAddrPort(pkt, to)
			r.pending.Done()
			continue
		}
		time.AfterFunc(delay, func() {
			defer r.pending.Done()
			_, _ = c.WriteToUDPAddrPort(pkt, to)
		})
	}
}

// rtpPackets returns a copy of the RTP datagrams seen so far.
func (r *mediaRelay) rtpPackets() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.captured...)
}

func (r *mediaRelay) rtcpPackets() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.rtcpSeen...)
}

func (r *mediaRelay) counts() (forwarded, dropped int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forwarded, r.dropped
}

// sipRelay passes SIP over UDP between a caller (whoever sends to it
// first) and a callee, and gives each SDP body's audio a media relay:
// toCaller carries what the callee sends the caller, toCallee the other
// way. In-dialog requests go Contact to Contact, around it.
type sipRelay struct {
	t      *testing.T
	conn   *net.UDPConn
	callee netip.AddrPort
	imp    *impairment // for the audio towards the callee

	mu                 sync.Mutex
	caller             netip.AddrPort
	relays             map[netip.AddrPort]*mediaRelay
	toCaller, toCallee *mediaRelay
	keys               []string // the SDES keys seen in SDP bodies
	done               chan struct{}
}

func newSIPRelay(t *testing.T, callee string, imp *impairment) *sipRelay {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &sipRelay{t: t, conn: c, callee: netip.MustParseAddrPort(callee), imp: imp, relays: map[netip.AddrPort]*mediaRelay{}, done: make(chan struct{})}
	go s.run()
	t.Cleanup(func() {
		c.Close()
		<-s.done
	})
	return s
}

func (s *sipRelay) addr() string { return s.conn.LocalAddr().String() }

var (
	sdpConn    = regexp.MustCompile(`(?m)^c=IN IP4 (\S+)\r?$`)
	sdpAudio   = regexp.MustCompile(`(?m)^m=audio (\d+) `)
	sdpRTCP    = regexp.MustCompile(`(?m)^a=rtcp:(\d+)`)
	sipCLength = regexp.MustCompile(`(?mi)^(Content-Length|l)[ \t]*:[ \t]*\d+`)
	sdpKey     = regexp.MustCompile(`(?m)^a=crypto:\S+ \S+ inline:([^|\s]+)`)
)

func (s *sipRelay) run() {
	defer close(s.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		msg := bytes.Clone(buf[:n])
		s.mu.Lock()
		toCaller := from == s.callee
		if !toCaller {
			s.caller = from
		}
		dst := s.callee
		if toCaller {
			dst = s.caller
		}
		msg = s.rewrite(msg, !toCaller)
		s.mu.Unlock()
		if dst.IsValid() {
			_, _ = s.conn.WriteToUDPAddrPort(msg, dst)
		}
	}
}

// rewrite points an SDP body's audio at a media relay towards the
// body's writer. fromCaller says the caller wrote it. Callers hold s.mu.
func (s *sipRelay) rewrite(msg []byte, fromCaller bool) []byte {
	head, body, ok := bytes.Cut(msg, []byte("\r\n\r\n"))
	if !ok || !bytes.Contains(body, []byte("m=audio ")) {
		return msg
	}
	for _, k := range sdpKey.FindAllSubmatch(body, -1) {
		s.keys = append(s.keys, string(k[1]))
	}
	c, m, rc := sdpConn.FindSubmatch(body), sdpAudio.FindSubmatch(body), sdpRTCP.FindSubmatch(body)
	if c == nil || m == nil {
		return msg
	}
	addr := netip.MustParseAddr(string(c[1]))
	port, _ := strconv.Atoi(string(m[1]))
	rtcpPort := port + 1
	if rc != nil {
		rtcpPort, _ = strconv.Atoi(string(rc[1]))
	}
	to := netip.AddrPortFrom(addr, uint16(port))
	r := s.relays[to]
	if r == nil {
		var imp *impairment
		if !fromCaller {
			imp = s.imp
		}
		var err error
		if r, err = newMediaRelay(s.t, to, netip.AddrPortFrom(addr, uint16(rtcpPort)), imp); err != nil {
			s.t.Errorf("media relay: %v", err)
			return msg
		}
		s.relays[to] = r
		if fromCaller {
			s.toCaller = r
		} else {
			s.toCallee = r
		}
	}
	body = sdpAudio.ReplaceAll(body, []byte("m=audio "+strconv.Itoa(r.port())+" "))
	body = sdpRTCP.ReplaceAll(body, []byte("a=rtcp:"+strconv.Itoa(r.rtcpPort())))
	head = sipCLength.ReplaceAll(head, []byte("Content-Length: "+strconv.Itoa(len(body))))
	return append(append(head, "\r\n\r\n"...), body...)
}

// media returns the relays of the call's two directions (nil until the
// SDP of that direction went through).
func (s *sipRelay) media() (toCaller, toCallee *mediaRelay) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.toCaller, s.toCallee
}

// sdesKeys returns the a=crypto keys the SDP bodies carried.
func (s *sipRelay) sdesKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}
