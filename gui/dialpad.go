package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
)

// dialpadKeys are the twelve keys in phone order, row by row.
var dialpadKeys = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"}

// dialTimeout bounds how long placing a call may take to start.
const dialTimeout = 10 * time.Second

// dialpadView is the main screen under the account chip: the number entry,
// twelve keys, the call buttons and a status line that says what happened to
// the last attempt (a refusal, or how the last call ended).
type dialpadView struct {
	w      *MainWindow
	root   fyne.CanvasObject
	entry  *numberEntry
	keys   map[string]*dialKey
	back   *widget.Button
	call   *widget.Button
	video  *widget.Button
	status *widget.Label
	// complete suggests numbers from the history and the contacts.
	complete *completion
}

// newDialpadView builds the screen.
func newDialpadView(w *MainWindow) *dialpadView {
	d := &dialpadView{w: w, keys: make(map[string]*dialKey, len(dialpadKeys))}

	d.entry = newNumberEntry()
	d.entry.SetPlaceHolder(txtNumberPlaceholder())
	d.entry.OnSubmitted = func(string) { d.dial(false) }
	d.entry.onShortcut = w.typedShortcut
	d.complete = newCompletion(d)
	d.entry.OnChanged = d.complete.changed
	d.entry.onKey = d.complete.typedKey
	d.back = widget.NewButtonWithIcon("", backspaceIcon, func() {
		d.entry.backspace()
		d.focusEntry()
	})
	d.back.Importance = widget.LowImportance
	entryRow := container.NewBorder(nil, nil, nil, d.back,
		container.NewThemeOverride(d.entry, largeText{scale: 1.5}))

	keys := make([]fyne.CanvasObject, 0, len(dialpadKeys))
	for _, digit := range dialpadKeys {
		k := newDialKey(digit, d.press)
		d.keys[digit] = k
		keys = append(keys, k)
	}
	pad := container.NewGridWithColumns(3, keys...)

	d.call = widget.NewButtonWithIcon(txtCall(), callIcon, func() { d.dial(false) })
	d.call.Importance = widget.SuccessImportance
	d.video = widget.NewButtonWithIcon(txtVideo(), theme.MediaVideoIcon(), func() { d.dial(true) })
	d.video.Importance = widget.SuccessImportance

	d.status = widget.NewLabel("")
	d.status.Alignment = fyne.TextAlignCenter
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()

	bottom := container.NewVBox(container.NewGridWithColumns(2, d.call, d.video), d.status)
	// The suggestions lie over the keys' top rows, under the field.
	d.root = container.NewBorder(entryRow, bottom, nil, nil, container.NewStack(pad, d.complete.root))
	return d
}

// press types s as if from the keyboard and gives the entry the focus back,
// so typing can go on from the keyboard.
func (d *dialpadView) press(s string) {
	d.w.keyTone(s)
	d.entry.press(s)
	d.focusEntry()
}

// shown says whether the dialpad is on show: not behind the call panels nor
// another tab.
func (d *dialpadView) shown() bool {
	return d.root.Visible() && d.w.phoneShown()
}

func (d *dialpadView) focusEntry() {
	if !d.shown() {
		return
	}
	if c := d.w.win.Canvas(); c.Focused() != d.entry {
		c.Focus(d.entry)
	}
}

// dial places a call to the cleaned number through the engine, off the UI
// goroutine, and says in the status line when the engine refused it. It
// never fails silently: what happens to the call afterwards shows in its
// call panel, and how it ended here again.
func (d *dialpadView) dial(video bool) {
	if d.call.Disabled() {
		return // a dial is already under way
	}
	number := cleanDialString(d.entry.Text)
	p := d.w.opts.Phone
	switch {
	case p == nil:
		d.showStatus(txtCallingUnavailable(), widget.DangerImportance)
	case number == "":
		d.showStatus(txtEnterNumber(), widget.WarningImportance)
	default:
		account := ""
		if d.w.engineAcc != nil {
			account = d.w.engineAcc.ID()
		}
		d.setDialling(true)
		d.complete.hide()
		d.showStatus(txtCalling(number), widget.MediumImportance)
		d.w.background(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
			defer cancel()
			_, err := p.Dial(ctx, account, number, phone.DialOptions{Video: video})
			return err
		}, func(err error) {
			d.setDialling(false)
			if err != nil {
				d.w.log.Warn("dial failed", "video", video, "err", err)
				d.showStatus(txtCallFailed(number, errText(err)), widget.DangerImportance)
				return
			}
			d.entry.SetText("")
		})
	}
}

// setDialling disables the call buttons while a dial is under way.
func (d *dialpadView) setDialling(busy bool) {
	for _, b := range []*widget.Button{d.call, d.video} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

func (d *dialpadView) showStatus(text string, imp widget.Importance) {
	showLabel(d.status, text, imp)
}

// typedRune and typedKey take keyboard input that reached the window while
// nothing had the focus, so typing on the dialpad always lands in the entry.
func (d *dialpadView) typedRune(r rune) {
	if !d.shown() {
		return
	}
	d.focusEntry()
	d.entry.TypedRune(r)
}

func (d *dialpadView) typedKey(ev *fyne.KeyEvent) {
	if !d.shown() {
		return
	}
	switch ev.Name {
	case fyne.KeyBackspace, fyne.KeyReturn, fyne.KeyEnter:
		d.focusEntry()
		d.entry.TypedKey(ev)
	}
}
