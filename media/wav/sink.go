package wav

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
)

const headerLen = 44

// Sink records 16-bit mono PCM into a WAV file. The header is written with
// zero lengths when the file is created and completed by Close. It is safe
// for concurrent use.
type Sink struct {
	mu     sync.Mutex
	f      *os.File
	w      *bufio.Writer
	rate   int
	bytes  int64
	closed bool
}

// Create creates (or truncates) path for recording.
func Create(path string) (*Sink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating WAV recording: %w", err)
	}
	s := &Sink{f: f, w: bufio.NewWriterSize(f, 32<<10)}
	if _, err := s.w.Write(make([]byte, headerLen)); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing WAV recording %s: %w", path, err)
	}
	return s, nil
}

// WriteFrame appends samples recorded at rate Hz. The first frame fixes the
// file's rate; a frame at another rate is refused.
func (s *Sink) WriteFrame(samples []int16, rate int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("WAV recording is closed")
	}
	if s.rate == 0 {
		s.rate = rate
	} else if rate != s.rate {
		return fmt.Errorf("WAV recording %s is at %d Hz, got a frame at %d Hz", s.f.Name(), s.rate, rate)
	}
	var b [2]byte
	for _, x := range samples {
		binary.LittleEndian.PutUint16(b[:], uint16(x))
		if _, err := s.w.Write(b[:]); err != nil {
			return fmt.Errorf("writing WAV recording %s: %w", s.f.Name(), err)
		}
	}
	s.bytes += int64(2 * len(samples))
	return nil
}

// Close completes the header and closes the file. A recording that never
// got a frame is a valid empty file at 8000 Hz.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	rate := s.rate
	if rate == 0 {
		rate = 8000
	}
	err := s.w.Flush()
	if err == nil {
		_, err = s.f.WriteAt(header(rate, s.bytes), 0)
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("finishing WAV recording %s: %w", s.f.Name(), err)
	}
	return nil
}

func header(rate int, dataLen int64) []byte {
	h := make([]byte, 0, headerLen)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(36+dataLen))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, 1) // mono
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(2*rate))
	h = binary.LittleEndian.AppendUint16(h, 2)
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	return binary.LittleEndian.AppendUint32(h, uint32(dataLen))
}
