package sdp

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCrypto(t *testing.T) {
	key30 := "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
	for _, tc := range []struct {
		in      string
		ok      bool
		suite   string
		mkiLen  int
		wantErr string
	}{
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + key30, ok: true, suite: AES_CM_128_HMAC_SHA1_80},
		{in: "2 AES_CM_128_HMAC_SHA1_32 inline:" + key30 + "|2^20|1:4", ok: true, suite: AES_CM_128_HMAC_SHA1_32, mkiLen: 4},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1048576", ok: true, suite: AES_CM_128_HMAC_SHA1_80},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + strings.TrimRight(key30, "="), ok: true, suite: AES_CM_128_HMAC_SHA1_80},
		{in: "1 F8_128_HMAC_SHA1_80 inline:" + key30, wantErr: "suite"},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", wantErr: "30 bytes"},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " UNENCRYPTED_SRTP", wantErr: "session parameters"},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1:1;inline:" + key30 + "|2:1", wantErr: "more than one key"},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|300:1", wantErr: "MKI"},
		{in: "x AES_CM_128_HMAC_SHA1_80 inline:" + key30, wantErr: "tag"},
		{in: "1 AES_CM_128_HMAC_SHA1_80", wantErr: "needs"},
		{in: "1 AES_CM_128_HMAC_SHA1_80 uri:" + key30, wantErr: "inline"},
	} {
		c, err := ParseCrypto(tc.in)
		if tc.ok {
			if err != nil || c.Suite != tc.suite || len(c.Key) != 30 || len(c.MKI) != tc.mkiLen {
				t.Errorf("ParseCrypto(%q) = %#v, %v", tc.in, c, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseCrypto(%q) error %v, want one about %q", tc.in, err, tc.wantErr)
		}
	}
	c := Crypto{Tag: 3, Suite: AES_CM_128_HMAC_SHA1_80, Key: bytes.Repeat([]byte{1}, 30), MKI: []byte{0, 5}}
	back, err := ParseCrypto(c.String())
	if err != nil || back.Tag != 3 || !bytes.Equal(back.Key, c.Key) || !bytes.Equal(back.MKI, c.MKI) {
		t.Errorf("round trip of %s: %#v, %v", c.String(), back, err)
	}
	if g := c.GoString(); strings.Contains(g, "AQEB") {
		t.Errorf("GoString shows the key: %s", g)
	}
}

func TestSRTPModeNames(t *testing.T) {
	for _, s := range []string{"off", "optional", "required", "REQUIRED", ""} {
		m, err := ParseSRTPMode(s)
		if err != nil || (s != "" && m.String() != strings.ToLower(s)) {
			t.Errorf("ParseSRTPMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseSRTPMode("mandatory"); err == nil {
		t.Error("ParseSRTPMode accepted mandatory")
	}
}

const (
	plainAudio  = "m=audio 4000 RTP/AVP 0\r\n"
	bestEffort  = "m=audio 4002 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
	savp        = "m=audio 4004 RTP/SAVP 0\r\na=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
	savpNoKey   = "m=audio 4006 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
	sdpPreamble = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
)

// TestSelect checks which stream and key each policy takes from offers
// with plain, best-effort and SRTP-only audio, and why it refuses.
func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		streams string
		mode    SRTPMode
		port    int // 0: refused
		tag     int // 0: plain
		err     error
	}{
		{"plain/off", plainAudio, SRTPOff, 4000, 0, nil},
		{"plain/optional", plainAudio, SRTPOptional, 4000, 0, nil},
		{"plain/required", plainAudio, SRTPRequired, 0, 0, ErrSRTPRequired},
		{"best-effort/off", bestEffort, SRTPOff, 4002, 0, nil},
		{"best-effort/optional", bestEffort, SRTPOptional, 4002, 1, nil},
		{"best-effort/required", bestEffort, SRTPRequired, 4002, 1, nil},
		{"savp/off", savp, SRTPOff, 0, 0, ErrSRTPOff},
		{"savp/optional", savp, SRTPOptional, 4004, 5, nil},
		{"savp/required", savp, SRTPRequired, 4004, 5, nil},
		{"savp-unknown-suite/required", savpNoKey, SRTPRequired, 0, 0, ErrNotAcceptable},
		{"savp-then-plain/off", savp + plainAudio, SRTPOff, 4000, 0, nil},
		{"savp-then-plain/optional", savp + plainAudio, SRTPOptional, 4004, 5, nil},
		{"plain-then-savp/required", plainAudio + savp, SRTPRequired, 4004, 5, nil},
		{"plain-then-savp/optional", plainAudio + savp, SRTPOptional, 4000, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(sdpPreamble + tc.streams))
			if err != nil {
				t.Fatal(err)
			}
			m, c, err := d.Select(tc.mode)
			if tc.port == 0 {
				if !errors.Is(err, tc.err) || !errors.Is(err, ErrNotAcceptable) {
					t.Fatalf("Select: %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Port != tc.port || (c == nil) != (tc.tag == 0) || (c != nil && c.Tag != tc.tag) {
				t.Fatalf("Select chose port %d key %#v, want port %d tag %d", m.Port, c, tc.port, tc.tag)
			}
			// The answer puts our stream where the chosen one was.
			l := Local{Addr: netip.MustParseAddr("127.0.0.1"), Port: 5000, Formats: []Format{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}
			body, err := Answer(d, l)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range back.audios {
				if (s.Port == 5000) != (s.index == m.index) {
					t.Errorf("answer stream %d port %d:\n%s", i, s.Port, body)
				}
			}
		})
	}
}

// TestSRTPOnlyPeerOffer: the captured SAVP offer with an MKI is usable
// when SRTP is allowed.
func TestSRTPOnlyPeerOffer(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "srtp-only-offer.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	m, c, err := d.Select(SRTPOptional)
	if err != nil || !m.Secure || c == nil || c.Tag != 1 || len(c.MKI) != 32 || c.MKI[31] != 1 {
		t.Fatalf("Select: %v %#v %v", m, c, err)
	}
	if _, _, err := d.Select(SRTPOff); !errors.Is(err, ErrSRTPOff) {
		t.Errorf("off took an SRTP-only offer: %v", err)
	}
}
