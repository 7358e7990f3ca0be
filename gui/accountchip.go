package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store"
)

// accountChip is the bar at the top of the dialpad naming the account and
// saying what state it is in. Until the SIP engine exists it never claims a
// registration: with no engine it says so, with one it says the state is not
// shown yet.
type accountChip struct {
	root   *fyne.Container
	title  *widget.Label
	detail *widget.Label
	add    *widget.Button
}

// newAccountChip builds the chip. onAdd, when not nil, is offered as an
// "Add account" button while there is no account.
func newAccountChip(onAdd func()) *accountChip {
	c := &accountChip{
		title:  widget.NewLabel(""),
		detail: widget.NewLabel(""),
	}
	c.title.TextStyle.Bold = true
	c.title.Truncation = fyne.TextTruncateEllipsis
	c.detail.SizeName = theme.SizeNameCaptionText
	c.detail.Truncation = fyne.TextTruncateEllipsis
	if onAdd != nil {
		c.add = widget.NewButtonWithIcon(txtAddAccount(), theme.ContentAddIcon(), onAdd)
		c.add.Importance = widget.LowImportance
	}

	bg := newThemedBox(theme.ColorNameInputBackground, 0, "", 2)
	// Grey: nothing here is live until the engine reports a registration.
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(12),
		newThemedBox(theme.ColorNameDisabled, 0, "", -1)))
	text := container.New(&tightVBox{}, c.title, c.detail)
	var right fyne.CanvasObject
	if c.add != nil {
		right = container.NewCenter(c.add)
	}
	row := container.NewBorder(nil, nil, container.NewPadded(dot), right, text)
	c.root = container.NewStack(bg, row)
	return c
}

// setAccount shows acc (nil: no account). engine says whether this build has
// a SIP engine that could register it.
func (c *accountChip) setAccount(acc *store.Account, engine bool) {
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
			c.detail.SetText(txtRegistrationUnknown())
		} else {
			c.detail.SetText(txtNoEngine())
		}
		if c.add != nil {
			c.add.Hide()
		}
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
