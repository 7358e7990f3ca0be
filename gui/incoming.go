package gui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
)

// declineCode is what Decline answers a ringing call with: 603 Decline, the
// code for "the person called does not want this call now". It is what
// MicroSIP sends (its Decline hangs the call up through pjsua with no code,
// and pjsua refuses an unanswered incoming call with 603), and it tells the
// PBX the agent chose not to answer, where 486 Busy Here would claim a busy
// line. The human message the caller's side shows is "The call was
// declined".
const declineCode = 603

// The incoming popup's fixed size: small, like a notification.
const (
	popupWidth  = 320
	popupHeight = 230
)

// incomingPopup is the small window that pops up for a ringing call: the
// number and display name at once, the caller card when the lookup answers
// (it never holds the popup or its buttons up), Answer and Decline. It closes
// when the call is answered, declined or given up by the caller.
type incomingPopup struct {
	w       *MainWindow
	id      string
	win     fyne.Window
	name    *widget.Label
	number  *widget.Label
	card    *widget.Label
	detail  *widget.Label
	status  *widget.Label
	head    *fyne.Container
	answer  *widget.Button
	decline *widget.Button
	closed  bool
}

func newIncomingPopup(w *MainWindow, info phone.CallInfo) *incomingPopup {
	a := fyne.CurrentApp()
	p := &incomingPopup{w: w, id: info.ID}
	who := info.Name
	if who == "" {
		who = info.Number
	}
	p.win = a.NewWindow(txtIncomingFrom(who))
	p.win.SetIcon(appIcon)

	title := widget.NewLabelWithStyle(txtIncomingTitle(), fyne.TextAlignCenter, fyne.TextStyle{})
	title.SizeName = theme.SizeNameCaptionText
	p.name = widget.NewLabelWithStyle(who, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	p.name.SizeName = theme.SizeNameSubHeadingText
	p.name.Truncation = fyne.TextTruncateEllipsis
	p.number = widget.NewLabel(info.Number)
	p.number.Alignment = fyne.TextAlignCenter
	p.number.Truncation = fyne.TextTruncateEllipsis
	if info.Name == "" {
		p.number.Hide() // the name line shows the number already
	}
	p.card = widget.NewLabel("")
	p.card.Alignment = fyne.TextAlignCenter
	p.card.Importance = widget.HighImportance
	p.card.Truncation = fyne.TextTruncateEllipsis
	p.card.Hide()
	p.detail = widget.NewLabel("")
	p.detail.Alignment = fyne.TextAlignCenter
	p.detail.SizeName = theme.SizeNameCaptionText
	p.detail.Truncation = fyne.TextTruncateEllipsis
	p.detail.Hide()
	p.status = widget.NewLabel("")
	p.status.Alignment = fyne.TextAlignCenter
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Importance = widget.DangerImportance
	p.status.Hide()

	p.answer = widget.NewButtonWithIcon(txtWithKeys(txtAnswer(), keysEnter), callIcon, p.doAnswer)
	p.answer.Importance = widget.SuccessImportance
	p.decline = widget.NewButtonWithIcon(txtWithKeys(txtDecline(), keysEscape), theme.CancelIcon(), p.doDecline)
	p.decline.Importance = widget.DangerImportance

	p.head = container.NewVBox(title, p.name, p.number, p.card, p.detail)
	buttons := container.NewGridWithColumns(2, p.answer, p.decline)
	p.win.SetContent(container.NewPadded(container.NewBorder(p.head, container.NewVBox(p.status, buttons), nil, nil)))
	p.win.Resize(fyne.NewSize(popupWidth, popupHeight))
	p.win.SetFixedSize(true)
	p.win.SetOnClosed(func() {
		// Closed by the user (or by close): the call rings on in the
		// main window, which can still answer it.
		p.closed = true
		if w.popups[p.id] == p {
			delete(w.popups, p.id)
		}
	})
	p.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			p.doAnswer()
		case fyne.KeyEscape:
			p.doDecline()
		}
	})
	// The main window's answer and hang-up shortcuts work here too.
	p.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: ctrl}, func(fyne.Shortcut) { p.doAnswer() })
	p.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: ctrl}, func(fyne.Shortcut) { p.doAnswer() })
	p.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: ctrl}, func(fyne.Shortcut) { p.doDecline() })
	p.win.Show()
	p.win.RequestFocus()
	return p
}

// setCard shows the caller lookup's answer.
func (p *incomingPopup) setCard(ci phone.CallerInfo) {
	if note := lookupNote(ci); note != "" {
		// No card: say why under the number, so that a slow or broken
		// CRM is not mistaken for an unknown caller.
		p.detail.SetText(note)
		p.detail.Show()
		p.head.Refresh()
		p.win.Content().Refresh()
		return
	}
	if !ci.Found || (ci.Name == "" && ci.Company == "") {
		return
	}
	name := ci.Name
	if name == p.name.Text {
		name = "" // on the name line already
	}
	p.card.SetText(txtCallerCard(name, ci.Company))
	p.card.Show()
	if ci.Notes != "" {
		p.detail.SetText(ci.Notes)
		p.detail.Show()
	}
	p.head.Refresh()
	p.win.Content().Refresh()
}

// doAnswer answers the call; the popup closes once the engine has.
func (p *incomingPopup) doAnswer() {
	p.run(func(ctx context.Context, c *phone.Call) error { return c.Answer(ctx) }, true)
}

// doDecline refuses the call with declineCode.
func (p *incomingPopup) doDecline() {
	p.run(func(_ context.Context, c *phone.Call) error { return c.Reject(declineCode) }, false)
}

func (p *incomingPopup) run(do func(ctx context.Context, c *phone.Call) error, raise bool) {
	if p.closed || p.answer.Disabled() {
		return
	}
	p.answer.Disable()
	p.decline.Disable()
	id := p.id
	p.w.callCommand(id, do, func(err error) {
		if err != nil {
			p.w.log.Warn("incoming call command failed", "call", id, "err", err)
			if !p.closed {
				p.answer.Enable()
				p.decline.Enable()
				p.status.SetText(txtActionFailed(errText(err)))
				p.status.Show()
				p.win.Content().Refresh()
			}
			return
		}
		p.close()
		if raise && !p.w.isClosed() {
			p.w.win.Show()
			p.w.win.RequestFocus()
		}
	})
}

// close closes the popup window, once.
func (p *incomingPopup) close() {
	if p.closed {
		return
	}
	p.closed = true
	if p.w.popups[p.id] == p {
		delete(p.w.popups, p.id)
	}
	p.win.Close()
}

// noContactReason is callwatch's Reason when every source answered and none
// knew the number.
const noContactReason = "no contact has this number"

// lookupNote is the line shown instead of a caller card when the lookup found
// nobody or failed; empty when it found a contact.
func lookupNote(ci phone.CallerInfo) string {
	switch {
	case ci.Found:
		return ""
	case ci.Reason == "" || ci.Reason == noContactReason:
		return txtNoContact()
	default:
		return txtLookupFailed(ci.Reason)
	}
}
