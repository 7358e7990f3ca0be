package gui

import (
	"embed"
	"fmt"
	"os"

	"fyne.io/fyne/v2/lang"
)

// translations holds the window's strings in the languages Ringdesk ships
// besides English (the keys): Vietnamese and Simplified Chinese, for the
// call centres Ringdesk was first made for. Each file maps the English text
// (text.go, and the engine's sentences for SIP failures) to its translation.
//
//go:embed translations/*.json
var translations embed.FS

// loadTranslations adds the shipped translations and chooses the language:
// language ("vi", "zh-Hans", "en"; from [ui] language) when set, else the
// system's. Fyne reads the choice from the environment, so a setting is
// put there first, for this process only.
func loadTranslations(language string) error {
	if language != "" {
		if err := os.Setenv("LANGUAGE", language); err != nil {
			return fmt.Errorf("choose the language %q: %w", language, err)
		}
	}
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		return fmt.Errorf("load the window's translations: %w", err)
	}
	return nil
}
