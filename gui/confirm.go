package gui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ConfirmDial asks the user, in a dialog on the main window, whether to call
// number, naming source (the program or link that asked; "" for none), and
// returns true when they chose Call. It returns false when they chose
// Cancel, when ctx ends first (the dialog then goes away) and when the window
// closes. The local API calls it for tel: and sip: links handed over by the
// operating system. It may be called from any goroutine but the UI one, which
// it never blocks: it blocks its caller until the answer.
func (w *MainWindow) ConfirmDial(ctx context.Context, number, source string) bool {
	answer := make(chan bool, 1)
	var cd *confirmDialog
	w.do(func() {
		if w.isClosed() {
			answer <- false
			return
		}
		cd = newConfirmDialog(w, number, source, answer)
	})
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
	case <-w.closed:
	}
	// Functions handed to w.do run in order, so cd is set by now when the
	// dialog was shown at all.
	w.do(func() {
		if cd != nil {
			cd.answer(false)
		}
	})
	return false
}

// confirmDialog is one ConfirmDial question on screen.
type confirmDialog struct {
	w      *MainWindow
	d      *dialog.CustomDialog
	call   *widget.Button
	cancel *widget.Button
	result chan<- bool
	done   bool
}

func newConfirmDialog(w *MainWindow, number, source string, result chan<- bool) *confirmDialog {
	c := &confirmDialog{w: w, result: result}
	msg := widget.NewLabel(txtConfirmDial(number, source))
	msg.Wrapping = fyne.TextWrapWord
	c.call = widget.NewButtonWithIcon(txtCall(), callIcon, func() { c.answer(true) })
	c.call.Importance = widget.SuccessImportance
	c.cancel = widget.NewButtonWithIcon(txtCancel(), theme.CancelIcon(), func() { c.answer(false) })
	c.d = dialog.NewCustomWithoutButtons(txtConfirmTitle(), container.NewPadded(msg), w.win)
	c.d.SetButtons([]fyne.CanvasObject{c.cancel, c.call})
	c.d.SetOnClosed(func() { c.answer(false) })
	c.d.Resize(fyne.NewSize(defaultWidth-40, 0))
	w.confirms = append(w.confirms, c)
	w.showWindow() // from the tray too, so its menu says Hide again
	c.d.Show()
	return c
}

// answer gives the caller its answer, once, and takes the dialog away.
func (c *confirmDialog) answer(ok bool) {
	if c.done {
		return
	}
	c.done = true
	c.result <- ok // buffered: never blocks
	for i, o := range c.w.confirms {
		if o == c {
			c.w.confirms = append(c.w.confirms[:i], c.w.confirms[i+1:]...)
			break
		}
	}
	c.d.Hide()
}
