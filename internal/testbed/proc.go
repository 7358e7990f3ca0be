package testbed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// stopGrace is how long a peer gets to exit after SIGTERM before its
	// process group is killed with SIGKILL.
	stopGrace = 5 * time.Second
	// killWait bounds the wait for a process group to vanish after SIGKILL.
	killWait = 5 * time.Second
	// logTailBytes is how much of a log is printed for a failed test.
	logTailBytes = 12 << 10
)

// registry remembers every process the package started, for the test that
// checks nothing is left behind.
var registry struct {
	mu   sync.Mutex
	pids map[int]string
}

func remember(pid int, name string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.pids == nil {
		registry.pids = make(map[int]string)
	}
	registry.pids[pid] = name
}

// startedPIDs returns the PIDs (and names) of every process started so far.
func startedPIDs() map[int]string {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	out := make(map[int]string, len(registry.pids))
	for pid, name := range registry.pids {
		out[pid] = name
	}
	return out
}

// process is one running peer: its own process group, output in a log file.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd

	done    chan struct{} // closed once the process was reaped
	waitErr error         // set before done is closed

	stopOnce sync.Once
	stopErr  error
}

// startProcess runs bin with args in its own process group, stdout and stderr
// appended to logPath. The caller must eventually call stop.
func startProcess(name, logPath, dir, bin string, env []string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testbed: %s: opening its log: %w", name, err)
	}
	fmt.Fprintf(logFile, "### testbed: %s %s\n", bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = nil
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,
		Pdeathsig: syscall.SIGKILL, // best effort if the test binary dies
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("testbed: %s: starting %s: %w", name, bin, err)
	}
	// The child holds its own copy of the descriptor.
	logFile.Close()
	remember(cmd.Process.Pid, name)
	p := &process{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process id, which is also its process group id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended (and was reaped).
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode returns the exit code once exited is true (-1 if killed by a signal).
func (p *process) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// stop ends the process group: SIGTERM to the leader, then SIGKILL to the
// group after stopGrace, and waits until no member of the group is left. It
// is safe to call twice and from several goroutines.
func (p *process) stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.doStop() })
	return p.stopErr
}

func (p *process) doStop() error {
	start := time.Now()
	err := p.killGroup()
	note := "stopped"
	if err != nil {
		note = "stop failed: " + err.Error()
	}
	p.note("%s in %v", note, time.Since(start).Round(time.Millisecond))
	return err
}

func (p *process) killGroup() error {
	pgid := p.pid()
	// SIGTERM goes to the leader only: Kamailio's main process shuts its
	// children down itself, and it hangs now and then when they all get the
	// signal at once. SIGKILL, if needed, goes to the whole group.
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		p.note("still running %v after SIGTERM: SIGKILL", stopGrace)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(killWait):
			return fmt.Errorf("testbed: %s (pid %d) still running %v after SIGKILL", p.name, pgid, killWait)
		}
	}
	// The leader is gone; children it did not reap get the same treatment.
	if groupGone(pgid, stopGrace) {
		return nil
	}
	p.note("process group outlived its leader by %v: SIGKILL", stopGrace)
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	if groupGone(pgid, killWait) {
		return nil
	}
	return fmt.Errorf("testbed: %s: process group %d still has members after SIGKILL", p.name, pgid)
}

// note appends a line about the process's life to its log.
func (p *process) note(format string, args ...any) {
	f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "\n### testbed: %s (pid %d): %s\n", p.name, p.pid(), fmt.Sprintf(format, args...))
}

// groupGone polls until the process group has no member left, or timeout.
func groupGone(pgid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// LogsEnv is the environment variable that, when non-empty, makes the
// test bed print its peers' logs for passing tests too.
const LogsEnv = "TESTBED_LOGS"

// showLogs reports whether a peer's logs should be printed at cleanup.
func showLogs(t testing.TB) bool { return t.Failed() || os.Getenv(LogsEnv) != "" }

// logOnFailure prints the tail of a peer's log if the test failed (or
// TESTBED_LOGS is set). The peers' cleanup functions call it after stop.
// A non-nil clean function tidies the log before it is printed.
func logOnFailure(t testing.TB, name, path string, clean func(string) string) {
	t.Helper()
	if !showLogs(t) {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("testbed: %s log %s unreadable: %v", name, path, err)
		return
	}
	if clean != nil {
		b = []byte(clean(string(b)))
	}
	t.Logf("testbed: %s log (%s):\n%s", name, path, tail(b, logTailBytes))
}

// tail returns the last n bytes of b, starting at a line boundary, with a
// note of how much was left out.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	cut := b[len(b)-n:]
	if i := bytes.IndexByte(cut, '\n'); i >= 0 && i < len(cut)-1 {
		cut = cut[i+1:]
	}
	return fmt.Sprintf("[... %d bytes left out ...]\n%s", len(b)-len(cut), cut)
}
