//go:build unix

// Package devicetest starts a private PulseAudio server with a null sink,
// so that tests of media/device (and of the programs using it) open real
// sound devices on a machine without sound hardware: what is played into
// the null sink comes back out of its monitor, a capture device.
package devicetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Names of the devices the private server offers (their descriptions, the
// names media/device lists and opens).
const (
	// Sink is the null sink: a speaker that plays into nothing.
	Sink = "Ringdesk Test Sink"
	// Monitor is the null sink's monitor: a microphone that hears what the
	// sink plays (and digital silence otherwise).
	Monitor = "Monitor of Ringdesk Test Sink"
)

// Pulse is a running private PulseAudio server.
type Pulse struct {
	// Server is the address clients use (the PULSE_SERVER value).
	Server string
	cmd    *exec.Cmd
	logs   *lockedBuffer
}

// lockedBuffer collects the server's output while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartPulse starts a private PulseAudio server for the test, in a fresh
// HOME and XDG_RUNTIME_DIR under t.TempDir(), with the null sink Sink as
// the default speaker and its Monitor as the default microphone, and
// points this process's sound clients at it (PULSE_SERVER, with
// t.Setenv: the test must not be parallel). The server is killed at the
// test's cleanup. Without the pulseaudio command the test is skipped with
// a loud message, or fails when CI is set.
func StartPulse(t testing.TB) *Pulse {
	t.Helper()
	bin, err := exec.LookPath("pulseaudio")
	if err != nil {
		msg := "DEVICETEST: pulseaudio not found in PATH: install the Debian packages \"pulseaudio\" and \"pulseaudio-utils\" (packaging/linux/deps.sh test)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " [CI is set: a missing PulseAudio is a failure, not a skip]")
		}
		t.Skip("SKIPPING, no sound server. " + msg)
	}
	dir := t.TempDir()
	home, run := filepath.Join(dir, "home"), filepath.Join(dir, "run")
	for _, d := range []string{home, run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	socket := filepath.Join(run, "native")
	script := fmt.Sprintf(`load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=ringdesk_test rate=48000 channels=1 norewinds=1 sink_properties="device.description='%s'"
set-default-sink ringdesk_test
set-default-source ringdesk_test.monitor
`, socket, Sink)
	pa := filepath.Join(dir, "test.pa")
	if err := os.WriteFile(pa, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Pulse{Server: "unix:" + socket, logs: &lockedBuffer{}}
	p.cmd = exec.Command(bin, "-n", "-F", pa, "--daemonize=no", "--exit-idle-time=-1",
		"--system=no", "--disable-shm=yes", "--use-pid-file=no", "--log-target=stderr")
	p.cmd.Env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting pulseaudio: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("pulseaudio log:\n%s", p.logs.String())
		}
	})
	// Ready once its socket accepts connections.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "unix", socket)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("pulseaudio exited at start (%v):\n%s", err, p.logs.String())
		case <-ctx.Done():
			t.Fatalf("pulseaudio did not open %s within 10 s:\n%s", socket, p.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Setenv("PULSE_SERVER", p.Server)
	// The client library keeps its cookie and settings in HOME: not the
	// real user's.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_RUNTIME_DIR", run)
	return p
}
