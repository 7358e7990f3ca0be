package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store/history"
)

// storedCall is a call to put in a test history.
type storedCall struct {
	number, name string
	dir          history.Direction
	answered     bool
	talk         time.Duration
}

// newHistory is a history in t.TempDir holding calls, the first the oldest,
// one minute apart, recorded through Start, Answer and End as the engine's
// watcher records them.
func newHistory(t *testing.T, calls ...storedCall) *history.Store {
	t.Helper()
	ctx := context.Background()
	s, err := history.Open(ctx, filepath.Join(t.TempDir(), "history.db"), history.WithHeartbeat(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	start := time.Date(2025, 3, 14, 9, 0, 0, 0, time.Local)
	for i, c := range calls {
		addCall(t, s, fmt.Sprintf("c%d", i+1), start.Add(time.Duration(i)*time.Minute), c)
	}
	return s
}

func addCall(t *testing.T, s *history.Store, id string, at time.Time, c storedCall) {
	t.Helper()
	ctx := context.Background()
	if err := s.Start(ctx, history.Call{ID: id, Direction: c.dir, Number: c.number, Name: c.name, StartedAt: at}); err != nil {
		t.Fatal(err)
	}
	end := at.Add(10 * time.Second)
	if c.answered {
		if err := s.Answer(ctx, id, at.Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		end = at.Add(5*time.Second + c.talk)
	}
	if err := s.End(ctx, id, end, history.Cause{By: history.ByRemote}); err != nil {
		t.Fatal(err)
	}
}

// threeCalls: an answered inbound call from a named caller, a missed one,
// and an outbound call, newest last.
func threeCalls() []storedCall {
	return []storedCall{
		{number: "0977805845", name: "Nguyễn Văn An", dir: history.Inbound, answered: true, talk: 83 * time.Second},
		{number: "0901234567", dir: history.Inbound},
		{number: "1002", dir: history.Outbound, answered: true, talk: 7 * time.Second},
	}
}

// selectTab shows the tab titled title and lets what that starts settle.
func (w *testWindow) selectTab(t *testing.T, title string) {
	t.Helper()
	for _, item := range w.tabs.Items {
		if item.Text == title {
			w.tabs.Select(item)
			w.settle()
			return
		}
	}
	t.Fatalf("no tab %q", title)
}

// historyRows are the history rows on screen, top to bottom.
func historyRows(w *testWindow) []*historyRow {
	var rows []*historyRow
	for _, o := range visibleObjects(w) {
		if r, ok := o.(*historyRow); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

func TestNoTabsWithoutHistoryOrContacts(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount()})
	if w.tabs != nil {
		t.Fatal("without a history or contacts the window should have no tabs")
	}
	assertNotShows(t, w, "History")
}

func TestOnlyTheTabsWithASource(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), SearchContacts: func(string) []crm.Contact { return nil }})
	var titles []string
	for _, item := range w.tabs.Items {
		titles = append(titles, item.Text)
	}
	if got := strings.Join(titles, ","); got != "Phone,Contacts" {
		t.Errorf("tabs = %s, want Phone,Contacts", got)
	}
	if w.tabs.Selected() != w.phoneTab || !w.dialpad.shown() {
		t.Error("the window should open on the dialpad")
	}
}

func TestHistoryTabListsCallsNewestFirst(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t, threeCalls()...)})
	w.selectTab(t, "History")

	rows := historyRows(w)
	if len(rows) != 3 {
		t.Fatalf("%d rows on screen, want 3; the window shows:\n%s", len(rows), visibleText(w))
	}
	want := []struct {
		title, detail string
		icon          fyne.Resource
		missed        bool
	}{
		{"1002", "2025-03-14 09:02 · 0:07", outgoingIcon, false},
		{"0901234567", "2025-03-14 09:01 · Missed", missedIcon, true},
		{"Nguyễn Văn An", "0977805845 · 2025-03-14 09:00 · 1:23", incomingIcon, false},
	}
	for i, r := range rows {
		if r.title.Text != want[i].title || r.detail.Text != want[i].detail {
			t.Errorf("row %d shows %q / %q, want %q / %q", i, r.title.Text, r.detail.Text, want[i].title, want[i].detail)
		}
		if r.icon.Resource != want[i].icon {
			t.Errorf("row %d has the mark %s", i, r.icon.Resource.Name())
		}
		if missed := r.title.Importance == widget.DangerImportance; missed != want[i].missed {
			t.Errorf("row %d: red = %v, want %v", i, missed, want[i].missed)
		}
	}
	assertShows(t, w, "Page 1 of 1")
	if !w.history.prev.Disabled() || !w.history.next.Disabled() {
		t.Error("Previous and Next should be disabled on the only page")
	}
	if w.dialpad.shown() {
		t.Error("the dialpad still counts as shown behind the History tab")
	}
}

func TestHistorySearchFilters(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t, threeCalls()...)})
	w.selectTab(t, "History")
	h := w.history

	test.Type(h.search, "0977 805")
	w.settle() // the pause after typing, then the query
	if rows := historyRows(w); len(rows) != 1 || rows[0].title.Text != "Nguyễn Văn An" {
		t.Fatalf("searching 0977 805 shows:\n%s", visibleText(w))
	}

	h.search.SetText("Văn")
	w.settle()
	if rows := historyRows(w); len(rows) != 1 || rows[0].title.Text != "Nguyễn Văn An" {
		t.Fatalf("searching Văn shows:\n%s", visibleText(w))
	}

	h.search.SetText("nobody")
	w.settle()
	if rows := historyRows(w); len(rows) != 0 {
		t.Fatalf("searching nobody shows %d rows", len(rows))
	}
	assertShows(t, w, "No calls found")

	h.search.SetText("")
	w.settle()
	if rows := historyRows(w); len(rows) != 3 {
		t.Fatalf("clearing the search shows %d rows", len(rows))
	}
	assertNotShows(t, w, "No calls found")
}

func TestHistoryPaging(t *testing.T) {
	calls := make([]storedCall, 0, historyPageSize+5)
	for i := range historyPageSize + 5 {
		calls = append(calls, storedCall{number: fmt.Sprintf("1%03d", i), dir: history.Outbound, answered: true, talk: time.Second})
	}
	w := newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t, calls...)})
	w.selectTab(t, "History")
	h := w.history

	if len(h.calls) != historyPageSize || h.list.Length() != historyPageSize {
		t.Fatalf("page 1 holds %d calls, want %d", len(h.calls), historyPageSize)
	}
	if h.calls[0].Number != "1054" {
		t.Errorf("page 1 starts with %s, want the newest, 1054", h.calls[0].Number)
	}
	assertShows(t, w, "Page 1 of 2")
	if !h.prev.Disabled() || h.next.Disabled() {
		t.Fatal("on page 1 only Next should be enabled")
	}

	test.Tap(h.next)
	w.settle()
	if len(h.calls) != 5 || h.calls[0].Number != "1004" || h.calls[4].Number != "1000" {
		t.Fatalf("page 2 holds %d calls from %s", len(h.calls), h.calls[0].Number)
	}
	assertShows(t, w, "Page 2 of 2")
	if h.prev.Disabled() || !h.next.Disabled() {
		t.Fatal("on the last page only Previous should be enabled")
	}

	test.Tap(h.prev)
	w.settle()
	if h.page != 1 || len(h.calls) != historyPageSize {
		t.Fatalf("Previous went to page %d with %d calls", h.page, len(h.calls))
	}

	// A search starts again from its first page.
	test.Tap(h.next)
	w.settle()
	h.search.SetText("1003")
	w.settle()
	if h.page != 1 || len(h.calls) != 1 || h.calls[0].Number != "1003" {
		t.Fatalf("searching 1003 from page 2 gave page %d with %d calls", h.page, len(h.calls))
	}
	assertShows(t, w, "Page 1 of 1")
}

func TestHistoryTapCallsBack(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), Phone: engineWithoutAccounts(t), History: newHistory(t, threeCalls()...)})
	w.selectTab(t, "History")

	w.history.list.Select(1) // the missed call
	w.settle()
	if w.tabs.Selected() != w.phoneTab {
		t.Fatal("calling back should show the Phone tab")
	}
	// The engine has no account, so it refuses: the dialpad says so,
	// naming the number it was asked to dial.
	assertShows(t, w, "Could not call 0901234567: "+phone.ErrNoSuchAccount.Error())
	if c := w.Window().Canvas().Focused(); c != w.dialpad.entry {
		t.Error("the dial field should have the focus back on the Phone tab")
	}
}

func TestHistoryRefreshesWhenACallEnds(t *testing.T) {
	s := newHistory(t, threeCalls()...)
	w := newTestWindow(t, Options{Config: oneAccount(), History: s})
	w.selectTab(t, "History")
	w.selectTab(t, "Phone")

	addCall(t, s, "c9", time.Date(2025, 3, 14, 10, 0, 0, 0, time.Local), storedCall{number: "1009", dir: history.Inbound})
	info := phone.CallInfo{ID: "c9", Number: "1009", Direction: phone.DirectionInbound, State: phone.CallStateEnded}
	w.applyEvent(phone.Event{Type: phone.EventCallEnd, Call: &info})
	w.settle()
	if len(w.history.calls) != 4 || w.history.calls[0].Number != "1009" {
		t.Fatalf("after CALL_END the history holds %d calls", len(w.history.calls))
	}
}

func TestTypingOnHistoryTabStaysOutOfDialpad(t *testing.T) {
	w := newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t)})
	w.selectTab(t, "History")
	c := w.Window().Canvas()
	if c.Focused() != w.history.search {
		t.Fatal("the History tab should focus its search field")
	}
	c.Unfocus()
	test.TypeOnCanvas(c, "5")
	if w.dialpad.entry.Text != "" {
		t.Errorf("typing on the History tab reached the dial field: %q", w.dialpad.entry.Text)
	}
	assertShows(t, w, "No calls found")

	// Ctrl+L, focusing the dial field, goes back to the Phone tab.
	w.history.search.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl})
	if w.tabs.Selected() != w.phoneTab || c.Focused() != w.dialpad.entry {
		t.Error("Ctrl+L in the search field should focus the dial field on the Phone tab")
	}
}

// fakeContacts is a contacts search over a fixed list, recording queries.
type fakeContacts struct {
	mu      sync.Mutex
	all     []crm.Contact
	queries []string
}

func (f *fakeContacts) search(query string) []crm.Contact {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, query)
	var out []crm.Contact
	for _, c := range f.all {
		if strings.Contains(strings.ToLower(c.Name+" "+c.Company), strings.ToLower(query)) {
			out = append(out, c)
		}
	}
	return out
}

func contactRows(w *testWindow) []*contactRow {
	var rows []*contactRow
	for _, o := range visibleObjects(w) {
		if r, ok := o.(*contactRow); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

func TestContactsSearchAndCall(t *testing.T) {
	f := &fakeContacts{all: []crm.Contact{
		{Name: "Jane Black", Company: "Acme Inc", Numbers: []string{"1003", "0977805845"}},
		{Name: "Trần Thị Bình", Company: "Acme Inc", Numbers: []string{"+84 90 123 4567"}},
		{Name: "No Number", Company: "Zeta"},
	}}
	w := newTestWindow(t, Options{Config: oneAccount(), Phone: engineWithoutAccounts(t), SearchContacts: f.search})
	w.selectTab(t, "Contacts")
	if rows := contactRows(w); len(rows) != 3 {
		t.Fatalf("the Contacts tab opens with %d contacts, want all 3:\n%s", len(rows), visibleText(w))
	}

	test.Type(w.contacts.search, "acme")
	w.settle()
	rows := contactRows(w)
	if len(rows) != 2 || rows[0].title.Text != "Jane Black" || rows[0].detail.Text != "Acme Inc · 1003" {
		t.Fatalf("searching acme shows:\n%s", visibleText(w))
	}
	f.mu.Lock()
	if n := len(f.queries); n != 2 {
		t.Errorf("typing acme ran %d searches, want 1 after the pause (and 1 on opening)", n-1)
	}
	f.mu.Unlock()

	w.contacts.search.SetText("zzz")
	w.settle()
	assertShows(t, w, "No contacts found")

	w.contacts.search.SetText("zeta")
	w.settle()
	w.contacts.list.Select(0)
	w.settle()
	assertShows(t, w, "No Number has no phone number")
	if w.tabs.Selected() == w.phoneTab {
		t.Error("a contact without a number should not switch tabs")
	}

	w.contacts.search.SetText("bình")
	w.settle()
	w.contacts.list.Select(0)
	w.settle()
	if w.tabs.Selected() != w.phoneTab {
		t.Fatal("calling a contact should show the Phone tab")
	}
	assertShows(t, w, "Could not call +84901234567: "+phone.ErrNoSuchAccount.Error())
}

func TestTabsFitTheWindowInEveryLanguage(t *testing.T) {
	t.Cleanup(func() {
		os.Setenv("LANGUAGE", "en")
		_ = loadTranslations("")
		os.Unsetenv("LANGUAGE")
	})
	for _, language := range []string{"en", "vi", "zh-Hans"} {
		if err := loadTranslations(language); err != nil {
			t.Fatal(err)
		}
		w := newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t, threeCalls()...),
			SearchContacts: func(string) []crm.Contact { return nil }})
		// The window pads its content on each side.
		if m := w.tabs.MinSize(); m.Width > defaultWidth-2*8 {
			t.Errorf("%s: the tabs need %v, wider than the window", language, m)
		}
		if m := w.history.root.MinSize(); m.Width > defaultWidth-2*8 {
			t.Errorf("%s: the History tab needs %v, wider than the window", language, m)
		}
		w.Window().Close()
	}
}
