package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// binary holds the ringdesk command built once for the run.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// ringdeskBinary builds ./cmd/ringdesk (as `make build` does, without the
// race detector whatever the benchmark was built with) into a temporary
// directory, once, and returns its path.
func ringdeskBinary(tb testing.TB) string {
	tb.Helper()
	binary.once.Do(func() {
		root, err := testbed.ModuleRoot()
		if err != nil {
			binary.err = err
			return
		}
		if binary.dir, err = os.MkdirTemp("", "ringdesk-bench-"); err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(binary.dir, "ringdesk")
		goCmd := os.Getenv("GO")
		if goCmd == "" {
			goCmd = "go"
		}
		cmd := exec.Command(goCmd, "build", "-tags", "migrated_fynedo", "-o", binary.path, "./cmd/ringdesk")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build ./cmd/ringdesk: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		tb.Fatal(binary.err)
	}
	return binary.path
}

// ringdesk is `ringdesk --headless` running as its own process, with a
// profile of its own in a temporary directory; its stdout (one line per
// event) is read line by line.
type ringdesk struct {
	cmd  *exec.Cmd
	dir  string
	mu   sync.Mutex
	out  []string
	done chan struct{} // closed when stdout reached EOF
}

// headlessOptions configure startRingdesk.
type headlessOptions struct {
	user     string   // the Kamailio test user it registers as
	codecs   []string // the account's codecs, e.g. "pcmu" or "opus"
	audioIn  string   // --audio-in
	audioOut string   // --audio-out
}

// startRingdesk starts `ringdesk --headless --auto-answer` registered at
// k, and returns once it printed REGISTERED. It is stopped on Cleanup.
func startRingdesk(tb testing.TB, k *testbed.Kamailio, o headlessOptions) *ringdesk {
	tb.Helper()
	bin := ringdeskBinary(tb)
	dir := tb.TempDir()
	port, err := testbed.FreeTCPPort()
	if err != nil {
		tb.Fatal(err)
	}
	quoted := make([]string, len(o.codecs))
	for i, c := range o.codecs {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	cfg := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf(`[[accounts]]
id = "main"
username = %q
domain = %q
transport = "udp"
server = %q
expires = 300
codecs = [%s]
password_env = "RINGDESK_BENCH_PASSWORD"
`, o.user, k.Domain(), k.UDPAddr(), strings.Join(quoted, ", "))
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	token := filepath.Join(dir, "api-token")
	if err := os.WriteFile(token, []byte("bench-token-0123456789abcdef\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--auto-answer", "--config", cfg, "--log-file", filepath.Join(dir, "ringdesk.log"),
		"--api-addr", fmt.Sprintf("127.0.0.1:%d", port), "--api-token-file", token,
		"--audio-in", o.audioIn, "--audio-out", o.audioOut)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir, "XDG_DATA_HOME="+dir,
		"RINGDESK_BENCH_PASSWORD="+testbed.Password(o.user))
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &ringdesk{cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.out = append(r.out, sc.Text())
			r.mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		if err := r.stop(); err != nil {
			tb.Errorf("stopping ringdesk: %v", err)
		}
		if tb.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "ringdesk.log"))
			tb.Logf("ringdesk stdout:\n%s\nringdesk log (tail):\n%s", r.output(), tail(log, 8<<10))
		}
	})
	if _, err := r.waitLine(30*time.Second, 0, "REGISTERED account=main"); err != nil {
		tb.Fatal(err)
	}
	return r
}

// pid returns the process id.
func (r *ringdesk) pid() int { return r.cmd.Process.Pid }

// stop ends the process with SIGTERM (SIGKILL after 10 s) and reaps it.
func (r *ringdesk) stop() error {
	if r.cmd.ProcessState != nil {
		return nil
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	err := r.cmd.Wait()
	if r.cmd.ProcessState != nil && r.cmd.ProcessState.Exited() && r.cmd.ProcessState.ExitCode() == 0 {
		return nil
	}
	return err
}

func (r *ringdesk) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.out, "\n")
}

// lines returns how many lines the process printed so far.
func (r *ringdesk) lines() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.out)
}

// waitLine waits for a line, from line number from on, that contains
// every one of parts, and returns its number.
func (r *ringdesk) waitLine(timeout time.Duration, from int, parts ...string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exited := false
	for {
		r.mu.Lock()
		for i := from; i < len(r.out); i++ {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(r.out[i], p)
			}
			if ok {
				r.mu.Unlock()
				return i, nil
			}
		}
		r.mu.Unlock()
		if exited {
			return 0, fmt.Errorf("ringdesk exited before printing a line with %q:\n%s", parts, r.output())
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("ringdesk printed no line with %q within %s:\n%s", parts, timeout, r.output())
		case <-r.done:
			exited = true // look at the last lines once more
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
