package gui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/ringdesk/ringdesk/phone/human"
)

// TestEveryStringIsTranslated: each lang.L key in the package's sources,
// and each human SIP message the engine gives, has a Vietnamese and a
// Simplified Chinese translation that keeps its {{.Placeholders}}.
func TestEveryStringIsTranslated(t *testing.T) {
	keyPattern := regexp.MustCompile(`lang\.L\("((?:[^"\\]|\\.)*)"`)
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyPattern.FindAllSubmatch(data, -1) {
			keys[string(m[1])] = true
		}
	}
	for code := 0; code < 700; code++ {
		keys[human.Message(code, false)] = true
		keys[human.Message(code, true)] = true
	}
	if len(keys) < 60 {
		t.Fatalf("found only %d keys: the pattern no longer matches text.go", len(keys))
	}
	placeholder := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	for _, file := range []string{"vi.json", "zh-Hans.json"} {
		data, err := translations.ReadFile("translations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for key := range keys {
			got, ok := m[key]
			if !ok || got == "" {
				t.Errorf("%s has no translation of %q", file, key)
				continue
			}
			want := placeholder.FindAllString(key, -1)
			for _, p := range want {
				if !regexp.MustCompile(regexp.QuoteMeta(p)).MatchString(got) {
					t.Errorf("%s: %q lost %s in %q", file, key, p, got)
				}
			}
		}
	}
}

// TestLanguageSetting: [ui] language = "vi" shows the window in
// Vietnamese, and the SIP failures too.
func TestLanguageSetting(t *testing.T) {
	t.Cleanup(func() {
		os.Setenv("LANGUAGE", "en")
		_ = loadTranslations("")
		os.Unsetenv("LANGUAGE")
	})
	if err := loadTranslations("vi"); err != nil {
		t.Fatal(err)
	}
	if got := txtCall(); got != "Gọi" {
		t.Errorf("Call in Vietnamese = %q", got)
	}
	if got := txtCause("The customer is busy"); got != "Khách hàng đang bận" {
		t.Errorf("busy in Vietnamese = %q", got)
	}
	if got := txtCalling("0901234567"); got != "Đang gọi 0901234567…" {
		t.Errorf("Calling in Vietnamese = %q", got)
	}
	if err := loadTranslations("zh-Hans"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Hang up"); got != "挂断" {
		t.Errorf("Hang up in Chinese = %q", got)
	}
}
