package media

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
)

// bindAttempts bounds the tries for a system-chosen even port whose odd
// neighbour is free.
const bindAttempts = 64

// bindPair binds RTP on an even port and RTCP on the next one (RFC 3550
// §11), within [min, max] when max is set.
func bindPair(ip netip.Addr, min, max int) (*net.UDPConn, *net.UDPConn, error) {
	if min != 0 || max != 0 {
		return bindInRange(ip, min, max)
	}
	for range bindAttempts {
		rtpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
		if err != nil {
			return nil, nil, fmt.Errorf("media: binding RTP on %s: %w", ip, err)
		}
		port := rtpConn.LocalAddr().(*net.UDPAddr).Port
		if port%2 == 0 && port < 65535 {
			if rtcpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1)))); err == nil {
				return rtpConn, rtcpConn, nil
			}
		}
		rtpConn.Close()
	}
	return nil, nil, fmt.Errorf("media: no free pair of RTP/RTCP ports on %s after %d tries", ip, bindAttempts)
}

func bindInRange(ip netip.Addr, min, max int) (*net.UDPConn, *net.UDPConn, error) {
	if min < 1024 || max > 65535 || max < min+1 {
		return nil, nil, fmt.Errorf("media: RTP port range %d-%d is not usable (need 1024-65535 and room for an even/odd pair)", min, max)
	}
	first := min + min%2
	pairs := (max - first + 1) / 2
	if pairs <= 0 {
		return nil, nil, fmt.Errorf("media: RTP port range %d-%d holds no even/odd pair", min, max)
	}
	offset := rand.IntN(pairs)
	for i := range pairs {
		port := first + 2*((offset+i)%pairs)
		rtpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err != nil {
			continue
		}
		rtcpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1))))
		if err != nil {
			rtpConn.Close()
			continue
		}
		return rtpConn, rtcpConn, nil
	}
	return nil, nil, fmt.Errorf("media: every RTP port pair in %d-%d on %s is taken", min, max, ip)
}
