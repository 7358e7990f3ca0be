package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/sdp"
)

// WebRTCConfig sets up the WebRTC profile of a session (WS and WSS
// accounts, the PBX's WebRTC entrance): ICE, DTLS-SRTP, rtcp-mux and
// BUNDLE through pion/webrtc.
type WebRTCConfig struct {
	// ICEServers are the STUN and TURN servers candidates are gathered
	// from; none means host candidates only.
	ICEServers []ICEServer
	// GatherTimeout bounds the wait for ICE candidates before an offer or
	// answer is sent (SIP carries no trickled candidates): after it, the
	// description goes with the candidates found so far. Zero means 3 s.
	GatherTimeout time.Duration
	// LostAfter is how long the far end may stay unreachable (no answer
	// to ICE checks) before the connection counts as lost; zero means
	// 30 s. See Config.OnConnectionLost.
	LostAfter time.Duration
}

// ICEServer is one STUN or TURN server.
type ICEServer struct {
	// URLs are stun:, stuns:, turn: or turns: URLs of one server.
	URLs []string
	// Username and Credential authenticate to a TURN server.
	Username, Credential string
}

// defaultLostAfter is WebRTCConfig.LostAfter's default: pion's own (5 s
// to disconnected, 25 more to failed).
const defaultLostAfter = 30 * time.Second

// ErrConnectionLost says the call's media connection failed for good: the
// far end stopped answering ICE checks (its network went away, or it did
// without hanging up).
var ErrConnectionLost = errors.New("the call's audio connection was lost: the far end stopped answering")

// defaultGatherTimeout is WebRTCConfig.GatherTimeout's default: long
// enough for a STUN answer from a server across the Internet, short
// enough that a dead one does not hold up the call for long.
const defaultGatherTimeout = 3 * time.Second

// The WebRTC profile's payload types: the ones browsers use, so that our
// offers look like theirs.
const (
	rtcOpusPT    = 111
	rtcEvent48PT = 110
	rtcEvent8PT  = 126
)

// ErrWebRTC wraps failures of the WebRTC stack (ICE, DTLS) to set up a
// call's media.
var ErrWebRTC = errors.New("WebRTC media failed")

// rtcPeer is the WebRTC side of a Session: a pion PeerConnection with one
// audio transceiver whose sending track is written by the media loop and
// whose received packets go to the session's jitter buffer.
type rtcPeer struct {
	log     *slog.Logger
	pc      *webrtc.PeerConnection
	track   *rtcTrack
	gather  time.Duration
	readers sync.WaitGroup

	mu     sync.Mutex // guards closed and readers.Add
	closed bool

	// pendingLocal is our first offer, until its answer comes, and est
	// the connection once its first exchange completed; both guarded by
	// the session's mutex.
	pendingLocal string
	est          *established
}

// newRTCPeer creates the PeerConnection. With a loopback local IP (tests
// and machines without a network) it gathers loopback candidates only
// and sends no multicast DNS; otherwise it gathers on every interface.
func newRTCPeer(localIP netip.Addr, cfg WebRTCConfig, prefs []codec.Codec, log *slog.Logger, lost func(error)) (*rtcPeer, error) {
	m := &webrtc.MediaEngine{}
	seenClock := map[int]bool{}
	for _, c := range prefs {
		i := c.Info()
		pt := i.StaticPayloadType
		if pt < 0 {
			if !strings.EqualFold(i.EncodingName, "opus") {
				continue // no dynamic codec but Opus in the WebRTC profile
			}
			pt = rtcOpusPT
		}
		p := webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/" + i.EncodingName, ClockRate: uint32(i.ClockRate), Channels: uint16(i.Channels), SDPFmtpLine: codec.Fmtp(c)},
			PayloadType:        webrtc.PayloadType(pt),
		}
		if err := m.RegisterCodec(p, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("media: WebRTC codec %s: %w", i.Name, err)
		}
		seenClock[i.ClockRate] = true
	}
	for _, ev := range []struct {
		clock int
		pt    webrtc.PayloadType
	}{{48000, rtcEvent48PT}, {8000, rtcEvent8PT}} {
		if !seenClock[ev.clock] {
			continue
		}
		p := webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: uint32(ev.clock), SDPFmtpLine: eventFmtp},
			PayloadType:        ev.pt,
		}
		if err := m.RegisterCodec(p, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("media: WebRTC telephone-event: %w", err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, fmt.Errorf("media: WebRTC interceptors: %w", err)
	}
	var se webrtc.SettingEngine
	lostAfter := cfg.LostAfter
	if lostAfter <= 0 {
		lostAfter = defaultLostAfter
	}
	se.SetICETimeouts(min(5*time.Second, lostAfter/5), lostAfter, min(2*time.Second, lostAfter/10))
	if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return nil, fmt.Errorf("media: WebRTC DTLS role: %w", err)
	}
	if localIP.IsLoopback() {
		want := net.IP(localIP.AsSlice())
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(want) })
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
		if localIP.Is4() {
			se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		} else {
			se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP6})
		}
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	conf := webrtc.Configuration{BundlePolicy: webrtc.BundlePolicyMaxBundle, RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire}
	for _, s := range cfg.ICEServers {
		conf.ICEServers = append(conf.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	pc, err := api.NewPeerConnection(conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWebRTC, err)
	}
	r := &rtcPeer{log: log, pc: pc, track: &rtcTrack{}, gather: cfg.GatherTimeout}
	if r.gather <= 0 {
		r.gather = defaultGatherTimeout
	}
	var lostOnce sync.Once
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		if st != webrtc.ICEConnectionStateFailed {
			log.Info("media: WebRTC connection", "ice", st.String())
			return
		}
		log.Warn("media: WebRTC connection failed: the far end stopped answering ICE checks", "after", lostAfter)
		if lost != nil {
			lostOnce.Do(func() { go lost(ErrConnectionLost) })
		}
	})
	return r, nil
}

// start makes received audio go to handle, from now on (pion calls
// OnTrack when the far end's first packet arrives).
func (r *rtcPeer) start(handle func(b []byte, from netip.AddrPort)) {
	r.pc.OnTrack(func(t *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return
		}
		r.readers.Add(1)
		r.mu.Unlock()
		defer r.readers.Done()
		from := r.remoteAddr()
		r.log.Info("media: WebRTC audio arriving", "codec", t.Codec().MimeType, "ssrc", uint32(t.SSRC()), "from", from.String())
		buf := make([]byte, maxPacket)
		for {
			n, _, err := t.Read(buf)
			if err != nil {
				// A payload type pion did not negotiate (comfort noise,
				// or one a re-offer changed: pion keeps its first list)
				// still reaches handleRTP, which counts and drops it.
				if n > 0 && errors.Is(err, webrtc.ErrCodecNotFound) {
					handle(buf[:n], from)
					continue
				}
				return
			}
			handle(buf[:n], from)
		}
	})
}

// remoteAddr is the far end's address in the selected candidate pair.
func (r *rtcPeer) remoteAddr() netip.AddrPort {
	sctp := r.pc.SCTP()
	if sctp == nil {
		return netip.AddrPort{}
	}
	pair, err := sctp.Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Remote == nil {
		return netip.AddrPort{}
	}
	a, err := netip.ParseAddr(pair.Remote.Address)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a.Unmap(), pair.Remote.Port)
}

// ensureTrack adds our sending track once (to the transceiver a remote
// offer made, or to a new one for our own offer), and starts draining the
// RTCP the far end sends about it, which the interceptors need to read.
func (r *rtcPeer) ensureTrack() error {
	if r.track.added {
		return nil
	}
	sender, err := r.pc.AddTrack(r.track)
	if err != nil {
		return fmt.Errorf("%w: adding the audio track: %w", ErrWebRTC, err)
	}
	r.track.added = true
	r.mu.Lock()
	r.readers.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.readers.Done()
		buf := make([]byte, maxPacket)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	}()
	return nil
}

// gathered sets desc as the local description and returns it with the
// candidates ICE found before the gathering completed or timed out.
func (r *rtcPeer) gathered(desc webrtc.SessionDescription) (string, error) {
	done := webrtc.GatheringCompletePromise(r.pc)
	if err := r.pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("%w: setting our description: %w", ErrWebRTC, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.gather)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Info("media: ICE gathering is slow: sending the candidates found so far", "after", r.gather)
	}
	l := r.pc.LocalDescription()
	if l == nil {
		return "", fmt.Errorf("%w: no local description", ErrWebRTC)
	}
	return l.SDP, nil
}

// offer makes an offer (first or re-offer).
func (r *rtcPeer) offer() (string, error) {
	if err := r.ensureTrack(); err != nil {
		return "", err
	}
	o, err := r.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: creating an offer: %w", ErrWebRTC, err)
	}
	return r.gathered(o)
}

// answer answers the far end's offer.
// pion is only shown sendrecv (a first offer may already hold the call):
// directions are the media loop's business, read from the far end's SDP.
func (r *rtcPeer) answer(offer string) (string, error) {
	if err := r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: withDirection(offer, SendRecv)}); err != nil {
		return "", fmt.Errorf("%w: reading the offer: %w", ErrWebRTC, err)
	}
	if err := r.ensureTrack(); err != nil {
		return "", err
	}
	a, err := r.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: creating the answer: %w", ErrWebRTC, err)
	}
	return r.gathered(a)
}

// setAnswer applies the far end's answer to our offer.
func (r *rtcPeer) setAnswer(answer string) error {
	if err := r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: withDirection(answer, SendRecv)}); err != nil {
		return fmt.Errorf("%w: reading the answer: %w", ErrWebRTC, err)
	}
	return nil
}

// write sends one RTP packet (plain; DTLS-SRTP encrypts it) on our track.
func (r *rtcPeer) write(pkt []byte) error { return r.track.write(pkt) }

// close closes the PeerConnection and waits for its readers.
func (r *rtcPeer) close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	err := r.pc.Close()
	r.readers.Wait()
	if err != nil {
		return fmt.Errorf("media: closing the WebRTC connection: %w", err)
	}
	return nil
}

// rtcTrack is our audio track: the media loop writes whole RTP packets
// (audio and telephone-event, with the payload types it negotiated) and
// the track gives them the SSRC pion signalled.
type rtcTrack struct {
	added bool // set by the one offer or answer running at a time

	mu   sync.Mutex
	out  webrtc.TrackLocalWriter
	ssrc uint32
}

// errTrackUnbound says the track has no connection to send on yet (or no
// more): no track bound, or DTLS not connected.
var errTrackUnbound = errors.New("the WebRTC audio track is not connected")

// Bind is called by pion when negotiation is complete.
func (t *rtcTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if !strings.EqualFold(c.MimeType, "audio/telephone-event") {
			t.mu.Lock()
			t.out, t.ssrc = ctx.WriteStream(), uint32(ctx.SSRC())
			t.mu.Unlock()
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is called by pion when the track stops.
func (t *rtcTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.out = nil
	t.mu.Unlock()
	return nil
}

// ID names the track.
func (t *rtcTrack) ID() string { return "audio" }

// RID is empty: no simulcast.
func (t *rtcTrack) RID() string { return "" }

// StreamID names the track's stream.
func (t *rtcTrack) StreamID() string { return "ringdesk" }

// Kind says the track is audio.
func (t *rtcTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

func (t *rtcTrack) write(pkt []byte) error {
	t.mu.Lock()
	out, ssrc := t.out, t.ssrc
	t.mu.Unlock()
	if out == nil {
		return errTrackUnbound
	}
	if len(pkt) < 12 {
		return errors.New("media: RTP packet too short")
	}
	binary.BigEndian.PutUint32(pkt[8:12], ssrc)
	n, err := out.Write(pkt)
	if err == nil && n == 0 {
		return errTrackUnbound // DTLS not connected yet: pion dropped it
	}
	return err
}

// webrtcNegotiation is the negotiation the far end's WebRTC description
// gives, read as Choose reads a plain one: the first of its formats we
// support (keeping its payload type) and its telephone-event at that
// clock. The addresses are placeholders: ICE, not SDP, says where the
// media goes.
func webrtcNegotiation(remote string, supported []sdp.Format, local netip.Addr) (*negotiation, error) {
	m, err := sdp.ParseWebRTC([]byte(remote))
	if err != nil {
		return nil, err
	}
	chosen, ev, hasEv, err := sdp.Choose(m, supported)
	if err != nil {
		return nil, err
	}
	n := &negotiation{sendPT: chosen.PayloadType, sendEvt: -1, recvEvt: -1}
	for _, f := range m.Formats {
		for _, ours := range supported {
			if ours.Same(f) {
				n.recv = append(n.recv, f)
				break
			}
		}
	}
	n.codec, _ = codec.ByName(chosen.Name)
	if hasEv {
		n.sendEvt, n.recvEvt = int(ev.PayloadType), int(ev.PayloadType)
	}
	rm := *m
	if rm.Port == 0 {
		return nil, fmt.Errorf("%w: the audio stream is disabled (port 0)", sdp.ErrNotAcceptable)
	}
	rm.Addr, rm.RTCPAddr, rm.RTCPPort = local, netip.Addr{}, 0
	n.remote = &rm
	return n, nil
}

// withDirection rewrites the direction attributes of the audio sections
// of a WebRTC description, and any at session level, to dir: pion keeps a
// transceiver that always sends and receives, while holding is our media
// loop's business and the SDP's.
func withDirection(desc string, dir Direction) string {
	lines := strings.SplitAfter(desc, "\n")
	audio := true // session level, until the first m= line
	for i, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(t, "m=") {
			audio = strings.HasPrefix(t, "m=audio ")
			continue
		}
		if !audio {
			continue
		}
		switch t {
		case "a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive":
			lines[i] = "a=" + dir.String() + l[len(t):]
		}
	}
	return strings.Join(lines, "")
}

// WebRTCSuite is what Stats.SRTP says of a WebRTC call: its keys come
// from the DTLS handshake (RFC 5764).
const WebRTCSuite = "DTLS-SRTP"

// newPeer makes a WebRTC connection whose received audio goes to the
// jitter buffer.
func (s *Session) newPeer() (*rtcPeer, error) {
	cfg := WebRTCConfig{}
	if s.rtcConfig != nil {
		cfg = *s.rtcConfig
	}
	r, err := newRTCPeer(s.localIP, cfg, s.prefs, s.log, s.onLost)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, maxPacket)
	var plainMu sync.Mutex // guards plain, should pion ever read two tracks at once
	r.start(func(b []byte, from netip.AddrPort) {
		plainMu.Lock()
		defer plainMu.Unlock()
		s.handleRTP(b, plain, from, time.Now())
	})
	return r, nil
}

// offerWebRTC makes a WebRTC offer with our direction. The first goes
// through pion, and s.mu is not held while ICE gathers (seconds with a
// distant STUN server: statistics and mute stay responsive). A re-offer
// (hold, resume, session refresh) keeps the connection: it is our last
// description with the new direction, so pion never sees it (see
// established). The engine runs one offer/answer exchange of a call at a
// time.
func (s *Session) offerWebRTC() ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if s.neg != nil && s.rtc == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: the call's audio is plain RTP; it cannot change to WebRTC", ErrNotAcceptable)
	}
	if r := s.rtc; r != nil && r.est != nil {
		desc := r.est.describe(s.localDir, "actpass")
		s.rtcOffered, s.offered = true, s.supported()
		s.mu.Unlock()
		return []byte(desc), nil
	}
	r := s.rtc
	if r == nil {
		var err error
		if r, err = s.newPeer(); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.rtc = r
		s.rtcOut.Store(r)
	}
	s.mu.Unlock()
	desc, err := r.offer()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.rtcOffered = true
	s.offered = s.supported()
	r.pendingLocal = desc
	return []byte(withDirection(desc, s.localDir)), nil
}

// answerWebRTC answers a WebRTC offer. The first goes through pion
// (without s.mu held while ICE gathers). A re-offer from the same far end
// (its ICE credentials and DTLS fingerprint unchanged: hold, resume,
// refresh) is answered from our established description; one from a new
// far end (a PBX that moved the call elsewhere) gets a new connection.
func (s *Session) answerWebRTC(offer []byte) ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if s.neg != nil && s.rtc == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: the call's audio is plain RTP; it cannot change to WebRTC", ErrNotAcceptable)
	}
	n, err := webrtcNegotiation(string(offer), s.supported(), s.localIP)
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("media: answering the WebRTC offer: %w", err)
	}
	old := s.rtc
	if old != nil && old.est != nil && old.est.remoteID == transportID(string(offer)) {
		desc := old.est.describe(sdp.AnswerDirection(s.localDir, n.remote.Effective()), "")
		s.offered, s.offeredC, s.rtcOffered = nil, nil, false
		s.applyLocked(n, nil)
		s.mu.Unlock()
		return []byte(desc), nil
	}
	s.mu.Unlock()
	r, err := s.newPeer()
	if err != nil {
		return nil, err
	}
	desc, err := r.answer(string(offer))
	if err != nil {
		_ = r.close()
		return nil, err
	}
	r.est = newEstablished(desc, string(offer), "active")
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = r.close()
		return nil, ErrClosed
	}
	s.rtc = r
	s.rtcOut.Store(r)
	s.offered, s.offeredC, s.rtcOffered = nil, nil, false
	s.applyLocked(n, nil)
	answer := withDirection(desc, sdp.AnswerDirection(s.localDir, n.remote.Effective()))
	s.mu.Unlock()
	if old != nil {
		s.log.Info("media: the far end's WebRTC transport changed: a new connection replaces the old one")
		if err := old.close(); err != nil {
			s.log.Debug("media: closing the old WebRTC connection", "err", err)
		}
	}
	return []byte(answer), nil
}

// setAnswerWebRTCLocked applies the far end's answer to our WebRTC offer.
// Callers hold s.mu.
func (s *Session) setAnswerWebRTCLocked(answer []byte) error {
	offered := s.offered
	s.offered, s.offeredC, s.rtcOffered = nil, nil, false
	n, err := webrtcNegotiation(string(answer), offered, s.localIP)
	if err != nil {
		return fmt.Errorf("media: the far end's WebRTC answer: %w", err)
	}
	r := s.rtc
	if r.est != nil {
		if id := transportID(string(answer)); id != r.est.remoteID {
			s.log.Warn("media: the far end answered our re-offer with new ICE credentials or a new DTLS certificate; keeping the connection as it is")
		}
	} else {
		if err := r.setAnswer(string(answer)); err != nil {
			return err
		}
		r.est = newEstablished(r.pendingLocal, string(answer), oppositeSetup(string(answer)))
	}
	s.applyLocked(n, nil)
	return nil
}

// established is a connection after its first offer/answer: what later
// exchanges of the call reuse. SIP re-INVITEs (hold, resume, session
// timers) change directions and nothing of the transport; pion, shown
// them, would stop a transceiver it sees inactive for good and cannot
// roll back a re-offer the far end refused (491), so they never reach it.
type established struct {
	local    string // our description as first sent, with sendrecv
	setup    string // our DTLS role: "active" or "passive"
	remoteID string // the far end's ICE ufrag and DTLS fingerprint
	version  uint64 // the o= version of our last description
}

func newEstablished(local, remote, setup string) *established {
	e := &established{local: local, setup: setup, remoteID: transportID(remote)}
	if f := strings.Fields(sdpLine(local, "o=")); len(f) >= 3 {
		e.version, _ = strconv.ParseUint(f[2], 10, 64)
	}
	return e
}

// describe returns our description with direction dir, DTLS setup setup
// ("" for our role) and the next o= version.
func (e *established) describe(dir Direction, setup string) string {
	if setup == "" {
		setup = e.setup
	}
	e.version++
	lines := strings.SplitAfter(withDirection(e.local, dir), "\n")
	for i, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		switch {
		case strings.HasPrefix(t, "o="):
			if f := strings.Fields(t); len(f) >= 3 {
				f[2] = strconv.FormatUint(e.version, 10)
				lines[i] = strings.Join(f, " ") + l[len(t):]
			}
		case strings.HasPrefix(t, "a=setup:"):
			lines[i] = "a=setup:" + setup + l[len(t):]
		}
	}
	return strings.Join(lines, "")
}

// transportID is what identifies the far end's transport in its
// description: its ICE ufrag and DTLS fingerprint.
func transportID(desc string) string {
	return sdpLine(desc, "a=ice-ufrag:") + " " + sdpLine(desc, "a=fingerprint:")
}

// sdpLine returns the rest of the first line of desc that starts with
// prefix, "" when none does.
func sdpLine(desc, prefix string) string {
	for l := range strings.Lines(desc) {
		if t := strings.TrimRight(l, "\r\n"); strings.HasPrefix(t, prefix) {
			return strings.TrimSpace(t[len(prefix):])
		}
	}
	return ""
}

// oppositeSetup is our DTLS role after an answer whose a=setup is the far
// end's: active makes us passive, and the reverse.
func oppositeSetup(answer string) string {
	if sdpLine(answer, "a=setup:") == "passive" {
		return "active"
	}
	return "passive"
}

// writeWebRTC sends one packet on the WebRTC track; before DTLS has
// connected (or after the connection ended) packets are dropped quietly.
func (s *Session) writeWebRTC(st *loopState, r *rtcPeer, pkt []byte) {
	if err := r.write(pkt); err != nil {
		if !errors.Is(err, errTrackUnbound) && !st.writeFailing {
			s.log.Warn("media: sending WebRTC audio failed", "err", err)
		}
		st.writeFailing = true
		return
	}
	st.writeFailing = false
	s.sentPackets.Add(1)
	s.sentBytes.Add(uint64(len(pkt) - 12))
}
