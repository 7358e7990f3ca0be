package rtp

import (
	"time"

	"github.com/pion/rtcp"
)

// Reception keeps the per-source receive statistics of RFC 3550 §6.4 and
// §A.1-A.3: highest sequence number with wrap count, expected and lost
// packets, and what the far end's last sender report said. It is not safe
// for concurrent use.
type Reception struct {
	clockRate int
	ssrc      uint32
	started   bool

	maxSeq   uint16
	cycles   uint32
	baseSeq  uint32
	received uint64
	bytes    uint64

	expectedPrior, receivedPrior uint64

	jitter      float64 // timestamp units
	lastTransit int64
	epoch       time.Time

	lastSR     uint32 // middle 32 bits of the last SR's NTP time
	lastSRTime time.Time
}

// NewReception returns statistics for a stream at clockRate.
func NewReception(clockRate int) *Reception {
	return &Reception{clockRate: clockRate, epoch: time.Now()}
}

// SetClockRate sets the stream's RTP clock rate (a renegotiation to a codec
// with another clock, Opus's 48000 after G.711's 8000). The jitter
// estimate, which counts timestamp units, is rescaled; the packet counts
// stay.
func (r *Reception) SetClockRate(clockRate int) {
	if clockRate <= 0 || clockRate == r.clockRate {
		return
	}
	if r.jitter != 0 {
		r.jitter = r.jitter * float64(clockRate) / float64(r.clockRate)
	}
	r.clockRate = clockRate
}

// maxDropout and maxMisorder are RFC 3550 §A.1's limits.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// SSRC returns the source being counted and whether one has been seen.
func (r *Reception) SSRC() (uint32, bool) { return r.ssrc, r.started }

// Update counts one packet from ssrc with seq and ts, size payload bytes,
// arrived at arrival. A new SSRC restarts the counts.
func (r *Reception) Update(ssrc uint32, seq uint16, ts uint32, size int, arrival time.Time) {
	if !r.started || ssrc != r.ssrc {
		*r = Reception{clockRate: r.clockRate, epoch: r.epoch, ssrc: ssrc, started: true, maxSeq: seq, baseSeq: uint32(seq)}
		r.received, r.bytes = 1, uint64(size)
		r.lastTransit = int64(arrival.Sub(r.epoch))*int64(r.clockRate)/int64(time.Second) - int64(ts)
		return
	}
	r.received++
	r.bytes += uint64(size)
	delta := seq - r.maxSeq
	switch {
	case delta == 0:
		// A duplicate of the highest packet.
	case delta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	case delta <= 65535-maxMisorder:
		// A very large jump: take it as a restart of the sequence.
		r.baseSeq, r.maxSeq, r.cycles = uint32(seq), seq, 0
		r.received, r.expectedPrior, r.receivedPrior = 1, 0, 0
	}
	transit := int64(arrival.Sub(r.epoch))*int64(r.clockRate)/int64(time.Second) - int64(ts)
	d := float64(transit - r.lastTransit)
	if d < 0 {
		d = -d
	}
	if d < float64(r.clockRate) {
		r.jitter += (d - r.jitter) / 16
	}
	r.lastTransit = transit
}

// Received returns the packets and payload bytes counted.
func (r *Reception) Received() (packets, bytes uint64) { return r.received, r.bytes }

func (r *Reception) extendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// Lost returns the cumulative number of packets lost (expected minus
// received; negative when duplicates arrived).
func (r *Reception) Lost() int64 {
	if !r.started {
		return 0
	}
	expected := int64(r.extendedMax()) - int64(r.baseSeq) + 1
	return expected - int64(r.received)
}

// Jitter returns the interarrival jitter estimate.
func (r *Reception) Jitter() time.Duration {
	return time.Duration(r.jitter * float64(time.Second) / float64(r.clockRate))
}

// SenderReport records the far end's sender report arriving at arrival,
// for the LSR and DLSR fields of our next report.
func (r *Reception) SenderReport(ntp uint64, arrival time.Time) {
	r.lastSR = uint32(ntp >> 16)
	r.lastSRTime = arrival
}

// Report returns the reception report block for our next RTCP packet and
// moves the interval counters on (RFC 3550 §6.4.1, §A.3).
func (r *Reception) Report(now time.Time) (rtcp.ReceptionReport, bool) {
	if !r.started {
		return rtcp.ReceptionReport{}, false
	}
	expected := uint64(r.extendedMax()-r.baseSeq) + 1
	lost := int64(expected) - int64(r.received)
	lost = min(max(lost, -0x800000), 0x7FFFFF)
	expInterval := expected - r.expectedPrior
	recvInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	var fraction uint8
	if expInterval > 0 && expInterval > recvInterval {
		fraction = uint8((expInterval - recvInterval) << 8 / expInterval)
	}
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(lost) & 0xFFFFFF,
		LastSequenceNumber: r.extendedMax(),
		Jitter:             uint32(r.jitter),
	}
	if !r.lastSRTime.IsZero() {
		rr.LastSenderReport = r.lastSR
		rr.Delay = uint32(now.Sub(r.lastSRTime) * 65536 / time.Second)
	}
	return rr, true
}
