package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the history's own driver, for PRAGMA integrity_check

	"github.com/ringdesk/ringdesk/internal/testbed"
)

// historyRow is a call as GET /v1/history lists it.
type historyRow struct {
	ID        string `json:"id"`
	SIPCallID string `json:"sipCallId"`
	Status    string `json:"status"`
	Number    string `json:"number"`
}

// listHistory reads the whole history through a running Ringdesk's API.
func listHistory(t *testing.T, url, token string) []historyRow {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/v1/history?pageSize=500", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /v1/history: %v", err)
	}
	defer resp.Body.Close()
	var page struct {
		Docs []historyRow `json:"docs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/history: %d %v", resp.StatusCode, err)
	}
	return page.Docs
}

// TestHistorySurvivesSIGKILL: a headless Ringdesk answering a stream of 50
// SIPp calls is killed with SIGKILL in the middle. Restarted, its history
// still holds every call it had recorded, the finished ones complete, the
// ones cut off marked interrupted (none left ringing or answered), and
// SQLite's integrity check passes.
func TestHistorySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("a stream of 50 calls: skipped with -short")
	}
	k := testbed.StartKamailio(t)
	profile := handoverProfile(t, k)
	token := "handover-token-0123456789"
	first := startRingdesk(t, append([]string{"--headless", "--auto-answer"}, profile...)...)
	url := strings.TrimPrefix(first.waitLine(t, "API http://127.0.0.1:"), "API ")
	first.waitLine(t, "REGISTERED account=main")

	// 50 calls one after the other (answering a second call would put the
	// first on hold, and SIPp's caller takes no re-INVITE), each held 300 ms.
	testbed.RunSIPp(t, "uac_call.xml", testbed.SIPpProxy(k), testbed.SIPpUser("1002"), testbed.SIPpService("1001"),
		testbed.SIPpCalls(50), testbed.SIPpPause(300*time.Millisecond), testbed.SIPpArgs("-r", "10", "-l", "1"))
	var before []historyRow
	deadline := time.Now().Add(60 * time.Second)
	for {
		before = listHistory(t, url, token)
		ended, inProgress := 0, 0
		for _, r := range before {
			switch r.Status {
			case "ended":
				ended++
			case "ringing", "answered":
				inProgress++
			}
		}
		// Kill in the middle of a call, so one is cut off.
		if ended >= 15 && inProgress > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d calls ended in a minute:\n%s", ended, first.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	_ = first.cmd.Wait()

	second := startRingdesk(t, append([]string{"--headless"}, profile...)...)
	url = strings.TrimPrefix(second.waitLine(t, "API http://127.0.0.1:"), "API ")
	after := listHistory(t, url, token)
	bySIP := make(map[string]historyRow, len(after))
	for _, r := range after {
		bySIP[r.SIPCallID] = r
		switch r.Status {
		case "ended", "missed", "interrupted":
		default:
			t.Errorf("call %s is %q after the restart: an unfinished call must be marked interrupted", r.SIPCallID, r.Status)
		}
	}
	interrupted := 0
	for _, r := range after {
		if r.Status == "interrupted" {
			interrupted++
		}
	}
	for _, r := range before {
		got, ok := bySIP[r.SIPCallID]
		switch {
		case !ok:
			t.Errorf("call %s (%s before the kill) is gone from the history", r.SIPCallID, r.Status)
		case r.Status == "ended" && got.Status != "ended":
			t.Errorf("call %s was ended before the kill, is %s after", r.SIPCallID, got.Status)
		}
	}
	if interrupted == 0 {
		t.Error("no call is marked interrupted, though one was in progress at the kill")
	}
	if len(after) < len(before) || len(after) > 50 {
		t.Errorf("%d calls after the restart, %d before the kill (of 50)", len(after), len(before))
	}
	t.Logf("history after SIGKILL: %d calls, %d interrupted (%d listed before the kill)", len(after), interrupted, len(before))

	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-second.done
	_ = second.cmd.Wait()
	cfgDir := ""
	for i, a := range profile {
		if a == "--config" {
			cfgDir = filepath.Dir(profile[i+1])
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(cfgDir, "history.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("integrity_check: %q %v", result, err)
	}
}
