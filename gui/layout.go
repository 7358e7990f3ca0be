package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// tightVBox stacks objects top to bottom like a VBox, but pulls each one up
// by the inner padding widgets already carry, so a title and its detail line
// read as one block.
type tightVBox struct{}

func (tightVBox) overlap() float32 {
	return theme.Size(theme.SizeNameInnerPadding)
}

// MinSize is the tallest stack of the objects' minimum sizes less the overlaps.
func (l tightVBox) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		s.Height += m.Height
		n++
	}
	if n > 1 {
		s.Height -= float32(n-1) * l.overlap()
	}
	return s
}

// Layout places the visible objects at full width, centred vertically as a group.
func (l tightVBox) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	y := (size.Height - l.MinSize(objects).Height) / 2
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, y))
		y += h - l.overlap()
	}
}
