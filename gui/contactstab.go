package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/crm"
)

// contactsView is the Contacts tab: a search field and the matching
// contacts; tapping one calls its first number. Searches run off the UI
// goroutine; only the last one's answer is shown.
type contactsView struct {
	w      *MainWindow
	find   func(query string) []crm.Contact
	root   fyne.CanvasObject
	search *searchEntry
	list   *widget.List
	status *widget.Label

	contacts []crm.Contact
	gen      int
	pause    *debounce
	loaded   bool
}

func newContactsView(w *MainWindow, find func(string) []crm.Contact) *contactsView {
	v := &contactsView{w: w, find: find}
	v.pause = newDebounce(w, searchPause)

	v.search = newSearchEntry(w, txtContactsSearch())
	v.search.OnChanged = func(string) { v.pause.run(v.reload) }
	v.search.OnSubmitted = func(string) { v.pause.stop(); v.reload() }

	v.list = widget.NewList(
		func() int { return len(v.contacts) },
		newContactRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(v.contacts) {
				o.(*contactRow).show(v.contacts[id])
			}
		})
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id < 0 || id >= len(v.contacts) {
			return
		}
		c := v.contacts[id]
		if len(c.Numbers) == 0 {
			v.showStatus(txtContactNoNumber(c.Name), widget.WarningImportance)
			return
		}
		v.w.callBack(c.Numbers[0])
	}

	v.status = widget.NewLabel("")
	v.status.Alignment = fyne.TextAlignCenter
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()
	v.root = container.NewBorder(v.search, v.status, nil, nil, v.list)
	return v
}

// reload searches the contacts for the search field's text.
func (v *contactsView) reload() {
	v.gen++
	gen := v.gen
	query := strings.TrimSpace(v.search.Text)
	find := v.find
	var found []crm.Contact
	v.w.background(func() error {
		found = find(query)
		return nil
	}, func(error) {
		if gen != v.gen || v.w.isClosed() {
			return
		}
		v.loaded = true
		v.contacts = found
		v.list.UnselectAll()
		v.list.ScrollToTop()
		v.list.Refresh()
		if len(found) == 0 {
			v.showStatus(txtNoContacts(), widget.MediumImportance)
		} else {
			v.status.Hide()
		}
	})
}

func (v *contactsView) showStatus(text string, imp widget.Importance) {
	showLabel(v.status, text, imp)
}

// contactRow is one contact: the name over the company and first number.
type contactRow struct {
	widget.BaseWidget
	title  *widget.Label
	detail *widget.Label
}

func newContactRow() fyne.CanvasObject {
	r := &contactRow{
		title:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail: widget.NewLabel(""),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.detail.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

func (r *contactRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil,
		container.New(tightVBox{}, r.title, r.detail)))
}

func (r *contactRow) show(c crm.Contact) {
	name := c.Name
	var parts []string
	if c.Company != "" {
		parts = append(parts, c.Company)
	}
	if len(c.Numbers) > 0 {
		parts = append(parts, c.Numbers[0])
	}
	if name == "" && len(parts) > 0 {
		name, parts = parts[0], parts[1:]
	}
	r.title.SetText(name)
	r.detail.SetText(strings.Join(parts, " · "))
}
