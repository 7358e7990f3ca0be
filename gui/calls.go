package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/phone/human"
)

// commandTimeout bounds one command to a call (hold, hang up, ...).
const commandTimeout = 15 * time.Second

// callsView is the call screen: a switcher listing the calls when there are
// several (call waiting), and the panel of the call chosen.
type callsView struct {
	w        *MainWindow
	root     *fyne.Container
	switcher *fyne.Container
	current  *fyne.Container
	// panels by call id, and the ids oldest first.
	panels   map[string]*callPanel
	order    []string
	selected string
}

func newCallsView(w *MainWindow) *callsView {
	v := &callsView{w: w, panels: map[string]*callPanel{}}
	v.switcher = container.NewVBox()
	v.current = container.NewStack()
	v.root = container.NewBorder(v.switcher, nil, nil, nil, v.current)
	v.root.Hide()
	return v
}

func (v *callsView) count() int { return len(v.order) }

// panel returns the panel of the call, making one if it is new.
func (v *callsView) panel(info phone.CallInfo) (p *callPanel, isNew bool) {
	if p, ok := v.panels[info.ID]; ok {
		return p, false
	}
	p = newCallPanel(v.w, info)
	v.panels[info.ID] = p
	v.order = append(v.order, info.ID)
	return p, true
}

// remove forgets the call, choosing the newest other call if it was shown.
func (v *callsView) remove(id string) {
	p, ok := v.panels[id]
	if !ok {
		return
	}
	p.closeDialogs()
	delete(v.panels, id)
	for i, o := range v.order {
		if o == id {
			v.order = append(v.order[:i], v.order[i+1:]...)
			break
		}
	}
	if v.selected == id {
		v.selected = ""
		if n := len(v.order); n > 0 {
			v.selected = v.order[n-1]
		}
	}
	v.refresh()
}

// selectCall shows the call's panel.
func (v *callsView) selectCall(id string) {
	if _, ok := v.panels[id]; !ok {
		return
	}
	v.selected = id
	v.refresh()
}

// refresh rebuilds the switcher and shows the selected panel.
func (v *callsView) refresh() {
	v.switcher.RemoveAll()
	if len(v.order) > 1 {
		for _, id := range v.order {
			p := v.panels[id]
			b := widget.NewButton(p.summary(), func() { v.selectCall(id) })
			b.Alignment = widget.ButtonAlignLeading
			if id == v.selected {
				b.Importance = widget.HighImportance
			}
			p.switchButton = b
			v.switcher.Add(b)
		}
		v.switcher.Add(widget.NewSeparator())
	}
	v.current.RemoveAll()
	if p, ok := v.panels[v.selected]; ok {
		v.current.Add(p.root)
	}
	v.root.Refresh()
}

// tick advances the timers.
func (v *callsView) tick() {
	for _, p := range v.panels {
		p.showState()
	}
}

// callEvent applies an event about a call: a new call gets a panel (and,
// ringing in, a popup), an ended one loses them.
func (w *MainWindow) callEvent(ev phone.Event) {
	info := *ev.Call
	w.linkConsultation(ev)
	if ev.Type == phone.EventCallEnd || info.State == phone.CallStateEnded {
		if p, ok := w.calls.panels[info.ID]; ok {
			p.info = info
			w.callEnded(p, ev)
			w.calls.remove(info.ID)
		}
		if pop, ok := w.popups[info.ID]; ok {
			pop.close()
		}
		if w.history != nil && ev.Type == phone.EventCallEnd {
			w.history.refreshSoon()
		}
		w.updateScreen()
		return
	}
	p, isNew := w.calls.panel(info)
	p.update(info)
	if isNew {
		w.showPhone()
	}
	switch {
	case isNew && info.Direction == phone.DirectionOutbound,
		isNew && w.calls.selected == "",
		ev.Type == phone.EventInCall, ev.Type == phone.EventUnhold:
		w.calls.selectCall(info.ID)
	default:
		w.calls.refresh()
	}
	if ev.Type == phone.EventTransfer {
		imp := widget.MediumImportance
		if ev.TransferState == "failed" {
			imp = widget.DangerImportance
		}
		p.showStatus(txtTransferState(ev.TransferState), imp)
	}
	if info.State == phone.CallStateIncoming && ev.Type == phone.EventIncomingCall {
		if _, ok := w.popups[info.ID]; !ok {
			w.popups[info.ID] = newIncomingPopup(w, info)
			w.notifyIncoming(info)
		}
	} else if pop, ok := w.popups[info.ID]; ok && info.State != phone.CallStateIncoming {
		pop.close()
	}
	w.updateScreen()
}

// notifyIncoming tells the system an incoming call rings, with the
// caller's number and name: the window may be hidden in the tray or
// behind the CRM. It is sent off the UI goroutine: on Linux Fyne makes a
// synchronous D-Bus call, which would freeze the window while the
// notification daemon is slow or gone. notifyMu sends one at a time.
func (w *MainWindow) notifyIncoming(info phone.CallInfo) {
	n := fyne.NewNotification(txtIncomingTitle(), incomingNotice(info))
	app := w.app
	w.background(func() error {
		w.notifyMu.Lock()
		defer w.notifyMu.Unlock()
		app.SendNotification(n)
		return nil
	}, func(error) {})
}

// incomingNotice is the notification's text: "Jane Black · 0901234567",
// or the number alone.
func incomingNotice(info phone.CallInfo) string {
	switch {
	case info.Name != "" && info.Number != "" && info.Name != info.Number:
		return info.Name + " · " + info.Number
	case info.Number != "":
		return info.Number
	}
	return info.Name
}

// linkConsultation keeps the original call's panel in step with its
// consultation call: the engine announces the original call's hold before
// the consultation is placed, so no event of the original call names it.
func (w *MainWindow) linkConsultation(ev phone.Event) {
	info := *ev.Call
	if info.ConsultFor == "" {
		return
	}
	orig, ok := w.calls.panels[info.ConsultFor]
	if !ok {
		return
	}
	ended := ev.Type == phone.EventCallEnd || info.State == phone.CallStateEnded
	switch {
	case ended && orig.info.ConsultCall == info.ID:
		orig.info.ConsultCall = ""
	case !ended:
		orig.info.ConsultCall = info.ID
	default:
		return
	}
	orig.update(orig.info)
}

// callerInfo shows the caller lookup's answer on the call's panel and popup.
func (w *MainWindow) callerInfo(id string, ci phone.CallerInfo) {
	if p, ok := w.calls.panels[id]; ok {
		p.setCard(ci)
	}
	if pop, ok := w.popups[id]; ok {
		pop.setCard(ci)
	}
}

// callEnded says on the dialpad how the call ended.
func (w *MainWindow) callEnded(p *callPanel, ev phone.Event) {
	if w.dialpad == nil {
		return
	}
	who := p.who()
	c := ev.Cause
	failed := c != nil && (c.Code >= 300 || (c.Code == 0 && c.By == phone.ByNetwork))
	// The two calls of a completed attended transfer end here as
	// "Call transferred": say that rather than how long they lasted.
	transferred := c != nil && c.Code == 0 && c.Message != "" && (p.info.ConsultFor != "" || p.info.ConsultCall != "")
	switch {
	case failed:
		w.dialpad.showStatus(txtCallEnded(who, causeText(c, false)), widget.DangerImportance)
	case transferred:
		w.dialpad.showStatus(txtCallEnded(who, causeText(c, false)), widget.MediumImportance)
	case ev.Duration > 0:
		w.dialpad.showStatus(txtCallEndedAfter(who, formatDuration(ev.Duration)), widget.MediumImportance)
	case c != nil && c.Message == "Call ended":
		// Hung up before an answer: "ended: Call ended" would say it twice.
		w.dialpad.showStatus(txtCallEndedPlain(who), widget.MediumImportance)
	case c != nil:
		w.dialpad.showStatus(txtCallEnded(who, causeText(c, false)), widget.MediumImportance)
	default:
		w.dialpad.status.Hide()
	}
}

// callPanel is one call: who (name, number, caller card), state and timer,
// and the buttons for what can be done with it now.
type callPanel struct {
	w    *MainWindow
	info phone.CallInfo
	card *phone.CallerInfo

	root     *fyne.Container
	head     *fyne.Container
	bottom   *fyne.Container
	name     *widget.Label
	number   *widget.Label
	cardLine *widget.Label
	state    *widget.Label
	status   *widget.Label

	answer, decline                 *widget.Button
	mute, hold, keypadBtn, transfer *widget.Button
	consult, complete, cancelXfer   *widget.Button
	hangup                          *widget.Button
	ringRow, controls, consultRow   *fyne.Container
	keypad                          *fyne.Container
	keys                            map[string]*dialKey
	switchButton                    *widget.Button
	dtmfSent                        string
	transferDlg                     *transferDialog
	busyMute, busyHold, busyHangup  bool
	busyAnswer, busyConsult         bool
}

func newCallPanel(w *MainWindow, info phone.CallInfo) *callPanel {
	p := &callPanel{w: w, info: info, keys: map[string]*dialKey{}}
	p.name = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	p.name.SizeName = theme.SizeNameSubHeadingText
	p.name.Truncation = fyne.TextTruncateEllipsis
	p.number = widget.NewLabel("")
	p.number.Alignment = fyne.TextAlignCenter
	p.number.Truncation = fyne.TextTruncateEllipsis
	p.cardLine = widget.NewLabel("")
	p.cardLine.Alignment = fyne.TextAlignCenter
	p.cardLine.Importance = widget.HighImportance
	p.cardLine.Truncation = fyne.TextTruncateEllipsis
	p.cardLine.Hide()
	p.state = widget.NewLabel("")
	p.state.Alignment = fyne.TextAlignCenter
	p.status = widget.NewLabel("")
	p.status.Alignment = fyne.TextAlignCenter
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Hide()

	p.answer = widget.NewButtonWithIcon(txtWithKeys(txtAnswer(), keysAnswer), callIcon, p.doAnswer)
	p.answer.Importance = widget.SuccessImportance
	p.decline = widget.NewButtonWithIcon(txtWithKeys(txtDecline(), keysHangUp), theme.CancelIcon(), p.doDecline)
	p.decline.Importance = widget.DangerImportance
	// Not a grid: Answer's label is the longer one (its shortcut), and
	// two equal columns of it would not fit the window.
	p.ringRow = container.NewBorder(nil, nil, nil, p.decline, p.answer)

	p.mute = widget.NewButtonWithIcon(txtMute(), theme.VolumeMuteIcon(), p.doMute)
	p.hold = widget.NewButtonWithIcon(txtHold(), theme.MediaPauseIcon(), p.doHold)
	p.keypadBtn = widget.NewButtonWithIcon(txtKeypad(), theme.GridIcon(), p.toggleKeypad)
	p.transfer = widget.NewButtonWithIcon(txtTransfer(), theme.MailForwardIcon(), p.askTransfer)
	p.consult = widget.NewButtonWithIcon(txtConsult(), theme.AccountIcon(), p.askConsult)
	p.controls = container.NewVBox(container.NewGridWithColumns(2, p.mute, p.hold, p.keypadBtn, p.transfer), p.consult)
	p.complete = widget.NewButtonWithIcon(txtCompleteTransfer(), theme.ConfirmIcon(), p.doCompleteTransfer)
	p.complete.Importance = widget.HighImportance
	p.cancelXfer = widget.NewButtonWithIcon(txtCancelTransfer(), theme.CancelIcon(), p.doCancelTransfer)
	p.consultRow = container.NewGridWithColumns(2, p.complete, p.cancelXfer)
	p.consultRow.Hide()

	keys := make([]fyne.CanvasObject, 0, len(dialpadKeys))
	for _, digit := range dialpadKeys {
		k := newDialKey(digit, p.sendDTMF)
		p.keys[digit] = k
		keys = append(keys, k)
	}
	p.keypad = container.NewGridWithColumns(3, keys...)
	p.keypad.Hide()

	p.hangup = widget.NewButtonWithIcon(txtWithKeys(txtHangUp(), keysHangUp), theme.CancelIcon(), p.doHangup)
	p.hangup.Importance = widget.DangerImportance

	p.head = container.NewVBox(p.name, p.number, p.cardLine, p.state)
	p.bottom = container.NewVBox(p.ringRow, p.consultRow, p.controls, p.hangup, p.status)
	p.root = container.NewBorder(p.head, p.bottom, nil, nil, p.keypad)
	p.update(info)
	return p
}

// who names the remote party in one line: the display name, else the number.
func (p *callPanel) who() string {
	if p.card != nil && p.card.Found && p.card.Name != "" {
		return p.card.Name
	}
	if p.info.Name != "" {
		return p.info.Name
	}
	if p.info.Number != "" {
		return p.info.Number
	}
	return p.info.URI
}

// summary is the call's line in the switcher.
func (p *callPanel) summary() string {
	return p.who() + " · " + p.stateText()
}

// update shows a new snapshot of the call.
func (p *callPanel) update(info phone.CallInfo) {
	p.info = info
	p.name.SetText(p.who())
	if p.info.Number != "" && p.who() != p.info.Number && !p.keypad.Visible() {
		p.number.SetText(p.info.Number)
		p.number.Show()
	} else {
		p.number.Hide()
	}
	p.showState()

	ringing := info.State == phone.CallStateIncoming
	up := info.State == phone.CallStateEstablished || info.State == phone.CallStateHeld
	if ringing {
		p.ringRow.Show()
		p.hangup.Hide()
	} else {
		p.ringRow.Hide()
		p.hangup.Show()
	}
	// An attended transfer under way: both of its calls can complete or
	// cancel it; neither can start another.
	if up && p.consulting() {
		p.consultRow.Show()
	} else {
		p.consultRow.Hide()
	}
	setEnabled(p.consult, !p.busyConsult && !p.consulting())
	setEnabled(p.transfer, !p.consulting())
	setEnabled(p.complete, !p.busyConsult)
	setEnabled(p.cancelXfer, !p.busyConsult)
	if up {
		p.controls.Show()
	} else {
		p.controls.Hide()
		p.keypad.Hide()
	}
	if info.Muted {
		p.mute.SetText(txtWithKeys(txtUnmute(), keysMute))
		p.mute.Importance = widget.WarningImportance
	} else {
		p.mute.SetText(txtWithKeys(txtMute(), keysMute))
		p.mute.Importance = widget.MediumImportance
	}
	if info.LocalHold {
		p.hold.SetText(txtWithKeys(txtResume(), keysHold))
		p.hold.SetIcon(theme.MediaPlayIcon())
		p.hold.Importance = widget.WarningImportance
	} else {
		p.hold.SetText(txtWithKeys(txtHold(), keysHold))
		p.hold.SetIcon(theme.MediaPauseIcon())
		p.hold.Importance = widget.MediumImportance
	}
	p.mute.Refresh()
	p.hold.Refresh()
	setEnabled(p.mute, !p.busyMute)
	setEnabled(p.hold, !p.busyHold)
	setEnabled(p.hangup, !p.busyHangup)
	setEnabled(p.answer, !p.busyAnswer)
	setEnabled(p.decline, !p.busyAnswer)
	if p.switchButton != nil {
		p.switchButton.SetText(p.summary())
	}
	p.relayout()
}

// relayout places the panel's parts again after some were shown or hidden.
func (p *callPanel) relayout() {
	p.head.Refresh()
	p.bottom.Refresh()
	p.root.Refresh()
}

// stateText says where the call stands, with its running time once
// established.
func (p *callPanel) stateText() string {
	var s string
	switch p.info.State {
	case phone.CallStateDialing:
		s = txtStateDialing()
	case phone.CallStateRinging, phone.CallStateEarly:
		s = txtStateRinging()
	case phone.CallStateIncoming:
		s = txtStateIncoming()
	case phone.CallStateEstablished:
		s = txtStateConnected()
	case phone.CallStateHeld:
		if p.info.LocalHold {
			s = txtStateOnHold()
		} else {
			s = txtStateRemoteHold()
		}
	case phone.CallStateEnded:
		s = txtStateEnded()
	default:
		s = p.info.State.String()
	}
	if !p.info.Answered.IsZero() && p.info.State != phone.CallStateEnded {
		s += " · " + formatDuration(time.Since(p.info.Answered))
	}
	return s
}

func (p *callPanel) showState() {
	p.state.SetText(p.stateText())
	if p.switchButton != nil {
		p.switchButton.SetText(p.summary())
	}
}

// setCard shows the caller lookup's answer.
func (p *callPanel) setCard(ci phone.CallerInfo) {
	p.card = &ci
	p.update(p.info) // the name line takes the contact's name
	if ci.Found && (ci.Name != "" || ci.Company != "") {
		name := ci.Name
		if name == p.who() {
			name = "" // on the name line already
		}
		p.cardLine.SetText(txtCallerCard(name, ci.Company))
		if !p.keypad.Visible() {
			p.cardLine.Show()
		}
		p.cardLine.Importance = widget.HighImportance
		p.cardLine.Refresh()
		p.relayout()
	} else if note := lookupNote(ci); note != "" && p.info.Direction == phone.DirectionInbound {
		// Who is calling matters; that the number we dialled is in no
		// contact list (a colleague's extension) is noise.
		p.cardLine.SetText(note)
		p.cardLine.Importance = widget.MediumImportance
		p.cardLine.Refresh()
		if !p.keypad.Visible() {
			p.cardLine.Show()
		}
		p.relayout()
	}
}

func (p *callPanel) showStatus(text string, imp widget.Importance) {
	showLabel(p.status, text, imp)
	p.relayout()
}

// command runs one command on the call off the UI goroutine; a failure is
// shown on the panel. busy, when not nil, is set while the command runs (its
// button is disabled meanwhile).
func (p *callPanel) command(busy *bool, do func(ctx context.Context, c *phone.Call) error) {
	if busy != nil {
		if *busy {
			return
		}
		*busy = true
		p.update(p.info)
	}
	id := p.info.ID
	p.w.callCommand(id, do, func(err error) {
		if busy != nil {
			*busy = false
		}
		if err != nil {
			p.w.log.Warn("call command failed", "call", id, "err", err)
			p.showStatus(txtActionFailed(errText(err)), widget.DangerImportance)
		}
		if _, ok := p.w.calls.panels[id]; ok {
			p.update(p.info)
		}
	})
}

func (p *callPanel) doMute() {
	on := !p.info.Muted
	p.command(&p.busyMute, func(_ context.Context, c *phone.Call) error { return c.Mute(on) })
}

func (p *callPanel) doHold() {
	if p.info.LocalHold {
		p.command(&p.busyHold, func(ctx context.Context, c *phone.Call) error { return c.Unhold(ctx) })
		return
	}
	p.command(&p.busyHold, func(ctx context.Context, c *phone.Call) error { return c.Hold(ctx) })
}

func (p *callPanel) doHangup() {
	p.command(&p.busyHangup, func(ctx context.Context, c *phone.Call) error { return c.Hangup(ctx) })
}

func (p *callPanel) doAnswer() {
	p.command(&p.busyAnswer, func(ctx context.Context, c *phone.Call) error { return c.Answer(ctx) })
}

func (p *callPanel) doDecline() {
	p.command(&p.busyAnswer, func(_ context.Context, c *phone.Call) error { return c.Reject(declineCode) })
}

func (p *callPanel) toggleKeypad() {
	if p.keypad.Visible() {
		p.keypad.Hide()
		p.update(p.info)
		if p.cardLine.Text != "" {
			p.cardLine.Show()
		}
	} else {
		// The keys need the room: only the name and state stay.
		p.keypad.Show()
		p.number.Hide()
		p.cardLine.Hide()
	}
	p.relayout()
}

// sendDTMF sends one digit and lists what was sent.
func (p *callPanel) sendDTMF(digit string) {
	p.dtmfSent += digit
	p.w.keyTone(digit)
	p.showStatus(txtDTMFSent(p.dtmfSent), widget.MediumImportance)
	p.command(nil, func(ctx context.Context, c *phone.Call) error { return c.SendDTMF(ctx, digit) })
}

// consulting says whether the call is one of the two calls of an attended
// transfer under way: the call being transferred, or its consultation call.
func (p *callPanel) consulting() bool {
	return p.info.ConsultCall != "" || p.info.ConsultFor != ""
}

// askConsult asks for the number to consult before transferring the call
// (attended transfer): the call goes on hold and the number is called; its
// panel then offers Complete transfer and Cancel transfer.
func (p *callPanel) askConsult() {
	p.closeDialogs()
	p.transferDlg = newTransferDialog(p.w.win, txtConsultTitle(), txtConsultPrompt(), txtConsult(), func(number string) {
		p.showStatus(txtConsulting(number), widget.MediumImportance)
		p.command(&p.busyConsult, func(ctx context.Context, c *phone.Call) error {
			_, err := c.AttendedTransfer(ctx, number)
			return err
		})
	})
}

// doCompleteTransfer hands the call over to the party consulted.
func (p *callPanel) doCompleteTransfer() {
	p.command(&p.busyConsult, func(ctx context.Context, c *phone.Call) error { return c.CompleteTransfer(ctx) })
}

// doCancelTransfer hangs the consultation up and resumes the call.
func (p *callPanel) doCancelTransfer() {
	p.command(&p.busyConsult, func(ctx context.Context, c *phone.Call) error { return c.CancelTransfer(ctx) })
}

// askTransfer asks for the number to transfer the call to (blind transfer).
func (p *callPanel) askTransfer() {
	p.closeDialogs()
	p.transferDlg = newTransferDialog(p.w.win, txtTransferTitle(), txtTransferPrompt(), txtTransfer(), func(number string) {
		p.showStatus(txtTransferring(number), widget.MediumImportance)
		p.command(nil, func(ctx context.Context, c *phone.Call) error { return c.Transfer(ctx, number) })
	})
}

func (p *callPanel) closeDialogs() {
	if p.transferDlg != nil {
		p.transferDlg.d.Hide()
		p.transferDlg = nil
	}
}

// transferDialog asks for a transfer target (or the party to consult).
type transferDialog struct {
	d      *dialog.CustomDialog
	entry  *numberEntry
	ok     *widget.Button
	cancel *widget.Button
	err    *widget.Label
}

func newTransferDialog(parent fyne.Window, title, prompt, okLabel string, onOK func(number string)) *transferDialog {
	t := &transferDialog{entry: newNumberEntry(), err: widget.NewLabel("")}
	t.entry.SetPlaceHolder(txtNumberPlaceholder())
	t.err.Importance = widget.WarningImportance
	t.err.Hide()
	submit := func() {
		number := cleanDialString(t.entry.Text)
		if number == "" {
			t.err.SetText(txtEnterNumber())
			t.err.Show()
			return
		}
		t.d.Hide()
		onOK(number)
	}
	t.entry.OnSubmitted = func(string) { submit() }
	t.ok = widget.NewButtonWithIcon(okLabel, theme.MailForwardIcon(), submit)
	t.ok.Importance = widget.HighImportance
	t.cancel = widget.NewButtonWithIcon(txtCancel(), theme.CancelIcon(), func() { t.d.Hide() })
	content := container.NewVBox(widget.NewLabel(prompt), t.entry, t.err)
	t.d = dialog.NewCustomWithoutButtons(title, content, parent)
	t.d.SetButtons([]fyne.CanvasObject{t.cancel, t.ok})
	t.d.Resize(fyne.NewSize(300, 0))
	t.d.Show()
	parent.Canvas().Focus(t.entry)
	return t
}

func setEnabled(b *widget.Button, on bool) {
	if on && b.Disabled() {
		b.Enable()
	} else if !on && !b.Disabled() {
		b.Disable()
	}
}

// formatDuration is a call's running time: 0:07, 12:34, 1:02:03.
func formatDuration(d time.Duration) string {
	s := int(d / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// causeText is the engine's sentence for a failure, translated, with the SIP
// code and reason after it when a SIP answer was involved.
func causeText(c *phone.Cause, register bool) string {
	if c == nil {
		if register {
			return txtCause(human.Message(408, true))
		}
		return txtCause(human.Message(0, false))
	}
	msg := c.Message
	if msg == "" {
		msg = human.Message(c.Code, register)
	}
	msg = txtCause(msg)
	if c.Code > 0 {
		msg += " (" + txtSIPCode(c.Code, c.Reason) + ")"
	}
	return msg
}

// errText is what a command's error says to a person: the engine's errors
// are written for people already.
func errText(err error) string { return err.Error() }
