package gui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store"
)

// transports are the choices of the transport select, as the user reads them;
// the account stores them lower-case.
var transports = []string{"UDP", "TCP", "TLS", "WS", "WSS"}

// firstAccountID is the ID of the account the first-run form creates.
const firstAccountID = "main"

// accountForm is the first-run screen that asks for one SIP account. Save
// hands the account to Options.Accounts, which validates it and keeps the
// password in the keyring; on failure the message appears above the buttons
// and everything typed stays.
type accountForm struct {
	w    *MainWindow
	root fyne.CanvasObject

	displayName  *keyEntry
	username     *keyEntry
	authUsername *keyEntry
	password     *keyEntry
	passwordHA1  *widget.Check
	domain       *keyEntry
	transport    *widget.Select
	server       *keyEntry
	form         *widget.Form

	errLabel *widget.Label
	save     *widget.Button
	skip     *widget.Button

	// test and its two lines: Test registration and what it found.
	test       *widget.Button
	testResult *widget.Label
	testDetail *widget.Label
	// testing says Test registration is under way: the end of a save
	// leaves the Test button disabled until it ends.
	testing bool

	spec      accountFormSpec
	onSaved   func(store.Account)
	onSkipped func()
}

// accountFormSpec is what differs between the first-run form and the
// Settings tab's account editor.
type accountFormSpec struct {
	saver AccountSaver
	// base is the account edited, whose other settings (codecs, SRTP,
	// ...) are kept; nil for a new account.
	base *store.Account
	// id is the new account's ID (base's when editing).
	id    string
	title string
	intro string
	// skip is the second button's label: Skip, or Cancel.
	skip string
	// canTest offers Test registration.
	canTest bool
}

// newAccountForm is the first-run form: one account, ID main, saved
// through Options.Accounts.
func newAccountForm(w *MainWindow, onSaved func(store.Account), onSkipped func()) *accountForm {
	return newAccountFormWith(w, accountFormSpec{
		saver: w.opts.Accounts, id: firstAccountID, title: txtFormTitle(), intro: txtFormIntro(), skip: txtSkip(),
		canTest: w.opts.PhoneAccount != nil,
	}, onSaved, onSkipped)
}

func newAccountFormWith(w *MainWindow, spec accountFormSpec, onSaved func(store.Account), onSkipped func()) *accountForm {
	f := &accountForm{w: w, spec: spec, onSaved: onSaved, onSkipped: onSkipped}

	f.displayName = newKeyEntry(w)
	f.displayName.SetPlaceHolder(txtDisplayNamePlaceholder())
	f.username = newKeyEntry(w)
	f.username.SetPlaceHolder("1001")
	f.authUsername = newKeyEntry(w)
	f.authUsername.SetPlaceHolder(txtAuthUsernamePlaceholder())
	f.password = newKeyPasswordEntry(w)
	f.passwordHA1 = widget.NewCheck(txtPasswordIsHA1(), nil)
	f.domain = newKeyEntry(w)
	f.domain.SetPlaceHolder("pbx.example.com")
	f.domain.OnChanged = func(string) { f.updateServerPlaceholder() }
	f.server = newKeyEntry(w)
	f.transport = widget.NewSelect(transports, func(string) { f.updateServerPlaceholder() })
	f.transport.SetSelected("UDP")

	for _, e := range []*keyEntry{f.displayName, f.username, f.authUsername, f.password, f.domain, f.server} {
		e.OnSubmitted = func(string) { f.submit() }
	}

	f.form = &widget.Form{
		Orientation: widget.Vertical,
		Items: []*widget.FormItem{
			{Text: txtDisplayName(), Widget: f.displayName, HintText: txtDisplayNameHint()},
			{Text: txtExtension(), Widget: f.username},
			{Text: txtAuthUsername(), Widget: f.authUsername},
			{Text: txtPassword(), Widget: container.NewVBox(f.password, f.passwordHA1)},
			{Text: txtDomain(), Widget: f.domain},
			{Text: txtTransport(), Widget: f.transport},
			{Text: txtServer(), Widget: f.server, HintText: txtServerHint()},
		},
	}

	title := widget.NewLabelWithStyle(spec.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	title.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(spec.intro)
	intro.Wrapping = fyne.TextWrapWord
	if spec.base != nil {
		f.fill(*spec.base)
	}

	f.errLabel = widget.NewLabel("")
	f.errLabel.Wrapping = fyne.TextWrapWord
	f.errLabel.Importance = widget.DangerImportance
	f.errLabel.Hide()

	f.save = widget.NewButtonWithIcon(txtSave(), theme.ConfirmIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.skip = widget.NewButton(spec.skip, f.onSkipped)

	body := container.NewVBox(title, intro, f.form)
	// Room on the right keeps the scroll bar off the entries' borders.
	content := container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.Size(theme.SizeNamePadding)*2), body)
	scroll := container.NewVScroll(content)
	bottom := container.NewVBox(f.errLabel)
	if spec.canTest {
		// Beside Save, where its verdict shows without scrolling.
		f.test = widget.NewButtonWithIcon(txtTestRegistration(), theme.MediaPlayIcon(), f.testRegistration)
		f.testResult = widget.NewLabel("")
		f.testResult.Wrapping = fyne.TextWrapWord
		f.testResult.Hide()
		f.testDetail = hintLabel("")
		f.testDetail.Hide()
		bottom.Add(container.New(tightVBox{}, f.testResult, f.testDetail))
		bottom.Add(f.test)
	}
	bottom.Add(container.NewGridWithColumns(2, f.skip, f.save))
	f.root = container.NewPadded(container.NewBorder(nil, bottom, nil, nil, scroll))
	return f
}

// updateServerPlaceholder shows the shape of a server address for the chosen
// transport: host:port for UDP, TCP and TLS, a ws:// or wss:// URL for WS and WSS.
func (f *accountForm) updateServerPlaceholder() {
	host := strings.TrimSpace(f.domain.Text)
	if host == "" {
		host = "pbx.example.com"
	}
	var p string
	switch f.transport.Selected {
	case "TLS":
		p = host + ":5061"
	case "WS":
		p = "ws://" + host + ":8088/ws"
	case "WSS":
		p = "wss://" + host + ":8089/ws"
	default:
		p = host + ":5060"
	}
	f.server.SetPlaceHolder(p)
}

// account builds the account from what was typed: ID main, the auth username
// defaulting to the extension, the transport lower-case, and every other
// setting left for store to default.
func (f *accountForm) account() (store.Account, error) {
	var acc store.Account
	if f.spec.base != nil {
		acc = f.spec.base.Clone()
	}
	acc.ID = f.spec.id
	acc.DisplayName = strings.TrimSpace(f.displayName.Text)
	acc.Username = strings.TrimSpace(f.username.Text)
	acc.AuthUsername = strings.TrimSpace(f.authUsername.Text)
	acc.Domain = strings.TrimSpace(f.domain.Text)
	acc.Transport = strings.ToLower(f.transport.Selected)
	acc.Server = strings.TrimSpace(f.server.Text)
	acc.PasswordIsHA1 = f.passwordHA1.Checked
	if acc.AuthUsername == "" {
		acc.AuthUsername = acc.Username
	}
	switch {
	case acc.Username == "":
		return acc, errors.New(txtNeedExtension())
	case acc.Domain == "":
		return acc, errors.New(txtNeedDomain())
	}
	return acc, nil
}

// submit saves the account off the UI goroutine (the keyring may take a while,
// or ask to be unlocked) and applies the outcome through fyne.Do.
func (f *accountForm) submit() {
	if f.save.Disabled() {
		return // a save is already under way
	}
	acc, err := f.account()
	if err != nil {
		f.showError(err.Error())
		return
	}
	secret := f.password.Text
	saver := f.spec.saver
	f.errLabel.Hide()
	f.setSaving(true)
	f.w.background(func() error { return saver.SaveAccount(acc, secret) }, func(err error) {
		f.setSaving(false)
		if err != nil {
			f.w.log.Warn("saving the account failed", "account", acc.ID, "err", err)
			f.showError(txtSaveFailed(err))
			return
		}
		f.w.log.Info("account saved", "account", acc.ID, "transport", acc.Transport)
		f.onSaved(acc)
	})
}

func (f *accountForm) showError(text string) {
	f.errLabel.SetText(text)
	f.errLabel.Show()
}

// setSaving disables the buttons while the account is being saved.
func (f *accountForm) setSaving(busy bool) {
	if busy {
		f.save.SetText(txtSaving())
		f.save.Disable()
		f.skip.Disable()
		if f.test != nil {
			f.test.Disable()
		}
		return
	}
	if f.test != nil && !f.testing {
		f.test.Enable()
	}
	f.save.SetText(txtSave())
	f.save.Enable()
	f.skip.Enable()
}

// fill shows acc in the fields, to be edited. The password field stays
// empty: left so, the saved password is kept.
func (f *accountForm) fill(acc store.Account) {
	f.displayName.SetText(acc.DisplayName)
	f.username.SetText(acc.Username)
	if acc.AuthUsername != acc.Username {
		f.authUsername.SetText(acc.AuthUsername)
	}
	f.domain.SetText(acc.Domain)
	if t := strings.ToUpper(acc.Transport); t != "" {
		f.transport.SetSelected(t)
	}
	f.server.SetText(acc.Server)
	f.passwordHA1.SetChecked(acc.PasswordIsHA1)
	f.password.SetPlaceHolder(txtPasswordKeep())
}
