package gui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store/history"
)

const (
	// historyPageSize is the number of calls on one page of the History tab.
	historyPageSize = 50
	// searchPause is how long typing in a search field must pause before
	// the search runs.
	searchPause = 300 * time.Millisecond
	// endPause is how long after a call ends the History tab reads the
	// history again.
	endPause = 500 * time.Millisecond
	// queryTimeout bounds one query of the history or the contacts.
	queryTimeout = 10 * time.Second
	// historyTimeLayout is how a call's start shows: unambiguous in every
	// language, with no month names to translate.
	historyTimeLayout = "2006-01-02 15:04"
)

// historyView is the History tab: a search field, the calls of one page
// newest first, and Previous/Next. Queries run off the UI goroutine; their
// results come back through w.do, and a result older than the last query
// asked is dropped.
type historyView struct {
	w     *MainWindow
	store *history.Store
	root  fyne.CanvasObject

	search *searchEntry
	list   *widget.List
	prev   *widget.Button
	next   *widget.Button
	pageOf *widget.Label
	// status says there is nothing to show, or why the query failed.
	status *widget.Label

	calls      []history.Call
	page       int
	totalPages int
	// gen numbers the queries; only the last one's answer is shown.
	gen   int
	pause *debounce
	// refresh waits a moment after a call ends before reading the
	// history again, so the call's end, recorded by another goroutine,
	// has reached the store.
	refresh *debounce
	loaded  bool
}

func newHistoryView(w *MainWindow, s *history.Store) *historyView {
	h := &historyView{w: w, store: s, page: 1, totalPages: 1}
	h.pause = newDebounce(w, searchPause)
	h.refresh = newDebounce(w, endPause)

	h.search = newSearchEntry(w, txtHistorySearch())
	h.search.OnChanged = func(string) {
		h.pause.run(func() { h.page = 1; h.reload() })
	}
	h.search.OnSubmitted = func(string) {
		h.pause.stop()
		h.page = 1
		h.reload()
	}

	h.list = widget.NewList(
		func() int { return len(h.calls) },
		newHistoryRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(h.calls) {
				o.(*historyRow).show(h.calls[id])
			}
		})
	h.list.OnSelected = func(id widget.ListItemID) {
		h.list.UnselectAll()
		if id >= 0 && id < len(h.calls) {
			h.w.callBack(h.calls[id].Number)
		}
	}

	h.prev = widget.NewButtonWithIcon(txtPrevious(), theme.NavigateBackIcon(), func() { h.turn(-1) })
	h.next = widget.NewButtonWithIcon(txtNext(), theme.NavigateNextIcon(), func() { h.turn(1) })
	h.next.IconPlacement = widget.ButtonIconTrailingText
	h.pageOf = widget.NewLabel("")
	h.pageOf.Alignment = fyne.TextAlignCenter
	h.status = widget.NewLabel("")
	h.status.Alignment = fyne.TextAlignCenter
	h.status.Wrapping = fyne.TextWrapWord
	h.status.Hide()
	h.showPaging()

	pager := container.NewBorder(nil, nil, h.prev, h.next, h.pageOf)
	h.root = container.NewBorder(h.search, pager, nil, nil, container.NewStack(h.list, container.NewVBox(h.status)))
	return h
}

// refreshSoon reads the page again shortly, once it has been shown: a call
// ended.
func (h *historyView) refreshSoon() {
	if h.loaded {
		h.refresh.run(h.reload)
	}
}

// turn goes delta pages on.
func (h *historyView) turn(delta int) {
	p := h.page + delta
	if p < 1 || p > h.totalPages {
		return
	}
	h.page = p
	h.reload()
}

// reload asks the store for the current page with the current keyword.
func (h *historyView) reload() {
	h.gen++
	gen := h.gen
	q := history.Query{Page: h.page, PageSize: historyPageSize, Keyword: strings.TrimSpace(h.search.Text)}
	s := h.store
	var page history.Page
	h.w.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		defer cancel()
		var err error
		page, err = s.List(ctx, q)
		return err
	}, func(err error) {
		if gen != h.gen || h.w.isClosed() {
			return // a newer query is under way
		}
		h.loaded = true
		if err != nil {
			h.w.log.Warn("reading the call history failed", "err", err)
			h.calls = nil
			h.list.Refresh()
			h.showStatus(txtHistoryFailed(err.Error()), widget.DangerImportance)
			return
		}
		h.calls = page.Docs
		h.totalPages = max(page.TotalPages, 1)
		if page.Page > h.totalPages && page.TotalDocs > 0 {
			// The page emptied under us (calls pruned): show the last one.
			h.page = h.totalPages
			h.reload()
			return
		}
		h.list.UnselectAll()
		h.list.ScrollToTop()
		h.list.Refresh()
		h.showPaging()
		if len(h.calls) == 0 {
			h.showStatus(txtNoCalls(), widget.MediumImportance)
		} else {
			h.status.Hide()
		}
	})
}

func (h *historyView) showStatus(text string, imp widget.Importance) {
	showLabel(h.status, text, imp)
}

// showPaging enables Previous and Next where there is a page to go to.
func (h *historyView) showPaging() {
	h.pageOf.SetText(txtPageOf(h.page, h.totalPages))
	setEnabled(h.prev, h.page > 1)
	setEnabled(h.next, h.page < h.totalPages)
}

// historyRow is one call in the list: a direction mark (red for a missed
// call), who, and when and how long.
type historyRow struct {
	widget.BaseWidget
	icon   *widget.Icon
	title  *widget.Label
	detail *widget.Label
}

func newHistoryRow() fyne.CanvasObject {
	r := &historyRow{
		icon:   widget.NewIcon(outgoingIcon),
		title:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail: widget.NewLabel(""),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.detail.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

func (r *historyRow) CreateRenderer() fyne.WidgetRenderer {
	text := container.New(tightVBox{}, r.title, r.detail)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, nil, text))
}

// show fills the row with c.
func (r *historyRow) show(c history.Call) {
	who, number := historyWho(c)
	missed := c.Status == history.StatusMissed
	var mark fyne.Resource
	switch {
	case missed:
		mark = missedIcon
	case c.Direction == history.Inbound:
		mark = incomingIcon
	default:
		mark = outgoingIcon
	}
	r.icon.SetResource(mark)

	var outcome string
	switch {
	case missed:
		outcome = txtMissed()
	case c.Status == history.StatusInterrupted:
		outcome = txtInterrupted()
	case c.Status == history.StatusRinging || c.Status == history.StatusAnswered:
		outcome = txtInProgress()
	case c.AnsweredAt.IsZero():
		outcome = txtNotAnswered()
	default:
		outcome = formatDuration(time.Duration(c.Duration) * time.Second)
	}
	parts := []string{}
	if number != "" {
		parts = append(parts, number)
	}
	parts = append(parts, c.StartedAt.Local().Format(historyTimeLayout), outcome)

	r.title.Importance = widget.MediumImportance
	if missed {
		r.title.Importance = widget.DangerImportance
	}
	r.title.SetText(who)
	r.detail.SetText(strings.Join(parts, " · "))
}

// historyWho is the row's title (the caller card's name, else the display
// name, else the number) and the number to show under it when the title is
// a name.
func historyWho(c history.Call) (who, number string) {
	switch {
	case c.Contact != nil && c.Contact.Name != "":
		who = c.Contact.Name
	case c.Name != "":
		who = c.Name
	default:
		return c.Number, ""
	}
	return who, c.Number
}

// debounce runs a function on the UI goroutine once typing has paused. The
// wait counts as pending work, so tests can settle.
type debounce struct {
	w     *MainWindow
	pause time.Duration
	timer *time.Timer
}

func newDebounce(w *MainWindow, pause time.Duration) *debounce {
	return &debounce{w: w, pause: pause}
}

// run (re)starts the wait; f runs on the UI goroutine when it ends.
func (d *debounce) run(f func()) {
	d.stop()
	d.w.pending.Add(1)
	d.timer = time.AfterFunc(d.pause, func() {
		d.w.do(func() {
			defer d.w.pending.Done()
			if !d.w.isClosed() {
				f()
			}
		})
	})
}

// stop cancels a wait that has not ended.
func (d *debounce) stop() {
	if d.timer != nil && d.timer.Stop() {
		d.w.pending.Done()
	}
	d.timer = nil
}

// searchEntry is a tab's search field. It hands the window's shortcuts
// (Ctrl+M, Ctrl+E, ...) on, as the dial field does: a focused entry takes
// them before the window's canvas does.
type searchEntry struct {
	widget.Entry
	w *MainWindow
}

func newSearchEntry(w *MainWindow, placeholder string) *searchEntry {
	e := &searchEntry{w: w}
	e.SetPlaceHolder(placeholder)
	e.ActionItem = widget.NewIcon(theme.SearchIcon())
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut runs a window shortcut, or hands s to Entry.
func (e *searchEntry) TypedShortcut(s fyne.Shortcut) {
	if _, custom := s.(*desktop.CustomShortcut); custom && e.w.typedShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
