// Package sounds holds Ringdesk's local sounds as embedded WAV files: the
// ringtone, the ringback, busy and error tones (see README.md). They are
// made by Ringdesk's own code (internal/synth); regenerate them with
// go generate after changing it.
package sounds

//go:generate go run ./gen

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
)

//go:embed *.wav
var files embed.FS

// Names of the sounds, for Load.
const (
	// Ring is the ringtone of an incoming call: one 4 s cycle, to loop.
	Ring = "ring"
	// Ringback is what a caller hears while the far end rings: one 5 s
	// cycle (1 s of 425 Hz, 4 s of silence), to loop.
	Ringback = "ringback"
	// Busy is the busy tone: 3 s, to play once.
	Busy = "busy"
	// Error is the special information tone ("the number cannot be
	// reached"): about 4 s, to play once.
	Error = "error"
	// Waiting is the call-waiting tone, played over a call while another
	// one rings: one 5 s cycle (two short beeps, then silence), to loop.
	Waiting = "waiting"
)

// Load returns the samples of the sound called name (Ring, Ringback, Busy,
// Error or Waiting), mono 16-bit, and their rate in Hz. The slice is the caller's.
func Load(name string) ([]int16, int, error) {
	b, err := files.ReadFile(name + ".wav")
	if err != nil {
		return nil, 0, fmt.Errorf("there is no sound %q", name)
	}
	samples, rate, err := decode(b)
	if err != nil {
		return nil, 0, fmt.Errorf("sound %q: %w", name, err)
	}
	return samples, rate, nil
}

// decode reads a 16-bit mono PCM WAV file, as internal/synth writes them.
func decode(b []byte) ([]int16, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	rate := 0
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		if size > len(body) {
			return nil, 0, errors.New("truncated WAV file")
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 || binary.LittleEndian.Uint16(body[0:]) != 1 || binary.LittleEndian.Uint16(body[2:]) != 1 ||
				binary.LittleEndian.Uint16(body[14:]) != 16 {
				return nil, 0, errors.New("not 16-bit mono PCM")
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			if rate == 0 {
				return nil, 0, errors.New("data before format")
			}
			out := make([]int16, size/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return out, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, errors.New("no audio in the WAV file")
}
