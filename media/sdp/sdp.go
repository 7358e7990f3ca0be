// Package sdp writes and reads the Session Description Protocol bodies of
// SIP calls with plain RTP audio (RFC 4566, RFC 3264 offer/answer).
//
// It parses with pion/sdp and is tolerant of what real phones send: session-
// or media-level c= lines, missing rtpmap for static payload types, extra
// streams (video, a second audio line), LF or CRLF line ends. It understands
// the first audio stream it can use and rejects the others with port 0, as
// RFC 3264 §6 requires.
package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	pionsdp "github.com/pion/sdp/v3"
)

// ErrNotAcceptable means the offer or answer has no audio stream with a codec
// both sides support (a SIP engine answers 488 Not Acceptable Here).
var ErrNotAcceptable = errors.New("no acceptable audio stream")

// TelephoneEvent is the encoding name of RFC 4733 DTMF events.
const TelephoneEvent = "telephone-event"

// Format is one payload format of a media line.
type Format struct {
	PayloadType uint8
	// Name is the encoding name as written in the rtpmap ("PCMU").
	Name      string
	ClockRate int
	Channels  int
	// Fmtp is the value of the a=fmtp line for this payload type, without
	// the payload type itself.
	Fmtp string
}

// String returns the format as an rtpmap value ("0 PCMU/8000").
func (f Format) String() string {
	s := fmt.Sprintf("%d %s/%d", f.PayloadType, f.Name, f.ClockRate)
	if f.Channels > 1 {
		s += "/" + strconv.Itoa(f.Channels)
	}
	return s
}

// Same reports whether f and o are the same codec (name and clock rate),
// whatever their payload types.
func (f Format) Same(o Format) bool {
	return strings.EqualFold(f.Name, o.Name) && f.ClockRate == o.ClockRate
}

// Media is one audio stream of a session description.
type Media struct {
	// Addr is the connection address (media level, else session level).
	Addr netip.Addr
	// Port is the RTP port; 0 means the stream is rejected or disabled.
	Port int
	// RTCPPort is the RTCP port: from a=rtcp (RFC 3605), else Port+1.
	RTCPPort int
	// RTCPAddr is the RTCP address when a=rtcp names one, else Addr.
	RTCPAddr netip.Addr
	// Proto is the transport protocol ("RTP/AVP").
	Proto string
	// Formats are the payload formats in the order of the m= line.
	Formats []Format
	// Direction is the direction attribute (media level, else session
	// level, else sendrecv).
	Direction Direction
	// Ptime is the a=ptime value in milliseconds, 0 when absent.
	Ptime int
	// Secure says the profile is SRTP (RTP/SAVP or RTP/SAVPF).
	Secure bool
	// Crypto are the stream's a=crypto lines we can use, in order (lines
	// with a suite or parameters we cannot use are left out).
	Crypto []Crypto
	// index is the stream's position among the m= lines.
	index int
}

// Hold reports whether the connection address is the unspecified address
// (c=IN IP4 0.0.0.0), the RFC 2543 way of putting a call on hold.
func (m *Media) Hold() bool { return m.Addr.IsUnspecified() }

// Effective is the direction the far end really wants: Direction, except
// that an unspecified connection address means it receives nothing.
func (m *Media) Effective() Direction {
	if m.Hold() {
		return DirectionOf(m.Direction.Sends(), false)
	}
	return m.Direction
}

// Event returns the telephone-event format at clockRate, if listed.
func (m *Media) Event(clockRate int) (Format, bool) {
	for _, f := range m.Formats {
		if strings.EqualFold(f.Name, TelephoneEvent) && f.ClockRate == clockRate {
			return f, true
		}
	}
	return Format{}, false
}

// stream is an m= line as written, kept to echo rejected streams.
type stream struct {
	media string
	proto string
	fmts  []string
}

// Description is a parsed session description.
type Description struct {
	// SessionID and Version are the o= line's session id and version.
	SessionID, Version uint64
	// Audio is the first audio stream usable with plain RTP, nil when
	// there is none; Select replaces it with the stream it chooses.
	Audio *Media
	// audioIndex is Audio's position among streams, -1 when nil.
	audioIndex int
	streams    []stream
	// audios are the audio streams we could parse, plain or SRTP, in
	// order.
	audios []*Media
	// why says why no audio stream is usable.
	why string
}

// usableProto reports whether a stream with this profile can carry our
// RTP audio: plain (RTP/AVPF is RTP/AVP with feedback we may ignore) or
// SDES-SRTP.
func usableProto(proto string) bool {
	return proto == "RTP/AVP" || proto == "RTP/AVPF" || secureProto(proto)
}

// Parse reads a session description. It fails only on bodies that are not
// SDP; a description without usable audio parses with Audio nil.
func Parse(body []byte) (*Description, error) {
	if len(body) == 0 {
		return nil, errors.New("empty session description")
	}
	var sd pionsdp.SessionDescription
	if err := sd.UnmarshalString(normalise(string(body))); err != nil {
		return nil, fmt.Errorf("malformed session description: %w", err)
	}
	d := &Description{SessionID: sd.Origin.SessionID, Version: sd.Origin.SessionVersion, audioIndex: -1}
	sessionAddr, sessionDir := netip.Addr{}, SendRecv
	if sd.ConnectionInformation != nil {
		sessionAddr = connAddr(sd.ConnectionInformation)
	}
	for _, a := range sd.Attributes {
		if dir, ok := ParseDirection(a.Key); ok {
			sessionDir = dir
		}
	}
	for i, md := range sd.MediaDescriptions {
		d.streams = append(d.streams, stream{media: md.MediaName.Media, proto: strings.Join(md.MediaName.Protos, "/"), fmts: md.MediaName.Formats})
		if md.MediaName.Media != "audio" {
			continue
		}
		m, why := parseMedia(md, sessionAddr, sessionDir)
		if m == nil {
			if d.why == "" {
				d.why = why
			}
			continue
		}
		m.index = i
		d.audios = append(d.audios, m)
		if d.Audio != nil {
			continue
		}
		if m.Secure {
			if d.why == "" {
				d.why = fmt.Sprintf("audio uses %s, which needs SRTP", m.Proto)
			}
			continue
		}
		d.Audio, d.audioIndex = m, i
	}
	if d.Audio == nil && d.why == "" {
		d.why = "no audio stream"
	}
	return d, nil
}

// normalise makes line ends CRLF-or-LF consistent and drops blank lines and
// trailing spaces, which some phones leave and pion refuses.
func normalise(s string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, "\r \t")
		if line == "" {
			continue
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.String()
}

func connAddr(c *pionsdp.ConnectionInformation) netip.Addr {
	if c.Address == nil {
		return netip.Addr{}
	}
	host, _, _ := strings.Cut(c.Address.Address, "/") // multicast TTL
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// parseMedia reads one audio m= section; it returns nil and a reason when
// the stream cannot carry our audio.
func parseMedia(md *pionsdp.MediaDescription, sessionAddr netip.Addr, sessionDir Direction) (*Media, string) {
	if proto := strings.Join(md.MediaName.Protos, "/"); !usableProto(proto) {
		return nil, fmt.Sprintf("audio uses %s, which needs WebRTC", proto)
	}
	return readMedia(md, sessionAddr, sessionDir)
}

// readMedia reads one audio m= section whatever its profile.
func readMedia(md *pionsdp.MediaDescription, sessionAddr netip.Addr, sessionDir Direction) (*Media, string) {
	m := &Media{Addr: sessionAddr, Port: md.MediaName.Port.Value, Proto: strings.Join(md.MediaName.Protos, "/"), Direction: sessionDir}
	m.Secure = secureProto(m.Proto)
	if md.ConnectionInformation != nil {
		m.Addr = connAddr(md.ConnectionInformation)
	}
	if !m.Addr.IsValid() {
		return nil, "audio stream has no usable connection address (c=)"
	}
	if m.Port < 0 || m.Port > 65535 {
		return nil, fmt.Sprintf("audio port %d is out of range", m.Port)
	}
	rtpmaps, fmtps := map[string]Format{}, map[string]string{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			if pt, f, ok := parseRtpmap(a.Value); ok {
				rtpmaps[pt] = f
			}
		case "fmtp":
			pt, v, _ := strings.Cut(a.Value, " ")
			fmtps[pt] = strings.TrimSpace(v)
		case "ptime":
			if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n > 0 && n <= 1000 {
				m.Ptime = n
			}
		case "rtcp":
			m.RTCPPort, m.RTCPAddr = parseRTCP(a.Value)
		case "crypto":
			if c, err := ParseCrypto(a.Value); err == nil {
				m.Crypto = append(m.Crypto, c)
			}
		default:
			if dir, ok := ParseDirection(a.Key); ok {
				m.Direction = dir
			}
		}
	}
	for _, s := range md.MediaName.Formats {
		n, err := strconv.ParseUint(s, 10, 7)
		if err != nil {
			continue
		}
		f, ok := rtpmaps[s]
		if !ok {
			if f, ok = staticFormats[uint8(n)]; !ok {
				continue
			}
		}
		f.PayloadType, f.Fmtp = uint8(n), fmtps[s]
		m.Formats = append(m.Formats, f)
	}
	if m.RTCPPort == 0 && m.Port > 0 {
		m.RTCPPort = m.Port + 1
	}
	if !m.RTCPAddr.IsValid() {
		m.RTCPAddr = m.Addr
	}
	if m.Secure && len(m.Crypto) == 0 {
		return nil, fmt.Sprintf("audio uses %s without an a=crypto line we can use (we speak %s)", m.Proto, strings.Join(Suites(), ", "))
	}
	return m, ""
}

// staticFormats are the RFC 3551 audio payload types a peer may list
// without an rtpmap.
var staticFormats = map[uint8]Format{
	0:  {Name: "PCMU", ClockRate: 8000, Channels: 1},
	3:  {Name: "GSM", ClockRate: 8000, Channels: 1},
	8:  {Name: "PCMA", ClockRate: 8000, Channels: 1},
	9:  {Name: "G722", ClockRate: 8000, Channels: 1},
	18: {Name: "G729", ClockRate: 8000, Channels: 1},
}

// parseRtpmap reads "96 opus/48000/2".
func parseRtpmap(v string) (string, Format, bool) {
	pt, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return "", Format{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 {
		return "", Format{}, false
	}
	rate, err := strconv.Atoi(parts[1])
	if err != nil || rate <= 0 {
		return "", Format{}, false
	}
	f := Format{Name: parts[0], ClockRate: rate, Channels: 1}
	if len(parts) > 2 {
		if ch, err := strconv.Atoi(parts[2]); err == nil && ch > 0 {
			f.Channels = ch
		}
	}
	return pt, f, true
}

// parseRTCP reads "53021" or "53021 IN IP4 126.16.64.4" (RFC 3605).
func parseRTCP(v string) (int, netip.Addr) {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return 0, netip.Addr{}
	}
	port, err := strconv.Atoi(fields[0])
	if err != nil || port <= 0 || port > 65535 {
		return 0, netip.Addr{}
	}
	var addr netip.Addr
	if len(fields) == 4 {
		addr, _ = netip.ParseAddr(fields[3])
	}
	return port, addr
}

// IsWebRTC reports whether body offers its first audio stream in the
// WebRTC profile (DTLS-SRTP: UDP/TLS/RTP/SAVPF, or TCP/DTLS/RTP/SAVPF),
// which only a WebRTC stack can answer. A body that is not SDP is not.
func IsWebRTC(body []byte) bool {
	var sd pionsdp.SessionDescription
	if err := sd.UnmarshalString(normalise(string(body))); err != nil {
		return false
	}
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media == "audio" {
			return dtlsProto(strings.Join(md.MediaName.Protos, "/"))
		}
	}
	return false
}

// dtlsProto reports whether a profile is keyed by DTLS (RFC 5764).
func dtlsProto(proto string) bool { return strings.Contains(proto, "TLS/RTP/SAVP") }

// ParseWebRTC reads the first audio stream of a WebRTC description: its
// formats with their payload types and its direction. Addresses mean
// nothing there (ICE candidates carry them), so Addr and Port are those
// of the m= and c= lines as written. It returns ErrNotAcceptable when the
// description has no audio stream in the WebRTC profile.
func ParseWebRTC(body []byte) (*Media, error) {
	var sd pionsdp.SessionDescription
	if err := sd.UnmarshalString(normalise(string(body))); err != nil {
		return nil, fmt.Errorf("malformed session description: %w", err)
	}
	sessionAddr, sessionDir := netip.IPv4Unspecified(), SendRecv
	if sd.ConnectionInformation != nil {
		if a := connAddr(sd.ConnectionInformation); a.IsValid() {
			sessionAddr = a
		}
	}
	for _, a := range sd.Attributes {
		if dir, ok := ParseDirection(a.Key); ok {
			sessionDir = dir
		}
	}
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		if proto := strings.Join(md.MediaName.Protos, "/"); !dtlsProto(proto) {
			return nil, fmt.Errorf("%w: audio uses %s, not the WebRTC profile", ErrNotAcceptable, proto)
		}
		m, why := readMedia(md, sessionAddr, sessionDir)
		if m == nil {
			return nil, fmt.Errorf("%w: %s", ErrNotAcceptable, why)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: no audio stream", ErrNotAcceptable)
}
