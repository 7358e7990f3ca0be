package g711

import (
	"math"
	"testing"
)

// The reference quantisers below are built from the segment tables of
// ITU-T G.711 (Table 1a for A-law, Table 2a for µ-law), not from the code
// under test: each segment is a first decision value and a step size in the
// law's own linear domain (13-bit for A-law, 14-bit for µ-law), and each
// interval decodes to its midpoint.

// ulawDecisions are the µ-law segment boundaries of Table 2a (14-bit
// magnitudes): segment s covers [ulawDecisions[s], ulawDecisions[s+1]) in
// 16 steps; segment 0 starts with a half-width interval around 0.
var ulawDecisions = [9]int{-1, 31, 95, 223, 479, 991, 2015, 4063, 8159}

// alawDecisions are the A-law segment boundaries of Table 1a (13-bit
// magnitudes, 1 unit = 8 in 16-bit): segments 0 and 1 share step 2.
var alawDecisions = [9]int{0, 32, 64, 128, 256, 512, 1024, 2048, 4096}

// refULaw quantises a 16-bit sample with Table 2a and returns the character
// signal (sign bit 1 for positive, magnitude bits inverted) and the decoder
// output scaled to 16 bits.
func refULaw(x int) (byte, int) {
	sign := 1
	if x < 0 {
		x = -x - 1 // one's complement, as G.191 does
		sign = -1
	}
	m := x >> 2
	for s := range 8 {
		lo, hi := ulawDecisions[s], ulawDecisions[s+1]
		step := (hi - lo) / 16
		if m >= hi && s < 7 {
			continue
		}
		k := min((m-lo)/step, 15)
		out := lo + k*step + step/2
		if s == 0 && k == 0 {
			out = 0
		}
		code := byte(s<<4|k) ^ 0x7F
		if sign > 0 {
			code |= 0x80
		}
		return code, sign * out * 4
	}
	panic("unreachable")
}

// refALaw quantises a 16-bit sample with Table 1a and returns the character
// signal (sign bit 1 for positive, even bits inverted) and the decoder output
// scaled to 16 bits.
func refALaw(x int) (byte, int) {
	sign := 1
	if x < 0 {
		x = -x - 1
		sign = -1
	}
	m := x >> 3
	for s := range 8 {
		lo, hi := alawDecisions[s], alawDecisions[s+1]
		if m >= hi {
			continue
		}
		step := (hi - lo) / 16
		k := (m - lo) / step
		code := byte(s<<4 | k)
		if sign > 0 {
			code |= 0x80
		}
		return code ^ 0x55, sign * (lo + k*step + step/2) * 8
	}
	panic("unreachable")
}

func TestULawAgainstITUTable(t *testing.T) {
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		wantCode, wantOut := refULaw(x)
		code := EncodeULaw(int16(x))
		if code != wantCode {
			t.Fatalf("EncodeULaw(%d) = %#02x, G.711 table gives %#02x", x, code, wantCode)
		}
		if got := int(DecodeULaw(code)); got != wantOut {
			t.Fatalf("DecodeULaw(%#02x) = %d, G.711 table gives %d (input %d)", code, got, wantOut, x)
		}
	}
}

func TestALawAgainstITUTable(t *testing.T) {
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		wantCode, wantOut := refALaw(x)
		code := EncodeALaw(int16(x))
		if code != wantCode {
			t.Fatalf("EncodeALaw(%d) = %#02x, G.711 table gives %#02x", x, code, wantCode)
		}
		if got := int(DecodeALaw(code)); got != wantOut {
			t.Fatalf("DecodeALaw(%#02x) = %d, G.711 table gives %d (input %d)", code, got, wantOut, x)
		}
	}
}

// TestKnownValues checks values printed in G.711 and quoted by every
// implementation (scaled to 16 bits).
func TestKnownValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int16
		want int16
	}{
		{"µ 0x80 (max +)", DecodeULaw(0x80), 32124},
		{"µ 0x00 (max -)", DecodeULaw(0x00), -32124},
		{"µ 0xFF (+0)", DecodeULaw(0xFF), 0},
		{"µ 0x7F (-0)", DecodeULaw(0x7F), 0},
		{"µ 0xFE", DecodeULaw(0xFE), 8},
		{"µ 0xEF (end of segment 1)", DecodeULaw(0xEF), 132},
		{"A 0xD5 (+min)", DecodeALaw(0xD5), 8},
		{"A 0x55 (-min)", DecodeALaw(0x55), -8},
		{"A 0xAA (max +)", DecodeALaw(0xAA), 32256},
		{"A 0x2A (max -)", DecodeALaw(0x2A), -32256},
		{"A 0x80", DecodeALaw(0x80), 5504},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		got  byte
		want byte
	}{
		{"µ(0)", EncodeULaw(0), ULawSilence},
		{"µ(-1)", EncodeULaw(-1), 0x7F},
		{"µ(32767)", EncodeULaw(32767), 0x80},
		{"µ(-32768)", EncodeULaw(-32768), 0x00},
		{"A(0)", EncodeALaw(0), ALawSilence},
		{"A(-1)", EncodeALaw(-1), 0x55},
		{"A(32767)", EncodeALaw(32767), 0xAA},
		{"A(-32768)", EncodeALaw(-32768), 0x2A},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %#02x, want %#02x", tc.name, tc.got, tc.want)
		}
	}
}

// TestRoundTrip checks, over all 65536 inputs, that decoding an encoded
// sample stays within half a quantisation step of the input (full scale is
// clipped by at most one step), that quantisation is monotonic, and that every
// code survives decode then encode (except µ-law's negative zero, 0x7F, which
// re-encodes as positive zero, 0xFF).
func TestRoundTrip(t *testing.T) {
	laws := []struct {
		name   string
		enc    func(int16) byte
		dec    func(byte) int16
		maxErr func(x int) int
	}{
		{"µ-law", EncodeULaw, DecodeULaw, func(x int) int {
			if x < 0 {
				x = -x - 1
			}
			m := x>>2 + 33
			if m > 0x1FFF {
				return 32767 - 32124 + 1
			}
			seg := 0
			for m>>(seg+6) > 0 {
				seg++
			}
			return 4<<(seg+1)/2 + 4 // half a step plus the 2-bit truncation
		}},
		{"A-law", EncodeALaw, DecodeALaw, func(x int) int {
			if x < 0 {
				x = -x - 1
			}
			m := x >> 4
			seg := 1
			for m>>(seg+4) > 0 {
				seg++
			}
			return 16<<(seg-1)/2 + 1 // half a step plus the sign offset
		}},
	}
	for _, law := range laws {
		prev := math.MinInt32
		for x := math.MinInt16; x <= math.MaxInt16; x++ {
			y := int(law.dec(law.enc(int16(x))))
			if d := y - x; d > law.maxErr(x) || -d > law.maxErr(x) {
				t.Fatalf("%s: %d decodes back as %d, error %d > %d", law.name, x, y, d, law.maxErr(x))
			}
			if y < prev {
				t.Fatalf("%s: not monotonic at %d: %d after %d", law.name, x, y, prev)
			}
			prev = y
		}
		for c := range 256 {
			got := law.enc(law.dec(byte(c)))
			want := byte(c)
			if law.name == "µ-law" && c == 0x7F {
				want = ULawSilence
			}
			if got != want {
				t.Errorf("%s: code %#02x decodes to %d which encodes to %#02x", law.name, c, law.dec(byte(c)), got)
			}
		}
	}
}

func TestAppendHelpers(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 32767, -32768}
	u := AppendULaw(nil, pcm)
	a := AppendALaw(nil, pcm)
	du := AppendULawPCM(nil, u)
	da := AppendALawPCM(nil, a)
	for i, x := range pcm {
		if u[i] != EncodeULaw(x) || a[i] != EncodeALaw(x) || du[i] != DecodeULaw(u[i]) || da[i] != DecodeALaw(a[i]) {
			t.Fatalf("append helpers disagree with the per-sample functions at %d", i)
		}
	}
}

func benchFrame() []int16 {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(16000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return pcm
}

func BenchmarkEncodeULawFrame(b *testing.B) {
	pcm, buf := benchFrame(), make([]byte, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendULaw(buf[:0], pcm)
	}
}

func BenchmarkEncodeALawFrame(b *testing.B) {
	pcm, buf := benchFrame(), make([]byte, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendALaw(buf[:0], pcm)
	}
}

func BenchmarkDecodeULawFrame(b *testing.B) {
	codes, out := AppendULaw(nil, benchFrame()), make([]int16, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		out = AppendULawPCM(out[:0], codes)
	}
}

func BenchmarkDecodeALawFrame(b *testing.B) {
	codes, out := AppendALaw(nil, benchFrame()), make([]int16, 0, 160)
	b.ReportAllocs()
	for b.Loop() {
		out = AppendALawPCM(out[:0], codes)
	}
}
