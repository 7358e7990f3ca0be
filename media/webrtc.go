package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
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
}

// ICEServer is one STUN or TURN server.
type ICEServer struct {
	// URLs are stun:, stuns:, turn: or turns: URLs of one server.
	URLs []string
	// Username and Credential authenticate to a TURN server.
	Username, Credential string
}

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
}

// newRTCPeer creates the PeerConnection. With a loopback local IP (tests
// and machines without a network) it gathers loopback candidates only
// and sends no multicast DNS; otherwise it gathers on every interface.
func newRTCPeer(localIP netip.Addr, cfg WebRTCConfig, prefs []codec.Codec, log *slog.Logger) (*rtcPeer, error) {
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
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		log.Info("media: WebRTC connection", "ice", st.String())
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
func (r *rtcPeer) answer(offer string) (string, error) {
	if err := r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
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
	if err := r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
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
// more).
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
	_, err := out.Write(pkt)
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

// withDirection rewrites the direction attribute of the audio section of
// a WebRTC description to dir: pion describes the transceiver, which
// always sends and receives, while holding is our media loop's business
// and the SDP's.
func withDirection(desc string, dir Direction) string {
	if dir == SendRecv {
		return desc
	}
	lines := strings.SplitAfter(desc, "\n")
	audio := false
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

// peerLocked returns the session's WebRTC connection, creating it (and
// routing its received audio to the jitter buffer) the first time.
// Callers hold s.mu.
func (s *Session) peerLocked() (*rtcPeer, error) {
	if s.rtc != nil {
		return s.rtc, nil
	}
	cfg := WebRTCConfig{}
	if s.rtcConfig != nil {
		cfg = *s.rtcConfig
	}
	r, err := newRTCPeer(s.localIP, cfg, s.prefs, s.log)
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
	s.rtc = r
	return r, nil
}

// offerWebRTC makes a WebRTC offer (first or re-offer) with our
// direction. s.mu is not held while ICE gathers, which may take seconds
// with a distant STUN server: statistics and mute stay responsive. The
// engine runs one offer/answer exchange of a call at a time.
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
	r, err := s.peerLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
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
	return []byte(withDirection(desc, s.localDir)), nil
}

// answerWebRTC answers a WebRTC offer (first or re-offer), without
// holding s.mu while ICE gathers.
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
	r, err := s.peerLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	desc, err := r.answer(string(offer))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.offered, s.offeredC, s.rtcOffered = nil, nil, false
	s.applyLocked(n, nil)
	return []byte(withDirection(desc, sdp.AnswerDirection(s.localDir, n.remote.Effective()))), nil
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
	if err := s.rtc.setAnswer(string(answer)); err != nil {
		return err
	}
	s.applyLocked(n, nil)
	return nil
}

// writeWebRTC sends one packet on the WebRTC track; before DTLS has
// connected (or after the connection ended) packets are dropped quietly.
func (s *Session) writeWebRTC(st *loopState, pkt []byte) {
	if err := s.rtc.write(pkt); err != nil {
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
