package rtp

import (
	"slices"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
)

// Jitter buffer limits (the issue asks for 20 to about 200 ms).
const (
	MinDelay = 20 * time.Millisecond
	MaxDelay = 200 * time.Millisecond
	// maxEntries bounds the packets held, whatever their size.
	maxEntries = 64
	// trimAfter is how many reads in a row the buffer must hold more than
	// target plus two frames before it drops a frame to cut the delay.
	trimAfter = 50
	// shrinkAfter is how many reads in a row without an underrun take one
	// frame off the extra delay underruns added (5 s at 20 ms a read).
	shrinkAfter = 250
)

// JitterStats counts what the jitter buffer did.
type JitterStats struct {
	// Late packets arrived after their audio had been played or concealed.
	Late uint64
	// Duplicates were dropped.
	Duplicates uint64
	// Concealed counts reads that needed concealment while playing.
	Concealed uint64
	// Recovered counts gaps filled from the next packet's forward error
	// correction (Opus in-band FEC) instead of concealment.
	Recovered uint64
	// Dropped counts frames discarded to bring the delay back down.
	Dropped uint64
	// Jitter is the RFC 3550 interarrival jitter estimate.
	Jitter time.Duration
	// Target is the delay the buffer currently aims for.
	Target time.Duration
	// Underruns counts the times the buffer ran dry while playing.
	Underruns uint64
}

type entry struct {
	ts      uint32
	n       int // timestamp units
	pt      uint8
	payload []byte
}

// JitterBuffer holds incoming packets of one stream and plays them out at
// the pace of Read calls. It reorders, drops late and duplicate packets,
// conceals gaps with the codec's concealment, and adapts its delay: it aims
// for the frame in play plus a margin of four times the measured jitter
// plus what underruns taught it (between MinDelay and MaxDelay in all). An
// underrun holds the play point, so the packets that were late play when
// they come instead of being dropped, and raises the target by the length
// of the underrun (at least a frame); the target comes back down one frame
// per shrinkAfter reads without an underrun, and the buffer trims by
// dropping a frame when it has held too much for a second. When a packet is
// missing and the one after it is already held, a decoder with forward
// error correction ([codec.FECDecoder]) recovers the gap from it.
//
// Timestamps, delays and jitter count RTP timestamp units at the stream's
// clock rate (48000 for Opus); the PCM that Read gives is at the codec's
// PCM rate (8000), a whole fraction of the clock rate: one PCM sample is
// ratio timestamp units. It is not safe for concurrent use.
type JitterBuffer struct {
	clockRate int
	ratio     int // timestamp units per PCM sample
	decoders  map[uint8]codec.Decoder
	last      codec.Decoder // the decoder that played last, for concealment

	entries []entry // sorted by timestamp relative to playTS
	free    [][]byte

	playing  bool
	playTS   uint32 // timestamp of the next sample to play
	pending  []int16
	scratch  []int16
	waited   int // reads while buffering with something buffered
	underrun int // timestamp units played while no audio was ahead (play point held)
	over     int // reads in a row above target + 2 frames
	boost    int // timestamp units added to the target by underruns
	stable   int // reads in a row without an underrun

	// RFC 3550 jitter, in timestamp units scaled by 16 (§A.8).
	jitter      int64
	lastTransit int64
	haveTransit bool
	epoch       time.Time

	stats JitterStats
}

// NewJitterBuffer returns a buffer for a stream whose RTP clock and PCM
// both run at clockRate (G.711) that decodes the payload types in
// decoders. See SetClock for codecs whose PCM rate differs.
func NewJitterBuffer(clockRate int, decoders map[uint8]codec.Decoder) *JitterBuffer {
	return &JitterBuffer{clockRate: clockRate, ratio: 1, decoders: decoders, epoch: time.Now()}
}

// SetClock sets the stream's RTP clock rate and the decoders' PCM rate
// (clockRate a whole multiple of pcmRate: 48000 and 8000 for Opus). A
// change empties the buffer and restarts the jitter estimate; the
// counters stay.
func (j *JitterBuffer) SetClock(clockRate, pcmRate int) {
	ratio := 1
	if pcmRate > 0 && clockRate > pcmRate && clockRate%pcmRate == 0 {
		ratio = clockRate / pcmRate
	}
	if clockRate == j.clockRate && ratio == j.ratio {
		return
	}
	j.Reset()
	j.clockRate, j.ratio = clockRate, ratio
	j.jitter, j.haveTransit, j.boost, j.stable = 0, false, 0, 0
}

// SetDecoders replaces the payload type map after a renegotiation; packets
// of payload types no longer listed are dropped.
func (j *JitterBuffer) SetDecoders(decoders map[uint8]codec.Decoder) {
	j.decoders = decoders
	j.entries = slices.DeleteFunc(j.entries, func(e entry) bool { return decoders[e.pt] == nil })
}

// Reset forgets every packet and starts buffering again.
func (j *JitterBuffer) Reset() {
	for _, e := range j.entries {
		j.free = append(j.free, e.payload[:0])
	}
	j.entries = j.entries[:0]
	j.pending = nil
	j.playing = false
	j.waited, j.underrun, j.over = 0, 0, 0
}

// Stats returns the counters.
func (j *JitterBuffer) Stats() JitterStats {
	s := j.stats
	s.Jitter = j.units(int(j.jitter >> 4))
	s.Target = j.units(j.target())
	return s
}

func (j *JitterBuffer) units(ticks int) time.Duration {
	return time.Duration(ticks) * time.Second / time.Duration(j.clockRate)
}

func (j *JitterBuffer) samples(d time.Duration) int {
	return int(d * time.Duration(j.clockRate) / time.Second)
}

func (j *JitterBuffer) frame() int { return j.clockRate / 50 }

// target is the audio aimed to be buffered ahead of the play point, in
// timestamp units: the frame being played plus a margin of four times the jitter,
// at least MinDelay, so that a packet arriving a little late (or a reader
// tick a little early) does not run the buffer dry, plus the extra delay
// that underruns asked for; never more than MaxDelay.
func (j *JitterBuffer) target() int {
	margin := max(int(j.jitter>>4)*4, j.samples(MinDelay))
	return min(j.frame()+margin+j.boost, j.samples(MaxDelay))
}

// Ready reports whether the next Read would play audio rather than conceal
// a gap: the buffer is still filling (it plays silence then) or the sample
// at the play point has arrived. A caller that may wait (the media loop,
// when the packets it expects were held up with it) can give late packets
// a moment before it reads.
func (j *JitterBuffer) Ready() bool {
	if !j.playing || len(j.pending) > 0 {
		return true
	}
	for _, e := range j.entries {
		d := int(int32(e.ts - j.playTS))
		if d+e.n > 0 {
			return d <= 0
		}
	}
	return false
}

// Target returns the delay the buffer aims for.
func (j *JitterBuffer) Target() time.Duration { return j.units(j.target()) }

// grow raises the target after an underrun of n timestamp units.
func (j *JitterBuffer) grow(n int) {
	j.stats.Underruns++
	j.boost = min(j.boost+max(n, j.frame()), j.samples(MaxDelay))
	j.stable = 0
}

// Push adds a packet that arrived at arrival. It copies payload.
func (j *JitterBuffer) Push(ts uint32, pt uint8, payload []byte, arrival time.Time) {
	dec := j.decoders[pt]
	if dec == nil || len(payload) == 0 {
		return
	}
	n := dec.Samples(payload) * j.ratio
	if n <= 0 {
		return
	}
	j.updateJitter(ts, arrival)
	if j.playing {
		d := int(int32(ts - j.playTS))
		switch {
		case d <= -j.samples(time.Second) || d > j.samples(MaxDelay)+j.underrun+j.frame():
			// A new stream, or a jump after a pause (hold, silence
			// suppression): start over from this packet.
			j.Reset()
		case d+n <= 0:
			j.stats.Late++
			return
		case d > 0 && len(j.entries) == 0 && len(j.pending) == 0 && j.underrun > 0:
			// The stream went quiet and came back with the timestamp
			// moved on: skip the time we spent waiting for it.
			skip := min(d, j.underrun)
			j.playTS += uint32(skip)
			j.underrun = 0
		}
	}
	i, found := slices.BinarySearchFunc(j.entries, ts, func(e entry, ts uint32) int { return int(int32(e.ts - ts)) })
	if found {
		j.stats.Duplicates++
		return
	}
	if len(j.entries) >= maxEntries {
		j.release(0)
		i--
		if i < 0 {
			return
		}
	}
	var buf []byte
	if k := len(j.free); k > 0 {
		buf, j.free = j.free[k-1], j.free[:k-1]
	}
	j.entries = slices.Insert(j.entries, i, entry{ts: ts, n: n, pt: pt, payload: append(buf, payload...)})
}

func (j *JitterBuffer) release(i int) {
	j.free = append(j.free, j.entries[i].payload[:0])
	j.entries = slices.Delete(j.entries, i, i+1)
}

// updateJitter is RFC 3550 §A.8.
func (j *JitterBuffer) updateJitter(ts uint32, arrival time.Time) {
	transit := int64(arrival.Sub(j.epoch))*int64(j.clockRate)/int64(time.Second) - int64(ts)
	if j.haveTransit {
		d := transit - j.lastTransit
		if d < 0 {
			d = -d
		}
		if d < int64(j.clockRate) { // ignore jumps of a second or more (new stream, pause)
			j.jitter += d - (j.jitter+8)>>4
		}
	}
	j.lastTransit, j.haveTransit = transit, true
}

// level is how much audio is buffered ahead of the play point, in
// timestamp units.
func (j *JitterBuffer) level() int {
	l := len(j.pending) * j.ratio
	if k := len(j.entries); k > 0 {
		last := j.entries[k-1]
		if !j.playing {
			return int(int32(last.ts-j.entries[0].ts)) + last.n
		}
		l = max(l, int(int32(last.ts-j.playTS))+last.n)
	}
	return l
}

// Read fills out with the next len(out) samples (at the PCM rate): decoded
// audio, audio recovered by FEC or concealed where packets are missing, or
// silence while buffering.
func (j *JitterBuffer) Read(out []int16) {
	if !j.playing {
		if len(j.entries) > 0 {
			j.waited++
		}
		if len(j.entries) == 0 || (j.level() < j.target() && j.waited*len(out)*j.ratio < j.target()) {
			clear(out)
			return
		}
		j.playing, j.playTS, j.waited, j.underrun, j.over = true, j.entries[0].ts, 0, 0, 0
	}
	concealed := false
	filled := 0
	for filled < len(out) {
		if len(j.pending) > 0 {
			c := copy(out[filled:], j.pending)
			j.pending = j.pending[c:]
			filled += c
			j.playTS += uint32(c * j.ratio)
			continue
		}
		if len(j.entries) == 0 {
			j.conceal(out[filled:])
			j.underrun += (len(out) - filled) * j.ratio
			concealed = true
			break
		}
		e := j.entries[0]
		d := int(int32(e.ts - j.playTS))
		if d+e.n <= 0 {
			j.release(0)
			continue
		}
		if d > 0 {
			if j.recover(e, d) {
				continue
			}
			g := min((d+j.ratio-1)/j.ratio, len(out)-filled)
			j.conceal(out[filled : filled+g])
			filled += g
			j.playTS += uint32(g * j.ratio)
			concealed = true
			continue
		}
		dec := j.decoders[e.pt]
		j.scratch = dec.Decode(j.scratch[:0], e.payload)
		j.last = dec
		j.pending = j.scratch[min(-d/j.ratio, len(j.scratch)):]
		if j.underrun > 0 {
			j.grow(j.underrun)
			j.underrun = 0
		}
		j.release(0)
	}
	if concealed {
		j.stats.Concealed++
		j.stable = 0
	} else if j.stable++; j.stable >= shrinkAfter {
		j.stable = 0
		j.boost = max(j.boost-j.frame(), 0)
	}
	j.trim()
}

// recover fills the gap of d timestamp units before e, the next packet
// held, from e's forward error correction when its decoder has it: the
// recovered audio becomes pending and plays like decoded audio (e is then
// decoded as usual). It reports false, and the gap is concealed, when the
// decoder has no FEC, refuses, or the gap is not whole PCM samples.
func (j *JitterBuffer) recover(e entry, d int) bool {
	fec, ok := j.decoders[e.pt].(codec.FECDecoder)
	if !ok || d%j.ratio != 0 || j.last != j.decoders[e.pt] {
		return false
	}
	n := d / j.ratio
	out, err := fec.DecodeFEC(j.scratch[:0], e.payload, n)
	if err != nil || len(out) != n {
		return false
	}
	j.scratch = out
	j.pending = out
	j.stats.Recovered++
	return true
}

func (j *JitterBuffer) conceal(pcm []int16) {
	if j.last == nil {
		clear(pcm)
		return
	}
	j.last.Conceal(pcm)
}

// trim drops audio when the buffer holds more than it should: at once down
// to the target when above MaxDelay, one frame at a time when above target
// plus two frames for trimAfter reads in a row.
func (j *JitterBuffer) trim() {
	level, target := j.level(), j.target()
	drop := 0
	switch {
	case level > j.samples(MaxDelay):
		drop = level - target
	case level > target+2*j.frame():
		j.over++
		if j.over >= trimAfter {
			drop = j.frame()
		}
	default:
		j.over = 0
	}
	if drop <= 0 {
		return
	}
	drop -= drop % j.ratio
	if drop <= 0 {
		return
	}
	j.over = 0
	j.stats.Dropped += uint64((drop + j.frame() - 1) / j.frame())
	if len(j.pending)*j.ratio >= drop {
		j.pending = j.pending[drop/j.ratio:]
		j.playTS += uint32(drop)
		return
	}
	j.playTS += uint32(drop)
	j.pending = nil
	for len(j.entries) > 0 && int(int32(j.entries[0].ts-j.playTS))+j.entries[0].n <= 0 {
		j.release(0)
	}
}
