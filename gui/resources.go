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
	// incomingIcon, outgoingIcon and missedIcon mark the calls in the
	// history (Material Design's call_received, call_made and call_missed,
	// Apache 2.0); a missed call's mark is red.
	incomingIcon = theme.NewThemedResource(svgIcon("call_received.svg", "M20 5.41L18.59 4 7 15.59V9H5v10h10v-2H8.41z"))
	outgoingIcon = theme.NewThemedResource(svgIcon("call_made.svg", "M9 5v2h6.59L4 18.59 5.41 20 17 8.41V15h2V5z"))
	missedIcon   = theme.NewErrorThemedResource(svgIcon("call_missed.svg", "M19.59 7L12 14.59 6.41 9H11V7H3v8h2v-4.59l7 7 9-9z"))
)

// svgIcon is a 24×24 icon of one path.
func svgIcon(name, path string) fyne.Resource {
	return fyne.NewStaticResource(name, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" d="`+path+`"/></svg>`))
}
