package resolve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// naptrService maps the NAPTR services SIP uses (RFC 3263 §4.1, RFC 7118
// for WebSocket) to transports.
var naptrService = map[string]string{
	"SIP+D2U":  "udp",
	"SIP+D2T":  "tcp",
	"SIPS+D2T": "tls",
	"SIP+D2W":  "ws",
	"SIPS+D2W": "wss",
}

// srvQuery is an SRV owner name and the transport its targets speak.
type srvQuery struct {
	name      string
	transport string
}

// naptrTargets follows host's NAPTR records (RFC 3263 §4.1): those with flag
// "s", an empty regexp, a replacement and a service we speak, ordered by
// order then preference, each replacement resolved as SRV. For a sips URI
// only SIPS services count. Finding nothing is not an error; the caller
// goes on to SRV. The error is set only when ctx ended.
func (l *lookup) naptrTargets(ctx context.Context, host string, secure bool) ([]Target, error) {
	recs, err := l.naptr(ctx, host)
	if err != nil {
		if ctxDone(ctx) {
			return nil, ctxError(ctx)
		}
		if errors.Is(err, ErrTimeout) {
			l.srvDead = true
		}
		return nil, nil
	}
	var usable []*dns.NAPTR
	for _, n := range recs {
		t, ok := naptrService[strings.ToUpper(n.Service)]
		if !ok || !strings.EqualFold(n.Flags, "s") || n.Regexp != "" || n.Replacement == "" || n.Replacement == "." {
			continue
		}
		if secure && t != "tls" && t != "wss" {
			continue
		}
		usable = append(usable, n)
	}
	slices.SortStableFunc(usable, func(a, b *dns.NAPTR) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Preference, b.Preference))
	})
	queries := make([]srvQuery, 0, len(usable))
	for _, n := range usable {
		queries = append(queries, srvQuery{name: n.Replacement, transport: naptrService[strings.ToUpper(n.Service)]})
	}
	targets, _, err := l.srvTargets(ctx, queries)
	if ctxDone(ctx) {
		return nil, err
	}
	return targets, nil
}

// srvTargets resolves each SRV name in turn and returns the addresses of its
// targets in RFC 2782 order. found reports whether any SRV record existed;
// when it did but no target has an address, err says so. Timeouts make the
// remaining SRV queries of this lookup be skipped.
func (l *lookup) srvTargets(ctx context.Context, queries []srvQuery) (targets []Target, found bool, err error) {
	var unresolved []string
	var addrErr error
	offered := false
	for _, q := range queries {
		if l.srvDead {
			break
		}
		recs, err := l.srv(ctx, q.name)
		if err == nil && len(recs) == 0 {
			err = ErrNoRecords
		}
		if err != nil {
			if ctxDone(ctx) {
				return nil, found, ctxError(ctx)
			}
			if errors.Is(err, ErrTimeout) {
				l.srvDead = true
			}
			continue
		}
		found = true
		for _, rec := range orderSRV(recs, l.intn) {
			if rec.Target == "." || rec.Target == "" {
				continue
			}
			offered = true
			addrs, err := l.addrs(ctx, rec.Target)
			if err != nil {
				if ctxDone(ctx) {
					return nil, found, ctxError(ctx)
				}
				unresolved = append(unresolved, strings.TrimSuffix(rec.Target, "."))
				addrErr = worse(addrErr, err)
				continue
			}
			for _, a := range addrs {
				targets = append(targets, Target{Transport: q.transport, Host: a.String(), Port: int(rec.Port)})
			}
		}
	}
	switch {
	case len(targets) > 0 || !found:
		return targets, found, nil
	case !offered:
		return nil, found, fmt.Errorf("%w: the SRV records say SIP is not offered here", ErrNotOffered)
	}
	return nil, found, fmt.Errorf("%w: the SRV records name %s, which have no addresses: %w",
		ErrNotOffered, strings.Join(unresolved, ", "), addrErr)
}

// orderSRV sorts records by priority and orders each priority's records by
// RFC 2782's weighted random selection: records of weight 0 first, then
// repeatedly draw a number in [0, sum of weights] and take the first record
// whose running sum reaches it. intn(n) returns a number in [0, n).
func orderSRV(recs []*dns.SRV, intn func(int) int) []*dns.SRV {
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b *dns.SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	out := make([]*dns.SRV, 0, len(sorted))
	for len(sorted) > 0 {
		n := 1
		for n < len(sorted) && sorted[n].Priority == sorted[0].Priority {
			n++
		}
		group := slices.Clone(sorted[:n])
		sorted = sorted[n:]
		slices.SortStableFunc(group, func(a, b *dns.SRV) int {
			return cmp.Compare(min(a.Weight, 1), min(b.Weight, 1))
		})
		for len(group) > 0 {
			total := 0
			for _, r := range group {
				total += int(r.Weight)
			}
			pick := 0
			if total > 0 {
				draw, sum := intn(total+1), 0
				for i, r := range group {
					sum += int(r.Weight)
					if sum >= draw {
						pick = i
						break
					}
				}
			}
			out = append(out, group[pick])
			group = slices.Delete(group, pick, pick+1)
		}
	}
	return out
}
