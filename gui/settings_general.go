package gui

import (
	"fmt"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ringdesk/ringdesk/store"
)

// popOnValues are [crm] pop_on's values, in the select's order.
var popOnValues = []string{"ring", "answer", "never"}

// lookupSection edits the caller lookup's region, timeout and screen-pop,
// and lists the providers read-only: their settings (URLs, JSON paths,
// secrets) are an administrator's work in the file.
type lookupSection struct {
	v         *settingsView
	root      *fyne.Container
	region    *keyEntry
	timeout   *keyEntry
	popURL    *keyEntry
	popOn     *widget.Select
	providers *fyne.Container
	save      *widget.Button
	status    *widget.Label
	cfg       store.CRM
	// edits counts the user's changes to the fields; saved is the count
	// at the last load or successful save. While they differ, load leaves
	// the fields alone: a tab switch or an account saved would otherwise
	// overwrite what was typed and not yet saved.
	edits, saved int
	loading      bool
}

func newLookupSection(v *settingsView) *lookupSection {
	s := &lookupSection{v: v, status: newStatusLabel(), providers: container.NewVBox()}
	s.region = newKeyEntry(v.w)
	s.region.SetPlaceHolder("VN")
	s.timeout = newKeyEntry(v.w)
	s.timeout.SetPlaceHolder("1.5s")
	s.popURL = newKeyEntry(v.w)
	s.popURL.SetPlaceHolder("https://crm/…?phone={e164}")
	s.popOn = widget.NewSelect([]string{txtPopOnRing(), txtPopOnAnswer(), txtPopOnNever()}, nil)
	s.save = widget.NewButtonWithIcon(txtSave(), theme.DocumentSaveIcon(), s.submit)
	s.save.Importance = widget.HighImportance
	s.popOn.OnChanged = func(string) { s.edited() }
	for _, e := range []*keyEntry{s.region, s.timeout, s.popURL} {
		e.OnSubmitted = func(string) { s.submit() }
		e.OnChanged = func(string) { s.edited() }
	}
	form := &widget.Form{Orientation: widget.Vertical, Items: []*widget.FormItem{
		{Text: txtRegion(), Widget: withHint(s.region, txtRegionHint())},
		{Text: txtLookupTimeout(), Widget: withHint(s.timeout, txtLookupTimeoutHint())},
		{Text: txtPopURL(), Widget: withHint(s.popURL, txtPopURLHint())},
		{Text: txtPopOn(), Widget: s.popOn},
	}}
	title := widget.NewLabelWithStyle(txtProviders(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.root = container.NewVBox(form, title, s.providers, hintLabel(txtRestartToApply()), s.save, s.status)
	if v.w.opts.Settings == nil {
		s.save.Disable()
	}
	return s
}

// edited counts a change the user made to a field.
func (s *lookupSection) edited() {
	if !s.loading {
		s.edits++
	}
}

// load shows cfg; fields edited since the last load or save keep what
// was typed.
func (s *lookupSection) load(cfg store.CRM) {
	s.cfg = cfg
	if s.edits == s.saved {
		s.loading = true
		s.region.SetText(cfg.Region)
		s.timeout.SetText(cfg.Timeout)
		s.popURL.SetText(cfg.PopURL)
		i := 0
		for n, v := range popOnValues {
			if v == cfg.PopOn {
				i = n
			}
		}
		s.popOn.SetSelectedIndex(i)
		s.loading = false
	}
	s.providers.RemoveAll()
	if len(cfg.Providers) == 0 {
		s.providers.Add(hintLabel(txtNoProviders()))
	}
	for _, p := range cfg.Providers {
		where := p.URL
		if p.Path != "" {
			where = p.Path
		}
		l := widget.NewLabel(p.Type + " · " + where)
		l.Truncation = fyne.TextTruncateEllipsis
		s.providers.Add(l)
	}
	s.providers.Add(hintLabel(txtProvidersHint(s.v.w.opts.ConfigPath)))
}

func (s *lookupSection) submit() {
	if s.save.Disabled() {
		return
	}
	region := strings.ToUpper(strings.TrimSpace(s.region.Text))
	timeout := strings.TrimSpace(s.timeout.Text)
	popURL := strings.TrimSpace(s.popURL.Text)
	popOn := popOnValues[max(s.popOn.SelectedIndex(), 0)]
	edits := s.edits
	s.save.Disable()
	s.v.save(func(c *store.Config) error {
		c.CRM.Region, c.CRM.Timeout, c.CRM.PopURL, c.CRM.PopOn = region, timeout, popURL, popOn
		return nil
	}, func(err error) {
		s.save.Enable()
		if err == nil {
			s.saved = edits // what was typed during the save stays unsaved
		}
		showSaved(s.status, err, txtSavedRestart())
	})
}

// apiSection shows the local API's token (hidden until asked), copies it,
// rotates it, and edits the browser origins allowed to call the API.
type apiSection struct {
	v       *settingsView
	root    *fyne.Container
	token   *widget.Label
	show    *widget.Button
	copyBtn *widget.Button
	rotate  *widget.Button
	origins *keyEntry
	save    *widget.Button
	status  *widget.Label

	value    string
	revealed bool
	// edits counts the user's changes to the origins; saved is the count
	// at the last load or successful save. While they differ, load leaves
	// the origins as typed.
	edits, saved int
	loading      bool
}

// hiddenToken stands for the token while it is hidden.
const hiddenToken = "••••••••••••••••"

func newAPISection(v *settingsView) *apiSection {
	s := &apiSection{v: v, status: newStatusLabel()}
	s.token = widget.NewLabel(hiddenToken)
	s.token.Wrapping = fyne.TextWrapBreak
	s.token.TextStyle.Monospace = true
	s.show = widget.NewButtonWithIcon(txtShow(), theme.VisibilityIcon(), s.toggle)
	s.copyBtn = widget.NewButtonWithIcon(txtCopy(), theme.ContentCopyIcon(), s.copyToken)
	s.rotate = widget.NewButtonWithIcon(txtRotate(), theme.ViewRefreshIcon(), s.confirmRotate)
	s.origins = newKeyMultiLineEntry(v.w)
	s.origins.SetPlaceHolder("https://crm.example.com")
	s.origins.SetMinRowsVisible(3)
	s.origins.OnChanged = func(string) {
		if !s.loading {
			s.edits++
		}
	}
	s.save = widget.NewButtonWithIcon(txtSave(), theme.DocumentSaveIcon(), s.submit)
	s.save.Importance = widget.HighImportance
	if v.w.opts.APIToken == nil {
		s.token.SetText(txtNoAPI())
		s.show.Disable()
		s.copyBtn.Disable()
		s.rotate.Disable()
	}
	if v.w.opts.Settings == nil {
		s.save.Disable()
	}
	form := &widget.Form{Orientation: widget.Vertical, Items: []*widget.FormItem{
		{Text: txtAPIToken(), Widget: withHint(container.NewVBox(s.token, container.NewGridWithColumns(2, s.show, s.copyBtn), s.rotate), txtAPITokenHint())},
		{Text: txtOrigins(), Widget: withHint(s.origins, txtOriginsHint())},
	}}
	s.root = container.NewVBox(form, s.save, s.status)
	return s
}

// load shows cfg's origins, unless they were edited since the last load
// or save.
func (s *apiSection) load(cfg store.API) {
	if s.edits != s.saved {
		return
	}
	s.loading = true
	s.origins.SetText(strings.Join(cfg.AllowedOrigins, "\n"))
	s.loading = false
}

// loadToken reads the token off the UI goroutine.
func (s *apiSection) loadToken() {
	src := s.v.w.opts.APIToken
	if src == nil {
		return
	}
	var tok string
	s.v.w.background(func() error {
		var err error
		tok, err = src.Token()
		return err
	}, func(err error) {
		if err != nil {
			s.value = ""
			s.token.SetText(txtTokenFailed(errText(err)))
			return
		}
		s.value = tok
		s.showToken()
	})
}

func (s *apiSection) showToken() {
	if s.value == "" {
		return
	}
	if s.revealed {
		s.token.SetText(s.value)
		s.show.SetText(txtHide())
		s.show.SetIcon(theme.VisibilityOffIcon())
		return
	}
	s.token.SetText(hiddenToken)
	s.show.SetText(txtShow())
	s.show.SetIcon(theme.VisibilityIcon())
}

func (s *apiSection) toggle() {
	s.revealed = !s.revealed
	s.showToken()
}

func (s *apiSection) copyToken() {
	if s.value == "" {
		return
	}
	s.v.w.app.Clipboard().SetContent(s.value)
	showLabel(s.status, txtTokenCopied(), widget.SuccessImportance)
}

func (s *apiSection) confirmRotate() {
	d := dialog.NewConfirm(txtRotateTitle(), txtRotateQuestion(), func(ok bool) {
		if ok {
			s.doRotate()
		}
	}, s.v.w.win)
	d.SetConfirmText(txtRotate())
	d.SetDismissText(txtCancel())
	d.Show()
}

// doRotate makes a new token, off the UI goroutine.
func (s *apiSection) doRotate() {
	src := s.v.w.opts.APIToken
	var tok string
	s.rotate.Disable()
	s.v.w.background(func() error {
		var err error
		tok, err = src.Rotate()
		return err
	}, func(err error) {
		s.rotate.Enable()
		if err != nil {
			s.v.w.log.Warn("rotating the API token failed", "err", err)
			showLabel(s.status, txtRotateFailed(errText(err)), widget.DangerImportance)
			return
		}
		s.value = tok
		s.showToken()
		showLabel(s.status, txtTokenRotated(), widget.SuccessImportance)
	})
}

func (s *apiSection) submit() {
	if s.save.Disabled() {
		return
	}
	var origins []string
	for _, line := range strings.FieldsFunc(s.origins.Text, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' }) {
		if o := strings.TrimSuffix(strings.TrimSpace(line), "/"); o != "" {
			origins = append(origins, o)
		}
	}
	edits := s.edits
	s.save.Disable()
	s.v.save(func(c *store.Config) error { c.API.AllowedOrigins = origins; return nil }, func(err error) {
		s.save.Enable()
		if err == nil {
			s.saved = edits // what was typed during the save stays unsaved
		}
		showSaved(s.status, err, txtSavedRestart())
	})
}

// languages are the window's languages: the [ui] language value and the
// language's own name, which is not translated.
var languages = []struct{ code, name string }{
	{"", ""}, // the system's language; its name is translated
	{"en", "English"},
	{"vi", "Tiếng Việt"},
	{"zh-Hans", "简体中文"},
}

// generalSection chooses the language and whether Ringdesk starts when
// the user logs in.
type generalSection struct {
	v         *settingsView
	root      *fyne.Container
	language  *widget.Select
	autostart *widget.Check
	status    *widget.Label
	loading   bool
	saved     string
	// wantLanguage is the latest language chosen, which every save in
	// flight writes.
	wantLanguage atomic.Pointer[string]
}

func newGeneralSection(v *settingsView) *generalSection {
	s := &generalSection{v: v, status: newStatusLabel()}
	names := make([]string, len(languages))
	for i, l := range languages {
		names[i] = l.name
	}
	names[0] = txtSystemLanguage()
	s.language = widget.NewSelect(names, func(string) { s.languageChanged() })
	s.autostart = widget.NewCheck(txtStartOnLogin(), s.autostartChanged)
	autostartHint := txtStartOnLoginHint()
	if !autostartSupported() {
		s.autostart.Disable()
		autostartHint = txtStartOnLoginUnsupported()
	}
	if v.w.opts.Settings == nil {
		s.language.Disable()
	}
	form := &widget.Form{Orientation: widget.Vertical, Items: []*widget.FormItem{
		{Text: txtLanguage(), Widget: withHint(s.language, txtLanguageHint())},
		{Text: txtStartup(), Widget: withHint(s.autostart, autostartHint)},
	}}
	s.root = container.NewVBox(form, s.status)
	return s
}

func (s *generalSection) load(cfg store.UI) {
	s.loading = true
	defer func() { s.loading = false }()
	s.saved = cfg.Language
	i := 0
	for n, l := range languages {
		if l.code == cfg.Language {
			i = n
		}
	}
	s.language.SetSelectedIndex(i)
	s.autostart.SetChecked(autostartEnabled())
}

func (s *generalSection) languageChanged() {
	if s.loading {
		return
	}
	code := languages[max(s.language.SelectedIndex(), 0)].code
	if code == s.saved {
		return
	}
	// Saves may finish in any order: each writes the latest choice. s.saved
	// follows only a successful save: after a failure, choosing the same
	// again tries again.
	s.wantLanguage.Store(&code)
	var wrote string
	s.v.save(func(c *store.Config) error {
		wrote = *s.wantLanguage.Load()
		c.UI.Language = wrote
		return nil
	}, func(err error) {
		if err == nil {
			s.saved = wrote
		}
		showSaved(s.status, err, txtLanguageSaved())
	})
}

func (s *generalSection) autostartChanged(on bool) {
	if s.loading {
		return
	}
	err := setAutostart(on)
	if err != nil {
		s.v.w.log.Warn("start on login could not be changed", "on", on, "err", err)
		s.loading = true
		s.autostart.SetChecked(!on)
		s.loading = false
	}
	msg := txtAutostartOff()
	if on {
		msg = txtAutostartOn()
	}
	showSaved(s.status, err, msg)
}

// newShortcutsList lists the window's keyboard shortcuts, with a Ctrl+N
// for each tab in the order newTabs puts them.
func newShortcutsList(w *MainWindow) fyne.CanvasObject {
	rows := [][2]string{
		{keysDial, txtFocusDial()},
		{keysEnter, txtCall()},
		{keysAnswer, txtAnswer()},
		{keysHangUp, txtHangUp() + " / " + txtDecline()},
		{keysMute, txtMute()},
		{keysHold, txtHold()},
		{keysEscape, txtHangUp()},
	}
	tabs := []string{txtTabPhone()}
	if w.opts.History != nil {
		tabs = append(tabs, txtTabHistory())
	}
	if w.opts.SearchContacts != nil {
		tabs = append(tabs, txtTabContacts())
	}
	tabs = append(tabs, txtTabSettings())
	for i, name := range tabs {
		rows = append(rows, [2]string{fmt.Sprintf("Ctrl+%d", i+1), name})
	}
	rows = append(rows, [2]string{"Tab", txtNextControl()})
	box := container.NewVBox()
	for _, r := range rows {
		k := widget.NewLabelWithStyle(r[0], fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		d := widget.NewLabel(r[1])
		d.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, k, nil, d))
	}
	return box
}
