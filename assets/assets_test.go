package assets

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"testing"
)

func TestIconPNGIs512Square(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(IconPNG()))
	if err != nil {
		t.Fatalf("icon.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon.png is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
}

func TestSVGsAreWellFormed(t *testing.T) {
	for name, data := range map[string][]byte{
		"icon.svg":      IconSVG(),
		"call.svg":      CallSVG(),
		"backspace.svg": BackspaceSVG(),
	} {
		var root struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
		}
		if err := xml.Unmarshal(data, &root); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if root.XMLName.Local != "svg" || root.ViewBox == "" {
			t.Errorf("%s: root is <%s viewBox=%q>, want <svg> with a viewBox", name, root.XMLName.Local, root.ViewBox)
		}
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	a := IconPNG()
	a[0] ^= 0xff
	if b := IconPNG(); b[0] == a[0] {
		t.Error("changing one IconPNG result changed the next")
	}
}
