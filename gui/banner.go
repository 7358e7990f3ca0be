package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newConfigErrorBanner explains that the configuration file could not be
// loaded: the error as store reported it (it names the file, line and field)
// and what to do about it. It offers no way to write the file.
func newConfigErrorBanner(err error, path string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(txtConfigErrTitle(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	title.Importance = widget.DangerImportance

	detail := widget.NewLabel(err.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.Selectable = true

	hintText := txtConfigErrHint(path)
	if path == "" || strings.Contains(err.Error(), path) {
		hintText = txtConfigErrHintShort() // the error names the file already
	}
	hint := widget.NewLabel(hintText)
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText

	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))
	head := container.NewBorder(nil, nil, icon, nil, title)

	bg := newThemedBox(theme.ColorNameError, 0x30, theme.ColorNameError, 2)
	return container.NewStack(bg, container.NewPadded(container.NewVBox(head, detail, hint)))
}
