package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// themedBox is a rounded rectangle filled (and optionally outlined) with
// theme colours looked up by name each time it refreshes, so it follows a
// switch between light and dark while the window is open. A box whose radius
// is half its size is a dot.
type themedBox struct {
	widget.BaseWidget

	fill      fyne.ThemeColorName
	fillAlpha uint8 // 0 keeps the colour's own opacity
	stroke    fyne.ThemeColorName
	radius    float32 // in units of SizeNameInputRadius; negative: a circle
}

func newThemedBox(fill fyne.ThemeColorName, fillAlpha uint8, stroke fyne.ThemeColorName, radius float32) *themedBox {
	b := &themedBox{fill: fill, fillAlpha: fillAlpha, stroke: stroke, radius: radius}
	b.ExtendBaseWidget(b)
	return b
}

// setFill changes the fill colour.
func (b *themedBox) setFill(fill fyne.ThemeColorName) {
	if b.fill == fill {
		return
	}
	b.fill = fill
	b.Refresh()
}

// CreateRenderer draws the box.
func (b *themedBox) CreateRenderer() fyne.WidgetRenderer {
	r := &themedBoxRenderer{box: b, rect: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type themedBoxRenderer struct {
	box  *themedBox
	rect *canvas.Rectangle
}

// Destroy has nothing to release.
func (r *themedBoxRenderer) Destroy() {}

// Objects is the one rectangle.
func (r *themedBoxRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }

// MinSize is zero: the box takes whatever size its container gives it.
func (r *themedBoxRenderer) MinSize() fyne.Size { return fyne.Size{} }

// Layout fills the box and keeps a circle round.
func (r *themedBoxRenderer) Layout(size fyne.Size) {
	r.rect.Resize(size)
	if r.box.radius < 0 {
		r.rect.CornerRadius = fyne.Min(size.Width, size.Height) / 2
	}
}

// Refresh looks the colours up again in the current theme.
func (r *themedBoxRenderer) Refresh() {
	th := r.box.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fill := th.Color(r.box.fill, v)
	if r.box.fillAlpha != 0 {
		fill = withAlpha(fill, r.box.fillAlpha)
	}
	r.rect.FillColor = fill
	if r.box.stroke != "" {
		r.rect.StrokeColor = th.Color(r.box.stroke, v)
		r.rect.StrokeWidth = 1
	}
	if r.box.radius >= 0 {
		r.rect.CornerRadius = r.box.radius * th.Size(theme.SizeNameInputRadius)
	}
	r.Layout(r.box.Size())
	r.rect.Refresh()
}

// withAlpha returns c with its opacity replaced by a.
func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}
