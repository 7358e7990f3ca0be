package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// accountChip is the bar at the top of the window naming the account and
// saying where its registration stands: a coloured dot (green registered,
// amber registering, red failed, grey otherwise), a detail line, and after a
// failure the engine's reason with the SIP code. A click (or the retry
// button) registers again.
type accountChip struct {
	root   *tapArea
	title  *widget.Label
	detail *widget.Label
	reason *widget.Label
	dot    *themedBox
	add    *widget.Button
	retry  *widget.Button

	// state is the registration shown; "" before the engine said anything.
	state phone.RegistrationState
}

// newAccountChip builds the chip. onAdd, when not nil, is offered as an
// "Add account" button while there is no account; onRetry is the click.
func newAccountChip(onAdd, onRetry func()) *accountChip {
	c := &accountChip{
		title:  widget.NewLabel(""),
		detail: widget.NewLabel(""),
		reason: widget.NewLabel(""),
	}
	c.title.TextStyle.Bold = true
	c.title.Truncation = fyne.TextTruncateEllipsis
	c.detail.SizeName = theme.SizeNameCaptionText
	c.detail.Truncation = fyne.TextTruncateEllipsis
	c.reason.SizeName = theme.SizeNameCaptionText
	c.reason.Wrapping = fyne.TextWrapWord
	c.reason.Importance = widget.DangerImportance
	c.reason.Hide()
	if onAdd != nil {
		c.add = widget.NewButtonWithIcon(txtAddAccount(), theme.ContentAddIcon(), onAdd)
		c.add.Importance = widget.LowImportance
	}
	c.retry = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), onRetry)
	c.retry.Importance = widget.LowImportance
	c.retry.Hide()

	bg := newThemedBox(theme.ColorNameInputBackground, 0, "", 2)
	c.dot = newThemedBox(theme.ColorNameDisabled, 0, "", -1)
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(12), c.dot))
	text := container.New(&tightVBox{}, c.title, c.detail)
	right := container.NewHBox(c.retry)
	if c.add != nil {
		right.Add(container.NewCenter(c.add))
	}
	row := container.NewBorder(nil, nil, container.NewPadded(dot), right, text)
	body := container.NewVBox(row, c.reason)
	c.root = newTapArea(container.NewStack(bg, body), func() {
		if c.state != "" { // an engine account is behind the chip
			onRetry()
		}
	})
	return c
}

// setAccount shows acc (nil: no account). engine says whether the window has
// a SIP engine that could register it.
func (c *accountChip) setAccount(acc *store.Account, engine bool) {
	c.state = ""
	c.reason.Hide()
	c.retry.Hide()
	c.dot.setFill(theme.ColorNameDisabled)
	switch {
	case acc == nil:
		c.title.SetText(txtNoAccount())
		c.detail.SetText(txtNoAccountHint())
		if c.add != nil {
			c.add.Show()
		}
	default:
		c.title.SetText(accountAddress(*acc))
		if engine {
			c.detail.SetText(txtNotRegistered())
		} else {
			c.detail.SetText(txtNoEngine())
		}
		if c.add != nil {
			c.add.Hide()
		}
	}
}

// setRegistration shows the engine's registration state; cause is the
// failure's, for RegFailed.
func (c *accountChip) setRegistration(st phone.RegistrationState, cause *phone.Cause) {
	c.state = st
	c.reason.Hide()
	c.retry.Hide()
	switch st {
	case phone.RegRegistered:
		c.dot.setFill(theme.ColorNameSuccess)
		c.detail.SetText(txtRegistered())
	case phone.RegRegistering:
		c.dot.setFill(theme.ColorNameWarning)
		c.detail.SetText(txtRegistering())
	case phone.RegFailed:
		c.dot.setFill(theme.ColorNameError)
		c.detail.SetText(txtRegisterFailed())
		c.reason.SetText(txtRegisterFailedReason(causeText(cause, true)))
		c.reason.Show()
		c.retry.Show()
	default:
		c.dot.setFill(theme.ColorNameDisabled)
		c.detail.SetText(txtNotRegistered())
		c.retry.Show()
	}
}

// accountAddress is how the chip names an account: "Agent 1001 · 1001@pbx"
// with a display name, "1001@pbx" without.
func accountAddress(acc store.Account) string {
	addr := acc.Username + "@" + acc.Domain
	if acc.DisplayName != "" {
		return acc.DisplayName + " · " + addr
	}
	return addr
}

// tapArea makes its content clickable as a whole, with a pointing hand while
// a click does something.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped runs the click.
func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor shows a pointing hand.
func (t *tapArea) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer draws the content.
func (t *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.content)
}
