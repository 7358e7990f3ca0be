package history

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// crashCalls is how many calls the writer process records if left alone.
const crashCalls = 50

// TestCrashDurability kills a process in the middle of recording calls
// (SIGKILL: no deferred code, no Close) and checks that the history it
// leaves has every call it reported, complete or interrupted, and is intact.
//
// In the lockstep runs the writer waits for a line on stdin after each
// step, so the kill lands at a known step; in the free run it only pauses a
// millisecond, so the kill lands wherever the writer is, mid-commit
// included.
func TestCrashDurability(t *testing.T) {
	cases := []struct {
		name     string
		lockstep bool
		killAt   int // the progress line after which the writer is killed
	}{
		{"ringing call in flight", true, 58},  // started c20
		{"answered call in flight", true, 59}, // answered c20
		{"free run", false, 60},               // ended c20, maybe starting c21
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := testPath(t)
			cmd := helperCommand(t, os.Args[0], "TestHelperWriter", path,
				"RINGDESK_HISTORY_LOCKSTEP="+strconv.FormatBool(tc.lockstep))
			progress := runAndKill(t, cmd, tc.lockstep, tc.killAt)
			checkAfterCrash(t, path, progress, tc.lockstep)
		})
	}
}

// progressLine is what the writer prints after each step.
var progressLine = regexp.MustCompile(`^(started|answered|ended) (c\d+)$`)

// runAndKill starts the writer, reads its progress (letting it go on after
// each line in lockstep), SIGKILLs it after line killAt, and returns the
// step each call was last reported at.
func runAndKill(t *testing.T, cmd *exec.Cmd, lockstep bool, killAt int) map[string]string {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	progress := map[string]string{}
	lines := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		m := progressLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue // the testing package's own output
		}
		progress[m[2]] = m[1]
		if lines++; lines == killAt {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
		if lockstep {
			if _, err := io.WriteString(stdin, "\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if lines < killAt {
		t.Fatalf("the writer stopped after %d progress lines (%v), before the kill at %d", lines, err, killAt)
	}
	if err == nil {
		t.Fatal("the writer exited normally: it was not killed")
	}
	return progress
}

// checkAfterCrash reopens the killed writer's database: every call it
// reported is there; those reported ended are complete; those in flight are
// interrupted (in lockstep, exactly the one call in flight); the file is
// intact.
func checkAfterCrash(t *testing.T, path string, progress map[string]string, lockstep bool) {
	s := openAt(t, path, WithHeartbeat(0))
	checkIntegrity(t, s)
	got := byID(all(t, s))
	interrupted := 0
	for _, c := range got {
		if c.Status == StatusInterrupted {
			interrupted++
		}
	}
	for id, step := range progress {
		c, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s was reported %s but is not in the history", id, step)
		case step == "ended":
			if c.Status != StatusEnded || c.EndedAt.IsZero() || c.AnsweredAt.IsZero() || c.Cause.By != ByLocal {
				t.Errorf("%s was reported ended but is %+v", id, c)
			}
		case lockstep:
			// Blocked after this step: nothing more can have been written.
			if c.Status != StatusInterrupted || (step == "answered") == c.AnsweredAt.IsZero() {
				t.Errorf("%s was killed after %s but is %s, answered %v", id, step, c.Status, c.AnsweredAt)
			}
			wantEnd := c.StartedAt
			if step == "answered" {
				wantEnd = c.AnsweredAt
			}
			if !c.EndedAt.Equal(wantEnd) || c.Duration != 0 {
				t.Errorf("%s interrupted: ended %v, duration %d; want %v (its last write), 0", id, c.EndedAt, c.Duration, wantEnd)
			}
		default:
			// The kill may have come before or after the writer's next step.
			if c.Status != StatusInterrupted && c.Status != StatusEnded {
				t.Errorf("%s was in flight at the kill but is %s", id, c.Status)
			}
		}
	}
	if lockstep && (interrupted != 1 || s.Interrupted() != 1 || len(got) != len(progress)) {
		t.Errorf("lockstep: %d calls recorded, %d interrupted (Interrupted() = %d); want %d and 1",
			len(got), interrupted, s.Interrupted(), len(progress))
	}
	if len(got) > len(progress)+1 {
		t.Errorf("%d calls recorded, the writer reported %d: at most one can be unreported", len(got), len(progress))
	}
	t.Logf("killed after %d calls reported; %d recorded, %d interrupted", len(progress), len(got), interrupted)
}

// TestHelperWriter is the writer process of TestCrashDurability: it
// records crashCalls calls (Start, Answer, End), printing each step.
func TestHelperWriter(t *testing.T) {
	path := helperDB(t)
	lockstep := os.Getenv("RINGDESK_HISTORY_LOCKSTEP") == "true"
	s, err := Open(context.Background(), path, WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stdin := bufio.NewReader(os.Stdin)
	step := func(format string, args ...any) {
		fmt.Printf(format+"\n", args...)
		if lockstep {
			if _, err := stdin.ReadString('\n'); err != nil {
				t.Fatalf("reading the go-ahead: %v", err)
			}
		} else {
			time.Sleep(time.Millisecond) // a pause between steps, not a wait for anything
		}
	}
	ctx := context.Background()
	for i := 1; i <= crashCalls; i++ {
		id := cid(i)
		dir := Inbound
		if i%2 == 0 {
			dir = Outbound
		}
		if err := s.Start(ctx, Call{ID: id, Direction: dir, Number: fmt.Sprintf("09778058%02d", i)}); err != nil {
			t.Fatal(err)
		}
		step("started %s", id)
		if err := s.Answer(ctx, id, time.Time{}); err != nil {
			t.Fatal(err)
		}
		step("answered %s", id)
		if err := s.End(ctx, id, time.Time{}, Cause{Code: 200, By: ByLocal}); err != nil {
			t.Fatal(err)
		}
		step("ended %s", id)
	}
}
