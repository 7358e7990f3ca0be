package gui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ringdesk/ringdesk/phone"
)

// TestCallPanelFitsInEveryLanguage: the call panel, with the shortcuts on
// its buttons and the transfer buttons, fits the window's default width in
// each shipped language, ringing, up and consulting.
func TestCallPanelFitsInEveryLanguage(t *testing.T) {
	t.Cleanup(func() {
		os.Setenv("LANGUAGE", "en")
		_ = loadTranslations("")
		os.Unsetenv("LANGUAGE")
	})
	for _, language := range []string{"en", "vi", "zh-Hans"} {
		if err := loadTranslations(language); err != nil {
			t.Fatal(err)
		}
		a := test.NewTempApp(t)
		q := &uiQueue{}
		w := NewMainWindow(a, Options{Config: oneAccount(), uiDo: q.do})
		for _, info := range []phone.CallInfo{
			{ID: "c1", Number: "0977805845", Name: "Nguyễn Văn An", State: phone.CallStateIncoming, Direction: phone.DirectionInbound},
			{ID: "c1", Number: "0977805845", Name: "Nguyễn Văn An", State: phone.CallStateEstablished, Muted: true},
			{ID: "c1", Number: "0977805845", Name: "Nguyễn Văn An", State: phone.CallStateHeld, LocalHold: true, ConsultCall: "c2"},
		} {
			p := newCallPanel(w, info)
			// The window pads its content on each side.
			if m := p.root.MinSize(); m.Width > defaultWidth-2*8 {
				t.Errorf("%s, %s: the call panel needs %v, wider than the window", language, info.State, m)
			}
		}
		w.Window().Close()
	}
}
