//go:build screenshots

// Package screenshots drives the real Ringdesk window against real peers
// (Kamailio, baresip, SIPp) under the X display scripts/screenshot.sh
// starts, and saves what a person would see: the window registered, the
// incoming-call popup with the caller card, and the call panel with two
// calls, an attended transfer under way, the History tab, and the
// Settings tab with an account's Test registration, in English,
// Vietnamese and Simplified Chinese. It runs only with the screenshots
// build tag, from `make screenshots`:
//
//	RINGDESK_BIN=build/ringdesk SCREENSHOT_DIR=build/screenshots DISPLAY=:N \
//	  go test -tags screenshots -count=1 ./internal/screenshots
package screenshots

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
)

const token = "screenshot-token-0123456789"

// app is one run of the Ringdesk binary with its window.
type app struct {
	cmd *exec.Cmd
	api string
	log string
}

func TestScreens(t *testing.T) {
	bin, out := os.Getenv("RINGDESK_BIN"), os.Getenv("SCREENSHOT_DIR")
	if bin == "" || out == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("run by scripts/screenshot.sh, which sets RINGDESK_BIN, SCREENSHOT_DIR and DISPLAY")
	}
	k := testbed.StartKamailio(t)
	// The customer (1002, in the contacts file) and a colleague (1003):
	// both baresip, which takes the hold re-INVITE a second call sends.
	customer := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1002"))
	testbed.StartBaresip(t, testbed.BaresipRegister(k, "1003"))
	for _, lang := range []string{"en", "vi", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { screens(t, k, customer, bin, out, lang) })
	}
}

func screens(t *testing.T, k *testbed.Kamailio, customer *testbed.Baresip, bin, out, lang string) {
	dir := t.TempDir()
	contacts := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(contacts, []byte("name,number,company\nJane Black,1002,Acme Inc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := testbed.FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`[ui]
language = %q

[api]
listen = "127.0.0.1:%d"
token_env = "RINGDESK_SCREENSHOT_TOKEN"

[[accounts]]
id = "main"
display_name = "Agent 1001"
username = "1001"
domain = %q
server = %q
transport = "udp"
codecs = ["pcmu"]
password_env = "RINGDESK_SCREENSHOT_PASSWORD"

[crm]
region = "VN"
pop_on = "never"

[[crm.providers]]
type = "csv"
path = %q
`, lang, port, k.Domain(), k.UDPAddr(), contacts)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	a := start(t, bin, dir, port)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := k.WaitRegistered(ctx, "1001", true); err != nil {
		t.Fatalf("the window's account did not register: %v\n%s", err, a.logText())
	}
	main := waitWindow(t, "^Ringdesk$")
	time.Sleep(time.Second) // the chip's "Registered" drawn
	snap(t, main, filepath.Join(out, "registered-"+lang+".png"))

	// The customer calls: the popup shows the number at once and the
	// caller card when the lookup answers.
	if err := customer.Dial(k.URI("1001")); err != nil {
		t.Fatal(err)
	}
	incoming := waitCall(t, a, "incoming")
	popupTitle := map[string]string{"en": "Incoming call from ", "vi": "Cuộc gọi đến từ ", "zh-Hans": "来自 "}[lang]
	popup := waitWindow(t, "^"+popupTitle)
	time.Sleep(1500 * time.Millisecond) // the caller card
	snap(t, popup, filepath.Join(out, "incoming-"+lang+".png"))

	// The agent answers, puts the customer on hold and calls a colleague:
	// two calls in the panel.
	a.post(t, "/v1/calls/"+incoming+"/answer", "")
	waitState(t, a, incoming, "established")
	a.post(t, "/v1/calls/"+incoming+"/hold", "")
	a.post(t, "/v1/calls", `{"to":"1003"}`)
	waitState(t, a, "", "established", "held")
	time.Sleep(3 * time.Second) // the timers tick, the switcher lists both
	snap(t, main, filepath.Join(out, "two-calls-"+lang+".png"))

	a.hangUpAll(t)

	// An attended transfer: the customer calls again, the agent answers
	// and consults the colleague; both panels offer Complete and Cancel.
	if err := customer.Dial(k.URI("1001")); err != nil {
		t.Fatal(err)
	}
	incoming = waitCall(t, a, "incoming")
	a.post(t, "/v1/calls/"+incoming+"/answer", "")
	waitState(t, a, incoming, "established")
	a.post(t, "/v1/calls/"+incoming+"/attended-transfer", `{"to":"1003"}`)
	waitState(t, a, "", "established", "held")
	time.Sleep(2 * time.Second)
	snap(t, main, filepath.Join(out, "consult-"+lang+".png"))
	a.hangUpAll(t)

	// The History tab (the tab bar is the window's bottom row; History is
	// its second tab) lists the two calls with the caller card's name.
	if out, err := exec.Command("xdotool", "mousemove", "--window", main, "140", "574", "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("click the History tab: %v\n%s", err, out)
	}
	time.Sleep(1500 * time.Millisecond) // the history query and the list drawn
	snap(t, main, filepath.Join(out, "history-"+lang+".png"))

	// The dial field suggests recent numbers and contacts: Ctrl+1 for
	// the Phone tab, then 10 typed.
	keys(t, main, "ctrl+1", "1", "0")
	time.Sleep(time.Second)
	snap(t, main, filepath.Join(out, "completion-"+lang+".png"))
	keys(t, main, "Escape", "BackSpace", "BackSpace")

	// Settings, by its shortcut Ctrl+4: the accounts, then the account
	// editor after Test registration, then the local API's section.
	keys(t, main, "ctrl+4")
	time.Sleep(time.Second)
	snap(t, main, filepath.Join(out, "settings-"+lang+".png"))
	click(t, main, settingsEdit)
	time.Sleep(500 * time.Millisecond)
	click(t, main, settingsTest)
	time.Sleep(2 * time.Second)
	snap(t, main, filepath.Join(out, "settings-account-"+lang+".png"))
	click(t, main, settingsCancel)
	time.Sleep(500 * time.Millisecond)
	click(t, main, settingsAPI)
	time.Sleep(time.Second)
	snap(t, main, filepath.Join(out, "settings-api-"+lang+".png"))
	click(t, main, settingsAPIOpen) // closes it
	time.Sleep(500 * time.Millisecond)
	click(t, main, settingsGeneral)
	time.Sleep(time.Second)
	snap(t, main, filepath.Join(out, "settings-general-"+lang+".png"))
	click(t, main, settingsGeneral) // closes it
	time.Sleep(500 * time.Millisecond)
	click(t, main, settingsAudio)
	time.Sleep(1500 * time.Millisecond)
	snap(t, main, filepath.Join(out, "settings-audio-"+lang+".png"))
	a.stop(t)
}

// Where the tests click in the Settings tab (the window is 360x600).
var (
	settingsEdit = [2]int{90, 190}
	settingsTest = [2]int{180, 490}
	// Cancel leaves the account editor.
	settingsCancel = [2]int{95, 530}
	// The Local API header with the accounts open, and then open; and
	// Language and startup with every section closed.
	settingsAPI     = [2]int{180, 355}
	settingsAPIOpen = [2]int{180, 209}
	settingsGeneral = [2]int{180, 249}
	settingsAudio   = [2]int{180, 129}
)

// keys presses keys (xdotool names, e.g. ctrl+4) in the window. With no
// window manager the keyboard follows the pointer, so it rests on the
// window first.
func keys(t *testing.T, window string, names ...string) {
	t.Helper()
	args := append([]string{"mousemove", "--window", window, "180", "60", "key", "--delay", "100"}, names...)
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool key %v: %v\n%s", names, err, out)
	}
}

// click clicks at a point of the window.
func click(t *testing.T, window string, at [2]int) {
	t.Helper()
	if out, err := exec.Command("xdotool", "mousemove", "--window", window, fmt.Sprint(at[0]), fmt.Sprint(at[1]), "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("click at %v: %v\n%s", at, err, out)
	}
}

// hangUpAll ends every call and waits until none is left.
func (a *app) hangUpAll(t *testing.T) {
	t.Helper()
	for _, c := range a.calls(t) {
		a.post(t, "/v1/calls/"+c.ID+"/hangup", "")
	}
	poll(t, "the calls to end", func() bool { return len(a.calls(t)) == 0 })
}

// start runs the binary with the config in dir, HOME and XDG folders of
// its own, and no session bus.
func start(t *testing.T, bin, dir string, port int) *app {
	t.Helper()
	logPath := filepath.Join(dir, "ringdesk.out")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "config.toml"), "--log-file", filepath.Join(dir, "ringdesk.log"))
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "xdg-config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "xdg-cache"), "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"),
		"LIBGL_ALWAYS_SOFTWARE=1", "RINGDESK_SCREENSHOT_PASSWORD="+testbed.Password("1001"),
		"RINGDESK_SCREENSHOT_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: cmd, api: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			t.Logf("Ringdesk's output:\n%s", a.logText())
		}
	})
	return a
}

func (a *app) logText() string {
	data, _ := os.ReadFile(a.log)
	return string(data)
}

func (a *app) stop(t *testing.T) {
	t.Helper()
	_ = a.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() {
		_ = a.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
	}
}

// request calls the app's local API.
func (a *app) request(t *testing.T, method, path, body string) []byte {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.api+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return data
}

func (a *app) post(t *testing.T, path, body string) { a.request(t, http.MethodPost, path, body) }

type call struct{ ID, State string }

func (a *app) calls(t *testing.T) []call {
	var cs []call
	if err := json.Unmarshal(a.request(t, http.MethodGet, "/v1/calls", ""), &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// waitCall waits for a call in state and returns its id.
func waitCall(t *testing.T, a *app, state string) string {
	t.Helper()
	id := ""
	poll(t, "a call "+state, func() bool {
		for _, c := range a.calls(t) {
			if c.State == state {
				id = c.ID
				return true
			}
		}
		return false
	})
	return id
}

// waitState waits for call id (or, with id "", for the set of calls) to
// stand in the states given.
func waitState(t *testing.T, a *app, id string, states ...string) {
	t.Helper()
	seen := map[string]bool{}
	defer func() {
		if t.Failed() {
			t.Logf("calls seen while waiting: %v", seen)
		}
	}()
	poll(t, fmt.Sprintf("call %q in %v", id, states), func() bool {
		cs := a.calls(t)
		seen[fmt.Sprint(cs)] = true
		if id != "" {
			for _, c := range cs {
				if c.ID == id {
					return c.State == states[0]
				}
			}
			return false
		}
		if len(cs) != len(states) {
			return false
		}
		for _, want := range states {
			found := false
			for _, c := range cs {
				found = found || c.State == want
			}
			if !found {
				return false
			}
		}
		return true
	})
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitWindow waits for a visible window whose name matches the pattern
// and returns its X id.
func waitWindow(t *testing.T, pattern string) string {
	t.Helper()
	id := ""
	poll(t, "a window named "+pattern, func() bool {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", pattern).Output()
		if err != nil {
			return false
		}
		ids := strings.Fields(string(out))
		if len(ids) == 0 {
			return false
		}
		id = ids[0]
		return true
	})
	return id
}

// snap saves a window as a PNG.
func snap(t *testing.T, window, path string) {
	t.Helper()
	if out, err := exec.Command("/usr/bin/import", "-window", window, path).CombinedOutput(); err != nil {
		t.Fatalf("screenshot %s: %v\n%s", path, err, out)
	}
	t.Logf("saved %s", path)
}
