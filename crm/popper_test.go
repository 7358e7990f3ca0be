package crm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// fakeOpener records the addresses it was asked to open.
type fakeOpener struct {
	mu     sync.Mutex
	opened []string
	err    error
}

func (f *fakeOpener) open(_ context.Context, url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.opened = append(f.opened, url)
	return nil
}

func TestPopperURL(t *testing.T) {
	p, err := NewPopper("https://crm.example.com/search?phone={e164}&n={national}&nsn={nsn}&raw={number}", "ring")
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.URL(mustNumber(t, "sip:+84977805845@pbx", "VN"))
	want := "https://crm.example.com/search?phone=%2B84977805845&n=0977805845&nsn=977805845&raw=%2B84977805845"
	if err != nil || got != want {
		t.Errorf("URL = %s, %v\nwant %s", got, err, want)
	}
	path, _ := NewPopper("https://crm.example.com/caller/{e164}", "")
	if got, _ := path.URL(mustNumber(t, "(201) 555-0123", "US")); got != "https://crm.example.com/caller/%2B12015550123" {
		t.Errorf("path URL = %s", got)
	}
}

func TestPopperRefusesBadTemplates(t *testing.T) {
	for tmpl, want := range map[string]string{
		"javascript:alert(1)//{e164}":                  "is not a web address",
		"file:///etc/passwd?{e164}":                    "is not a web address",
		"crm.example.com/search?q={e164}":              "is not a web address",
		"https://crm.example.com/?q={tel}":             "holds {tel}, which Ringdesk does not know",
		"https://crm.example.com/?k={secret}&q={e164}": "holds {secret}",
	} {
		if _, err := NewPopper(tmpl, "ring"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewPopper(%q) = %v, want %q", tmpl, err, want)
		}
	}
	if _, err := NewPopper("https://crm.example.com/", "always"); err == nil || !strings.Contains(err.Error(), `pop_on "always" is not ring, answer or never`) {
		t.Errorf("bad pop_on: %v", err)
	}
}

func TestPopperPopOn(t *testing.T) {
	caller := mustNumber(t, "0977805845", "VN")
	tests := []struct {
		popOn        string
		ring, answer bool
	}{
		{"ring", true, false},
		{"", true, false},
		{"answer", false, true},
		{"never", false, false},
	}
	for _, tt := range tests {
		o := &fakeOpener{}
		p, err := NewPopper("https://crm.example.com/?q={e164}", tt.popOn, WithOpener(o.open))
		if err != nil {
			t.Fatal(err)
		}
		ring, err1 := p.Pop(t.Context(), "ring", caller)
		answer, err2 := p.Pop(t.Context(), "answer", caller)
		if err1 != nil || err2 != nil || ring != tt.ring || answer != tt.answer {
			t.Errorf("pop_on %q: ring %v answer %v (%v, %v)", tt.popOn, ring, answer, err1, err2)
		}
		if want := btoi(tt.ring) + btoi(tt.answer); len(o.opened) != want {
			t.Errorf("pop_on %q opened %v", tt.popOn, o.opened)
		}
	}
}

func TestPopperSkipsExtensionsAndEmptyTemplate(t *testing.T) {
	o := &fakeOpener{}
	p, _ := NewPopper("https://crm.example.com/?q={number}", "ring", WithOpener(o.open))
	if opened, err := p.Pop(t.Context(), "ring", mustNumber(t, "1002", "VN")); opened || err != nil {
		t.Errorf("an internal call popped: %v %v", opened, err)
	}
	none, _ := NewPopper("", "ring", WithOpener(o.open))
	if opened, err := none.Pop(t.Context(), "ring", mustNumber(t, "0977805845", "VN")); opened || err != nil {
		t.Errorf("an empty pop_url popped: %v %v", opened, err)
	}
	if len(o.opened) != 0 {
		t.Errorf("opened %v", o.opened)
	}
	failing := &fakeOpener{err: errors.New("xdg-open: not found")}
	p, _ = NewPopper("https://crm.example.com/?q={e164}", "ring", WithOpener(failing.open))
	if _, err := p.Pop(t.Context(), "ring", mustNumber(t, "0977805845", "VN")); err == nil || !strings.Contains(err.Error(), "xdg-open: not found") {
		t.Errorf("opener error: %v", err)
	}
}

func TestOpenBrowserRefusesOtherSchemes(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "-e", "smb://host/share"} {
		if err := OpenBrowser(t.Context(), u); err == nil || !strings.Contains(err.Error(), "only http and https") {
			t.Errorf("OpenBrowser(%q) = %v", u, err)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
