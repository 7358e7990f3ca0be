package testbed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// WriteToneWAV writes a 16-bit mono PCM WAV file holding a sine tone of
// freqHz, seconds long, at sampleRate samples per second and half of full
// scale (-6 dBFS). baresip's aufile source needs the sample rate of the
// call's codec: 8000 for PCMU/PCMA, 48000 for Opus.
func WriteToneWAV(path string, freqHz, seconds float64, sampleRate int) error {
	if sampleRate <= 0 || seconds < 0 || freqHz < 0 {
		return fmt.Errorf("testbed: WriteToneWAV %s: bad parameters (%.1f Hz, %.2f s, %d Hz rate)", path, freqHz, seconds, sampleRate)
	}
	n := int(math.Round(seconds * float64(sampleRate)))
	samples := make([]int16, n)
	for i := range samples {
		samples[i] = int16(math.Round(16383 * math.Sin(2*math.Pi*freqHz*float64(i)/float64(sampleRate))))
	}
	return WriteWAV(path, samples, sampleRate)
}

// WriteWAV writes 16-bit mono PCM samples as a WAV file.
func WriteWAV(path string, samples []int16, sampleRate int) error {
	var b bytes.Buffer
	dataLen := uint32(2 * len(samples))
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, 36+dataLen)
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, binary.LittleEndian, wavFmt{
		ChunkSize:     16,
		Format:        1, // PCM
		Channels:      1,
		SampleRate:    uint32(sampleRate),
		ByteRate:      uint32(2 * sampleRate),
		BlockAlign:    2,
		BitsPerSample: 16,
	})
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, dataLen)
	_ = binary.Write(&b, binary.LittleEndian, samples)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("testbed: writing WAV: %w", err)
	}
	return nil
}

// wavFmt is the body of a WAV "fmt " chunk, preceded by its size.
type wavFmt struct {
	ChunkSize     uint32
	Format        uint16
	Channels      uint16
	SampleRate    uint32
	ByteRate      uint32
	BlockAlign    uint16
	BitsPerSample uint16
}

// WAV is the content of a 16-bit PCM WAV file.
type WAV struct {
	SampleRate int
	Channels   int
	Samples    []int16 // interleaved when Channels > 1
}

// Mono returns the first channel's samples.
func (w *WAV) Mono() []int16 {
	if w.Channels <= 1 {
		return w.Samples
	}
	out := make([]int16, 0, len(w.Samples)/w.Channels)
	for i := 0; i < len(w.Samples); i += w.Channels {
		out = append(out, w.Samples[i])
	}
	return out
}

// Duration returns the length of the audio in seconds.
func (w *WAV) Duration() float64 {
	if w.SampleRate == 0 || w.Channels == 0 {
		return 0
	}
	return float64(len(w.Samples)) / float64(w.Channels*w.SampleRate)
}

// ReadWAV reads a 16-bit PCM WAV file. A data chunk whose length was not
// filled in yet (a file still being written) is read to the end of the file.
func ReadWAV(path string) (*WAV, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("testbed: reading WAV: %w", err)
	}
	w, err := parseWAV(raw)
	if err != nil {
		return nil, fmt.Errorf("testbed: reading WAV %s: %w", path, err)
	}
	return w, nil
}

func parseWAV(raw []byte) (*WAV, error) {
	if len(raw) < 12 || string(raw[0:4]) != "RIFF" || string(raw[8:12]) != "WAVE" {
		return nil, errors.New("not a RIFF/WAVE file")
	}
	w := &WAV{}
	pos := 12
	for pos+8 <= len(raw) {
		id := string(raw[pos : pos+4])
		size := int(binary.LittleEndian.Uint32(raw[pos+4 : pos+8]))
		body := pos + 8
		switch id {
		case "fmt ":
			if size < 16 || body+16 > len(raw) {
				return nil, errors.New("short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(raw[body:])
			w.Channels = int(binary.LittleEndian.Uint16(raw[body+2:]))
			w.SampleRate = int(binary.LittleEndian.Uint32(raw[body+4:]))
			bits := binary.LittleEndian.Uint16(raw[body+14:])
			if (format != 1 && format != 0xFFFE) || bits != 16 {
				return nil, fmt.Errorf("unsupported format %d with %d bits (want 16-bit PCM)", format, bits)
			}
		case "data":
			if w.Channels == 0 {
				return nil, errors.New("data chunk before fmt chunk")
			}
			if size == 0 || size > len(raw)-body {
				size = len(raw) - body
			}
			size &^= 1
			w.Samples = make([]int16, size/2)
			_ = binary.Read(bytes.NewReader(raw[body:body+size]), binary.LittleEndian, w.Samples)
			return w, nil
		}
		pos = body + size + size%2
	}
	return nil, errors.New("no data chunk")
}

// ToneLevel returns how strongly the tone freqHz is present in samples, as
// its amplitude relative to full scale (0 to about 1), by the Goertzel
// algorithm over the whole slice. A -6 dBFS tone from [WriteToneWAV] gives
// about 0.5; silence or another frequency gives close to 0.
func ToneLevel(samples []int16, sampleRate int, freqHz float64) float64 {
	n := len(samples)
	if n == 0 || sampleRate <= 0 {
		return 0
	}
	w := 2 * math.Pi * freqHz / float64(sampleRate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x)/32768 + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	if power < 0 {
		power = 0
	}
	return 2 * math.Sqrt(power) / float64(n)
}
