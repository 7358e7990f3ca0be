// Package resolve locates a SIP server the way RFC 3263 §4 describes: from a
// host, an optional port, an optional transport and whether the address is
// sips, it returns the ordered list of transport, IP address and port to try.
//
//   - A numeric IP is used as it is, with the given port or the default
//     (5060, or 5061 for TLS).
//   - A host with an explicit port is looked up for A and AAAA records only.
//   - A host without transport follows NAPTR records (RFC 3403; services
//     SIP+D2U, SIP+D2T, SIPS+D2T, and SIP+D2W and SIPS+D2W from RFC 7118) in
//     order and preference, then SRV records (_sip._udp, _sip._tcp,
//     _sips._tcp), then A and AAAA.
//   - A host with a transport is looked up for that transport's SRV records,
//     then A and AAAA.
//   - WebSocket (ws, wss) has no standard SRV service name, so an explicit ws
//     or wss transport resolves the host's A and AAAA records only, on port
//     80 or 443 unless given. NAPTR records for SIP+D2W or SIPS+D2W are still
//     followed when the transport is left open.
//
// SRV records are ordered by priority and, within a priority, by the weighted
// random selection of RFC 2782. Addresses of a name come IPv4 first, then
// IPv6.
//
// Queries go to the servers of /etc/resolv.conf through
// github.com/miekg/dns, with A and AAAA asked of the system resolver
// (net.DefaultResolver, which also reads /etc/hosts); where there is no
// resolv.conf, as on Windows, NAPTR is skipped and SRV, A and AAAA go to the
// system resolver. WithServer sends every query to the given server instead,
// which is how tests use a DNS server on loopback.
//
// When nothing is found the error reads for a person, for example "no SIP
// server found for pbx.example: DNS says the name does not exist", and
// wraps ErrNotFound and a reason (ErrNoSuchName, ErrNoRecords, ErrTimeout,
// ErrServerFailure, ErrNotOffered).
package resolve
