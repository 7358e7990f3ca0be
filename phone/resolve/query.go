package resolve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// lookup is the state of one Lookup call. Only addrs works from a second
// goroutine, and that goroutine only reads servers and timeout.
type lookup struct {
	servers []string      // DNS servers for miekg/dns queries; none means no NAPTR
	ip      *net.Resolver // asked for A/AAAA (and SRV without servers); nil means servers
	timeout time.Duration // per query and server
	intn    func(int) int // random source for SRV weights
	srvDead bool          // a NAPTR or SRV query timed out; skip the rest of them
}

// ednsSize is the UDP payload size advertised with EDNS0, the value DNS Flag
// Day 2020 recommends.
const ednsSize = 1232

// query asks the configured servers, in order, for name's records of qtype
// and returns those of that type from the answer section (following a CNAME
// the recursive server already resolved).
func (l *lookup) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(ednsSize, false)
	var last error
	for _, server := range l.servers {
		resp, err := l.exchange(ctx, m, server)
		if err != nil {
			if ctxDone(ctx) {
				return nil, ctxError(ctx)
			}
			last = err
			continue
		}
		switch resp.Rcode {
		case dns.RcodeSuccess:
			var rrs []dns.RR
			for _, rr := range resp.Answer {
				if rr.Header().Rrtype == qtype {
					rrs = append(rrs, rr)
				}
			}
			if len(rrs) == 0 {
				return nil, ErrNoRecords
			}
			return rrs, nil
		case dns.RcodeNameError:
			return nil, ErrNoSuchName
		default:
			last = fmt.Errorf("%w (%s from %s)", ErrServerFailure, dns.RcodeToString[resp.Rcode], server)
		}
	}
	if last == nil {
		last = fmt.Errorf("%w: no DNS server is configured", ErrServerFailure)
	}
	return nil, last
}

// exchange sends m to server over UDP, and again over TCP when the answer
// is truncated, within the per-query timeout.
func (l *lookup) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	qctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	resp, err := exchangeOnce(qctx, "udp", m, server, l.timeout)
	if err == nil && resp.Truncated {
		resp, err = exchangeOnce(qctx, "tcp", m, server, l.timeout)
	}
	if err == nil {
		return resp, nil
	}
	var ne net.Error
	if qctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return nil, fmt.Errorf("%w (asked %s)", ErrTimeout, server)
	}
	return nil, fmt.Errorf("%w (%s: %v)", ErrServerFailure, server, err)
}

// exchangeOnce does one query over network ("udp" or "tcp"). The client's
// timeout replaces miekg/dns's default of 2 seconds; ctx's deadline still
// wins when sooner. Cancelling ctx closes the connection, so a cancelled
// Lookup returns at once.
func exchangeOnce(ctx context.Context, network string, m *dns.Msg, server string, timeout time.Duration) (*dns.Msg, error) {
	c := &dns.Client{Net: network, Timeout: timeout}
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	return resp, err
}

// ctxDone reports whether ctx has ended or its deadline has passed. A read
// that fails at the deadline can be seen before ctx's own timer has fired.
func ctxDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// ctxError describes why ctx ended; a deadline also counts as ErrTimeout.
func ctxError(ctx context.Context) error {
	switch err := ctx.Err(); {
	case err == nil:
		return fmt.Errorf("%w: %w", ErrTimeout, context.DeadlineExceeded)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return context.Cause(ctx)
}

// naptr returns name's NAPTR records; without DNS servers (no resolv.conf)
// there are none to ask.
func (l *lookup) naptr(ctx context.Context, name string) ([]*dns.NAPTR, error) {
	if len(l.servers) == 0 {
		return nil, ErrNoRecords
	}
	rrs, err := l.query(ctx, name, dns.TypeNAPTR)
	out := make([]*dns.NAPTR, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.NAPTR))
	}
	return out, err
}

// srv returns name's SRV records.
func (l *lookup) srv(ctx context.Context, name string) ([]*dns.SRV, error) {
	if len(l.servers) == 0 {
		qctx, cancel := context.WithTimeout(ctx, l.timeout)
		defer cancel()
		_, recs, err := l.ip.LookupSRV(qctx, "", "", name)
		if err != nil && len(recs) == 0 {
			return nil, netError(ctx, err)
		}
		out := make([]*dns.SRV, 0, len(recs))
		for _, r := range recs {
			out = append(out, &dns.SRV{Priority: r.Priority, Weight: r.Weight, Port: r.Port, Target: r.Target})
		}
		return out, nil
	}
	rrs, err := l.query(ctx, name, dns.TypeSRV)
	out := make([]*dns.SRV, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.SRV))
	}
	return out, err
}

// addrs returns name's IPv4 addresses, then its IPv6 addresses.
func (l *lookup) addrs(ctx context.Context, name string) ([]netip.Addr, error) {
	if l.ip != nil {
		qctx, cancel := context.WithTimeout(ctx, l.timeout)
		defer cancel()
		ips, err := l.ip.LookupNetIP(qctx, "ip", name)
		if err != nil {
			return nil, netError(ctx, err)
		}
		for i, a := range ips {
			ips[i] = a.Unmap()
		}
		slices.SortStableFunc(ips, func(a, b netip.Addr) int {
			return cmp.Compare(family(a), family(b))
		})
		return ips, nil
	}

	var v4 []dns.RR
	var err4 error
	var wg sync.WaitGroup
	wg.Go(func() { v4, err4 = l.query(ctx, name, dns.TypeA) })
	v6, err6 := l.query(ctx, name, dns.TypeAAAA)
	wg.Wait()

	var out []netip.Addr
	for _, rr := range append(v4, v6...) {
		var ip net.IP
		switch rr := rr.(type) {
		case *dns.A:
			ip = rr.A
		case *dns.AAAA:
			ip = rr.AAAA
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	return nil, worse(err4, err6)
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// netError maps an error of the net package's resolver onto ours.
func netError(ctx context.Context, err error) error {
	if ctxDone(ctx) {
		return ctxError(ctx)
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return ErrNoSuchName
		case de.IsTimeout:
			return fmt.Errorf("%w (system resolver)", ErrTimeout)
		}
	}
	return fmt.Errorf("%w (system resolver: %v)", ErrServerFailure, err)
}

// worse returns the more telling of two failures: a stopped context, then
// a name that does not exist, a timeout, a server failure, missing records.
func worse(a, b error) error {
	rank := func(err error) int {
		switch {
		case err == nil:
			return 0
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return 5
		case errors.Is(err, ErrNoSuchName):
			return 4
		case errors.Is(err, ErrTimeout):
			return 3
		case errors.Is(err, ErrServerFailure):
			return 2
		}
		return 1
	}
	if rank(b) > rank(a) {
		return b
	}
	if a == nil {
		return ErrNoRecords
	}
	return a
}
