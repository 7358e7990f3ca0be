package media

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/rtp"
)

const (
	// ssrcSwitchAfter is how long the current source must be quiet before
	// packets from another SSRC replace it (a transfer, a PBX re-bridging);
	// until then they are dropped.
	ssrcSwitchAfter = 200 * time.Millisecond
	// discardLogEvery rate-limits the log of dropped packets, per reason.
	discardLogEvery = 5 * time.Second
	maxPacket       = 1500
)

// rxState is the receive side, shared by the RTP and RTCP readers and the
// media loop.
type rxState struct {
	mu          sync.Mutex // guards everything below
	jb          *rtp.JitterBuffer
	decs        map[uint8]codec.Decoder // the jitter buffer's, closed when replaced
	rec         *rtp.Reception
	det         rtp.EventDetector
	ssrc        uint32
	haveSSRC    bool
	lastHeard   time.Time
	received    uint64
	bytes       uint64
	lostEarlier int64 // loss counted on previous SSRCs
	discarded   uint64
	authFailed  uint64
	lastLog     map[string]time.Time // per reason
	rtt         time.Duration
	// waiting is set by the media loop when it waits for audio that has
	// not arrived; the next packet then wakes it through arrived.
	waiting bool
	arrived chan struct{}
}

func (r *rxState) init() {
	r.jb = rtp.NewJitterBuffer(clockRate, nil)
	r.rec = rtp.NewReception(clockRate)
	r.arrived = make(chan struct{}, 1)
	r.lastLog = map[string]time.Time{}
}

// setFlow sets the clock of the jitter buffer and statistics to the
// negotiated codec's, updates the decoders when the payload types change
// and empties the jitter buffer when playing stops.
func (r *rxState) setFlow(old, f *flow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jb.SetClock(f.clock, codec.PCMRate(f.codec))
	r.rec.SetClockRate(f.clock)
	if old == nil || !samePTs(old.recvPT, f.recvPT) {
		decs := make(map[uint8]codec.Decoder, len(f.recvPT))
		for pt, c := range f.recvPT {
			decs[pt] = c.NewDecoder()
		}
		r.jb.SetDecoders(decs)
		closeDecoders(r.decs)
		r.decs = decs
	}
	if old != nil && old.play && !f.play {
		r.jb.Reset()
	}
}

// closeDecoders frees the decoders that hold resources (Opus's C state).
func closeDecoders(decs map[uint8]codec.Decoder) {
	for _, d := range decs {
		if c, ok := d.(io.Closer); ok {
			_ = c.Close() // freeing memory: nothing to report
		}
	}
}

func samePTs(a, b map[uint8]codec.Codec) bool {
	if len(a) != len(b) {
		return false
	}
	for pt, c := range a {
		if b[pt] != c {
			return false
		}
	}
	return true
}

// discard counts a dropped packet and logs the reason now and then.
func (s *Session) discard(why string, from netip.AddrPort) { s.drop(why, from, false) }

// drop counts a dropped packet, as failing SRTP authentication too when
// authFailed, and logs the reason now and then.
func (s *Session) drop(why string, from netip.AddrPort, authFailed bool) {
	r := &s.rx
	r.mu.Lock()
	r.discarded++
	if authFailed {
		r.authFailed++
	}
	n := r.discarded
	logIt := time.Since(r.lastLog[why]) >= discardLogEvery
	if logIt {
		r.lastLog[why] = time.Now()
	}
	r.mu.Unlock()
	if logIt {
		s.log.Info("media: dropped a packet", "why", why, "from", from.String(), "dropped so far", n)
	}
}

func (s *Session) readRTP() {
	defer s.readers.Done()
	buf := make([]byte, maxPacket)
	plain := make([]byte, maxPacket)
	for {
		n, from, err := s.rtpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug("media: reading RTP", "err", err)
			continue
		}
		s.handleRTP(buf[:n], plain, from, time.Now())
	}
}

// handleRTP checks one datagram from the RTP socket, decrypts it when the
// call uses SRTP (into plain, a buffer of maxPacket bytes), and hands it
// to the statistics, the DTMF detector or the jitter buffer. The cheap
// checks (RTP version, payload type) come before authentication; nothing
// of an SRTP packet is used before it authenticated.
func (s *Session) handleRTP(b, plain []byte, from netip.AddrPort, now time.Time) {
	var h pionrtp.Header
	if _, err := h.Unmarshal(b); err != nil || h.Version != 2 {
		s.discard("not an RTP packet", from)
		return
	}
	f := s.flow.Load()
	if f == nil {
		s.discard("RTP before negotiation", from)
		return
	}
	isEvent := f.recvEvt >= 0 && int(h.PayloadType) == f.recvEvt
	if !isEvent && f.recvPT[h.PayloadType] == nil {
		s.discard("RTP with a payload type we did not negotiate", from)
		return
	}
	if f.sec != nil {
		dec, err := f.sec.in.decryptRTP(plain[:0], b, &h)
		if err != nil {
			why, auth := srtpDropReason("SRTP packet", err)
			s.drop(why, from, auth)
			return
		}
		b = dec
	}
	var p pionrtp.Packet
	if err := p.Unmarshal(b); err != nil {
		s.discard("not an RTP packet", from)
		return
	}
	r := &s.rx
	r.mu.Lock()
	if r.haveSSRC && p.SSRC != r.ssrc {
		if now.Sub(r.lastHeard) < ssrcSwitchAfter {
			r.mu.Unlock()
			s.discard("RTP from a second source (SSRC) while the first is active", from)
			return
		}
		s.log.Info("media: the far end's RTP source changed", "old ssrc", r.ssrc, "new ssrc", p.SSRC)
		r.lostEarlier += r.rec.Lost()
		r.jb.Reset()
		r.det = rtp.EventDetector{}
	}
	r.ssrc, r.haveSSRC, r.lastHeard = p.SSRC, true, now
	r.received++
	r.bytes += uint64(len(p.Payload))
	r.rec.Update(p.SSRC, p.SequenceNumber, p.Timestamp, len(p.Payload), now)
	var digit rune
	var gotDigit bool
	if isEvent {
		digit, gotDigit = r.det.Feed(p.Timestamp, p.Payload)
	} else if f.play {
		r.jb.Push(p.Timestamp, p.PayloadType, p.Payload, now)
	}
	wake := r.waiting
	r.waiting = false
	r.mu.Unlock()
	if wake {
		select {
		case r.arrived <- struct{}{}:
		default:
		}
	}
	if gotDigit {
		select {
		case s.dtmfIn <- digit:
		default:
			s.log.Warn("media: DTMF key dropped: nobody reads Session.DTMF", "key", string(digit))
		}
	}
	if s.symmetric {
		latch(s, &s.latched, from, "RTP")
	}
}

// latch remembers where the far end's packets come from, for symmetric RTP.
func latch(s *Session, p interface {
	Load() *netip.AddrPort
	Store(*netip.AddrPort)
}, from netip.AddrPort, what string) {
	if cur := p.Load(); cur == nil || *cur != from {
		p.Store(&from)
		s.log.Info("media: symmetric RTP: sending "+what+" where it comes from", "to", from.String())
	}
}

func (s *Session) readRTCP() {
	defer s.readers.Done()
	buf := make([]byte, maxPacket)
	plain := make([]byte, maxPacket)
	for {
		n, from, err := s.rtcpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Debug("media: reading RTCP", "err", err)
			continue
		}
		now := time.Now()
		pkt := buf[:n]
		if f := s.flow.Load(); f != nil && f.sec != nil {
			dec, err := f.sec.in.decryptRTCP(plain[:0], pkt)
			if err != nil {
				why, auth := srtpDropReason("SRTCP packet", err)
				s.drop(why, from, auth)
				continue
			}
			pkt = dec
		}
		in, err := rtp.ParseReport(pkt, s.sender.SSRC(), now)
		if err != nil {
			s.discard("not an RTCP packet", from)
			continue
		}
		s.rx.mu.Lock()
		if in.SenderNTP != 0 {
			s.rx.rec.SenderReport(in.SenderNTP, now)
		}
		if in.RTT > 0 {
			s.rx.rtt = in.RTT
		}
		s.rx.mu.Unlock()
		if in.Bye {
			s.log.Info("media: the far end sent RTCP BYE")
		}
		if s.symmetric {
			latch(s, &s.latchedRTCP, from, "RTCP")
		}
	}
}

// rtcpDest is where our RTCP goes, false when nowhere.
func (s *Session) rtcpDest(f *flow) (netip.AddrPort, bool) {
	dst := f.remoteRTCP
	if s.symmetric {
		if p := s.latchedRTCP.Load(); p != nil {
			dst = *p
		}
	}
	return dst, dst.IsValid() && dst.Port() != 0 && !dst.Addr().IsUnspecified()
}

func (s *Session) sendReport(st *loopState, now time.Time) {
	if st.flow == nil {
		return
	}
	dst, ok := s.rtcpDest(st.flow)
	if !ok {
		return
	}
	s.rx.mu.Lock()
	b, err := rtp.Report(s.sender, s.rx.rec, s.cname, s.sender.Timestamp(), st.flow.send, now)
	s.rx.mu.Unlock()
	if err == nil && st.flow.sec != nil {
		b, err = st.flow.sec.out.encryptRTCP(nil, b)
	}
	if err == nil {
		_, err = s.rtcpConn.WriteToUDPAddrPort(b, dst)
	}
	if err != nil {
		s.log.Debug("media: sending RTCP report", "err", err)
	}
}

func (s *Session) sendBye(st *loopState) {
	if st.flow == nil {
		return
	}
	dst, ok := s.rtcpDest(st.flow)
	if !ok {
		return
	}
	b, err := rtp.Bye(s.sender, s.cname)
	if err == nil && st.flow.sec != nil {
		b, err = st.flow.sec.out.encryptRTCP(nil, b)
	}
	if err == nil {
		_, err = s.rtcpConn.WriteToUDPAddrPort(b, dst)
	}
	if err != nil {
		s.log.Debug("media: sending RTCP BYE", "err", err)
	}
}
