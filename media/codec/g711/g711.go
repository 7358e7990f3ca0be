// Package g711 converts 16-bit linear PCM to and from ITU-T G.711 µ-law
// (PCMU) and A-law (PCMA).
//
// The conversion follows the ITU-T G.191 reference implementation: µ-law
// works on the top 14 bits of a sample and A-law on the top 13, negative
// samples take their one's complement before quantisation, and decoding
// returns the midpoint of each quantisation interval scaled back to 16 bits.
// Encoding is arithmetic (no table); decoding uses two 256-entry tables.
package g711

import "math/bits"

// Silence bytes: what a zero sample encodes to in each law.
const (
	ULawSilence byte = 0xFF
	ALawSilence byte = 0xD5
)

var (
	ulawTable [256]int16
	alawTable [256]int16
)

func init() {
	for i := range 256 {
		ulawTable[i] = ulawExpand(byte(i))
		alawTable[i] = alawExpand(byte(i))
	}
}

// EncodeULaw returns the µ-law code of one linear sample.
func EncodeULaw(x int16) byte {
	mask := byte(0xFF) // positive: sign bit set, magnitude bits inverted
	v := int32(x)
	if v < 0 {
		v = ^v
		mask = 0x7F
	}
	v = v>>2 + 33 // 14-bit magnitude plus the µ-law bias
	if v > 0x1FFF {
		v = 0x1FFF
	}
	seg := bits.Len32(uint32(v)) - 6 // 0..7: 33..63 is segment 0
	mant := (v >> (seg + 1)) & 0x0F
	return (byte(seg<<4) | byte(mant)) ^ mask
}

// DecodeULaw returns the linear value of one µ-law code.
func DecodeULaw(c byte) int16 { return ulawTable[c] }

// EncodeALaw returns the A-law code of one linear sample.
func EncodeALaw(x int16) byte {
	mask := byte(0xD5) // positive: sign bit set, even bits inverted
	v := int32(x)
	if v < 0 {
		v = ^v
		mask = 0x55
	}
	v >>= 4 // 12-bit magnitude
	var seg int32
	if v > 15 {
		seg = int32(bits.Len32(uint32(v))) - 4 // 16..31 is segment 1
		v = (v >> (seg - 1)) & 0x0F
	}
	return (byte(seg<<4) | byte(v)) ^ mask
}

// DecodeALaw returns the linear value of one A-law code.
func DecodeALaw(c byte) int16 { return alawTable[c] }

// AppendULaw appends the µ-law codes of pcm to dst and returns the result.
func AppendULaw(dst []byte, pcm []int16) []byte {
	for _, x := range pcm {
		dst = append(dst, EncodeULaw(x))
	}
	return dst
}

// AppendALaw appends the A-law codes of pcm to dst and returns the result.
func AppendALaw(dst []byte, pcm []int16) []byte {
	for _, x := range pcm {
		dst = append(dst, EncodeALaw(x))
	}
	return dst
}

// AppendULawPCM appends the linear samples of the µ-law codes to dst.
func AppendULawPCM(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, ulawTable[c])
	}
	return dst
}

// AppendALawPCM appends the linear samples of the A-law codes to dst.
func AppendALawPCM(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, alawTable[c])
	}
	return dst
}

// ulawExpand is G.191's ulaw_expand for one code.
func ulawExpand(c byte) int16 {
	sign := int32(1)
	if c < 0x80 {
		sign = -1
	}
	m := int32(^c)
	exp := (m >> 4) & 0x07
	m &= 0x0F
	step := int32(4) << (exp + 1)
	return int16(sign * ((0x80 << exp) + step*m + step/2 - 4*33))
}

// alawExpand is G.191's alaw_expand for one code.
func alawExpand(c byte) int16 {
	ix := int32(c^0x55) & 0x7F
	exp := ix >> 4
	m := ix & 0x0F
	if exp > 0 {
		m += 16
	}
	m = m<<4 + 8
	if exp > 1 {
		m <<= exp - 1
	}
	if c > 0x7F {
		return int16(m)
	}
	return int16(-m)
}
