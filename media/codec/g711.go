package codec

import "github.com/ringdesk/ringdesk/media/codec/g711"

// g711Codec is PCMU (ulaw) or PCMA.
type g711Codec struct{ ulaw bool }

func (c g711Codec) Info() Info {
	if c.ulaw {
		return Info{Name: "pcmu", EncodingName: "PCMU", ClockRate: 8000, Channels: 1, StaticPayloadType: 0}
	}
	return Info{Name: "pcma", EncodingName: "PCMA", ClockRate: 8000, Channels: 1, StaticPayloadType: 8}
}

func (c g711Codec) NewEncoder() Encoder { return g711Encoder(c) }

func (c g711Codec) NewDecoder() Decoder { return &g711Decoder{ulaw: c.ulaw} }

type g711Encoder struct{ ulaw bool }

func (e g711Encoder) Encode(dst []byte, pcm []int16) []byte {
	if e.ulaw {
		return g711.AppendULaw(dst, pcm)
	}
	return g711.AppendALaw(dst, pcm)
}

// Concealment by repeat-and-fade, after ITU-T G.711 Appendix I in its
// simplest form: the last 10 ms of good audio is repeated, the first 10 ms
// of a gap at full level, then fading linearly to silence over the next
// 50 ms.
const (
	historyLen = 80  // samples kept (10 ms at 8 kHz): one repeat period
	fullLen    = 80  // samples of a gap played at full level
	fadeLen    = 400 // samples over which the repeat fades to silence
)

// g711Decoder decodes G.711 and remembers the last 10 ms for concealment.
type g711Decoder struct {
	ulaw    bool
	history [historyLen]int16
	filled  int // valid samples in history (the newest are at the end)
	lost    int // samples concealed since the last good audio
}

func (d *g711Decoder) Samples(payload []byte) int { return len(payload) }

func (d *g711Decoder) Decode(dst []int16, payload []byte) []int16 {
	start := len(dst)
	if d.ulaw {
		dst = g711.AppendULawPCM(dst, payload)
	} else {
		dst = g711.AppendALawPCM(dst, payload)
	}
	d.remember(dst[start:])
	d.lost = 0
	return dst
}

func (d *g711Decoder) remember(pcm []int16) {
	if len(pcm) >= historyLen {
		copy(d.history[:], pcm[len(pcm)-historyLen:])
		d.filled = historyLen
		return
	}
	copy(d.history[:], d.history[len(pcm):])
	copy(d.history[historyLen-len(pcm):], pcm)
	d.filled = min(historyLen, d.filled+len(pcm))
}

func (d *g711Decoder) Conceal(pcm []int16) {
	for i := range pcm {
		if d.filled == 0 || d.lost >= fullLen+fadeLen {
			pcm[i] = 0
			d.lost++
			continue
		}
		src := d.history[historyLen-d.filled+d.lost%d.filled]
		gain := 1.0
		if d.lost > fullLen {
			gain = 1 - float64(d.lost-fullLen)/fadeLen
		}
		pcm[i] = int16(float64(src) * gain)
		d.lost++
	}
}
