package rtp

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pion/rtcp"
)

// ReportInterval is the mean time between our RTCP reports. RFC 3550 §6.2
// computes it from the session bandwidth; for a two-party call that is
// always its 5 s minimum.
const ReportInterval = 5 * time.Second

// NextReport returns a randomised report time (0.5 to 1.5 times the
// interval, RFC 3550 §6.3.1) after now.
func NextReport(now time.Time) time.Time {
	return now.Add(time.Duration((0.5 + rand.Float64()) * float64(ReportInterval)))
}

// NTPTime converts t to the 64-bit NTP format of sender reports.
func NTPTime(t time.Time) uint64 {
	const unixToNTP = 2208988800
	secs := uint64(t.Unix() + unixToNTP)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// Report writes our compound RTCP packet: a sender report when we have
// sent since the last one (else a receiver report), with a reception block
// when we receive, and an SDES CNAME (RFC 3550 §6.1). rtpTS is the RTP
// timestamp that corresponds to now.
func Report(s *Sender, r *Reception, cname string, rtpTS uint32, sending bool, now time.Time) ([]byte, error) {
	var blocks []rtcp.ReceptionReport
	if rr, ok := r.Report(now); ok {
		blocks = append(blocks, rr)
	}
	var first rtcp.Packet
	if packets, octets := s.Counts(); sending && packets > 0 {
		first = &rtcp.SenderReport{SSRC: s.SSRC(), NTPTime: NTPTime(now), RTPTime: rtpTS, PacketCount: packets, OctetCount: octets, Reports: blocks}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.SSRC(), Reports: blocks}
	}
	b, err := rtcp.Marshal([]rtcp.Packet{first, rtcp.NewCNAMESourceDescription(s.SSRC(), cname)})
	if err != nil {
		return nil, fmt.Errorf("writing RTCP report: %w", err)
	}
	return b, nil
}

// Bye writes a compound RTCP packet that ends our stream (RFC 3550 §6.6).
func Bye(s *Sender, cname string) ([]byte, error) {
	b, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: s.SSRC()},
		rtcp.NewCNAMESourceDescription(s.SSRC(), cname),
		&rtcp.Goodbye{Sources: []uint32{s.SSRC()}},
	})
	if err != nil {
		return nil, fmt.Errorf("writing RTCP BYE: %w", err)
	}
	return b, nil
}

// Incoming is what a received RTCP packet told us.
type Incoming struct {
	// SenderSSRC is the SSRC of the reporting source.
	SenderSSRC uint32
	// SenderNTP is the NTP time of its sender report, 0 for a receiver
	// report.
	SenderNTP uint64
	// RTT is the round trip computed from a report block about our SSRC
	// (RFC 3550 §6.4.1), 0 when unknown.
	RTT time.Duration
	// Bye is set when the far end left.
	Bye bool
}

// ParseReport reads a compound RTCP packet from the far end, received at
// now, about our stream ours.
func ParseReport(b []byte, ours uint32, now time.Time) (Incoming, error) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return Incoming{}, fmt.Errorf("reading RTCP: %w", err)
	}
	var in Incoming
	for _, p := range pkts {
		var blocks []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.SenderReport:
			in.SenderSSRC, in.SenderNTP, blocks = p.SSRC, p.NTPTime, p.Reports
		case *rtcp.ReceiverReport:
			in.SenderSSRC, blocks = p.SSRC, p.Reports
		case *rtcp.Goodbye:
			in.Bye = true
		}
		for _, rr := range blocks {
			if rr.SSRC != ours || rr.LastSenderReport == 0 {
				continue
			}
			nowNTP := uint32(NTPTime(now) >> 16)
			rtt := int64(nowNTP) - int64(rr.LastSenderReport) - int64(rr.Delay)
			if rtt >= 0 {
				in.RTT = time.Duration(rtt * int64(time.Second) >> 16)
			}
		}
	}
	return in, nil
}
