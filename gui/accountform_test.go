package gui

import (
	"errors"
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/store"
)

func TestSaveAccount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fill   func(f *accountForm)
		want   store.Account
		secret string
	}{
		{
			name: "defaults",
			fill: func(f *accountForm) {
				test.Type(f.displayName, "Agent 1001")
				test.Type(f.username, "1001")
				test.Type(f.password, "s3cret")
				test.Type(f.domain, "pbx.example.com")
			},
			want: store.Account{
				ID: "main", DisplayName: "Agent 1001", Username: "1001", AuthUsername: "1001",
				Domain: "pbx.example.com", Transport: "udp",
			},
			secret: "s3cret",
		},
		{
			name: "everything",
			fill: func(f *accountForm) {
				test.Type(f.username, " 1002 ")
				test.Type(f.authUsername, "u1002")
				test.Type(f.password, "0123456789abcdef0123456789abcdef")
				test.Tap(f.passwordHA1)
				test.Type(f.domain, "pbx.example.com")
				f.transport.SetSelected("WSS")
				test.Type(f.server, "wss://pbx.example.com:8089/ws")
			},
			want: store.Account{
				ID: "main", Username: "1002", AuthUsername: "u1002", Domain: "pbx.example.com",
				Transport: "wss", Server: "wss://pbx.example.com:8089/ws", PasswordIsHA1: true,
			},
			secret: "0123456789abcdef0123456789abcdef",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saver := &fakeSaver{}
			w := newTestWindow(t, Options{Accounts: saver})
			tc.fill(w.form)
			test.Tap(w.form.save)
			w.settle()

			got := saver.saved()
			if len(got) != 1 {
				t.Fatalf("SaveAccount called %d times, want once", len(got))
			}
			if !reflect.DeepEqual(got[0].acc, tc.want) {
				t.Errorf("saved account\n got %+v\nwant %+v", got[0].acc, tc.want)
			}
			if got[0].secret != tc.secret {
				t.Errorf("saved secret %q, want %q", got[0].secret, tc.secret)
			}
			if w.dialpad == nil || hasForm(w) {
				t.Fatal("after saving, the dialpad should be the screen")
			}
			assertShows(t, w, tc.want.Username+"@"+tc.want.Domain)
			assertShows(t, w, "Not registered (SIP engine not in this build)")
		})
	}
}

func TestSaveOnEnter(t *testing.T) {
	saver := &fakeSaver{}
	w := newTestWindow(t, Options{Accounts: saver})
	test.Type(w.form.username, "1001")
	test.Type(w.form.domain, "pbx.example.com")
	w.form.domain.OnSubmitted(w.form.domain.Text)
	w.settle()
	if len(saver.saved()) != 1 {
		t.Fatal("Enter in the form should save")
	}
}

func TestSaveErrorKeepsForm(t *testing.T) {
	saveErr := errors.New(`config.toml:14: accounts[0].server: "pbx:99999" has a bad port`)
	saver := &fakeSaver{err: saveErr}
	w := newTestWindow(t, Options{Accounts: saver})
	f := w.form
	test.Type(f.username, "1001")
	test.Type(f.password, "s3cret")
	test.Type(f.domain, "pbx")
	test.Type(f.server, "pbx:99999")
	test.Tap(f.save)
	w.settle()

	if w.form != f || !hasForm(w) {
		t.Fatal("a failed save should leave the form on screen")
	}
	assertShows(t, w, saveErr.Error())
	for name, got := range map[string]string{
		"username": f.username.Text, "password": f.password.Text, "domain": f.domain.Text, "server": f.server.Text,
	} {
		want := map[string]string{"username": "1001", "password": "s3cret", "domain": "pbx", "server": "pbx:99999"}[name]
		if got != want {
			t.Errorf("%s = %q after the failed save, want %q", name, got, want)
		}
	}
	if f.save.Disabled() || f.skip.Disabled() {
		t.Error("the buttons should work again after a failed save")
	}

	// Fixing the field and saving again works.
	saver.mu.Lock()
	saver.err = nil
	saver.mu.Unlock()
	f.server.SetText("pbx:5060")
	test.Tap(f.save)
	w.settle()
	if w.dialpad == nil {
		t.Error("the second save succeeded but the dialpad is not shown")
	}
}

func TestFormNeedsExtensionAndDomain(t *testing.T) {
	saver := &fakeSaver{}
	w := newTestWindow(t, Options{Accounts: saver})
	test.Tap(w.form.save)
	assertShows(t, w, "Enter the extension")

	test.Type(w.form.username, "1001")
	test.Tap(w.form.save)
	assertShows(t, w, "Enter the domain")

	if n := len(saver.saved()); n != 0 {
		t.Errorf("SaveAccount called %d times with a required field empty", n)
	}
}

func TestServerPlaceholderFollowsTransport(t *testing.T) {
	w := newTestWindow(t, Options{Accounts: &fakeSaver{}})
	f := w.form
	for transport, want := range map[string]string{
		"UDP": "pbx.example.com:5060",
		"TCP": "pbx.example.com:5060",
		"TLS": "pbx.example.com:5061",
		"WS":  "ws://pbx.example.com:8088/ws",
		"WSS": "wss://pbx.example.com:8089/ws",
	} {
		f.transport.SetSelected(transport)
		if f.server.PlaceHolder != want {
			t.Errorf("%s: server placeholder %q, want %q", transport, f.server.PlaceHolder, want)
		}
	}
	f.transport.SetSelected("WSS")
	test.Type(f.domain, "sip.acme.vn")
	if want := "wss://sip.acme.vn:8089/ws"; f.server.PlaceHolder != want {
		t.Errorf("placeholder %q after typing the domain, want %q", f.server.PlaceHolder, want)
	}
}
