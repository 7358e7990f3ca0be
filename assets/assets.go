// Package assets holds Ringdesk's embedded artwork: the application icon and
// the small monochrome glyphs the GUI recolours with its theme.
//
// The SVG files are the sources; icon.png is rendered from icon.svg (see
// README.md for how, and for the licence). Each accessor returns a fresh copy,
// so no caller can change what another sees.
package assets

import _ "embed"

var (
	//go:embed icon.png
	iconPNG string
	//go:embed icon.svg
	iconSVG string
	//go:embed call.svg
	callSVG string
	//go:embed backspace.svg
	backspaceSVG string
)

// IconPNG returns the 512×512 application icon as PNG.
func IconPNG() []byte { return []byte(iconPNG) }

// IconSVG returns the application icon's SVG source: a white handset in a
// rounded square.
func IconSVG() []byte { return []byte(iconSVG) }

// CallSVG returns a handset glyph on a 24×24 grid, drawn with plain filled
// paths so that Fyne can recolour it for a themed button.
func CallSVG() []byte { return []byte(callSVG) }

// BackspaceSVG returns a "delete the last character" glyph on a 24×24 grid,
// drawn like CallSVG; the cross is a hole cut by reversed winding, not by a
// fill-rule attribute, because Fyne's recolouring drops that attribute.
func BackspaceSVG() []byte { return []byte(backspaceSVG) }
