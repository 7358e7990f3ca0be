//go:build linux

package history

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// fileSizeLimit is the helper's RLIMIT_FSIZE: room for the schema and a few
// dozen calls, then "the disk is full".
const fileSizeLimit = 1 << 20

// TestDiskFull fills the disk under a writer, without mounting a small
// file system (which needs privileges): the writer runs with a file size
// limit (RLIMIT_FSIZE), so a write that would grow a file past it fails the
// way a full disk does (short write, or EFBIG where it would be ENOSPC).
// The writer records calls until a write fails, tries a few more things to
// show nothing panics, and reports; the history reopened without the limit
// holds every call the writer was told was recorded, and is intact.
func TestDiskFull(t *testing.T) {
	path := testPath(t)
	cmd := helperCommand(t, os.Args[0], "TestHelperDiskFull", path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the writer failed: %v\n%s", err, out)
	}
	var recorded []string
	var failure diskFullResult
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "recorded "); ok {
			recorded = append(recorded, id)
		} else if strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &failure); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(recorded) < 5 || failure.Msg == "" {
		t.Fatalf("the writer recorded %d calls and reported %+v; want several, then a failure:\n%s", len(recorded), failure, out)
	}
	t.Logf("%d calls recorded before: %s", len(recorded), failure.Msg)
	if !failure.Full || !strings.HasPrefix(failure.Msg, "history database "+path+" ") {
		t.Errorf("the failure %q should be ErrDiskFull or ErrIO and name %s", failure.Msg, path)
	}

	s := openAt(t, path, WithHeartbeat(0))
	checkIntegrity(t, s)
	got := byID(all(t, s))
	for _, id := range recorded {
		if c, ok := got[id]; !ok || c.Status != StatusEnded {
			t.Errorf("%s was recorded before the disk filled, now it is %+v (present: %v)", id, c, ok)
		}
	}
	if len(got) > len(recorded)+1 {
		t.Errorf("%d calls in the history, %d recorded: only the call that failed may be extra", len(got), len(recorded))
	}
}

// diskFullResult is the writer's first failure.
type diskFullResult struct {
	Full bool   `json:"full"` // errors.Is ErrDiskFull or ErrIO
	Msg  string `json:"msg"`
}

// TestHelperDiskFull is TestDiskFull's writer.
func TestHelperDiskFull(t *testing.T) {
	path := helperDB(t)
	lim := syscall.Rlimit{Cur: fileSizeLimit, Max: fileSizeLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var failure error
	for i := 1; failure == nil && i <= 100_000; i++ {
		id := cid(i)
		c := call(id, Inbound, fmt.Sprintf("0977%06d", i), strings.Repeat("long display name ", 10), t0)
		failure = s.Start(ctx, c)
		if failure == nil {
			failure = s.Answer(ctx, id, t0)
		}
		if failure == nil {
			failure = s.End(ctx, id, t0, Cause{})
		}
		if failure == nil {
			fmt.Printf("recorded %s\n", id)
		}
	}
	// More writes and reads after the failure: errors, never a panic.
	_ = s.Start(ctx, call("after", Inbound, "1", "", t0))
	_ = s.SetData(ctx, "c1", map[string]any{"k": strings.Repeat("x", 100_000)})
	_, _ = s.List(ctx, Query{Keyword: "0977"})
	b, err := json.Marshal(diskFullResult{
		Full: errors.Is(failure, ErrDiskFull) || errors.Is(failure, ErrIO),
		Msg:  fmt.Sprint(failure),
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(string(b))
}
