package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestCompletionTypingOnDropsTheSelection: a row chosen with Down is
// forgotten once the agent types on; Enter then keeps what was typed
// instead of taking a suggestion found for the shorter text.
func TestCompletionTypingOnDropsTheSelection(t *testing.T) {
	w := completionWindow(t)
	e := w.dialpad.entry
	test.Type(e, "097")
	w.settle()
	if len(suggested(w)) == 0 {
		t.Fatal("097 suggests nothing")
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) // highlights 0977805845
	test.Type(e, "8")                              // the agent types on: 0978
	if c := w.dialpad.complete; c.selected != -1 {
		t.Errorf("typing on left row %d selected", c.selected)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) // the rows are for 097
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.Text != "0978" {
		t.Errorf("typed 0978 then Enter: the field holds %q, a suggestion for 097", e.Text)
	}
	w.settle()
	if e.Text != "0978" {
		t.Errorf("after the search for 0978 the field holds %q", e.Text)
	}
}

// TestCompletionHiddenOnTabChange: leaving the Phone tab closes the list
// and forgets its rows, so coming back shows no stale suggestions.
func TestCompletionHiddenOnTabChange(t *testing.T) {
	w := completionWindow(t)
	e := w.dialpad.entry
	test.Type(e, "097")
	w.settle()
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if len(suggested(w)) == 0 {
		t.Fatal("097 suggests nothing")
	}
	w.selectTab(t, "History")
	if w.dialpad.complete.shown() || w.dialpad.complete.selected != -1 {
		t.Error("the suggestions stay open behind the History tab")
	}
	w.selectTab(t, "Phone")
	if got := suggested(w); got != nil {
		t.Errorf("back on the Phone tab the list offers %v", got)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.Text != "097" {
		t.Errorf("Enter after coming back: the field holds %q, want what was typed", e.Text)
	}
}
