package opus

/*
#include <opus.h>

// ringdesk_opus_packet_samples checks the framing of a packet (the TOC, the
// frame count and every frame's length) and returns how many samples per
// channel at fs it decodes to, or an error code.
static int ringdesk_opus_packet_samples(const unsigned char *data, opus_int32 len, opus_int32 fs) {
	unsigned char toc;
	const unsigned char *frames[48];
	opus_int16 size[48];
	int offset;
	int n = opus_packet_parse(data, len, &toc, frames, size, &offset);
	if (n < 0) return n;
	return opus_packet_get_nb_samples(data, len, fs);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"unsafe"
)

// Decoder turns Opus packets into mono PCM and conceals lost ones. It
// implements [codec.Decoder]. It is not safe for concurrent use.
type Decoder struct {
	st      *C.OpusDecoder
	cleanup runtime.Cleanup
	rate    int
	last    int     // samples of the last packet decoded
	plc     []int16 // concealment made and not yet handed out...
	pending []int16 // ...the rest of plc, handed out next
}

// NewDecoder returns a decoder for one incoming stream. It decodes mono:
// stereo packets are mixed down by libopus.
func NewDecoder(o Options) (*Decoder, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, err
	}
	var rc C.int
	st := C.opus_decoder_create(C.opus_int32(o.PCMRate), 1, &rc)
	if rc != C.OPUS_OK || st == nil {
		return nil, fmt.Errorf("opus: creating a decoder: %w", Error(rc))
	}
	live.Add(1)
	d := &Decoder{st: st, rate: o.PCMRate, last: o.PCMRate / 50}
	d.cleanup = runtime.AddCleanup(d, destroyDecoder, st)
	return d, nil
}

func destroyDecoder(st *C.OpusDecoder) {
	C.opus_decoder_destroy(st)
	live.Add(-1)
}

// maxSamples is the longest packet (120 ms) at the PCM rate.
func (d *Decoder) maxSamples() int { return d.rate * 3 / 25 }

// errEmpty is the error for a packet of no bytes.
var errEmpty = errors.New("opus: empty packet")

// Samples returns how many samples at the PCM rate payload decodes to, or
// 0 if its framing is broken (the jitter buffer then drops it).
func (d *Decoder) Samples(payload []byte) int {
	if len(payload) == 0 {
		return 0
	}
	n := C.ringdesk_opus_packet_samples((*C.uchar)(unsafe.Pointer(&payload[0])), C.opus_int32(len(payload)), C.opus_int32(d.rate))
	return max(int(n), 0)
}

// DecodeFrame appends the samples of payload to dst and returns the
// extended slice, or dst and an error for a packet libopus refuses.
func (d *Decoder) DecodeFrame(dst []int16, payload []byte) ([]int16, error) {
	if d.st == nil {
		return dst, ErrClosed
	}
	if len(payload) == 0 {
		return dst, errEmpty
	}
	d.pending = nil
	dst = slices.Grow(dst, d.maxSamples())
	out := dst[len(dst):cap(dst)]
	n := C.opus_decode(d.st, (*C.uchar)(unsafe.Pointer(&payload[0])), C.opus_int32(len(payload)),
		(*C.opus_int16)(unsafe.Pointer(&out[0])), C.int(d.maxSamples()), 0)
	runtime.KeepAlive(d) // its cleanup must not free st during the call
	if n < 0 {
		return dst, Error(n)
	}
	d.last = int(n)
	return dst[:len(dst)+int(n)], nil
}

// Decode is DecodeFrame for [codec.Decoder]: a packet libopus refuses is
// concealed instead (as long as its framing says, or as the last packet),
// so that the stream keeps its timing.
func (d *Decoder) Decode(dst []int16, payload []byte) []int16 {
	out, err := d.DecodeFrame(dst, payload)
	if err == nil {
		return out
	}
	n := d.Samples(payload)
	if n <= 0 {
		n = d.last
	}
	out = slices.Grow(dst, n)[:len(dst)+n]
	d.Conceal(out[len(dst):])
	return out
}

// DecodeFEC appends samples of audio lost just before next, recovered
// from the in-band FEC data in next, and returns the extended slice. Call
// it when a packet is missing and the one after it has arrived, then
// decode next as usual. samples is the length of the gap at the PCM rate,
// a multiple of 2.5 ms (usually one frame, 160 at 8 kHz). When next holds
// no FEC data, libopus conceals the gap instead.
func (d *Decoder) DecodeFEC(dst []int16, next []byte, samples int) ([]int16, error) {
	if d.st == nil {
		return dst, ErrClosed
	}
	if len(next) == 0 {
		return dst, errEmpty
	}
	unit := d.rate / 400
	if samples <= 0 || samples%unit != 0 || samples > d.maxSamples() {
		return dst, fmt.Errorf("opus: a FEC gap of %d samples at %d Hz is not a multiple of 2.5 ms up to 120 ms", samples, d.rate)
	}
	d.pending = nil
	dst = slices.Grow(dst, samples)
	out := dst[len(dst) : len(dst)+samples]
	n := C.opus_decode(d.st, (*C.uchar)(unsafe.Pointer(&next[0])), C.opus_int32(len(next)),
		(*C.opus_int16)(unsafe.Pointer(&out[0])), C.int(samples), 1)
	runtime.KeepAlive(d)
	if n < 0 {
		return dst, Error(n)
	}
	return dst[:len(dst)+int(n)], nil
}

// Conceal fills pcm with Opus's packet-loss concealment of the audio
// missing after the last decoded or concealed samples. It conceals in
// steps of 10 ms (SILK's concealment makes no less): what a step makes
// beyond len(pcm) is handed out by the next Conceal (and dropped by the
// next decode).
func (d *Decoder) Conceal(pcm []int16) {
	unit := d.rate / 100
	for len(pcm) > 0 {
		if len(d.pending) == 0 {
			if d.st == nil {
				clear(pcm)
				return
			}
			n := min((len(pcm)+unit-1)/unit*unit, d.rate/50)
			d.plc = slices.Grow(d.plc[:0], n)[:n]
			got := C.opus_decode(d.st, nil, 0, (*C.opus_int16)(unsafe.Pointer(&d.plc[0])), C.int(n), 0)
			runtime.KeepAlive(d)
			if got <= 0 {
				clear(pcm)
				return
			}
			d.pending = d.plc[:got]
		}
		c := copy(pcm, d.pending)
		d.pending = d.pending[c:]
		pcm = pcm[c:]
	}
}

// Close frees the decoder's C state. Further decoding fails with
// ErrClosed and concealment is silence.
func (d *Decoder) Close() error {
	if d.st != nil {
		d.cleanup.Stop()
		destroyDecoder(d.st)
		d.st = nil
	}
	d.pending = nil
	return nil
}
