package gui

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: every
// dial and save the window starts in the background must finish.
func TestMain(m *testing.M) {
	// Loopback never loses a packet: shorter SIP timers keep waits short.
	sip.SetTimers(100*time.Millisecond, time.Second, time.Second)
	goleak.VerifyTestMain(m,
		// Fyne's own event queue, started once per process.
		goleak.IgnoreTopFunction("fyne.io/fyne/v2/internal/async.(*UnboundedChan[...]).processing"),
	)
}
