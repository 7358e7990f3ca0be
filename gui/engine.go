package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/phone"
)

// startEngine subscribes to the engine's events and starts the goroutines
// that carry them, and the call timers' tick, into the UI through w.do. The
// subscription is taken before the current state is read, so no change falls
// between the two.
func (w *MainWindow) startEngine() {
	p := w.opts.Phone
	w.sub = p.Subscribe()
	w.engineAcc = w.findEngineAccount()
	if w.engineAcc != nil {
		st, cause := w.engineAcc.Registration()
		w.chip.setRegistration(st, cause)
	}
	w.updateTray()
	for _, c := range p.Calls() {
		info := c.Info()
		w.callEvent(phone.Event{Type: phone.EventOutgoingCall, Call: &info})
	}

	sub := w.sub
	w.loops.Add(2)
	go func() {
		defer w.loops.Done()
		for ev := range sub.C {
			w.do(func() { w.applyEvent(ev) })
		}
		if err := sub.Err(); err != nil {
			w.log.Warn("the window stopped hearing from the SIP engine", "err", err)
		}
	}()
	go func() {
		defer w.loops.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-w.closed:
				return
			case <-t.C:
				w.do(w.tick)
			}
		}
	}()
}

// findEngineAccount is the engine's account for the one the chip shows: the
// same id, or the engine's first account when the ids differ.
func (w *MainWindow) findEngineAccount() *phone.Account {
	if w.account == nil {
		return nil
	}
	p := w.opts.Phone
	if a, err := p.Account(w.account.ID); err == nil {
		return a
	}
	if accs := p.Accounts(); len(accs) > 0 {
		return accs[0]
	}
	return nil
}

// shutdown ends the subscription and the goroutines startEngine started, and
// closes the popups; the window is closing.
func (w *MainWindow) shutdown() {
	select {
	case <-w.closed:
		return
	default:
	}
	close(w.closed)
	w.saveSize()
	if w.history != nil {
		w.history.pause.stop()
		w.history.refresh.stop()
	}
	if w.contacts != nil {
		w.contacts.pause.stop()
	}
	if w.settings != nil {
		w.settings.hidden() // lets the microphone go
	}
	if w.dialpad != nil {
		w.dialpad.complete.pause.stop()
	}
	if w.sub != nil {
		w.sub.Close()
	}
	w.loops.Wait()
	for _, p := range w.popups {
		p.close()
	}
	for _, c := range append([]*confirmDialog(nil), w.confirms...) {
		c.answer(false)
	}
}

// isClosed says whether the window has closed; events still queued then are
// dropped.
func (w *MainWindow) isClosed() bool {
	select {
	case <-w.closed:
		return true
	default:
		return false
	}
}

// applyEvent shows one engine event. It runs on the UI goroutine.
func (w *MainWindow) applyEvent(ev phone.Event) {
	if w.isClosed() {
		return
	}
	switch ev.Type {
	case phone.EventRegistered, phone.EventUnregistered, phone.EventRegisterFailed:
		if w.engineAcc == nil || ev.Account != w.engineAcc.ID() {
			return
		}
		switch ev.Type {
		case phone.EventRegistered:
			w.chip.setRegistration(phone.RegRegistered, nil)
		case phone.EventUnregistered:
			w.chip.setRegistration(phone.RegUnregistered, nil)
		default:
			w.chip.setRegistration(phone.RegFailed, ev.Cause)
		}
		w.updateTray()
	case phone.EventPhoneStatus:
		w.updateTray()
	case phone.EventCallerInfo:
		if ev.Call != nil && ev.CallerInfo != nil {
			w.callerInfo(ev.Call.ID, *ev.CallerInfo)
		}
	default:
		if ev.Call != nil {
			w.callEvent(ev)
		}
	}
}

// retryRegistration is the chip's click: register again now.
func (w *MainWindow) retryRegistration() {
	acc := w.engineAcc
	if acc == nil {
		return
	}
	w.chip.setRegistration(phone.RegRegistering, nil)
	w.updateTray()
	w.background(func() error { acc.Register(); return nil }, func(error) {})
}

// tick advances the timers of established calls.
func (w *MainWindow) tick() {
	if w.isClosed() || w.calls == nil {
		return
	}
	w.calls.tick()
}

// callCommand runs do on call id off the UI goroutine, bounded by
// commandTimeout, and hands its error to done on the UI goroutine.
func (w *MainWindow) callCommand(id string, do func(context.Context, *phone.Call) error, done func(error)) {
	ph := w.opts.Phone
	w.background(func() error {
		c, err := ph.Call(id)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return do(ctx, c)
	}, done)
}

// fyneDo is the production door into the UI.
func fyneDo(f func()) { fyne.Do(f) }
