package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/applog"
	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/store"
)

// lockedBuffer collects runHeadless's stdout from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHeadlessRegistersAndAutoAnswers: --headless registers the config's
// account (password from password_env), answers a SIPp call through
// Kamailio with --auto-answer, prints each event, records what it heard,
// and unregisters when stopped.
func TestHeadlessRegistersAndAutoAnswers(t *testing.T) {
	k := testbed.StartKamailio(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	cfgText := fmt.Sprintf(`[[accounts]]
id = "main"
username = "1001"
domain = %q
transport = "udp"
server = %q
expires = 60
codecs = ["pcmu"]
password_env = "RINGDESK_TEST_MAIN_PASSWORD"
`, k.Domain(), k.UDPAddr())
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RINGDESK_TEST_MAIN_PASSWORD", testbed.Password("1001"))
	logger, err := applog.New(applog.Options{File: filepath.Join(dir, "ringdesk.log"), Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer logger.Close()
	profile, cfg, err := store.OpenProfile(cfgPath, store.NewMemorySecrets(), logger.Logger)
	if err != nil {
		t.Fatal(err)
	}
	heard := filepath.Join(dir, "heard.wav")
	f := flags{headless: true, autoAnswer: true, audioIn: "tone:440", audioOut: heard, apiAddr: "127.0.0.1:0"}
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan int)
	go func() { done <- runHeadless(ctx, f, logger, profile, cfg, &out) }()

	waitCtx, waitCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer waitCancel()
	if err := k.WaitRegistered(waitCtx, "1001", true); err != nil {
		cancel()
		t.Fatalf("not registered: %v\n%s", err, out.String())
	}
	sp := testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(k), testbed.SIPpUser("1002"), testbed.SIPpService("1001"), testbed.SIPpPause(time.Second))
	if err := sp.Wait(waitCtx); err != nil {
		cancel()
		t.Fatalf("SIPp call to the headless phone failed: %v\n%s", err, out.String())
	}
	for !strings.Contains(out.String(), "CALL_END") && waitCtx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("runHeadless returned %d", code)
	}
	got := out.String()
	for _, want := range []string{"REGISTERED account=main", "INCOMING_CALL account=main", "IN_CALL account=main", "CALL_END account=main", "UNREGISTERED account=main"} {
		if !strings.Contains(got, want) {
			t.Errorf("stdout lacks %q:\n%s", want, got)
		}
	}
	if err := k.WaitRegistered(waitCtx, "1001", false); err != nil {
		t.Errorf("still registered after stopping: %v", err)
	}
	if st, err := os.Stat(heard); err != nil || st.Size() <= 44 {
		t.Errorf("--audio-out recorded nothing: %v", err)
	}
	if strings.Contains(got, testbed.Password("1001")) {
		t.Error("the password appeared on stdout")
	}
}
