package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// levelBarHeight is the microphone meter's thickness.
const levelBarHeight = 8

// levelBar is a thin meter: a track filled from the left in the success
// colour up to Value (0 to 1). Fyne's ProgressBar is as tall as a button
// and, empty, looks like one.
type levelBar struct {
	widget.BaseWidget
	Value float64
}

func newLevelBar() *levelBar {
	b := &levelBar{}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue moves the meter.
func (b *levelBar) SetValue(v float64) {
	v = min(max(v, 0), 1)
	if v == b.Value {
		return
	}
	b.Value = v
	b.Refresh()
}

// CreateRenderer draws the track and the fill.
func (b *levelBar) CreateRenderer() fyne.WidgetRenderer {
	r := &levelBarRenderer{bar: b, track: canvas.NewRectangle(color.Transparent), fill: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type levelBarRenderer struct {
	bar         *levelBar
	track, fill *canvas.Rectangle
}

func (r *levelBarRenderer) Layout(size fyne.Size) {
	h := float32(levelBarHeight)
	top := (size.Height - h) / 2
	r.track.Move(fyne.NewPos(0, top))
	r.track.Resize(fyne.NewSize(size.Width, h))
	r.fill.Move(fyne.NewPos(0, top))
	r.fill.Resize(fyne.NewSize(size.Width*float32(r.bar.Value), h))
}

func (r *levelBarRenderer) MinSize() fyne.Size {
	return fyne.NewSize(levelBarHeight*4, levelBarHeight+2*theme.Size(theme.SizeNamePadding))
}

func (r *levelBarRenderer) Refresh() {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	th := r.bar.Theme()
	r.track.FillColor = th.Color(theme.ColorNameInputBorder, v)
	r.track.CornerRadius = levelBarHeight / 2
	r.fill.FillColor = th.Color(theme.ColorNameSuccess, v)
	r.fill.CornerRadius = levelBarHeight / 2
	r.Layout(r.bar.Size())
	r.track.Refresh()
	r.fill.Refresh()
}

func (r *levelBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill}
}

func (r *levelBarRenderer) Destroy() {}
