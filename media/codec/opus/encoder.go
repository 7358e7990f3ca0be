package opus

/*
#include <opus.h>

static int ringdesk_opus_encoder_setup(OpusEncoder *e, int bitrate, int complexity, int fec, int loss) {
	int rc = opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate));
	if (rc == OPUS_OK && complexity > 0) rc = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity));
	if (rc == OPUS_OK) rc = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(fec));
	if (rc == OPUS_OK) rc = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss));
	return rc;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"slices"
	"unsafe"
)

// Encoder turns mono PCM frames into Opus packets. It implements
// [codec.Encoder]. It is not safe for concurrent use.
type Encoder struct {
	st      *C.OpusEncoder
	cleanup runtime.Cleanup
	rate    int
}

// NewEncoder returns an encoder for one outgoing stream (libopus's VoIP
// mode, mono).
func NewEncoder(o Options) (*Encoder, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, err
	}
	var rc C.int
	st := C.opus_encoder_create(C.opus_int32(o.PCMRate), 1, C.OPUS_APPLICATION_VOIP, &rc)
	if rc != C.OPUS_OK || st == nil {
		return nil, fmt.Errorf("opus: creating an encoder: %w", Error(rc))
	}
	live.Add(1)
	e := &Encoder{st: st, rate: o.PCMRate}
	e.cleanup = runtime.AddCleanup(e, destroyEncoder, st)
	fec := 1
	if o.NoFEC {
		fec = 0
	}
	if rc := C.ringdesk_opus_encoder_setup(st, C.int(o.Bitrate), C.int(o.Complexity), C.int(fec), C.int(o.ExpectedLoss)); rc != C.OPUS_OK {
		e.Close()
		return nil, fmt.Errorf("opus: setting up the encoder: %w", Error(rc))
	}
	return e, nil
}

func destroyEncoder(st *C.OpusEncoder) {
	C.opus_encoder_destroy(st)
	live.Add(-1)
}

// EncodeFrame appends the packet for pcm to dst and returns the extended
// slice. pcm is mono at the PCM rate and lasts 2.5, 5, 10, 20, 40 or 60 ms
// (160 samples for 20 ms at 8 kHz).
func (e *Encoder) EncodeFrame(dst []byte, pcm []int16) ([]byte, error) {
	if e.st == nil {
		return dst, ErrClosed
	}
	if !frameOK(len(pcm), e.rate) {
		return dst, fmt.Errorf("opus: %d samples at %d Hz is not an Opus frame (2.5, 5, 10, 20, 40 or 60 ms)", len(pcm), e.rate)
	}
	dst = slices.Grow(dst, maxPacket)
	out := dst[len(dst):cap(dst)]
	n := C.opus_encode(e.st, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.opus_int32(len(out)))
	runtime.KeepAlive(e) // its cleanup must not free st during the call
	if n < 0 {
		return dst, Error(n)
	}
	return dst[:len(dst)+int(n)], nil
}

// Encode is EncodeFrame for [codec.Encoder]: on an error (a frame of the
// wrong length, use after Close) it appends nothing.
func (e *Encoder) Encode(dst []byte, pcm []int16) []byte {
	dst, _ = e.EncodeFrame(dst, pcm)
	return dst
}

// Close frees the encoder's C state. Further calls fail with ErrClosed.
func (e *Encoder) Close() error {
	if e.st != nil {
		e.cleanup.Stop()
		destroyEncoder(e.st)
		e.st = nil
	}
	return nil
}
