package gui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/ringdesk/ringdesk/assets"
	"github.com/ringdesk/ringdesk/phone"
)

// trayIconSize is the tray icon's side in pixels: trays draw 16 to 48.
const trayIconSize = 64

// Tray badge colours: the account chip's dot, in fixed colours, since a
// tray's background is the desktop's, not the window's theme.
var (
	badgeGreen = color.NRGBA{R: 0x23, G: 0xa0, B: 0x5a, A: 0xff}
	badgeAmber = color.NRGBA{R: 0xf0, G: 0xa0, B: 0x20, A: 0xff}
	badgeRed   = color.NRGBA{R: 0xd9, G: 0x30, B: 0x25, A: 0xff}
	badgeGrey  = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
	badgeRing  = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

var (
	trayIconsOnce sync.Once
	trayIcons     map[phone.RegistrationState]fyne.Resource
)

// trayIcon is the app icon with a dot in its corner saying where the
// registration stands, as the account chip's dot does: green registered,
// amber registering, red failed, grey otherwise. It falls back to the
// plain icon should the icon not decode.
func trayIcon(st phone.RegistrationState) fyne.Resource {
	trayIconsOnce.Do(func() {
		trayIcons = map[phone.RegistrationState]fyne.Resource{}
		src, err := png.Decode(bytes.NewReader(assets.IconPNG()))
		if err != nil {
			return
		}
		for st, c := range map[phone.RegistrationState]color.NRGBA{
			phone.RegRegistered: badgeGreen, phone.RegRegistering: badgeAmber,
			phone.RegFailed: badgeRed, "": badgeGrey,
		} {
			if res, err := badgedIcon(src, c, string(st)); err == nil {
				trayIcons[st] = res
			}
		}
	})
	if st == phone.RegUnregistered {
		st = ""
	}
	if r, ok := trayIcons[st]; ok {
		return r
	}
	return appIcon
}

// badgedIcon scales src down to trayIconSize and draws a dot with a white
// ring in its lower right corner.
func badgedIcon(src image.Image, dot color.NRGBA, name string) (fyne.Resource, error) {
	dst := image.NewNRGBA(image.Rect(0, 0, trayIconSize, trayIconSize))
	b := src.Bounds()
	// Each pixel is the average of the block of src it covers, alpha
	// weighted, so the edges stay smooth.
	for y := range trayIconSize {
		for x := range trayIconSize {
			x0, x1 := b.Min.X+x*b.Dx()/trayIconSize, b.Min.X+(x+1)*b.Dx()/trayIconSize
			y0, y1 := b.Min.Y+y*b.Dy()/trayIconSize, b.Min.Y+(y+1)*b.Dy()/trayIconSize
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					c := color.NRGBA64Model.Convert(src.At(sx, sy)).(color.NRGBA64)
					r += uint64(c.R) * uint64(c.A)
					g += uint64(c.G) * uint64(c.A)
					bl += uint64(c.B) * uint64(c.A)
					a += uint64(c.A)
					n++
				}
			}
			if n == 0 || a == 0 {
				continue
			}
			dst.Set(x, y, color.NRGBA64{R: uint16(r / a), G: uint16(g / a), B: uint16(bl / a), A: uint16(a / n)})
		}
	}
	const r, ring = 13, 3
	cx, cy := trayIconSize-r-ring, trayIconSize-r-ring
	for y := cy - r - ring; y <= cy+r+ring; y++ {
		for x := cx - r - ring; x <= cx+r+ring; x++ {
			d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			switch {
			case d < r*r:
				dst.Set(x, y, dot)
			case d < (r+ring)*(r+ring):
				dst.Set(x, y, badgeRing)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil, err
	}
	return fyne.NewStaticResource("ringdesk-tray-"+name+".png", buf.Bytes()), nil
}
