package opus

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/tone"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var _ codec.Codec = Default

// toneFrames returns frames of 20 ms of a tone at rate.
func toneFrames(t testing.TB, freq float64, rate, frames int) [][]int16 {
	t.Helper()
	src := tone.NewSine(freq, 0.5)
	out := make([][]int16, frames)
	for i := range out {
		out[i] = make([]int16, rate/50)
		if err := src.ReadFrame(out[i], rate); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func newPair(t testing.TB, o Options) (*Encoder, *Decoder) {
	t.Helper()
	enc, err := NewEncoder(o)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { enc.Close(); dec.Close() })
	return enc, dec
}

// settle is the start of a decoded signal left out of measurements: the
// codec's look-ahead and its first frames' ramp.
const settle = 3 // frames

func TestInfo(t *testing.T) {
	i := Default.Info()
	if i.Name != "opus" || i.EncodingName != "opus" || i.ClockRate != 48000 || i.Channels != 2 || i.StaticPayloadType != -1 {
		t.Errorf("Info = %+v, want opus/48000/2 with a dynamic payload type", i)
	}
	if Default.PCMRate() != 8000 {
		t.Errorf("default PCM rate %d", Default.PCMRate())
	}
	if o := Default.Options(); o.Bitrate != DefaultBitrate || o.ExpectedLoss != DefaultLoss || o.NoFEC {
		t.Errorf("default options %+v", o)
	}
	t.Logf("linked %s", Version())
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{PCMRate: 44100}, {PCMRate: 11025}, {Bitrate: 1000}, {Bitrate: 600000}, {Complexity: 11}, {ExpectedLoss: 101}, {ExpectedLoss: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
		if _, err := NewEncoder(o); err == nil {
			t.Errorf("NewEncoder(%+v) accepted", o)
		}
	}
}

// TestRoundTrip encodes and decodes tones at each PCM rate: the tone must
// come back at SNR > 20 dB and about its level.
func TestRoundTrip(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		for _, freq := range []float64{440, 1000} {
			c, err := New(Options{PCMRate: rate})
			if err != nil {
				t.Fatal(err)
			}
			enc, dec := c.NewEncoder(), c.NewDecoder()
			var out []int16
			var pkt []byte
			bytes := 0
			frames := toneFrames(t, freq, rate, 50)
			for _, f := range frames {
				pkt = enc.Encode(pkt[:0], f)
				if len(pkt) == 0 {
					t.Fatalf("%d Hz: empty packet", rate)
				}
				bytes += len(pkt)
				if n := dec.Samples(pkt); n != rate/50 {
					t.Fatalf("%d Hz: Samples = %d, want %d", rate, n, rate/50)
				}
				out = dec.Decode(out, pkt)
			}
			if len(out) != rate {
				t.Fatalf("%d Hz: decoded %d samples from 1 s", rate, len(out))
			}
			got := mediatest.Measure(out[settle*rate/50:], rate, freq)
			sent := mediatest.Level(frames[0])
			if got.SNR < 20 || math.Abs(got.Level-sent) > 3 {
				t.Errorf("%v Hz tone at %d Hz came back as %+v (sent at %.1f dB)", freq, rate, got, sent)
			}
			t.Logf("%4v Hz at %5d Hz PCM: SNR %.1f dB, level %+.2f dB, %.1f kbit/s", freq, rate, got.SNR, got.Level-sent, float64(bytes)*8/1000)
			enc.(*Encoder).Close()
			dec.(*Decoder).Close()
		}
	}
}

// TestConcealment loses one frame in ten of a 440 Hz tone. When the next
// packet is there, DecodeFEC recovers the lost frame from it and at least
// 90% of the frames hold the tone (SNR ≥ 10 dB). With concealment alone
// (Conceal, as for a packet lost with the one after it) each lost frame
// still holds the tone, but SILK (what the encoder uses for 8 kHz speech)
// takes up to 80 ms to get back to a steady tone after a loss, because
// its long-term predictor starts from the concealed audio: fewer frames
// pass, as measured in the log.
func TestConcealment(t *testing.T) {
	for _, fec := range []bool{true, false} {
		enc, dec := newPair(t, Options{})
		frames := toneFrames(t, 440, 8000, 100)
		pkts := make([][]byte, len(frames))
		for i, f := range frames {
			var err error
			if pkts[i], err = enc.EncodeFrame(nil, f); err != nil {
				t.Fatal(err)
			}
		}
		var out, gaps []int16
		lost := 0
		for i, p := range pkts {
			switch {
			case i%10 != 5:
				out = dec.Decode(out, p)
				continue
			case fec:
				var err error
				if out, err = dec.DecodeFEC(out, pkts[i+1], 160); err != nil {
					t.Fatal(err)
				}
			default:
				out = append(out, make([]int16, 160)...)
				dec.Conceal(out[len(out)-160:])
			}
			lost++
			gaps = append(gaps, out[len(out)-160:]...)
		}
		if len(out) != 160*len(frames) {
			t.Fatalf("%d samples for %d frames", len(out), len(frames))
		}
		const minSNR = 10
		whole := mediatest.FramesWithTone(out[settle*160:], 8000, 440, 160, minSNR)
		inGaps := mediatest.FramesWithTone(gaps, 8000, 440, 160, 0)
		t.Logf("fec=%v: %d of %d frames lost; %.0f%% of all frames hold the tone at SNR ≥ %d dB; %.0f%% of the lost frames at SNR ≥ 0 dB, level %.1f dB",
			fec, lost, len(frames), whole*100, minSNR, inGaps*100, mediatest.Level(gaps))
		if inGaps < 1 || mediatest.Level(gaps) < -20 {
			t.Errorf("fec=%v: the concealed frames do not hold the tone", fec)
		}
		if want := map[bool]float64{true: 0.9, false: 0.6}[fec]; whole < want {
			t.Errorf("fec=%v: %.0f%% of the frames hold the tone at SNR ≥ %d dB, want ≥ %.0f%%", fec, whole*100, minSNR, want*100)
		}
	}
}

// TestConcealAnyLength asks for concealment in pieces that are not 2.5 ms
// steps: the leftovers carry over and nothing is lost or repeated.
func TestConcealAnyLength(t *testing.T) {
	enc, dec := newPair(t, Options{})
	for _, f := range toneFrames(t, 440, 8000, 5) {
		dec.Decode(nil, enc.Encode(nil, f))
	}
	gap := make([]int16, 160)
	for start := 0; start < len(gap); start += 7 {
		dec.Conceal(gap[start:min(start+7, len(gap))])
	}
	if f := mediatest.FramesWithTone(gap, 8000, 440, 160, 10); f != 1 || mediatest.Level(gap) < -20 {
		t.Errorf("concealment in 7-sample pieces has no tone: level %.1f dB", mediatest.Level(gap))
	}
	if len(dec.Decode(nil, enc.Encode(nil, make([]int16, 160)))) != 160 {
		t.Errorf("decode after concealment")
	}
	fresh, err := NewDecoder(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	silent := []int16{1, 2, 3}
	fresh.Conceal(silent)
	if silent[0] != 0 || silent[2] != 0 {
		t.Errorf("concealment before any packet = %v, want silence", silent)
	}
}

// TestGarbage gives the decoder packets whose framing is broken: an error
// from DecodeFrame, 0 from Samples (the jitter buffer drops those), and
// Decode conceals a frame instead of failing.
func TestGarbage(t *testing.T) {
	_, dec := newPair(t, Options{})
	for _, p := range [][]byte{
		nil,
		{0x03},                   // code 3 without its frame count
		{0x03, 0x00},             // code 3 with no frames
		{0x03, 0x31},             // code 3, 49 frames: more than 120 ms
		{0x01, 0x00},             // code 1 (two equal frames) with an odd length
		{0x02, 0xFC, 0xFF},       // code 2, first frame longer than the packet
		{0x03, 0x82, 0xFF, 0xFF}, // code 3 VBR, frame length past the end
	} {
		if n := dec.Samples(p); n != 0 {
			t.Errorf("Samples(% x) = %d, want 0", p, n)
		}
		out, err := dec.DecodeFrame(nil, p)
		if err == nil {
			t.Errorf("DecodeFrame(% x) gave %d samples and no error", p, len(out))
		}
		if n := len(dec.Decode(nil, p)); n != 160 {
			t.Errorf("Decode(% x) gave %d samples, want a concealed frame of 160", p, n)
		}
	}
	if _, err := dec.DecodeFEC(nil, []byte{0x08, 1, 2}, 150); err == nil {
		t.Errorf("DecodeFEC accepted a gap of 18.75 ms at 8 kHz")
	}
}

func TestEncodeRefusesOddFrames(t *testing.T) {
	enc, _ := newPair(t, Options{})
	for _, n := range []int{0, 100, 161, 960} {
		if _, err := enc.EncodeFrame(nil, make([]int16, n)); err == nil {
			t.Errorf("%d samples at 8 kHz accepted", n)
		}
		if out := enc.Encode([]byte{1}, make([]int16, n)); len(out) != 1 {
			t.Errorf("Encode of %d samples appended %d bytes", n, len(out)-1)
		}
	}
	for _, n := range []int{20, 40, 80, 160, 320, 480} {
		if _, err := enc.EncodeFrame(nil, make([]int16, n)); err != nil {
			t.Errorf("%d samples at 8 kHz: %v", n, err)
		}
	}
}

// TestCloseFrees checks the C states are freed by Close, and by the
// cleanup when an encoder or decoder is dropped without Close.
func TestCloseFrees(t *testing.T) {
	base := live.Load()
	for range 100 {
		enc, dec := Default.NewEncoder().(*Encoder), Default.NewDecoder().(*Decoder)
		dec.Decode(nil, enc.Encode(nil, make([]int16, 160)))
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := dec.Close(); err != nil {
			t.Fatal(err)
		}
		enc.Close()
		dec.Close()
		if _, err := enc.EncodeFrame(nil, make([]int16, 160)); !errors.Is(err, ErrClosed) {
			t.Fatalf("encode after Close: %v", err)
		}
		if _, err := dec.DecodeFrame(nil, []byte{0x08, 1}); !errors.Is(err, ErrClosed) {
			t.Fatalf("decode after Close: %v", err)
		}
		gap := []int16{5}
		dec.Conceal(gap)
		if gap[0] != 0 {
			t.Fatalf("concealment after Close is not silence")
		}
	}
	if n := live.Load(); n != base {
		t.Fatalf("%d C states left after Close", n-base)
	}
	for range 100 {
		Default.NewEncoder()
		Default.NewDecoder()
	}
	deadline := time.Now().Add(10 * time.Second)
	for live.Load() != base && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := live.Load(); n != base {
		t.Fatalf("%d C states of dropped encoders and decoders never freed", n-base)
	}
}

// FuzzOpusDecode feeds the decoder arbitrary packets: it must never panic,
// and a packet whose framing passes must decode to the length Samples
// says. Seeds are in testdata/fuzz/FuzzOpusDecode.
func FuzzOpusDecode(f *testing.F) {
	enc, err := NewEncoder(Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, fr := range toneFrames(f, 1000, 8000, 3) {
		f.Add(enc.Encode(nil, fr))
	}
	enc.Close()
	dec, err := NewDecoder(Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer dec.Close()
	f.Fuzz(func(t *testing.T, p []byte) {
		n := dec.Samples(p)
		out, err := dec.DecodeFrame(nil, p)
		if err == nil && len(out) != n {
			t.Errorf("Samples said %d, DecodeFrame gave %d", n, len(out))
		}
		if n > 0 && err != nil {
			t.Logf("framing passes but decoding fails: %v", err)
		}
		if err != nil && n > 0 {
			return
		}
		if _, err := dec.DecodeFEC(nil, p, 160); err == nil && n == 0 {
			t.Errorf("FEC from a packet with broken framing decoded")
		}
		gap := make([]int16, 50)
		dec.Conceal(gap)
		if got := len(dec.Decode(nil, p)); got <= 0 || got > 960 {
			t.Errorf("Decode gave %d samples", got)
		}
	})
}

// benchFrame is 20 ms of a tone with some noise, at rate.
func benchFrame(b *testing.B, rate int) []int16 {
	pcm := toneFrames(b, 440, rate, 1)[0]
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range pcm {
		pcm[i] += int16(rng.NormFloat64() * 500)
	}
	return pcm
}

func benchEncode(b *testing.B, rate, complexity int) {
	enc, _ := newPair(b, Options{PCMRate: rate, Complexity: complexity})
	pcm := benchFrame(b, rate)
	pkt := make([]byte, 0, maxPacket)
	b.ReportAllocs()
	for b.Loop() {
		pkt = enc.Encode(pkt[:0], pcm)
	}
}

func benchDecode(b *testing.B, rate int) {
	enc, dec := newPair(b, Options{PCMRate: rate})
	pcm := benchFrame(b, rate)
	pkt := enc.Encode(nil, pcm)
	out := make([]int16, 0, rate*3/25)
	b.ReportAllocs()
	for b.Loop() {
		out = dec.Decode(out[:0], pkt)
	}
}

// Benchmarks encode, decode or conceal one 20 ms frame.
func BenchmarkEncode8k(b *testing.B)            { benchEncode(b, 8000, 0) }
func BenchmarkEncode8kComplexity5(b *testing.B) { benchEncode(b, 8000, 5) }
func BenchmarkDecode8k(b *testing.B)            { benchDecode(b, 8000) }
func BenchmarkEncode48k(b *testing.B)           { benchEncode(b, 48000, 0) }
func BenchmarkDecode48k(b *testing.B)           { benchDecode(b, 48000) }

func BenchmarkConceal8k(b *testing.B) {
	enc, dec := newPair(b, Options{})
	dec.Decode(nil, enc.Encode(nil, benchFrame(b, 8000)))
	gap := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		dec.Conceal(gap)
	}
}
