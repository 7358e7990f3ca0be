package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
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

// mainEnv makes the test binary run main's run() instead of the tests, so
// a test starts Ringdesk as a real second process.
const mainEnv = "RINGDESK_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// ringdeskProcess is Ringdesk running as its own process, its stdout read
// line by line.
type ringdeskProcess struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

// startRingdesk starts the test binary as Ringdesk with args.
func startRingdesk(t *testing.T, args ...string) *ringdeskProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &ringdeskProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		_ = cmd.Wait()
	})
	return p
}

// output is what the process printed so far.
func (p *ringdeskProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine waits for a stdout line containing all of parts.
func (p *ringdeskProcess) waitLine(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, l := range p.lines {
			ok := true
			for _, part := range parts {
				ok = ok && strings.Contains(l, part)
			}
			if ok {
				p.mu.Unlock()
				return l
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no line with %q in:\n%s", parts, p.output())
	return ""
}

// handoverProfile writes a config for 1001 at Kamailio and an API token
// file, and returns the flags that use them with the API on a free port.
func handoverProfile(t *testing.T, k *testbed.Kamailio) []string {
	t.Helper()
	dir := t.TempDir()
	port, err := testbed.FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf(`[[accounts]]
id = "main"
username = "1001"
domain = %q
transport = "udp"
server = %q
codecs = ["pcmu"]
password_env = "RINGDESK_TEST_MAIN_PASSWORD"
`, k.Domain(), k.UDPAddr())
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(dir, "api-token")
	if err := os.WriteFile(token, []byte("handover-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RINGDESK_TEST_MAIN_PASSWORD", testbed.Password("1001"))
	return []string{"--config", cfg, "--log-file", filepath.Join(dir, "ringdesk.log"),
		"--api-addr", fmt.Sprintf("127.0.0.1:%d", port), "--api-token-file", token}
}

// TestTelLinkIsHandedToTheRunningInstance: `ringdesk tel:1002` with a
// Ringdesk running hands the number over and exits 0; the running one
// dials it (baresip, registered as 1002, answers).
func TestTelLinkIsHandedToTheRunningInstance(t *testing.T) {
	k := testbed.StartKamailio(t)
	far := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1002"))
	profile := handoverProfile(t, k)
	first := startRingdesk(t, append([]string{"--headless"}, profile...)...)
	first.waitLine(t, "API http://127.0.0.1:")
	first.waitLine(t, "REGISTERED account=main")

	second := exec.Command(os.Args[0], append(profile, "tel:1002")...)
	second.Env = append(os.Environ(), mainEnv+"=1")
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("ringdesk tel:1002 with one running: %v\n%s", err, out)
	}
	first.waitLine(t, "OUTGOING_CALL", `number="1002"`)
	first.waitLine(t, "IN_CALL", `number="1002"`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := far.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Errorf("baresip did not get the call: %v", err)
	}

	// A link the API refuses is reported by the second process.
	bad := exec.Command(os.Args[0], append(profile, "tel:10a2")...)
	bad.Env = append(os.Environ(), mainEnv+"=1")
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "letters") {
		t.Errorf("a bad link: %v\n%s", err, out)
	}

	// Started again without a link, Ringdesk asks the running one to show
	// its window; a headless one has none, and the second start says so
	// rather than register the account a second time.
	again := exec.Command(os.Args[0], profile...)
	again.Env = append(os.Environ(), mainEnv+"=1")
	if out, err := again.CombinedOutput(); err == nil || !strings.Contains(string(out), "a headless Ringdesk is running") {
		t.Errorf("a second start beside a headless one: %v\n%s", err, out)
	}
	// With another token (the running one reads --api-token-file) it
	// still knows a Ringdesk runs there, and does not start a second.
	wrong := filepath.Join(t.TempDir(), "other-token")
	if err := os.WriteFile(wrong, []byte("another-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := exec.Command(os.Args[0], append(append([]string{}, profile...), "--api-token-file", wrong)...)
	other.Env = append(os.Environ(), mainEnv+"=1")
	if out, err := other.CombinedOutput(); err == nil || !strings.Contains(string(out), "a Ringdesk is already running") {
		t.Errorf("a second start with another token: %v\n%s", err, out)
	}

	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-first.done
	if err := first.cmd.Wait(); err != nil {
		t.Errorf("the first Ringdesk exited with %v", err)
	}
	first.waitLine(t, "CALL_END", `number="1002"`)
}

// TestTelLinkWithNoneRunning: with no Ringdesk running, `ringdesk
// --headless tel:1002` starts, registers and then dials the link.
func TestTelLinkWithNoneRunning(t *testing.T) {
	k := testbed.StartKamailio(t)
	testbed.StartBaresip(t, testbed.BaresipRegister(k, "1002"))
	profile := handoverProfile(t, k)
	p := startRingdesk(t, append(append([]string{"--headless"}, profile...), "tel:1002")...)
	reg := p.waitLine(t, "REGISTERED account=main")
	dial := p.waitLine(t, "OUTGOING_CALL", `number="1002"`)
	p.mu.Lock()
	regAt, dialAt := -1, -1
	for i, l := range p.lines {
		if l == reg && regAt < 0 {
			regAt = i
		}
		if l == dial {
			dialAt = i
		}
	}
	p.mu.Unlock()
	if regAt > dialAt {
		t.Errorf("dialled before registering: line %d vs %d", dialAt, regAt)
	}
	p.waitLine(t, "IN_CALL", `number="1002"`)
}

// TestHandOverAPIAnswersOnlyWithToken: the running instance's /v1/open
// refuses a process without the token, so a stranger cannot dial through
// it.
func TestHandOverAPIAnswersOnlyWithToken(t *testing.T) {
	k := testbed.StartKamailio(t)
	profile := handoverProfile(t, k)
	first := startRingdesk(t, append([]string{"--headless"}, profile...)...)
	line := first.waitLine(t, "API http://127.0.0.1:")
	url := strings.TrimPrefix(line, "API ")
	resp, err := http.Post(url+"/v1/open", "application/json", strings.NewReader(`{"uri":"tel:1002"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/v1/open without the token: %d", resp.StatusCode)
	}
	err = handOver(context.Background(), strings.TrimPrefix(url, "http://"), "wrong-token-0123456789", "tel:1002")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("handOver with a wrong token: %v", err)
	}
}
