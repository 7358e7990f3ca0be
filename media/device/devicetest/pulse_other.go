//go:build !unix

package devicetest

import "testing"

// Names of the devices a private server would offer; see pulse.go.
const (
	Sink    = "Ringdesk Test Sink"
	Monitor = "Monitor of Ringdesk Test Sink"
)

// Pulse is a running private PulseAudio server; there is none here.
type Pulse struct {
	// Server is the address clients would use.
	Server string
}

// StartPulse skips the test: a private PulseAudio server runs on Unix
// systems only.
func StartPulse(t testing.TB) *Pulse {
	t.Helper()
	t.Skip("SKIPPING: the sound device tests start a private PulseAudio, which runs on Linux (and other Unix systems) only")
	return nil
}
