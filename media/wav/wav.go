// Package wav reads and writes 16-bit PCM WAV files as media sources and
// sinks: a looping file source that delivers frames at whatever rate the
// call runs, and a recorder that writes what a call hears.
package wav

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxData bounds the audio a source loads into memory (about 17 minutes of
// 48 kHz stereo).
const maxData = 200 << 20

// Read loads a 16-bit PCM WAV file, mixing stereo (or more channels) down
// to mono. It returns the samples and the file's sample rate.
func Read(path string) ([]int16, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("opening WAV file: %w", err)
	}
	defer f.Close()
	samples, rate, err := decode(bufio.NewReader(f))
	if err != nil {
		return nil, 0, fmt.Errorf("reading WAV file %s: %w", path, err)
	}
	return samples, rate, nil
}

func decode(r io.Reader) ([]int16, int, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, errors.New("too short for a WAV header")
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a RIFF/WAVE file")
	}
	var channels, bitsPerSample int
	rate := 0
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, 0, errors.New("no data chunk")
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[:4]) {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, 0, fmt.Errorf("fmt chunk of %d bytes", size)
			}
			body := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, 0, errors.New("truncated fmt chunk")
			}
			format := binary.LittleEndian.Uint16(body[0:])
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bitsPerSample = int(binary.LittleEndian.Uint16(body[14:]))
			if format == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format says
				format = binary.LittleEndian.Uint16(body[24:])
			}
			if format != 1 || bitsPerSample != 16 || channels < 1 || rate < 1000 || rate > 384000 {
				return nil, 0, fmt.Errorf("unsupported format %d, %d bits, %d channels, %d Hz (want 16-bit PCM)", format, bitsPerSample, channels, rate)
			}
		case "data":
			if rate == 0 {
				return nil, 0, errors.New("data chunk before fmt chunk")
			}
			if size > maxData {
				return nil, 0, fmt.Errorf("%d bytes of audio, more than the %d a source loads", size, maxData)
			}
			raw, err := io.ReadAll(io.LimitReader(r, size))
			if err != nil {
				return nil, 0, fmt.Errorf("reading audio: %w", err)
			}
			frames := len(raw) / (2 * channels)
			out := make([]int16, frames)
			for i := range out {
				sum := 0
				for c := range channels {
					sum += int(int16(binary.LittleEndian.Uint16(raw[2*(i*channels+c):])))
				}
				out[i] = int16(sum / channels)
			}
			return out, rate, nil
		default:
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return nil, 0, fmt.Errorf("truncated %q chunk", ch[:4])
			}
		}
	}
}

// Source plays a WAV file's audio in a loop.
type Source struct {
	samples []int16
	rate    int
	pos     float64 // position in file samples
}

// NewSource loads path for playing. The file must hold at least one sample.
func NewSource(path string) (*Source, error) {
	samples, rate, err := Read(path)
	if err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("WAV file %s holds no audio", path)
	}
	return &Source{samples: samples, rate: rate}, nil
}

// ReadFrame fills samples with the next audio at rate Hz, going back to the
// start at the end of the file. A file at another rate is converted by
// linear interpolation (good enough for test tones and prompts; a proper
// resampling filter comes with Opus).
func (s *Source) ReadFrame(samples []int16, rate int) error {
	if rate <= 0 {
		return fmt.Errorf("WAV source: bad rate %d", rate)
	}
	n := len(s.samples)
	if rate == s.rate {
		p := int(s.pos)
		for i := range samples {
			samples[i] = s.samples[p]
			p = (p + 1) % n
		}
		s.pos = float64(p)
		return nil
	}
	step := float64(s.rate) / float64(rate)
	for i := range samples {
		k := int(s.pos)
		frac := s.pos - float64(k)
		a, b := float64(s.samples[k%n]), float64(s.samples[(k+1)%n])
		samples[i] = int16(a + (b-a)*frac)
		s.pos += step
		if s.pos >= float64(n) {
			s.pos -= float64(n)
		}
	}
	return nil
}
