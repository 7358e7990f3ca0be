package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// ringdeskTheme is Fyne's default theme with Ringdesk's colours: the blue of
// the app icon as the primary colour, and a calmer green than Fyne's for the
// call buttons, dark enough for white text on it.
type ringdeskTheme struct{}

var (
	brandBlue      = color.NRGBA{R: 0x1f, G: 0x6f, B: 0xd1, A: 0xff}
	brandBlueLight = color.NRGBA{R: 0x4a, G: 0x93, B: 0xe8, A: 0xff}
	callGreen      = color.NRGBA{R: 0x1e, G: 0x8e, B: 0x4e, A: 0xff}
	callGreenDark  = color.NRGBA{R: 0x23, G: 0xa0, B: 0x5a, A: 0xff}
)

// Color is the default theme's colour except for primary and success.
func (ringdeskTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	dark := v == theme.VariantDark
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		if dark {
			return brandBlueLight
		}
		return brandBlue
	case theme.ColorNameSuccess:
		if dark {
			return callGreenDark
		}
		return callGreen
	case theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnPrimary:
		return color.White
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font is the default theme's font.
func (ringdeskTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon is the default theme's icon.
func (ringdeskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size is the default theme's size.
func (ringdeskTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// largeText is the app's current theme with text drawn scale times larger;
// the number entry uses it so a dialled number reads like a phone display.
type largeText struct{ scale float32 }

func (largeText) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

// Color is the app theme's colour.
func (t largeText) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.base().Color(n, v)
}

// Font is the app theme's font.
func (t largeText) Font(s fyne.TextStyle) fyne.Resource { return t.base().Font(s) }

// Icon is the app theme's icon.
func (t largeText) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// Size is the app theme's size, scaled for text.
func (t largeText) Size(n fyne.ThemeSizeName) float32 {
	s := t.base().Size(n)
	if n == theme.SizeNameText {
		return s * t.scale
	}
	return s
}
