package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestWindowRemembersItsSize: the size the window closes at is the size
// the next window opens at; a size too small to use is not restored.
func TestWindowRemembersItsSize(t *testing.T) {
	a := test.NewTempApp(t)
	open := func() *MainWindow {
		q := &uiQueue{}
		w := NewMainWindow(a, Options{Config: oneAccount(), uiDo: q.do})
		w.Window().Show()
		return w
	}

	w := open()
	if got := w.Window().Canvas().Size(); got != fyne.NewSize(defaultWidth, defaultHeight) {
		t.Errorf("the first window is %v, want the default %vx%v", got, defaultWidth, defaultHeight)
	}
	w.Window().Resize(fyne.NewSize(420, 700))
	w.Window().Close()

	w = open()
	if got := w.Window().Canvas().Size(); got != fyne.NewSize(420, 700) {
		t.Errorf("the window opened at %v, want the 420x700 it closed at", got)
	}
	w.Window().Resize(fyne.NewSize(10, 10))
	w.Window().Close()

	w = open()
	if got := w.Window().Canvas().Size(); got != fyne.NewSize(420, 700) {
		t.Errorf("a 10x10 window was remembered: the window opened at %v", got)
	}
	w.Window().Close()

	a.Preferences().SetFloat(prefWidth, 5)
	w = open()
	if got := w.Window().Canvas().Size(); got != fyne.NewSize(defaultWidth, defaultHeight) {
		t.Errorf("with a broken preference the window opened at %v, want the default", got)
	}
	w.Window().Close()
}
