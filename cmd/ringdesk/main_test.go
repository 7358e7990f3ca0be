package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runRingdesk runs the command in-process with a private log file.
func runRingdesk(t *testing.T, args ...string) (code int, stdout, stderr, logText string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "ringdesk.log")
	var out, errOut bytes.Buffer
	code = run(append([]string{"--log-file", logPath}, args...), &out, &errOut)
	logBytes, _ := os.ReadFile(logPath)
	return code, out.String(), errOut.String(), string(logBytes)
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const validAccount = `[[accounts]]
id = "main"
username = "1001"
domain = "127.0.0.1"
transport = "udp"
`

func TestBadConfigIsNamedAndLeftAlone(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		field      string
	}{
		{"syntax error", "[[accounts]]\nid = \"main\"\nusername = 1001\"\n", 3, ""},
		{"unknown transport", strings.Replace(validAccount, `transport = "udp"`, `transport = "udpp"`, 1), 5, "accounts[0].transport"},
		{"port out of range", validAccount + "server = \"pbx.example.com:70000\"\n", 6, "accounts[0].server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			before, _ := os.ReadFile(path)
			code, stdout, stderr, logText := runRingdesk(t, "--config", path, "--check-config")
			if code != 1 {
				t.Errorf("exit code %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			where := fmt.Sprintf("%s:%d", path, tc.line)
			for name, text := range map[string]string{"stdout": stdout, "log": logText} {
				if !strings.Contains(text, where) {
					t.Errorf("%s does not name the file and line %q:\n%s", name, where, text)
				}
				if !strings.Contains(text, tc.field) {
					t.Errorf("%s does not name the field %q:\n%s", name, tc.field, text)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Errorf("the user's file was changed:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

func TestCheckConfigSaysWhereThePasswordComesFromAndLeaksNothing(t *testing.T) {
	const secret = "correct-horse-battery-staple-1001"
	t.Setenv("RINGDESK_TEST_MAIN_PASSWORD", secret)
	path := writeConfig(t, validAccount+"password_env = \"RINGDESK_TEST_MAIN_PASSWORD\"\n\n[log]\nlevel = \"debug\"\nsip_trace = true\n")
	code, stdout, stderr, logText := runRingdesk(t, "--config", path, "--check-config")
	if code != 0 {
		t.Fatalf("exit code %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "environment variable RINGDESK_TEST_MAIN_PASSWORD") {
		t.Errorf("--check-config does not say the password came from the environment variable:\n%s", stdout)
	}
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr, "log": logText} {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds the password:\n%s", name, text)
		}
	}
}

func TestMissingPasswordIsReported(t *testing.T) {
	path := writeConfig(t, validAccount+"password_env = \"RINGDESK_TEST_UNSET_VARIABLE\"\n")
	code, stdout, _, _ := runRingdesk(t, "--config", path, "--check-config")
	if code != 1 || !strings.Contains(stdout, "RINGDESK_TEST_UNSET_VARIABLE") {
		t.Errorf("exit %d, stdout %q: want 1 and a message naming the unset variable", code, stdout)
	}
}

func TestFlags(t *testing.T) {
	if code, stdout, _, _ := runRingdesk(t, "--version"); code != 0 || !strings.HasPrefix(stdout, "ringdesk ") {
		t.Errorf("--version: exit %d, stdout %q", code, stdout)
	}
	if code, _, stderr, _ := runRingdesk(t, "--no-such-flag"); code != 2 || !strings.Contains(stderr, "no-such-flag") {
		t.Errorf("unknown flag: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr, _ := runRingdesk(t, "stray"); code != 2 || !strings.Contains(stderr, "stray") {
		t.Errorf("stray argument: exit %d, stderr %q", code, stderr)
	}
}

func TestLinkPasswordIsDropped(t *testing.T) {
	for in, want := range map[string]string{
		"sip:1002:s3cret@pbx.example.com":  "sip:1002@pbx.example.com",
		"SIPS:1002:s3cret@pbx.example.com": "SIPS:1002@pbx.example.com",
		"sip:1002@pbx.example.com":         "sip:1002@pbx.example.com",
		"tel:+84977805845":                 "tel:+84977805845",
	} {
		if got := withoutPassword(in); got != want {
			t.Errorf("withoutPassword(%q) = %q, want %q", in, got, want)
		}
	}
}
