package phone

import (
	"os"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestMain(m *testing.M) {
	// Loopback never loses a packet: shorter SIP timers keep the tests
	// that wait for a dead server quick (Timer F = 64·T1 = 6.4 s).
	sip.SetTimers(100*time.Millisecond, time.Second, time.Second)
	os.Exit(m.Run())
}
