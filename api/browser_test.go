package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/internal/testbed"
)

// TestBrowserExamplePage: a CRM developer's page in a real browser drives
// the phone through the API. api/js/example.html, with ringdesk.js, is
// served from an allowed origin on 127.0.0.1 and opened in Debian's
// headless Chromium by api/js/test/drive.mjs (playwright-core), which
// fills in the API address and token and clicks like a user:
//
//   - outgoing: dial 1002 (a SIPp UAS registered at Kamailio), see
//     OUTGOING_CALL and IN_CALL in the page's event log, mute and unmute,
//     hang up from the page, see CALL_END; SIPp got the BYE.
//   - incoming: SIPp calls 1001; the page's incoming-call card shows, Answer
//     is clicked, IN_CALL; SIPp hangs up and the page shows CALL_END.
//
// It needs node, api/js/test/node_modules (scripts/js-deps.sh) and Chromium
// (packaging/linux/deps.sh test); without them it skips, except in CI
// (CI set), where it fails.
func TestBrowserExamplePage(t *testing.T) {
	kit := browserKit(t)
	page := servePage(t, kit.jsDir)
	b := newBench(t, true, func(o *api.Options) { o.AllowedOrigins = append(o.AllowedOrigins, page.URL) })
	pageURL := page.URL + "/example.html"

	t.Run("outgoing", func(t *testing.T) {
		sp := testbed.RunSIPp(t, "uas_answer.xml", testbed.SIPpUAS())
		b.k.RegisterContact(t, "1002", sp.Addr())
		d := kit.start(t, map[string]string{"RINGDESK_URL": b.url, "RINGDESK_TOKEN": testToken,
			"PAGE_URL": pageURL, "SCRIPT": "outgoing", "NUMBER": "1002"})
		r := d.wait(t)
		wantInOrder(t, r.Events, "REGISTERED", "OUTGOING_CALL", "IN_CALL", "MUTE", "UNMUTE", "CALL_END")
		r.checkCall(t, "local", "OUTGOING_CALL", "IN_CALL", "MUTE", "UNMUTE", "CALL_END")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := sp.Wait(ctx); err != nil {
			t.Errorf("SIPp (the far end) did not see the call through to the page's hang-up: %v\n%s", err, sp.Logs())
		}
	})

	t.Run("incoming", func(t *testing.T) {
		d := kit.start(t, map[string]string{"RINGDESK_URL": b.url, "RINGDESK_TOKEN": testToken,
			"PAGE_URL": pageURL, "SCRIPT": "incoming"})
		// Call once the page listens, so the call reaches it live rather
		// than in the snapshot a new WebSocket gets.
		d.waitStep(t, "waiting for the incoming-call card")
		sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(b.k), testbed.SIPpUser("1003"),
			testbed.SIPpService("1001"), testbed.SIPpPause(2*time.Second))
		r := d.wait(t)
		wantInOrder(t, r.Events, "REGISTERED", "INCOMING_CALL", "IN_CALL", "CALL_END")
		r.checkCall(t, "remote", "INCOMING_CALL", "IN_CALL", "CALL_END")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := sp.Wait(ctx); err != nil {
			t.Errorf("SIPp (the caller): %v\n%s", err, sp.Logs())
		}
	})
}

// TestBrowserClientStandIn runs the JavaScript tests of api/js/test with
// node's test runner: ringdesk.js against the stand-in API server
// (client.test.mjs), and example.html in Chromium against it
// (page.test.mjs), so that `go test ./...` and CI run them too.
func TestBrowserClientStandIn(t *testing.T) {
	kit := browserKit(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kit.node, "--test", "client.test.mjs", "page.test.mjs")
	cmd.Dir = filepath.Join(kit.jsDir, "test")
	cmd.Env = append(os.Environ(), "CHROMIUM="+kit.chromium)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test client.test.mjs page.test.mjs: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "ok ") || strings.HasPrefix(line, "# pass") || strings.HasPrefix(line, "# fail") || strings.HasPrefix(line, "# skipped") {
			t.Log(line)
		}
	}
}

// jsKit is what the browser test runs: node, the browser, and api/js.
type jsKit struct {
	node, chromium, jsDir string
}

// browserKit finds node, Chromium and playwright-core, or skips the test
// (fails it in CI) naming what is missing and how to install it.
func browserKit(t *testing.T) jsKit {
	t.Helper()
	root, err := testbed.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	kit := jsKit{jsDir: filepath.Join(root, "api", "js"), chromium: os.Getenv("CHROMIUM")}
	if kit.chromium == "" {
		kit.chromium = "/usr/bin/chromium"
	}
	var missing []string
	if kit.node, err = exec.LookPath("node"); err != nil {
		missing = append(missing, "node (Debian package nodejs; packaging/linux/deps.sh test)")
	}
	if _, err := os.Stat(kit.chromium); err != nil {
		missing = append(missing, kit.chromium+" (Debian package chromium; packaging/linux/deps.sh test)")
	}
	if _, err := os.Stat(filepath.Join(kit.jsDir, "test", "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "api/js/test/node_modules (run scripts/js-deps.sh)")
	}
	if len(missing) > 0 {
		msg := "the browser test needs " + strings.Join(missing, ", ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return kit
}

// servePage serves example.html and ringdesk.js on 127.0.0.1, as a CRM's
// web server would; nothing else of api/js.
func servePage(t *testing.T, jsDir string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, name := range []string{"example.html", "ringdesk.js"} {
		path := filepath.Join(jsDir, name)
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			http.ServeFile(w, r, path)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("the page server is at %s, not on 127.0.0.1", srv.URL)
	}
	return srv
}

// drive is one run of api/js/test/drive.mjs.
type drive struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	exited chan struct{} // closed when drive.mjs has exited; err is then set
	err    error

	mu     sync.Mutex
	stderr bytes.Buffer
}

func (d *drive) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.Write(p)
}

func (d *drive) progress() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

// start runs drive.mjs with env added to the test's environment. It is
// stopped (SIGTERM: it closes its browser) if the test ends first.
func (k jsKit) start(t *testing.T, env map[string]string) *drive {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	d := &drive{exited: make(chan struct{})}
	d.cmd = exec.CommandContext(ctx, k.node, filepath.Join(k.jsDir, "test", "drive.mjs"))
	d.cmd.Dir = filepath.Join(k.jsDir, "test")
	d.cmd.Env = append(os.Environ(), "CHROMIUM="+k.chromium, "DRIVE_TIMEOUT_MS=60000")
	for name, value := range env {
		d.cmd.Env = append(d.cmd.Env, name+"="+value)
	}
	d.cmd.Stdout = &d.stdout
	d.cmd.Stderr = d
	d.cmd.Cancel = func() error { return d.cmd.Process.Signal(syscall.SIGTERM) }
	d.cmd.WaitDelay = 20 * time.Second
	if err := d.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start drive.mjs: %v", err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.exited)
		cancel()
	}()
	t.Cleanup(func() {
		cancel()
		<-d.exited
	})
	return d
}

// waitStep waits until drive.mjs reports a step containing text.
func (d *drive) waitStep(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !strings.Contains(d.progress(), text) {
		select {
		case <-d.exited:
			t.Fatalf("drive.mjs ended (%v) before %q:\n%s\n%s", d.err, text, d.progress(), d.stdout.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("drive.mjs did not reach %q:\n%s", text, d.progress())
		}
	}
}

// driveReport is drive.mjs's JSON report.
type driveReport struct {
	Script         string   `json:"script"`
	Pass           bool     `json:"pass"`
	Error          string   `json:"error"`
	Events         []string `json:"events"`
	CallID         string   `json:"callId"`
	Steps          []string `json:"steps"`
	ConsoleErrors  []string `json:"consoleErrors"`
	PageErrors     []string `json:"pageErrors"`
	FailedRequests []string `json:"failedRequests"`
	Browser        string   `json:"browser"`
	Log            []struct {
		Seq   int    `json:"seq"`
		Event string `json:"event"`
		Call  string `json:"call"`
		Kind  string `json:"kind"`
		Text  string `json:"text"`
	} `json:"log"`
}

// wait waits for drive.mjs to finish and returns its report; a failed run
// fails the test with the report and the progress lines.
func (d *drive) wait(t *testing.T) driveReport {
	t.Helper()
	<-d.exited
	err := d.err
	out := d.stdout.String()
	var r driveReport
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
		t.Fatalf("drive.mjs (%v) printed no JSON report (%v):\n%s\n%s", err, jerr, out, d.progress())
	}
	if err != nil || !r.Pass {
		t.Fatalf("the page failed the %s script (%v): %s\nreport:\n%s\nprogress:\n%s", r.Script, err, r.Error, out, d.progress())
	}
	if strings.Contains(out, testToken) {
		t.Errorf("drive.mjs's report shows the API token")
	}
	if len(r.ConsoleErrors) > 0 || len(r.PageErrors) > 0 {
		t.Errorf("the page logged errors: console %q, uncaught %q", r.ConsoleErrors, r.PageErrors)
	}
	t.Logf("%s: %s in %s", r.Script, strings.Join(r.Events, " "), r.Browser)
	return r
}

// checkCall checks the events the page's log shows for the script's call
// (PROGRESS and CALLER_INFO aside), and who ended it.
func (r driveReport) checkCall(t *testing.T, endedBy string, want ...string) {
	t.Helper()
	if r.CallID == "" {
		t.Fatal("the report names no call")
	}
	var got []string
	end := ""
	for _, e := range r.Log {
		if e.Call != r.CallID || e.Event == "PROGRESS" || e.Event == "CALLER_INFO" {
			continue
		}
		got = append(got, e.Event)
		if e.Event == "CALL_END" {
			end = e.Text
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the page's log for call %s: %v, want %v", r.CallID, got, want)
	}
	if !strings.Contains(end, "["+endedBy+"]") {
		t.Errorf("CALL_END %q, want the call ended by %s", end, endedBy)
	}
}
