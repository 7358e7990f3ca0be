package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFyneAppToml keeps FyneApp.toml (read by `fyne package` and by Fyne in
// development builds) in step with the code.
func TestFyneAppToml(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		`Name = "` + appName + `"`,
		`ID = "` + AppID + `"`,
		`Icon = "assets/icon.png"`,
		`Version = "0.1.0"`,
		`Build = 1`,
		"[Migrations]\nfyneDo = true",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("FyneApp.toml lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "assets", "icon.png")); err != nil {
		t.Errorf("the icon FyneApp.toml names: %v", err)
	}
}
