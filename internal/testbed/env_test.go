package testbed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// recordingTB is a testing.TB that records Skip and Fatal instead of acting.
type recordingTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skip(args ...any) {
	r.skipped = toString(args)
	runtime.Goexit()
}
func (r *recordingTB) Fatal(args ...any) {
	r.failed = toString(args)
	runtime.Goexit()
}

func toString(args []any) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(fmt.Sprint(a))
	}
	return b.String()
}

func runRequire(name string) *recordingTB {
	r := &recordingTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		requireBinary(r, name, "some-debian-package")
	}()
	<-done
	return r
}

func TestMissingBinarySkipsOrFailsInCI(t *testing.T) {
	const bogus = "ringdesk-testbed-no-such-binary"
	t.Setenv("CI", "")
	r := runRequire(bogus)
	if r.failed != "" || !strings.Contains(r.skipped, "some-debian-package") || !strings.Contains(r.skipped, bogus) {
		t.Errorf("outside CI: skipped %q, failed %q", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = runRequire(bogus)
	if r.skipped != "" || !strings.Contains(r.failed, "apt-get install -y some-debian-package") {
		t.Errorf("in CI: skipped %q, failed %q", r.skipped, r.failed)
	}
	if r := runRequire("sh"); r.skipped != "" || r.failed != "" {
		t.Errorf("present binary: skipped %q, failed %q", r.skipped, r.failed)
	}
}

func TestModuleRootAndScenarios(t *testing.T) {
	t.Parallel()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"register", "register.xml", "uac_call.xml", "uas_answer.xml", "uac_call_rejected.xml"} {
		if _, err := scenarioPath(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := scenarioPath("no_such_scenario.xml"); err == nil {
		t.Error("a missing scenario was found")
	}
}

func TestSIPPingRefusesNonLoopbackAndTimesOut(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := SIPPing(ctx, "192.0.2.1:5060"); err == nil || !strings.Contains(err.Error(), "non-loopback") {
		t.Errorf("ping to a non-loopback address: %v", err)
	}
	port, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if _, err := SIPPing(short, "127.0.0.1:"+strconv.Itoa(port)); err == nil {
		t.Error("ping to a closed port succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ping ignored its deadline: %v", d)
	}
}

func TestParseResponse(t *testing.T) {
	t.Parallel()
	msg := "SIP/2.0 200 OK\r\nVia: x\r\ni: abc@testbed\r\nCSeq: 1 OPTIONS\r\n\r\n"
	if code, ok := parseResponse([]byte(msg), "abc@testbed"); !ok || code != 200 {
		t.Errorf("parseResponse = %d, %v", code, ok)
	}
	if _, ok := parseResponse([]byte(msg), "other"); ok {
		t.Error("a response to another Call-ID matched")
	}
	if _, ok := parseResponse([]byte("OPTIONS sip:x SIP/2.0\r\n\r\n"), "abc@testbed"); ok {
		t.Error("a request was taken for a response")
	}
}
