package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// TestEditingAnAccountKeepsItsCall: saving an account in Settings while it
// has a call does not hang the call up; the account starts again as
// edited once the call has ended.
func TestEditingAnAccountKeepsItsCall(t *testing.T) {
	profile, _, err := store.OpenProfile(filepath.Join(t.TempDir(), "config.toml"), store.NewMemorySecrets(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := phone.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	ctx, cancel := context.WithCancel(context.Background())
	starter := newAccountStarter(ctx, profile, p)
	t.Cleanup(func() { cancel(); <-starter.pending.done })
	keeper := settingsKeeper{starter}
	k := testbed.StartKamailio(t)
	testbed.StartBaresip(t, testbed.BaresipRegister(k, "1002"))
	sub := p.Subscribe()
	defer sub.Close()
	acc := store.Account{ID: "main", Username: "1001", Domain: k.Domain(), Transport: "udp", Server: k.UDPAddr()}
	if err := keeper.SaveAccount(acc, testbed.Password("1001")); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, sub, phone.EventRegistered)
	before, err := p.Account("main")
	if err != nil {
		t.Fatal(err)
	}
	dialCtx, dialCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer dialCancel()
	call, err := p.Dial(dialCtx, "main", "1002", phone.DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	waitEvent(t, sub, phone.EventInCall)
	acc.DisplayName = "Agent" // a cosmetic edit in Settings
	if err := keeper.SaveAccount(acc, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Calls()); n != 1 {
		t.Fatalf("after an edit in Settings the account has %d calls: the call in progress was hung up", n)
	}
	if a, _ := p.Account("main"); a != before {
		t.Error("the account was started again under its call")
	}
	if err := call.Hangup(dialCtx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if a, err := p.Account("main"); err == nil && a != before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the edited account did not start again after its call ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEvent waits for the next event of type typ on sub.
func waitEvent(t *testing.T, sub *phone.Subscription, typ phone.EventType) phone.Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s in 20 s", typ)
		}
	}
}
