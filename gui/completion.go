package gui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/store/history"
)

const (
	// minCompletion is how many characters the dial field needs before it
	// suggests numbers.
	minCompletion = 2
	// maxSuggestions is how many numbers it suggests at most.
	maxSuggestions = 6
	// completionPause is how long typing must pause before the history
	// and the contacts are searched.
	completionPause = 150 * time.Millisecond
)

// suggestion is one number the dial field offers: from the contacts (with
// the contact's name) or from the recent calls (with the caller's name,
// when known).
type suggestion struct {
	number string
	name   string
}

// completion suggests numbers under the dial field while typing: recent
// numbers from the history first, then the contacts'. Up and Down choose
// one, Enter or a click takes it into the field, Esc closes the list.
// Searches run off the UI goroutine; only the last one's answer is shown.
type completion struct {
	d    *dialpadView
	root *fyne.Container
	rows *fyne.Container

	items    []suggestion
	selected int // -1: none
	gen      int
	pause    *debounce
	// taken is the number just chosen: the field's change it causes
	// asks for no suggestions.
	taken string
	// stale says the text changed since the list was found: its rows stay
	// on show until the next search answers, but no key takes one of them
	// (Enter dials what was typed).
	stale bool
}

func newCompletion(d *dialpadView) *completion {
	c := &completion{d: d, selected: -1, rows: container.NewVBox()}
	c.pause = newDebounce(d.w, completionPause)
	bg := newThemedBox(theme.ColorNameOverlayBackground, 0, theme.ColorNameInputBorder, 1)
	c.root = container.NewVBox(container.NewStack(bg, container.NewPadded(c.rows)))
	c.root.Hide()
	return c
}

// enabled says whether there is anywhere to look numbers up.
func (c *completion) enabled() bool {
	return c.d.w.opts.History != nil || c.d.w.opts.SearchContacts != nil
}

// changed follows the dial field's text.
func (c *completion) changed(text string) {
	if !c.enabled() {
		return
	}
	q := strings.TrimSpace(text)
	if q == c.taken && q != "" {
		return
	}
	c.taken = ""
	if len([]rune(q)) < minCompletion {
		c.cancel()
		return
	}
	c.markStale()
	c.pause.run(func() { c.search(q) })
}

// markStale keeps the rows on show, unhighlighted, until the next search
// answers; meanwhile the keys leave them alone.
func (c *completion) markStale() {
	if !c.shown() {
		return
	}
	c.stale = true
	if c.selected >= 0 {
		c.selected = -1
		c.render()
	}
}

// cancel forgets the search under way and hides the list: the text is too
// short, or the Phone tab is left.
func (c *completion) cancel() {
	c.pause.stop()
	c.gen++
	c.hide()
}

// search looks q up in the history and the contacts, off the UI goroutine.
func (c *completion) search(q string) {
	c.gen++
	gen := c.gen
	hist := c.d.w.opts.History
	find := c.d.w.opts.SearchContacts
	var found []suggestion
	c.d.w.background(func() error {
		found = lookupSuggestions(hist, find, q)
		return nil
	}, func(error) {
		if gen != c.gen || c.d.w.isClosed() {
			return
		}
		if strings.TrimSpace(c.d.entry.Text) != q {
			return // typed on meanwhile; that search comes next
		}
		c.show(found, q)
	})
}

// lookupSuggestions finds up to maxSuggestions numbers matching q: the
// recent calls' first, newest first, then the contacts'; each number once.
func lookupSuggestions(hist *history.Store, find func(string) []crm.Contact, q string) []suggestion {
	var out []suggestion
	seen := map[string]bool{}
	add := func(number, name string) {
		if number == "" || seen[number] || len(out) >= maxSuggestions {
			return
		}
		seen[number] = true
		out = append(out, suggestion{number: number, name: name})
	}
	if hist != nil {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		page, err := hist.List(ctx, history.Query{Keyword: q, PageSize: 30})
		cancel()
		if err == nil {
			for _, call := range page.Docs {
				who, _ := historyWho(call)
				if who == call.Number {
					who = ""
				}
				add(call.Number, who)
			}
		}
	}
	if find != nil {
		digits := cleanDialString(q)
		for _, ct := range find(q) {
			for _, n := range ct.Numbers {
				// A contact found by name offers its first number; found
				// by number, the numbers that match.
				if n == ct.Numbers[0] || (digits != "" && strings.Contains(cleanDialString(n), digits)) {
					add(n, ct.Name)
				}
			}
		}
	}
	return out
}

// show lists found under the field; nothing to offer but what is typed
// hides the list.
func (c *completion) show(found []suggestion, typed string) {
	if len(found) == 0 || (len(found) == 1 && found[0].number == typed) || !c.d.shown() {
		c.hide()
		return
	}
	c.items = found
	c.selected = -1
	c.stale = false
	c.render()
	c.root.Show()
}

func (c *completion) render() {
	c.rows.RemoveAll()
	for i, s := range c.items {
		text := s.number
		if s.name != "" {
			text = s.name + " · " + s.number
		}
		l := widget.NewLabel(text)
		l.Truncation = fyne.TextTruncateEllipsis
		var bg fyne.CanvasObject
		if i == c.selected {
			l.TextStyle.Bold = true
			bg = newThemedBox(theme.ColorNameSelection, 0, "", 1)
		} else {
			bg = newThemedBox(theme.ColorNameOverlayBackground, 0, "", 1)
		}
		c.rows.Add(newTapArea(container.NewStack(bg, l), func() { c.choose(i) }))
	}
	c.rows.Refresh()
}

func (c *completion) shown() bool { return c.root.Visible() }

func (c *completion) hide() {
	c.items = nil
	c.selected = -1
	c.stale = false
	if c.root.Visible() {
		c.root.Hide()
	}
}

// move goes delta rows down (up when negative), wrapping around.
func (c *completion) move(delta int) {
	n := len(c.items)
	if n == 0 {
		return
	}
	switch {
	case c.selected < 0 && delta > 0:
		c.selected = 0
	case c.selected < 0:
		c.selected = n - 1
	default:
		c.selected = (c.selected + delta + n) % n
	}
	c.render()
}

// choose puts suggestion i in the field, ready to call.
func (c *completion) choose(i int) {
	if i < 0 || i >= len(c.items) {
		return
	}
	number := c.items[i].number
	c.pause.stop()
	c.gen++
	c.hide()
	c.taken = number
	e := c.d.entry
	e.SetText(number)
	e.CursorColumn = len([]rune(number))
	e.Refresh()
	c.d.focusEntry()
}

// typedKey takes the keys the list answers while it is shown: Up, Down,
// Enter (with a row chosen) and Esc. It says whether it used the key.
func (c *completion) typedKey(ev *fyne.KeyEvent) bool {
	if !c.shown() {
		return false
	}
	if c.stale && ev.Name != fyne.KeyEscape {
		return false // the rows are for what was typed before
	}
	switch ev.Name {
	case fyne.KeyDown:
		c.move(1)
	case fyne.KeyUp:
		c.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.selected < 0 {
			return false
		}
		c.choose(c.selected)
	case fyne.KeyEscape:
		c.hide()
	default:
		return false
	}
	return true
}
