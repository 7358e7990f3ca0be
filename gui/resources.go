package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ringdesk/ringdesk/assets"
)

var (
	// appIcon is the window and application icon.
	appIcon = fyne.NewStaticResource("ringdesk.png", assets.IconPNG())
	// callIcon is the handset on the audio call button, recoloured by the theme.
	callIcon = theme.NewThemedResource(fyne.NewStaticResource("call.svg", assets.CallSVG()))
	// backspaceIcon is on the key that deletes the last character.
	backspaceIcon = theme.NewThemedResource(fyne.NewStaticResource("backspace.svg", assets.BackspaceSVG()))
)
