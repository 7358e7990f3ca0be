package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/crm"
)

// completionWindow is a window whose history has three calls and whose
// contacts know two people.
func completionWindow(t *testing.T) *testWindow {
	contacts := []crm.Contact{
		{Name: "Jane Black", Numbers: []string{"0977111222", "0977333444"}},
		{Name: "Trần Thị Bình", Numbers: []string{"+84901234567"}},
	}
	find := func(q string) []crm.Contact {
		var out []crm.Contact
		for _, c := range contacts {
			match := strings.Contains(strings.ToLower(c.Name), strings.ToLower(q))
			for _, n := range c.Numbers {
				match = match || strings.Contains(n, q)
			}
			if match {
				out = append(out, c)
			}
		}
		return out
	}
	return newTestWindow(t, Options{Config: oneAccount(), History: newHistory(t, threeCalls()...), SearchContacts: find})
}

// suggested is what the completion list offers, top to bottom.
func suggested(w *testWindow) []string {
	if !w.dialpad.complete.shown() {
		return nil
	}
	var out []string
	for _, s := range w.dialpad.complete.items {
		out = append(out, s.number)
	}
	return out
}

func TestCompletionFromHistoryAndContacts(t *testing.T) {
	w := completionWindow(t)
	e := w.dialpad.entry
	test.Type(e, "0")
	w.settle()
	if got := suggested(w); got != nil {
		t.Errorf("one character suggests %v, want nothing", got)
	}
	test.Type(e, "97")
	w.settle()
	// The history's number first, then the contact's numbers that match.
	want := []string{"0977805845", "0977111222", "0977333444"}
	if got := suggested(w); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("typing 097 suggests %v, want %v", got, want)
	}
	assertShows(t, w, "Nguyễn Văn An · 0977805845")
	assertShows(t, w, "Jane Black · 0977111222")

	// Down, Down, Enter takes the second into the field; it does not dial.
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.settle()
	if e.Text != "0977111222" || w.dialpad.complete.shown() {
		t.Errorf("after Down, Down, Enter: field %q, list shown %v", e.Text, w.dialpad.complete.shown())
	}
	if w.dialpad.status.Visible() {
		t.Errorf("choosing a suggestion dialled: %q", w.dialpad.status.Text)
	}

	// A name finds the contact; a click takes it.
	e.SetText("")
	test.Type(e, "bình")
	w.settle()
	if got := suggested(w); len(got) != 1 || got[0] != "+84901234567" {
		t.Fatalf("typing bình suggests %v", got)
	}
	test.Tap(w.dialpad.complete.rows.Objects[0].(*tapArea))
	if e.Text != "+84901234567" {
		t.Errorf("clicking the suggestion put %q in the field", e.Text)
	}

	// Esc closes the list and keeps what was typed.
	e.SetText("")
	test.Type(e, "10")
	w.settle()
	if got := suggested(w); len(got) != 1 || got[0] != "1002" {
		t.Fatalf("typing 10 suggests %v", got)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.dialpad.complete.shown() || e.Text != "10" {
		t.Errorf("Esc: list shown %v, field %q", w.dialpad.complete.shown(), e.Text)
	}
	// Enter with no row chosen dials what was typed.
	test.Type(e, "0")
	w.settle()
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.settle()
	assertShows(t, w, "Calling is not available in this build")
}
