package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyLetters are the letters printed under each digit, as on a phone.
var keyLetters = map[string]string{
	"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO",
	"7": "PQRS", "8": "TUV", "9": "WXYZ", "0": "+",
}

// maxKeyDiameter keeps the keys phone-sized in a large window.
const maxKeyDiameter = 84

// dialKey is one round key of the dialpad: a large digit with its letters
// underneath. A tap types the digit; a secondary tap (right click, or a long
// press on touch screens) types the key's alternative, "+" on the 0 key.
type dialKey struct {
	widget.BaseWidget

	digit   string
	letters string
	alt     string
	onPress func(string)

	hovered bool
}

func newDialKey(digit string, onPress func(string)) *dialKey {
	k := &dialKey{digit: digit, letters: keyLetters[digit], onPress: onPress}
	if digit == "0" {
		k.alt = "+"
	}
	k.ExtendBaseWidget(k)
	return k
}

// Tapped types the key's digit.
func (k *dialKey) Tapped(*fyne.PointEvent) { k.onPress(k.digit) }

// TappedSecondary types the key's alternative, if it has one.
func (k *dialKey) TappedSecondary(*fyne.PointEvent) {
	if k.alt != "" {
		k.onPress(k.alt)
	}
}

// Cursor shows a pointing hand over the key.
func (k *dialKey) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn highlights the key.
func (k *dialKey) MouseIn(*desktop.MouseEvent) { k.setHovered(true) }

// MouseMoved is needed for desktop.Hoverable; the key does nothing with it.
func (k *dialKey) MouseMoved(*desktop.MouseEvent) {}

// MouseOut removes the highlight.
func (k *dialKey) MouseOut() { k.setHovered(false) }

func (k *dialKey) setHovered(h bool) {
	k.hovered = h
	k.Refresh()
}

// CreateRenderer draws the key.
func (k *dialKey) CreateRenderer() fyne.WidgetRenderer {
	r := &dialKeyRenderer{
		key:     k,
		face:    canvas.NewCircle(color.Transparent),
		hover:   canvas.NewCircle(color.Transparent),
		digit:   canvas.NewText(k.digit, color.Black),
		letters: canvas.NewText(k.letters, color.Black),
	}
	r.digit.Alignment = fyne.TextAlignCenter
	r.letters.Alignment = fyne.TextAlignCenter
	r.letters.TextStyle.Bold = true
	r.Refresh()
	return r
}

type dialKeyRenderer struct {
	key     *dialKey
	face    *canvas.Circle
	hover   *canvas.Circle
	digit   *canvas.Text
	letters *canvas.Text
}

// Destroy has nothing to release.
func (r *dialKeyRenderer) Destroy() {}

// Objects are the circle, its hover highlight, the digit and the letters.
func (r *dialKeyRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.face, r.hover, r.digit, r.letters}
}

// MinSize leaves room for the digit and its letters; the circle round them
// grows with the space the dialpad gets.
func (r *dialKeyRenderer) MinSize() fyne.Size {
	return fyne.NewSquareSize(r.digit.MinSize().Height + r.letters.MinSize().Height)
}

// Layout centres a circle as large as the space allows and stacks the digit
// and letters in the middle of it.
func (r *dialKeyRenderer) Layout(size fyne.Size) {
	th := r.key.Theme()
	pad := th.Size(theme.SizeNamePadding)
	d := fyne.Min(size.Width, size.Height)
	if d-2*pad >= r.MinSize().Height {
		d -= 2 * pad // a margin round the circle when there is room for it
	}
	d = fyne.Min(d, maxKeyDiameter)
	circle := fyne.NewSquareSize(d)
	pos := fyne.NewPos((size.Width-d)/2, (size.Height-d)/2)
	for _, c := range []*canvas.Circle{r.face, r.hover} {
		c.Resize(circle)
		c.Move(pos)
	}

	digitH := r.digit.MinSize().Height
	lettersH := r.letters.MinSize().Height
	top := (size.Height - digitH - lettersH) / 2
	r.digit.Resize(fyne.NewSize(size.Width, digitH))
	r.digit.Move(fyne.NewPos(0, top))
	r.letters.Resize(fyne.NewSize(size.Width, lettersH))
	r.letters.Move(fyne.NewPos(0, top+digitH))
}

// Refresh applies the theme's colours and sizes and the hover state.
func (r *dialKeyRenderer) Refresh() {
	th := r.key.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.face.FillColor = th.Color(theme.ColorNameButton, v)
	r.hover.FillColor = color.Transparent
	if r.key.hovered {
		r.hover.FillColor = th.Color(theme.ColorNameHover, v)
	}
	r.digit.Color = th.Color(theme.ColorNameForeground, v)
	r.digit.TextSize = th.Size(theme.SizeNameHeadingText) * 1.15
	r.letters.Color = th.Color(theme.ColorNamePlaceHolder, v)
	r.letters.TextSize = th.Size(theme.SizeNameCaptionText)
	if r.letters.Text == "" {
		// Keep every digit at the same height whether or not it has letters.
		r.letters.Text = " "
	}
	r.Layout(r.key.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
