package testbed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
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
)

// BrowserPhone is the browser webphone our users' CRMs embed, as a test
// peer: JsSIP (npm, bundled with esbuild) in Debian's headless Chromium
// with a fake microphone (a periodic beep), driven by
// internal/testbed/jssip/drive.mjs through playwright-core. It registers
// over Kamailio's WebSocket and makes and takes WebRTC calls.
//
// Its calls' media stays on loopback: Chromium runs with an LD_PRELOAD
// shim (jssip/loopback_bind.c) that refuses binds to any other address,
// the page drops non-loopback candidates from its SDP, and background
// networking is off.
type BrowserPhone struct {
	t       testing.TB
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	logPath string
	done    chan struct{}

	mu      sync.Mutex
	nextID  int
	pending map[int]chan browserReply
	events  []BrowserEvent
	changed chan struct{} // closed and replaced when an event arrives
}

// BrowserEvent is one event of the page: registered, registrationFailed,
// session (a new call: Originator "local" or "remote", Number the far
// end's user), progress, accepted, confirmed, hold, unhold, dtmf (Tone),
// ended, failed (Cause, Status), console and pageerror (Text).
type BrowserEvent struct {
	Ev         string `json:"ev"`
	Originator string `json:"originator"`
	Number     string `json:"number"`
	Cause      string `json:"cause"`
	Status     int    `json:"status"`
	Tone       string `json:"tone"`
	Text       string `json:"text"`
}

// BrowserStats are the call's audio counters from Chromium's getStats.
type BrowserStats struct {
	PacketsReceived  int     `json:"packetsReceived"`
	PacketsLost      int     `json:"packetsLost"`
	PacketsSent      int     `json:"packetsSent"`
	TotalAudioEnergy float64 `json:"totalAudioEnergy"`
	Error            string  `json:"error"`
}

type browserReply struct {
	result json.RawMessage
	err    error
}

// BrowserKit is what a BrowserPhone needs: node, Chromium, a C compiler
// for the bind shim and the npm packages of internal/testbed/jssip.
type BrowserKit struct {
	Node, Chromium, CC, Dir string
}

// FindBrowserKit finds the kit, or skips the test (fails it in CI) naming
// what is missing and how to install it.
func FindBrowserKit(t testing.TB) BrowserKit {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	kit := BrowserKit{Dir: filepath.Join(root, "internal", "testbed", "jssip"), Chromium: os.Getenv("CHROMIUM")}
	if kit.Chromium == "" {
		kit.Chromium = "/usr/bin/chromium"
	}
	var missing []string
	if kit.Node, err = exec.LookPath("node"); err != nil {
		missing = append(missing, "node (Debian package nodejs; packaging/linux/deps.sh test)")
	}
	if kit.CC, err = exec.LookPath("cc"); err != nil {
		missing = append(missing, "cc (Debian package gcc)")
	}
	if _, err := os.Stat(kit.Chromium); err != nil {
		missing = append(missing, kit.Chromium+" (Debian package chromium; packaging/linux/deps.sh test)")
	}
	for _, p := range []string{"playwright-core", "jssip", "esbuild"} {
		if _, err := os.Stat(filepath.Join(kit.Dir, "node_modules", p, "package.json")); err != nil {
			missing = append(missing, "internal/testbed/jssip/node_modules/"+p+" (run scripts/js-deps.sh)")
		}
	}
	if len(missing) > 0 {
		msg := "the browser peer needs " + strings.Join(missing, ", ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return kit
}

// StartBrowserPhone starts Chromium with the webphone page and registers
// user (with password) over wsURL, a ws:// URL of Kamailio, in domain.
// It returns once REGISTER succeeded; the browser is closed at the test's
// end.
func StartBrowserPhone(t testing.TB, wsURL, user, password, domain string) *BrowserPhone {
	t.Helper()
	kit := FindBrowserKit(t)
	dir := t.TempDir()
	shim := filepath.Join(dir, "loopback_bind.so")
	if out, err := exec.Command(kit.CC, "-shared", "-fPIC", "-O2", "-o", shim, filepath.Join(kit.Dir, "loopback_bind.c"), "-ldl").CombinedOutput(); err != nil {
		t.Fatalf("testbed: building the browser's bind shim: %v\n%s", err, out)
	}
	bundle := filepath.Join(dir, "jssip-page.js")
	esbuild := exec.Command(filepath.Join(kit.Dir, "node_modules", ".bin", "esbuild"), "page.js", "--bundle", "--format=iife", "--log-level=warning", "--outfile="+bundle)
	esbuild.Dir = kit.Dir
	if out, err := esbuild.CombinedOutput(); err != nil {
		t.Fatalf("testbed: bundling JsSIP with esbuild: %v\n%s", err, out)
	}

	b := &BrowserPhone{t: t, logPath: filepath.Join(dir, "browser.log"), done: make(chan struct{}),
		pending: map[int]chan browserReply{}, changed: make(chan struct{})}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		t.Fatal(err)
	}
	b.cmd = exec.Command(kit.Node, "drive.mjs", bundle, kit.Chromium)
	b.cmd.Dir = kit.Dir
	b.cmd.Env = append(os.Environ(), "LD_PRELOAD="+shim, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	b.cmd.Stderr = logFile
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if b.stdin, err = b.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("testbed: starting drive.mjs: %v", err)
	}
	remember(b.cmd.Process.Pid, "browser")
	ready := make(chan struct{})
	go b.read(stdout, logFile, ready)
	t.Cleanup(func() {
		b.stop()
		logFile.Close()
		logOnFailure(t, "browser", b.logPath, func(s string) string { return s })
	})
	select {
	case <-ready:
	case <-b.done:
		t.Fatalf("testbed: the browser ended before its page loaded (log %s):\n%s", b.logPath, readFile(b.logPath))
	case <-time.After(60 * time.Second):
		t.Fatalf("testbed: the browser's page did not load in 60 s:\n%s", readFile(b.logPath))
	}
	uri := fmt.Sprintf("sip:%s@%s", user, domain)
	if _, err := b.invoke("startUA", map[string]string{"ws": wsURL, "uri": uri, "password": password}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ev, err := b.WaitEvent(ctx, "registered", "registrationFailed")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Ev != "registered" {
		t.Fatalf("testbed: the browser did not register: %s", ev.Cause)
	}
	return b
}

// read takes drive.mjs's output lines: replies, events and readiness.
func (b *BrowserPhone) read(r io.Reader, log io.Writer, ready chan struct{}) {
	defer close(b.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		fmt.Fprintf(log, "%s %s\n", time.Now().Format("15:04:05.000"), line)
		var msg struct {
			Ready  bool            `json:"ready"`
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  string          `json:"error"`
			Event  *BrowserEvent   `json:"event"`
		}
		if err := json.Unmarshal(line, &msg); err != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case msg.Ready:
			close(ready)
		case msg.Event != nil:
			b.events = append(b.events, *msg.Event)
			close(b.changed)
			b.changed = make(chan struct{})
		case msg.ID != 0:
			if ch := b.pending[msg.ID]; ch != nil {
				delete(b.pending, msg.ID)
				rep := browserReply{result: msg.Result}
				if msg.Error != "" {
					rep.err = errors.New(msg.Error)
				}
				ch <- rep
			}
		}
		b.mu.Unlock()
	}
}

// invoke calls one of page.js's window functions.
func (b *BrowserPhone) invoke(fn string, args ...any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan browserReply, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	line, err := json.Marshal(map[string]any{"id": id, "fn": fn, "args": args})
	if err != nil {
		return nil, err
	}
	if _, err := b.stdin.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("testbed: browser %s: %w", fn, err)
	}
	select {
	case rep := <-ch:
		if rep.err != nil {
			return nil, fmt.Errorf("testbed: browser %s: %w", fn, rep.err)
		}
		return rep.result, nil
	case <-b.done:
		return nil, fmt.Errorf("testbed: browser %s: the browser ended", fn)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("testbed: browser %s: no answer in 30 s", fn)
	}
}

// Call calls target (a number at the registrar's domain).
func (b *BrowserPhone) Call(target string) error { _, err := b.invoke("call", target); return err }

// Answer answers the ringing call.
func (b *BrowserPhone) Answer() error { _, err := b.invoke("answer"); return err }

// Hangup ends the call (or declines or cancels it).
func (b *BrowserPhone) Hangup() error { _, err := b.invoke("hangup"); return err }

// Hold puts the call on hold (a re-INVITE with a=sendonly).
func (b *BrowserPhone) Hold() error { _, err := b.invoke("hold"); return err }

// Unhold resumes the call.
func (b *BrowserPhone) Unhold() error { _, err := b.invoke("unhold"); return err }

// Stats returns the call's audio counters.
func (b *BrowserPhone) Stats() (BrowserStats, error) {
	raw, err := b.invoke("stats")
	if err != nil {
		return BrowserStats{}, err
	}
	var st BrowserStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return BrowserStats{}, fmt.Errorf("testbed: browser stats %s: %w", raw, err)
	}
	if st.Error != "" {
		return st, fmt.Errorf("testbed: browser stats: %s", st.Error)
	}
	return st, nil
}

// Events returns the events WaitEvent has not taken yet.
func (b *BrowserPhone) Events() []BrowserEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BrowserEvent(nil), b.events...)
}

// WaitEvent waits for the first event, since the last one WaitEvent
// returned, named one of names.
func (b *BrowserPhone) WaitEvent(ctx context.Context, names ...string) (BrowserEvent, error) {
	for {
		b.mu.Lock()
		for len(b.events) > 0 {
			ev := b.events[0]
			b.events = b.events[1:]
			for _, n := range names {
				if ev.Ev == n {
					b.mu.Unlock()
					return ev, nil
				}
			}
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-b.done:
			return BrowserEvent{}, fmt.Errorf("testbed: the browser ended while waiting for %s (log %s)", strings.Join(names, " or "), b.logPath)
		case <-ctx.Done():
			return BrowserEvent{}, fmt.Errorf("testbed: the browser sent no %s: %w", strings.Join(names, " or "), ctx.Err())
		}
	}
}

// stop quits the browser, and kills its process group if it lingers.
func (b *BrowserPhone) stop() {
	line, _ := json.Marshal(map[string]any{"id": -1, "fn": "quit"})
	_, _ = b.stdin.Write(append(line, '\n'))
	_ = b.stdin.Close()
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	<-b.done
	_ = b.cmd.Wait()
}
