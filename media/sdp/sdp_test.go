package sdp

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var supported = []Format{
	{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1},
	{PayloadType: 8, Name: "PCMA", ClockRate: 8000, Channels: 1},
}

func TestDirectionStrings(t *testing.T) {
	for d, want := range map[Direction]string{SendRecv: "sendrecv", SendOnly: "sendonly", RecvOnly: "recvonly", Inactive: "inactive", Direction(9): "Direction(9)"} {
		if got := d.String(); got != want {
			t.Errorf("Direction(%d).String() = %q, want %q", int(d), got, want)
		}
		if back, ok := ParseDirection(want); ok && back != d {
			t.Errorf("ParseDirection(%q) = %v", want, back)
		}
	}
}

func TestAnswerDirection(t *testing.T) {
	for _, tc := range []struct{ local, offered, want Direction }{
		{SendRecv, SendRecv, SendRecv},
		{SendRecv, SendOnly, RecvOnly},
		{SendRecv, RecvOnly, SendOnly},
		{SendRecv, Inactive, Inactive},
		{SendOnly, SendRecv, SendOnly},
		{SendOnly, SendOnly, Inactive},
		{Inactive, SendRecv, Inactive},
		{RecvOnly, SendOnly, RecvOnly},
	} {
		if got := AnswerDirection(tc.local, tc.offered); got != tc.want {
			t.Errorf("AnswerDirection(%v, %v) = %v, want %v", tc.local, tc.offered, got, tc.want)
		}
	}
}

// TestPeerOffers parses offers captured from or modelled on real phones
// and checks what we would answer.
func TestPeerOffers(t *testing.T) {
	for _, tc := range []struct {
		file      string
		codec     string // "" = not acceptable
		pt        uint8
		eventPT   int // -1 = none
		port      int
		rtcpPort  int
		effective Direction
		why       string
	}{
		{file: "baresip-offer.sdp", codec: "PCMU", pt: 0, eventPT: 101, port: 23498, rtcpPort: 23499, effective: SendRecv},
		{file: "sipp-offer.sdp", codec: "PCMU", pt: 0, eventPT: 101, port: 6000, rtcpPort: 6001, effective: SendRecv},
		{file: "linphone-offer.sdp", codec: "PCMU", pt: 0, eventPT: 100, port: 7078, rtcpPort: 7079, effective: SendRecv},
		{file: "asterisk-offer.sdp", codec: "PCMA", pt: 8, eventPT: 101, port: 10042, rtcpPort: 10043, effective: SendRecv},
		{file: "asterisk-hold-reoffer.sdp", codec: "PCMA", pt: 8, eventPT: 101, port: 10042, rtcpPort: 10043, effective: SendOnly},
		{file: "old-hold-offer.sdp", codec: "PCMU", pt: 0, eventPT: 101, port: 25000, rtcpPort: 25001, effective: SendOnly},
		{file: "srtp-only-offer.sdp", why: "RTP/SAVP"},
		{file: "chromium-offer.sdp", why: "UDP/TLS/RTP/SAVPF"},
		{file: "audio-disabled-offer.sdp", why: "port 0"},
		{file: "no-common-codec-offer.sdp", why: "G722/8000, G729/8000"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			m, err := d.Usable()
			var codec, event Format
			var hasEvent bool
			if err == nil {
				codec, event, hasEvent, err = Choose(m, supported)
			}
			if tc.codec == "" {
				if !errors.Is(err, ErrNotAcceptable) || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("err = %v, want ErrNotAcceptable mentioning %q", err, tc.why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if codec.Name != tc.codec || codec.PayloadType != tc.pt {
				t.Errorf("chose %v, want %s (%d)", codec, tc.codec, tc.pt)
			}
			if got := -1; hasEvent {
				got = int(event.PayloadType)
				if got != tc.eventPT {
					t.Errorf("telephone-event pt %d, want %d", got, tc.eventPT)
				}
			} else if tc.eventPT >= 0 {
				t.Errorf("no telephone-event, want pt %d", tc.eventPT)
			}
			if m.Port != tc.port || m.RTCPPort != tc.rtcpPort || m.Effective() != tc.effective {
				t.Errorf("port %d rtcp %d effective %v, want %d %d %v", m.Port, m.RTCPPort, m.Effective(), tc.port, tc.rtcpPort, tc.effective)
			}
			answer, err := Answer(d, Local{Username: "ringdesk", SessionID: 7, Version: 1, Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000, RTCPPort: 40001,
				Formats: []Format{codec, {PayloadType: event.PayloadType, Name: TelephoneEvent, ClockRate: 8000, Fmtp: "0-16"}}, Direction: AnswerDirection(SendRecv, m.Effective()), Ptime: 20})
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			back, err := Parse(answer)
			if err != nil {
				t.Fatalf("our answer does not parse: %v\n%s", err, answer)
			}
			if len(back.streams) != len(d.streams) {
				t.Errorf("answer has %d m= lines, offer %d:\n%s", len(back.streams), len(d.streams), answer)
			}
			if back.Audio == nil || back.Audio.Formats[0].PayloadType != tc.pt || back.Audio.Direction != AnswerDirection(SendRecv, tc.effective) {
				t.Errorf("answer audio wrong:\n%s", answer)
			}
		})
	}
}

func TestOfferRoundTrip(t *testing.T) {
	l := Local{Username: "ringdesk", SessionID: 42, Version: 3, Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000, RTCPPort: 40001,
		Formats: append(append([]Format{}, supported...), Format{PayloadType: 101, Name: TelephoneEvent, ClockRate: 8000, Fmtp: "0-16"}), Direction: SendOnly, Ptime: 20}
	body, err := Offer(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"o=ringdesk 42 3 IN IP4 127.0.0.1\r\n", "c=IN IP4 127.0.0.1\r\n", "m=audio 40000 RTP/AVP 0 8 101\r\n",
		"a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:101 telephone-event/8000\r\n", "a=fmtp:101 0-16\r\n",
		"a=ptime:20\r\n", "a=rtcp:40001\r\n", "a=sendonly\r\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("offer lacks %q:\n%s", want, body)
		}
	}
	d, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 3 || d.Audio.Direction != SendOnly || len(d.Audio.Formats) != 3 || d.Audio.Ptime != 20 {
		t.Errorf("parsed back %+v", d.Audio)
	}
	l.Addr = netip.MustParseAddr("::1")
	if body, err = Offer(l); err != nil || !strings.Contains(string(body), "c=IN IP6 ::1") {
		t.Errorf("IPv6 offer: %v\n%s", err, body)
	}
}

func TestMalformed(t *testing.T) {
	for _, body := range []string{"", "hello", "v=0\r\no=broken\r\n", "v=0\r\nm=audio x RTP/AVP 0\r\n", "\x00\x01\x02"} {
		if d, err := Parse([]byte(body)); err == nil {
			if _, err := d.Usable(); err == nil {
				t.Errorf("Parse(%q) gave usable audio", body)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sdp")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := Parse(body)
		if err != nil {
			return
		}
		if m, err := d.Usable(); err == nil {
			_, _, _, _ = Choose(m, supported)
		}
	})
}
