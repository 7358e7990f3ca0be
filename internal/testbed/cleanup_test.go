package testbed

import (
	"errors"
	"sync"
	"syscall"
	"testing"
)

// TestNoProcessLeftBehind starts every kind of peer in a group of subtests
// and checks, once the group's cleanups ran, that every process (and every
// process group) they started is gone.
func TestNoProcessLeftBehind(t *testing.T) {
	var mu sync.Mutex
	var pids []int
	keep := func(pid int) {
		mu.Lock()
		defer mu.Unlock()
		pids = append(pids, pid)
	}

	t.Run("peers", func(t *testing.T) {
		t.Run("kamailio restarted", func(t *testing.T) {
			t.Parallel()
			k := StartKamailio(t)
			keep(k.PID())
			k.Restart()
			keep(k.PID())
		})
		t.Run("kamailio and baresip", func(t *testing.T) {
			t.Parallel()
			k := StartKamailio(t)
			keep(k.PID())
			b := StartBaresip(t, BaresipRegister(k, "1009"))
			keep(b.PID())
		})
		t.Run("sipp uas left running", func(t *testing.T) {
			t.Parallel()
			sp := RunSIPp(t, "uas_answer.xml", SIPpUAS())
			keep(sp.PID())
		})
	})

	if t.Failed() {
		return
	}
	if len(pids) != 5 {
		t.Fatalf("recorded %d PIDs, want 5: %v", len(pids), pids)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after cleanup (kill 0: %v)", pid, err)
		}
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process group %d still has members after cleanup (kill 0: %v)", pid, err)
		}
	}
	registered := startedPIDs()
	for _, pid := range pids {
		if _, ok := registered[pid]; !ok {
			t.Errorf("PID %d missing from the registry of started processes", pid)
		}
	}
}
