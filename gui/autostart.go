package gui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Start on login. On Linux (and the BSDs) Ringdesk writes an XDG autostart
// entry, ~/.config/autostart/ringdesk.desktop, which every desktop that
// follows the XDG Autostart specification runs at login; unticking the
// box deletes it. Windows (a Run registry value) and macOS (a login item
// through SMAppService) need their own code, not written yet: there the
// box is shown disabled and says so.

// autostartFile is the entry's name, after the application ID.
const autostartFile = AppID + ".desktop"

// autostartSupported says whether this system has an autostart Ringdesk
// can set.
func autostartSupported() bool {
	return runtime.GOOS != "windows" && runtime.GOOS != "darwin" && runtime.GOOS != "android" && runtime.GOOS != "ios"
}

// autostartPath is the XDG autostart entry's path.
func autostartPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no folder for the autostart entry: %w", err)
	}
	return filepath.Join(dir, "autostart", autostartFile), nil
}

// autostartEnabled says whether the autostart entry is there.
func autostartEnabled() bool {
	if !autostartSupported() {
		return false
	}
	path, err := autostartPath()
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// setAutostart writes or deletes the autostart entry; it starts this
// program, wherever it is installed.
func setAutostart(on bool) error {
	path, err := autostartPath()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove %s: %w", path, err)
		}
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find Ringdesk's program file: %w", err)
	}
	entry, err := autostartEntry(exe)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(entry), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// autostartEntry is the XDG autostart entry that starts the program exe.
// A path with a control character is refused: a newline would end the Exec
// line, and what follows would be read as more keys of the entry.
func autostartEntry(exe string) (string, error) {
	if strings.ContainsFunc(exe, isControl) {
		return "", fmt.Errorf("the program path %q has a control character, which an autostart entry cannot hold", exe)
	}
	return "[Desktop Entry]\nType=Application\nName=" + appName +
		"\nComment=Softphone\nExec=" + desktopExecQuote(exe) +
		"\nIcon=" + AppID + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n", nil
}

// desktopExecQuote quotes a program path for a .desktop file's Exec key
// (Desktop Entry Specification, "The Exec key"): a path with a reserved
// character is quoted, with ", `, $ and \ escaped by a backslash and each
// backslash doubled again for the string value; % is written %%, since a
// lone % starts a field code (%f, %u, ...). The path must have no control
// character (autostartEntry refuses one): a newline would end the line.
func desktopExecQuote(path string) string {
	path = strings.ReplaceAll(path, "%", "%%")
	if !strings.ContainsAny(path, " \t\n\"'\\><~|&;$*?#()`") {
		return path
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`)
	return `"` + r.Replace(path) + `"`
}

// isControl says whether r is an ASCII control character.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
