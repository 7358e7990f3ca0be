package testbed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBaresipExtraParamsAndModules: BaresipAccountParams and
// BaresipModules reach the account line and the config, a module named
// twice is loaded once, and callers without them get what they got before.
func TestBaresipExtraParamsAndModules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		opts       []BaresipOption
		wantParams []string
		wantMods   map[string]int
	}{
		{"default", nil, nil, map[string]int{"srtp.so": 0, "g711.so": 1}},
		{"srtp", []BaresipOption{BaresipSRTP("srtp-mand"), BaresipModules("srtp.so"), BaresipAccountParams("ptime=20")},
			[]string{";mediaenc=srtp-mand", ";ptime=20"}, map[string]int{"srtp.so": 1, "g711.so": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := baresipSettings{user: "baresip", codecs: []string{"PCMU"}, autoAnswer: true}
			for _, o := range tc.opts {
				o(&s)
			}
			b := &Baresip{settings: s, dir: t.TempDir(), sipPort: 5999, ctrlPort: 5998}
			b.recDir = filepath.Join(b.dir, "recordings")
			if err := b.writeConfig(8000); err != nil {
				t.Fatal(err)
			}
			acc, err := os.ReadFile(filepath.Join(b.dir, "accounts"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.wantParams {
				if !strings.Contains(string(acc), p) {
					t.Errorf("account line %q lacks %q", acc, p)
				}
			}
			if tc.wantParams == nil && strings.Contains(string(acc), "mediaenc") {
				t.Errorf("account line %q has a mediaenc nobody asked for", acc)
			}
			cfg, err := os.ReadFile(filepath.Join(b.dir, "config"))
			if err != nil {
				t.Fatal(err)
			}
			for m, n := range tc.wantMods {
				if got := strings.Count(string(cfg), "\nmodule "+m+"\n"); got != n {
					t.Errorf("config loads %s %d times, want %d:\n%s", m, got, n, cfg)
				}
			}
		})
	}
}

// TestBaresipToBaresipSRTP: two baresips with BaresipSRTP("srtp-mand")
// call each other through Kamailio; both report SDES-SRTP with
// AES_CM_128_HMAC_SHA1_80 and each records the other's tone.
func TestBaresipToBaresipSRTP(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t)
	dir := t.TempDir()
	low, high := filepath.Join(dir, "440.wav"), filepath.Join(dir, "1000.wav")
	if err := WriteToneWAV(low, 440, 10, 8000); err != nil {
		t.Fatal(err)
	}
	if err := WriteToneWAV(high, 1000, 10, 8000); err != nil {
		t.Fatal(err)
	}
	caller := StartBaresip(t, BaresipRegister(k, "1005"), BaresipAudioFile(low), BaresipCodecs("PCMU"), BaresipSRTP("srtp-mand"))
	callee := StartBaresip(t, BaresipRegister(k, "1006"), BaresipAudioFile(high), BaresipCodecs("PCMU"), BaresipSRTP("srtp-mand"))
	ctx := testContext(t, 30*time.Second)
	if err := caller.Dial(k.URI("1006")); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*Baresip{caller, callee} {
		ev, err := b.WaitEvent(ctx, "CALL_MENC")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(ev.Param, ",AES_CM_128_HMAC_SHA1_80") {
			t.Errorf("%s: CALL_MENC %q, want AES_CM_128_HMAC_SHA1_80", b.User(), ev.Param)
		}
		if _, err := b.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	if err := caller.Hangup(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		b    *Baresip
		hear float64
	}{{caller, 1000}, {callee, 440}} {
		if _, err := tc.b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
		path, err := tc.b.ReceivedWAV(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w, err := ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		if level := ToneLevel(w.Mono(), w.SampleRate, tc.hear); level < 0.2 || w.Duration() < 0.5 {
			t.Errorf("%s heard %.0f Hz at %.3f in %.2f s; want the far end's tone", tc.b.User(), tc.hear, level, w.Duration())
		}
	}
}
