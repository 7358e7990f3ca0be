package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/ringdesk/ringdesk/media/codec"
)

// Config sets up one Session.
type Config struct {
	// LocalIP is the address RTP and RTCP bind to and SDP advertises. Empty
	// means the first non-loopback IPv4 address of the machine (127.0.0.1
	// when there is none). It must be a concrete address, not 0.0.0.0.
	LocalIP string
	// Codecs are codec names in preference order: "opus", "pcmu",
	// "pcma". Unknown names are ignored; when none is left (or the list is
	// empty) the session uses pcmu, pcma, opus.
	Codecs []string
	// PortMin and PortMax, when set, bound the RTP port: an even port for
	// RTP, the next odd one for RTCP. Zero lets the system choose.
	PortMin, PortMax int
	// Source is what the far end hears; nil means silence.
	Source Source
	// Sink gets what we hear; nil discards it.
	Sink Sink
	// Logger receives the session's logs; nil discards them.
	Logger *slog.Logger
	// SymmetricRTP sends RTP (and RTCP) to the address the far end's
	// packets come from rather than the one its SDP gives, for far ends
	// behind NAT.
	SymmetricRTP bool
	// SRTP is the SDES-SRTP policy (RFC 4568): SRTPOff (the zero value),
	// SRTPOptional or SRTPRequired. See Session.Offer and Session.Answer.
	SRTP SRTPMode
	// WebRTC, when set, makes the session offer the WebRTC profile (ICE,
	// DTLS-SRTP, rtcp-mux, BUNDLE) as a browser would; the SRTP policy
	// then does not apply to offers. A session without it offers plain
	// RTP but still answers a WebRTC offer (with host candidates only).
	WebRTC *WebRTCConfig
	// OnConnectionLost, when set, is called once, on a goroutine of its
	// own, when the call's media connection fails for good (WebRTC: ICE
	// failed; the error wraps ErrConnectionLost), so the call can end
	// rather than stay up in silence.
	OnConnectionLost func(error)
}

// localIP resolves Config.LocalIP.
func (c Config) localIP() (netip.Addr, error) {
	if c.LocalIP != "" {
		ip, err := netip.ParseAddr(c.LocalIP)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("media: local IP %q is not an IP address", c.LocalIP)
		}
		if ip.IsUnspecified() {
			return netip.Addr{}, errors.New("media: local IP must be a concrete address that SDP can advertise, not " + c.LocalIP)
		}
		return ip.Unmap(), nil
	}
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if p, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(p.IP); ok && ip.Unmap().Is4() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
					return ip.Unmap(), nil
				}
			}
		}
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1}), nil
}

// codecs resolves Config.Codecs.
func (c Config) codecs(log *slog.Logger) []codec.Codec {
	var out []codec.Codec
	var unknown []string
	for _, name := range c.Codecs {
		k, ok := codec.ByName(name)
		if !ok || codec.PCMRate(k) != clockRate {
			unknown = append(unknown, name)
			continue
		}
		if !containsCodec(out, k) {
			out = append(out, k)
		}
	}
	if len(unknown) > 0 {
		log.Debug("media: codecs not available in this build are left out", "codecs", strings.Join(unknown, ","))
	}
	if len(out) == 0 {
		if len(c.Codecs) > 0 {
			log.Warn("media: no configured codec is available, using PCMU, PCMA and Opus", "configured", strings.Join(c.Codecs, ","))
		}
		for _, k := range codec.All() {
			if codec.PCMRate(k) == clockRate {
				out = append(out, k)
			}
		}
	}
	return out
}

func containsCodec(list []codec.Codec, c codec.Codec) bool {
	for _, k := range list {
		if k == c {
			return true
		}
	}
	return false
}
