package applog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedactSIPHidesCredentials(t *testing.T) {
	const secretResponse = "6629fae49393a05397450978507c4ef1"
	msg := "REGISTER sip:pbx.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK776asdhds\r\n" +
		`Authorization: Digest username="1001", realm="pbx", nonce="abc", uri="sip:pbx.example.com", response="` + secretResponse + `", algorithm=MD5` + "\r\n" +
		"proxy-authorization:Digest username=\"1001\",response=" + secretResponse + ",nc=00000001\r\n" +
		"Authorization: Basic MTAwMTpodW50ZXIy\r\n" +
		"Content-Length: 0\r\n\r\n"

	got := RedactSIP(msg)
	for _, secret := range []string{secretResponse, "MTAwMTpodW50ZXIy"} {
		if strings.Contains(got, secret) {
			t.Fatalf("redacted message still holds %q:\n%s", secret, got)
		}
	}
	for _, kept := range []string{`username="1001"`, `realm="pbx"`, `nonce="abc"`, "algorithm=MD5", "nc=00000001", "Via: SIP/2.0/UDP", "Content-Length: 0\r\n\r\n"} {
		if !strings.Contains(got, kept) {
			t.Errorf("redaction removed %q, which is not secret:\n%s", kept, got)
		}
	}
	if strings.Count(got, "\r\n") != strings.Count(msg, "\r\n") {
		t.Errorf("redaction changed the line structure:\n%q", got)
	}
}

func TestRedactSIPHidesSRTPKeys(t *testing.T) {
	const key = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	msg := "v=0\r\nm=audio 4000 RTP/SAVP 0\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^20|1:4\r\n" +
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + key + "\r\n"
	got := RedactSIP(msg)
	if strings.Contains(got, key) {
		t.Fatalf("the SRTP key is still in the trace:\n%s", got)
	}
	for _, kept := range []string{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", "|2^20|1:4", "m=audio 4000 RTP/SAVP 0"} {
		if !strings.Contains(got, kept) {
			t.Errorf("redaction removed %q:\n%s", kept, got)
		}
	}
}

func TestTraceSIPOnlyWhenSwitchedOnAndNeverLeaks(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	msg := `Authorization: Digest username="1001", response="` + secret + `"` + "\r\n"
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprint("trace=", on), func(t *testing.T) {
			var stderr bytes.Buffer
			path := filepath.Join(t.TempDir(), "ringdesk.log")
			l, err := New(Options{File: path, Stderr: &stderr, SIPTrace: on, Level: "debug"})
			if err != nil {
				t.Fatal(err)
			}
			l.TraceSIP("send", "udp", "127.0.0.1:5060", msg)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{"stderr": stderr.String(), "file": string(file)} {
				if strings.Contains(out, secret) {
					t.Errorf("%s holds the digest response: %s", name, out)
				}
				if got := strings.Contains(out, "sip send"); got != on {
					t.Errorf("%s: trace line present = %v, want %v: %q", name, got, on, out)
				}
			}
		})
	}
}

func TestRotatingFileCapsSizeAndKeepsBackups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "ringdesk.log")
	const maxBytes, backups = 100, 2
	f, err := OpenRotatingFile(path, maxBytes, backups)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 39) + "\n" // 40 bytes: two fit, the third rotates
	for i := 0; i < 20; i++ {
		if _, err := f.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + ".1", path + ".2"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatalf("expected %s: %v", name, err)
		}
		if info.Size() > maxBytes {
			t.Errorf("%s is %d bytes, over the cap of %d", name, info.Size(), maxBytes)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, info.Mode().Perm())
		}
	}
	if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
		t.Errorf("a third backup exists although only %d are kept (err %v)", backups, err)
	}
}

func TestRotatingFileAppendsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ringdesk.log")
	for i := 0; i < 2; i++ {
		f, err := OpenRotatingFile(path, 1<<20, 1)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "run %d\n", i)
		f.Close()
	}
	got, _ := os.ReadFile(path)
	if string(got) != "run 0\nrun 1\n" {
		t.Fatalf("log after two runs = %q", got)
	}
}

func TestParseLevel(t *testing.T) {
	for _, name := range []string{"", "info", "DEBUG", "warn", "warning", "error"} {
		if _, err := ParseLevel(name); err != nil {
			t.Errorf("ParseLevel(%q): %v", name, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil || !strings.Contains(err.Error(), "loud") {
		t.Errorf("ParseLevel(loud) error = %v, want one naming the value", err)
	}
}

func TestSetLevelAndTraceAfterStart(t *testing.T) {
	var stderr bytes.Buffer
	l, err := New(Options{File: filepath.Join(t.TempDir(), "r.log"), Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Debug("hidden")
	if err := l.SetLevel("debug"); err != nil {
		t.Fatal(err)
	}
	l.Debug("shown")
	l.SetSIPTrace(true)
	l.TraceSIP("recv", "udp", "127.0.0.1:5060", "OPTIONS sip:x SIP/2.0\r\n")
	out := stderr.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, "shown") || !strings.Contains(out, "sip recv") {
		t.Fatalf("level or trace switch not applied:\n%s", out)
	}
	if err := l.SetLevel("chatty"); err == nil {
		t.Fatal("SetLevel accepted an unknown level")
	}
}
