package gui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/phone/human"
	"github.com/ringdesk/ringdesk/store"
)

// registrationTestTimeout bounds Test registration: the engine gives up
// on a silent server well before it.
const registrationTestTimeout = 40 * time.Second

// registrationTestExpires is the interval Test registration asks for: the
// binding it leaves behind, should its unregister get lost, lapses soon.
const registrationTestExpires = 60 * time.Second

// accountsSection lists the accounts, each with Edit and Delete, and an
// Add account button. Edit and Add show the account form in the
// section list's place.
type accountsSection struct {
	v      *settingsView
	root   *fyne.Container
	list   *fyne.Container
	add    *widget.Button
	status *widget.Label
	cfg    *store.Config
}

func newAccountsSection(v *settingsView) *accountsSection {
	s := &accountsSection{v: v, list: container.NewVBox(), status: newStatusLabel()}
	s.add = widget.NewButtonWithIcon(txtAddAccount(), theme.ContentAddIcon(), func() { s.edit(nil) })
	// Until the accounts are loaded the new account's ID cannot be chosen
	// (it could take main, and overwrite it): load enables Add.
	s.add.Disable()
	s.root = container.NewVBox(s.list, s.add, s.status)
	return s
}

// load lists cfg's accounts.
func (s *accountsSection) load(cfg *store.Config) {
	s.cfg = cfg
	if s.v.w.opts.Settings != nil {
		s.add.Enable()
	}
	s.list.RemoveAll()
	if len(cfg.Accounts) == 0 {
		s.list.Add(widget.NewLabel(txtNoAccount()))
	}
	for _, acc := range cfg.Accounts {
		title := widget.NewLabelWithStyle(accountAddress(acc), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Truncation = fyne.TextTruncateEllipsis
		detail := widget.NewLabel(strings.ToUpper(acc.Transport) + " · " + txtAccountID(acc.ID))
		detail.SizeName = theme.SizeNameCaptionText
		detail.Truncation = fyne.TextTruncateEllipsis
		edit := widget.NewButtonWithIcon(txtEdit(), theme.DocumentCreateIcon(), func() { s.edit(&acc) })
		del := widget.NewButtonWithIcon(txtDelete(), theme.DeleteIcon(), func() { s.confirmDelete(acc) })
		if s.v.w.opts.Settings == nil {
			edit.Disable()
			del.Disable()
		}
		s.list.Add(container.NewVBox(
			container.New(tightVBox{}, title, detail),
			container.NewGridWithColumns(2, edit, del),
			widget.NewSeparator(),
		))
	}
	s.list.Refresh()
}

// edit shows the account form for acc, or for a new account when acc is
// nil, in the section list's place.
func (s *accountsSection) edit(acc *store.Account) {
	w := s.v.w
	spec := accountFormSpec{saver: w.opts.Settings, base: acc, skip: txtCancel(), canTest: w.opts.PhoneAccount != nil}
	if acc != nil {
		spec.id = acc.ID
		spec.title = txtEditAccountTitle()
		spec.intro = txtEditAccountIntro()
	} else {
		if s.cfg == nil {
			return // not loaded yet: Add is disabled until it is
		}
		spec.id = newAccountID(s.cfg)
		spec.title = txtAddAccountTitle()
		spec.intro = txtFormIntro()
	}
	f := newAccountFormWith(w, spec, func(saved store.Account) {
		s.v.showSections()
		showLabel(s.status, txtAccountSaved(accountAddress(saved)), widget.SuccessImportance)
		s.v.reloadAccounts()
	}, s.v.showSections)
	s.v.showPage(f)
	w.win.Canvas().Focus(f.displayName)
}

// confirmDelete asks before deleting acc, its password and its history
// stays.
func (s *accountsSection) confirmDelete(acc store.Account) {
	w := s.v.w
	d := dialog.NewConfirm(txtDeleteAccountTitle(), txtDeleteAccountQuestion(accountAddress(acc)), func(ok bool) {
		if !ok {
			return
		}
		st := w.opts.Settings
		w.background(func() error { return st.DeleteAccount(acc.ID) }, func(err error) {
			if err != nil {
				w.log.Warn("deleting the account failed", "account", acc.ID, "err", err)
				showLabel(s.status, txtDeleteFailed(err), widget.DangerImportance)
			} else {
				showLabel(s.status, txtAccountDeleted(accountAddress(acc)), widget.SuccessImportance)
			}
			s.v.reloadAccounts()
		})
	}, w.win)
	d.SetConfirmText(txtDelete())
	d.SetDismissText(txtCancel())
	d.Show()
}

// reloadAccounts reads the configuration again after an account changed,
// and points the account chip at the first account.
func (v *settingsView) reloadAccounts() {
	s := v.w.opts.Settings
	var cfg *store.Config
	v.w.background(func() error { cfg = s.Config(); return nil }, func(error) {
		if v.w.isClosed() {
			return
		}
		v.load(cfg)
		v.w.accountsChanged(cfg)
	})
}

// newAccountID is the ID of a new account: main when it is free, else
// account2, account3, ...
func newAccountID(cfg *store.Config) string {
	taken := func(id string) bool {
		return cfg != nil && slices.ContainsFunc(cfg.Accounts, func(a store.Account) bool { return a.ID == id })
	}
	if !taken(firstAccountID) {
		return firstAccountID
	}
	for n := 2; ; n++ {
		if id := fmt.Sprintf("account%d", n); !taken(id) {
			return id
		}
	}
}

// testRegistration registers the account as typed, on an engine of its
// own so the running account is not disturbed, and shows whether the
// registrar accepted it: the human message, and the SIP code in a detail
// line, when it did not. Without a typed password the saved one is used.
func (f *accountForm) testRegistration() {
	if f.test.Disabled() {
		return
	}
	acc, err := f.account()
	if err != nil {
		f.showTestResult(err.Error(), "", widget.WarningImportance)
		return
	}
	secret := f.password.Text
	settings := f.w.opts.Settings
	editing := f.spec.base != nil
	toConfig := f.w.opts.PhoneAccount
	live := f.w.opts.Phone
	log := f.w.log
	var out registrationOutcome
	f.testing = true
	f.test.Disable()
	f.test.SetText(txtTesting())
	f.showTestResult(txtTestingDetail(), "", widget.MediumImportance)
	f.w.background(func() error {
		if secret == "" && editing && settings != nil {
			if saved, _, err := settings.AccountSecret(acc.ID); err == nil {
				secret = saved
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), registrationTestTimeout)
		defer cancel()
		cfg := toConfig(acc, secret)
		cfg.Expires = registrationTestExpires
		var err error
		out, err = registerOnce(ctx, cfg, log)
		reRegisterLive(live, cfg, log)
		return err
	}, func(err error) {
		f.testing = false
		if !f.save.Disabled() { // a save under way enables it when done
			f.test.Enable()
		}
		f.test.SetText(txtTestRegistration())
		switch {
		case err != nil:
			f.showTestResult(txtTestFailed(errText(err)), "", widget.DangerImportance)
		case out.registered:
			f.showTestResult(txtTestRegistered(), "", widget.SuccessImportance)
		default:
			msg, detail := causeLines(out.cause)
			f.showTestResult(msg, detail, widget.DangerImportance)
		}
	})
}

func (f *accountForm) showTestResult(text, detail string, imp widget.Importance) {
	showLabel(f.testResult, text, imp)
	f.testDetail.SetText(detail)
	f.testDetail.Hidden = detail == ""
	f.testDetail.Refresh()
}

// causeLines is a registration failure as two lines: the human message,
// and the SIP code and reason ("" without a SIP answer).
func causeLines(c *phone.Cause) (msg, detail string) {
	if c == nil {
		return txtCause(human.Message(408, true)), ""
	}
	msg = c.Message
	if msg == "" {
		msg = human.Message(c.Code, true)
	}
	if c.Code > 0 {
		detail = txtSIPCode(c.Code, c.Reason)
	}
	return txtCause(msg), detail
}

// reRegisterLive registers again the running engine's account for the
// address Test registration just unregistered: on a registrar that keeps
// one binding per address (max_contacts=1, remove_existing), the test's
// REGISTER replaced the live account's binding and its unregister removed
// it. An account that does not register, or was unregistered on purpose,
// is left alone.
func reRegisterLive(live *phone.Phone, tested phone.AccountConfig, log *slog.Logger) {
	if live == nil {
		return
	}
	for _, a := range live.Accounts() {
		cfg := a.Config()
		same := cfg.ID == tested.ID ||
			(strings.EqualFold(cfg.Username, tested.Username) && strings.EqualFold(cfg.Domain, tested.Domain))
		if !same || !cfg.Register {
			continue
		}
		if st, _ := a.Registration(); st == phone.RegUnregistered {
			continue
		}
		if log != nil {
			log.Info("registering again after Test registration", "account", cfg.ID)
		}
		a.Register()
	}
}

// registerOnce registers cfg on a new engine and reports the registrar's
// first verdict, then closes the engine (which unregisters).
func registerOnce(ctx context.Context, cfg phone.AccountConfig, log *slog.Logger) (registrationOutcome, error) {
	p := phone.New(phone.WithLogger(log))
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(closeCtx)
	}()
	sub := p.Subscribe()
	defer sub.Close()
	cfg.Register = true
	if _, err := p.AddAccount(cfg); err != nil {
		return registrationOutcome{}, err
	}
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				return registrationOutcome{}, errors.New(txtTestNoVerdict())
			}
			if ev.Account != cfg.ID {
				continue
			}
			switch ev.Type {
			case phone.EventRegistered:
				return registrationOutcome{registered: true}, nil
			case phone.EventRegisterFailed:
				return registrationOutcome{cause: ev.Cause}, nil
			}
		case <-ctx.Done():
			return registrationOutcome{}, errors.New(txtTestNoVerdict())
		}
	}
}

// accountsChanged follows a change of the accounts made in Settings: the
// chip shows the first account, and follows its registration in the
// engine, where main has just started it again.
func (w *MainWindow) accountsChanged(cfg *store.Config) {
	w.account = nil
	if len(cfg.Accounts) > 0 {
		acc := cfg.Accounts[0]
		w.account = &acc
	}
	if w.dialpad == nil {
		return
	}
	w.chip.setAccount(w.account, w.opts.Phone != nil)
	if w.opts.Phone == nil {
		return
	}
	w.engineAcc = w.findEngineAccount()
	if w.engineAcc != nil {
		st, cause := w.engineAcc.Registration()
		w.chip.setRegistration(st, cause)
	}
	w.updateTray()
}
