package media

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
	_ "github.com/ringdesk/ringdesk/media/codec/opus" // registers "opus"
	"github.com/ringdesk/ringdesk/media/rtp"
	"github.com/ringdesk/ringdesk/media/sdp"
)

// Errors a caller may test with errors.Is.
var (
	// ErrNotAcceptable means no audio stream with a common codec could be
	// agreed (the SIP engine answers 488 Not Acceptable Here).
	ErrNotAcceptable = sdp.ErrNotAcceptable
	// ErrDTMFNotNegotiated means the far end did not accept
	// telephone-event, so DTMF must go another way (SIP INFO).
	ErrDTMFNotNegotiated = errors.New("media: the far end did not negotiate RFC 4733 telephone-event")
	// ErrNotNegotiated means Start or SendDTMF came before an offer/answer
	// exchange completed.
	ErrNotNegotiated = errors.New("media: offer/answer not completed")
	// ErrClosed means the session was closed.
	ErrClosed = errors.New("media: session closed")
)

const (
	// clockRate is the rate of the session's PCM (Source, Sink, codecs'
	// PCM side); RTP timestamps count the negotiated codec's clock
	// (flow.clock: 8000 for G.711, 48000 for Opus).
	clockRate = 8000
	frameDur  = 20 * time.Millisecond
	frameLen  = clockRate / 50
	ptime     = 20
	// eventPT is the payload type of the telephone-event/8000 we offer;
	// eventPT48 that of telephone-event/48000 (next to Opus).
	eventPT   = 101
	eventPT48 = 110
	eventFmtp = "0-16"
	// firstDynamicPT is the payload type of the first codec without a
	// static one (Opus), the next ones counting up.
	firstDynamicPT = 111
	dtmfQueue      = 32
	dtmfInQueue    = 32
)

// Session is the media of one call. Its methods are safe for concurrent
// use.
type Session struct {
	log       *slog.Logger
	localIP   netip.Addr
	prefs     []codec.Codec
	symmetric bool
	srtpMode  SRTPMode
	source    Source
	sink      Sink
	rtpConn   *net.UDPConn
	rtcpConn  *net.UDPConn
	cname     string
	sender    *rtp.Sender // owned by the media loop once started
	rtcConfig *WebRTCConfig
	onLost    func(error)

	mu        sync.Mutex // guards the fields down to the blank line
	sessionID uint64
	version   uint64
	lastSDP   string // our last description with a zero o= version
	localDir  Direction
	remoteDir Direction
	offered   []sdp.Format      // formats of our pending offer, nil when none
	offeredC  *sdp.Crypto       // the key of our pending offer, nil when none
	neg       *negotiation      // nil before the first completed exchange
	keys      map[string][]byte // our SRTP master key and salt per suite
	srtpOut   *srtpContext      // kept across renegotiations with the same key
	srtpIn    *srtpContext
	sec       *secure // the current negotiation's SRTP, nil for plain RTP
	started   bool
	closed    bool
	closedAt  time.Time // when Close was called: the media loop plays up to it
	// rtc is the WebRTC connection once an offer or answer chose the
	// WebRTC profile (nil for plain RTP); rtcOffered says our pending
	// offer is a WebRTC one.
	rtc        *rtcPeer
	rtcOffered bool
	// rtcOut is rtc for the media loop, which sends without s.mu.
	rtcOut atomic.Pointer[rtcPeer]

	flow        atomic.Pointer[flow]
	muted       atomic.Bool
	latched     atomic.Pointer[netip.AddrPort] // symmetric RTP: where RTP comes from
	latchedRTCP atomic.Pointer[netip.AddrPort]

	rx rxState

	sentPackets, sentBytes atomic.Uint64

	dtmfOut  chan dtmfRequest
	dtmfIn   chan rune
	done     chan struct{}
	loopDone chan struct{}
	readers  sync.WaitGroup
}

// negotiation is the outcome of the last completed offer/answer.
type negotiation struct {
	codec   codec.Codec
	sendPT  uint8
	sendEvt int // telephone-event payload type we send, -1 for none
	recv    []sdp.Format
	recvEvt int // telephone-event payload type we receive, -1 for none
	remote  *sdp.Media
	// local and remoteKey are the SDES keys of each direction, both nil
	// for plain RTP.
	local, remoteKey *sdp.Crypto
}

// flow is what the goroutines need of the negotiation and directions,
// published as one immutable value.
type flow struct {
	codec      codec.Codec
	clock      int // the codec's RTP clock rate
	ticks      int // RTP timestamp units per 20 ms frame (160 or 960)
	sendPT     uint8
	sendEvt    int
	recvPT     map[uint8]codec.Codec
	recvEvt    int
	remote     netip.AddrPort
	remoteRTCP netip.AddrPort
	send, play bool
	sec        *secure // nil for plain RTP
}

type dtmfRequest struct {
	code     uint8
	duration time.Duration
}

// NewSession binds the RTP and RTCP sockets and returns a session ready for
// Offer or Answer.
func NewSession(cfg Config) (*Session, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ip, err := cfg.localIP()
	if err != nil {
		return nil, err
	}
	rtpConn, rtcpConn, err := bindPair(ip, cfg.PortMin, cfg.PortMax)
	if err != nil {
		return nil, err
	}
	s := &Session{
		log:       log.With("rtp", rtpConn.LocalAddr().String()),
		localIP:   ip,
		prefs:     cfg.codecs(log),
		symmetric: cfg.SymmetricRTP,
		srtpMode:  cfg.SRTP,
		source:    cfg.Source,
		sink:      cfg.Sink,
		rtpConn:   rtpConn,
		rtcpConn:  rtcpConn,
		cname:     fmt.Sprintf("%016x@ringdesk", rand.Uint64()),
		sender:    rtp.NewSender(),
		rtcConfig: cfg.WebRTC,
		onLost:    cfg.OnConnectionLost,
		sessionID: rand.Uint64() >> 2,
		version:   1,
		dtmfOut:   make(chan dtmfRequest, dtmfQueue),
		dtmfIn:    make(chan rune, dtmfInQueue),
		done:      make(chan struct{}),
		loopDone:  make(chan struct{}),
	}
	if s.sink == nil {
		s.sink = NullSink
	}
	s.rx.init()
	return s, nil
}

// LocalAddr returns the RTP socket's address.
func (s *Session) LocalAddr() *net.UDPAddr {
	return s.rtpConn.LocalAddr().(*net.UDPAddr)
}

func (s *Session) rtcpPort() int { return s.rtcpConn.LocalAddr().(*net.UDPAddr).Port }

// supported lists our codecs with their payload types: the static one, or
// from firstDynamicPT up for codecs without (Opus: 111).
func (s *Session) supported() []sdp.Format {
	out := make([]sdp.Format, 0, len(s.prefs))
	dyn := firstDynamicPT
	for _, c := range s.prefs {
		pt := c.Info().StaticPayloadType
		if pt < 0 {
			pt, dyn = dyn, dyn+1
		}
		out = append(out, format(c, uint8(pt)))
	}
	return out
}

func format(c codec.Codec, pt uint8) sdp.Format {
	i := c.Info()
	return sdp.Format{PayloadType: pt, Name: i.EncodingName, ClockRate: i.ClockRate, Channels: i.Channels, Fmtp: codec.Fmtp(c)}
}

func eventFormat(pt uint8, clock int) sdp.Format {
	return sdp.Format{PayloadType: pt, Name: sdp.TelephoneEvent, ClockRate: clock, Fmtp: eventFmtp}
}

// eventFormats are the telephone-events we offer with formats: one at
// each codec clock rate, in the order the codecs come (RFC 4733 §2.1:
// events count the audio codec's clock).
func eventFormats(formats []sdp.Format) []sdp.Format {
	var out []sdp.Format
	seen := map[int]bool{}
	for _, f := range formats {
		if seen[f.ClockRate] {
			continue
		}
		seen[f.ClockRate] = true
		pt := uint8(eventPT)
		switch f.ClockRate {
		case clockRate:
		case 48000:
			pt = eventPT48
		default:
			continue // no codec of ours has another clock
		}
		out = append(out, eventFormat(pt, f.ClockRate))
	}
	return out
}

// describe writes our SDP; the o= version goes up by one whenever the
// description differs from the last one we wrote (RFC 3264 §8). Callers
// hold s.mu.
func (s *Session) describe(formats []sdp.Format, dir Direction, offer *sdp.Description, proto string, key *sdp.Crypto) ([]byte, error) {
	l := sdp.Local{Username: "ringdesk", SessionID: s.sessionID, Addr: s.localIP, Port: s.LocalAddr().Port, RTCPPort: s.rtcpPort(),
		Formats: formats, Direction: dir, Ptime: ptime, Proto: proto, Crypto: key}
	write := func() ([]byte, error) {
		if offer != nil {
			return sdp.Answer(offer, l)
		}
		return sdp.Offer(l)
	}
	probe, err := write()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if key := string(probe); key != s.lastSDP {
		if s.lastSDP != "" {
			s.version++
		}
		s.lastSDP = key
	}
	l.Version = s.version
	body, err := write()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return body, nil
}

// sameFamily refuses a far end we cannot reach from our socket: an IPv6
// address for an IPv4 session or the reverse.
func (s *Session) sameFamily(m *sdp.Media) error {
	if m.Addr.Is4() != s.localIP.Is4() {
		return fmt.Errorf("%w: the far end's audio address %s is not reachable from our %s socket", ErrNotAcceptable, m.Addr, s.localIP)
	}
	return nil
}

// Offer returns an SDP offer with our codecs in preference order (the
// negotiated one first on a re-offer), telephone-event and our current
// direction. A re-offer that changes anything carries the next o= version.
// The SRTP policy (Config.SRTP) sets the profile and key: off offers
// RTP/AVP, optional RTP/AVP with a=crypto (best effort), required
// RTP/SAVP with a=crypto; the key is the session's own, the same in every
// re-offer. With Config.WebRTC, or on a call already in the WebRTC
// profile, the offer is WebRTC's instead (ICE, DTLS-SRTP; see
// WebRTCConfig).
func (s *Session) Offer() ([]byte, error) {
	s.mu.Lock()
	// A WS account that answered a plain offer re-offers plain RTP.
	webRTC := s.rtc != nil || (s.rtcConfig != nil && s.neg == nil)
	s.mu.Unlock()
	if webRTC {
		return s.offerWebRTC()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	formats := s.supported()
	if s.neg != nil {
		for i, f := range formats {
			if f.Name == s.neg.codec.Info().EncodingName {
				formats = append(append([]sdp.Format{f}, formats[:i]...), formats[i+1:]...)
				break
			}
		}
	}
	formats = append(formats, eventFormats(formats)...)
	proto, key := "RTP/AVP", (*sdp.Crypto)(nil)
	if s.srtpMode != SRTPOff {
		k, err := s.localKey(offeredSuite)
		if err != nil {
			return nil, err
		}
		key = &sdp.Crypto{Tag: 1, Suite: offeredSuite, Key: k}
		if s.srtpMode == SRTPRequired {
			proto = "RTP/SAVP"
		}
	}
	body, err := s.describe(formats, s.localDir, nil, proto, key)
	if err != nil {
		return nil, err
	}
	s.offered, s.offeredC = formats, key
	return body, nil
}

// Answer answers an offer (first or re-offer): it takes the first codec in
// the offer's order that we support, keeps the offer's payload types,
// accepts telephone-event if offered, and answers with our direction
// narrowed by the offer's (a sendonly, inactive or c=0.0.0.0 offer is the
// far end holding us). With no usable audio stream or no common codec it
// returns an error wrapping ErrNotAcceptable and changes nothing.
//
// The SRTP policy (Config.SRTP) picks the stream and its key: off answers
// plain RTP (and refuses an RTP/SAVP-only offer with ErrSRTPOff), optional
// takes the offer's key when it has one, required refuses an offer
// without one with ErrSRTPRequired. With a key, the answer carries the
// offer's tag and suite with our own key.
func (s *Session) Answer(offer []byte) ([]byte, error) {
	if sdp.IsWebRTC(offer) {
		return s.answerWebRTC(offer)
	}
	d, err := sdp.Parse(offer)
	if err != nil {
		return nil, fmt.Errorf("media: reading the offer: %w", err)
	}
	m, theirs, err := d.Select(s.srtpMode)
	if err == nil {
		err = s.sameFamily(m)
	}
	if err != nil {
		return nil, fmt.Errorf("media: answering the offer: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.rtc != nil {
		return nil, fmt.Errorf("%w: the call's audio is WebRTC, and this offer is plain %s", ErrNotAcceptable, m.Proto)
	}
	chosen, ev, hasEv, err := sdp.Choose(m, s.supported())
	if err != nil {
		return nil, fmt.Errorf("media: answering the offer: %w", err)
	}
	proto, ours := "RTP/AVP", (*sdp.Crypto)(nil)
	if theirs != nil {
		k, err := s.localKey(theirs.Suite)
		if err != nil {
			return nil, err
		}
		ours = &sdp.Crypto{Tag: theirs.Tag, Suite: theirs.Suite, Key: k}
		if m.Secure {
			proto = m.Proto
		}
	}
	n := &negotiation{sendPT: chosen.PayloadType, sendEvt: -1, recvEvt: -1, remote: m, local: ours, remoteKey: theirs}
	n.codec, _ = codec.ByName(chosen.Name)
	chosen.Fmtp = codec.Fmtp(n.codec) // our parameters, not the offer's
	formats := []sdp.Format{chosen}
	if hasEv {
		formats = append(formats, eventFormat(ev.PayloadType, ev.ClockRate))
		n.sendEvt, n.recvEvt = int(ev.PayloadType), int(ev.PayloadType)
	}
	n.recv = formats[:1]
	sec, err := s.secureLocked(n)
	if err != nil {
		return nil, err
	}
	body, err := s.describe(formats, sdp.AnswerDirection(s.localDir, m.Effective()), d, proto, ours)
	if err != nil {
		return nil, err
	}
	s.offered, s.offeredC = nil, nil
	s.applyLocked(n, sec)
	return body, nil
}

// SetAnswer applies the far end's answer to our pending offer. It returns
// an error wrapping ErrNotAcceptable when the answer rejects the audio
// stream or picks no codec we offered; the previous negotiation then stays.
func (s *Session) SetAnswer(answer []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.rtcOffered {
		return s.setAnswerWebRTCLocked(answer)
	}
	d, err := sdp.Parse(answer)
	if err != nil {
		return fmt.Errorf("media: reading the answer: %w", err)
	}
	offered, offeredC := s.offered, s.offeredC
	if offered == nil {
		return errors.New("media: SetAnswer without a pending offer")
	}
	s.offered, s.offeredC = nil, nil
	m, theirs, err := d.Select(SRTPOptional)
	if err == nil {
		err = s.sameFamily(m)
	}
	if err == nil {
		theirs, err = s.answerKey(m, offeredC)
	}
	if err != nil {
		return fmt.Errorf("media: the far end's answer: %w", err)
	}
	var ours, events []sdp.Format
	for _, f := range offered {
		if strings.EqualFold(f.Name, sdp.TelephoneEvent) {
			events = append(events, f)
		} else {
			ours = append(ours, f)
		}
	}
	chosen, ev, hasEv, err := sdp.Choose(m, ours)
	if err != nil {
		return fmt.Errorf("media: the far end's answer: %w", err)
	}
	n := &negotiation{sendPT: chosen.PayloadType, sendEvt: -1, recvEvt: -1, recv: ours, remote: m}
	n.codec, _ = codec.ByName(chosen.Name)
	if hasEv {
		for _, e := range events {
			if e.ClockRate == chosen.ClockRate {
				n.sendEvt, n.recvEvt = int(ev.PayloadType), int(e.PayloadType)
			}
		}
	}
	if theirs != nil {
		n.local, n.remoteKey = offeredC, theirs
	}
	sec, err := s.secureLocked(n)
	if err != nil {
		return err
	}
	s.applyLocked(n, sec)
	return nil
}

// answerKey checks the key of the far end's answer against our offer's:
// it returns the far end's key for SRTP, nil for plain RTP, or an error
// when the answer does not fit our policy.
func (s *Session) answerKey(m *sdp.Media, offered *sdp.Crypto) (*sdp.Crypto, error) {
	if offered == nil {
		if m.Secure {
			return nil, ErrSRTPOff
		}
		return nil, nil // keys in a plain answer to a plain offer mean nothing
	}
	for i := range m.Crypto {
		if c := &m.Crypto[i]; c.Tag == offered.Tag && c.Suite == offered.Suite {
			return c, nil
		}
	}
	if len(m.Crypto) > 0 {
		return nil, fmt.Errorf("%w: the answer's a=crypto does not match the tag and suite we offered (%d %s)", ErrNotAcceptable, offered.Tag, offered.Suite)
	}
	if s.srtpMode == SRTPRequired || m.Secure {
		return nil, ErrSRTPRequired
	}
	return nil, nil // best effort: the far end answered plain RTP
}

// secureLocked returns the SRTP contexts of n (nil for plain RTP), reusing
// the current ones when the keys did not change. Callers hold s.mu.
func (s *Session) secureLocked(n *negotiation) (*secure, error) {
	if n.local == nil || n.remoteKey == nil {
		return nil, nil
	}
	out, in := s.srtpOut, s.srtpIn
	var err error
	if !out.same(n.local) {
		if out, err = newSRTPContext(n.local, false); err != nil {
			return nil, err
		}
	}
	if !in.same(n.remoteKey) {
		if in, err = newSRTPContext(n.remoteKey, true); err != nil {
			return nil, err
		}
	}
	return &secure{suite: n.remoteKey.Suite, out: out, in: in}, nil
}

// applyLocked makes n the current negotiation, with sec its SRTP.
func (s *Session) applyLocked(n *negotiation, sec *secure) {
	old, oldSec := s.neg, s.sec
	s.neg, s.sec = n, sec
	if sec != nil {
		s.srtpOut, s.srtpIn = sec.out, sec.in
	}
	if (old == nil || (oldSec == nil) != (sec == nil)) && s.srtpMode != SRTPOff {
		if sec != nil {
			s.log.Info("media: audio is encrypted (SDES-SRTP)", "suite", sec.suite)
		} else {
			s.log.Info("media: audio is not encrypted: the far end has no SRTP keys", "srtp", s.srtpMode.String())
		}
	}
	s.remoteDir = n.remote.Effective()
	if old == nil || old.codec != n.codec {
		s.log.Info("media: codec negotiated", "codec", n.codec.Info().Name, "remote", netip.AddrPortFrom(n.remote.Addr, uint16(n.remote.Port)).String())
	}
	if old != nil && (old.remote.Addr != n.remote.Addr || old.remote.Port != n.remote.Port) {
		s.latched.Store(nil)
		s.latchedRTCP.Store(nil)
	}
	s.publishLocked()
}

// publishLocked recomputes the flow from the negotiation and directions.
func (s *Session) publishLocked() {
	n := s.neg
	if n == nil {
		return
	}
	clock := n.codec.Info().ClockRate
	f := &flow{
		codec:      n.codec,
		clock:      clock,
		ticks:      frameLen * clock / codec.PCMRate(n.codec),
		sendPT:     n.sendPT,
		sendEvt:    n.sendEvt,
		recvPT:     map[uint8]codec.Codec{},
		recvEvt:    n.recvEvt,
		remote:     netip.AddrPortFrom(n.remote.Addr, uint16(n.remote.Port)),
		remoteRTCP: netip.AddrPortFrom(n.remote.RTCPAddr, uint16(n.remote.RTCPPort)),
		sec:        s.sec,
	}
	for _, r := range n.recv {
		// One jitter buffer plays one clock: the negotiated codec's.
		if c, ok := codec.ByName(r.Name); ok && r.ClockRate == c.Info().ClockRate && r.ClockRate == clock && codec.PCMRate(c) == codec.PCMRate(n.codec) {
			f.recvPT[r.PayloadType] = c
		}
	}
	reachable := n.remote.Port > 0 && !n.remote.Addr.IsUnspecified()
	f.send = s.localDir.Sends() && s.remoteDir.Receives() && reachable
	f.play = s.localDir.Receives() && s.remoteDir.Sends()
	old := s.flow.Swap(f)
	s.rx.setFlow(old, f)
	if old == nil || old.send != f.send || old.play != f.play {
		s.log.Debug("media: direction", "local", s.localDir.String(), "remote", s.remoteDir.String(), "sending", f.send, "playing", f.play)
	}
}

// SetDirection sets our direction for the next Offer or Answer: SendOnly
// holds the call, Inactive holds a call the far end already holds, SendRecv
// resumes. It takes effect on the media at once: with SendOnly or Inactive
// we stop playing what arrives, with RecvOnly or Inactive we stop sending.
func (s *Session) SetDirection(d Direction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.localDir = d
	s.publishLocked()
}

// LocalDirection returns the direction set by SetDirection (SendRecv by
// default).
func (s *Session) LocalDirection() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localDir
}

// RemoteDirection returns the far end's direction from its last SDP:
// SendOnly or Inactive mean it holds the call. An offer or answer with
// c=0.0.0.0 counts as not receiving. SendRecv before any negotiation.
func (s *Session) RemoteDirection() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteDir
}

// RemoteHold reports whether the far end holds the call: its last SDP was
// sendonly or inactive, or had c=0.0.0.0.
func (s *Session) RemoteHold() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.neg != nil && !s.remoteDir.Receives()
}

// Codec returns the negotiated codec's name ("pcmu"), "" before
// negotiation.
func (s *Session) Codec() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.neg == nil {
		return ""
	}
	return s.neg.codec.Info().Name
}

// SetMuted makes the session send silence instead of the Source (RTP keeps
// flowing, so the far end's NAT and media timeout stay happy).
func (s *Session) SetMuted(muted bool) { s.muted.Store(muted) }

// SendDTMF queues one key (0-9, *, #, A-D, or ! for flash) to send as RFC
// 4733 telephone events lasting duration (100 ms when zero or less; 40 ms
// to 5 s). Keys go out in order, 40 ms apart, in place of audio. It fails
// with ErrDTMFNotNegotiated when the far end did not accept telephone-event
// and when the call is held (no media goes out).
func (s *Session) SendDTMF(digit rune, duration time.Duration) error {
	code, err := rtp.EventCode(digit)
	if err != nil {
		return fmt.Errorf("media: sending DTMF: %w", err)
	}
	f := s.flow.Load()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case f == nil:
		return fmt.Errorf("media: sending DTMF %q: %w", digit, ErrNotNegotiated)
	case f.sendEvt < 0:
		return fmt.Errorf("media: sending DTMF %q: %w", digit, ErrDTMFNotNegotiated)
	case !f.send:
		return fmt.Errorf("media: sending DTMF %q: the call is on hold, no audio goes out", digit)
	}
	if duration <= 0 {
		duration = 100 * time.Millisecond
	}
	duration = min(max(duration, 40*time.Millisecond), 5*time.Second)
	select {
	case s.dtmfOut <- dtmfRequest{code: code, duration: duration}:
		return nil
	default:
		return fmt.Errorf("media: sending DTMF %q: %d keys already waiting", digit, dtmfQueue)
	}
}

// DTMF returns the keys received as RFC 4733 events, one per event. The
// session never waits for the reader: keys that find the channel full are
// dropped (and logged). The channel is closed by Close.
func (s *Session) DTMF() <-chan rune { return s.dtmfIn }

// Close stops the media, sends an RTCP BYE, closes the sockets and the
// Source and Sink (when they are io.Closers). No goroutine of the session
// outlives it. Closing twice is harmless.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closedAt = time.Now()
	started := s.started
	s.mu.Unlock()
	close(s.done)
	if started {
		<-s.loopDone
	}
	errs := []error{s.rtpConn.Close(), s.rtcpConn.Close()}
	s.mu.Lock()
	rtc := s.rtc
	s.mu.Unlock()
	if rtc != nil {
		errs = append(errs, rtc.close())
	}
	s.readers.Wait()
	s.rx.mu.Lock()
	closeDecoders(s.rx.decs)
	s.rx.decs = nil
	s.rx.jb.SetDecoders(nil)
	s.rx.mu.Unlock()
	if c, ok := s.source.(io.Closer); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("media: closing the audio source: %w", err))
		}
	}
	if c, ok := s.sink.(io.Closer); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("media: closing the audio sink: %w", err))
		}
	}
	close(s.dtmfIn)
	return errors.Join(errs...)
}
