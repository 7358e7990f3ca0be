package media

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/ringdesk/ringdesk/media/codec/g711"
	"github.com/ringdesk/ringdesk/media/mediatest"
	"github.com/ringdesk/ringdesk/media/rtp"
)

var cryptoLine = regexp.MustCompile(`(?m)^a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)\r?$`)

// keyOf returns the base64 key of an SDP body's a=crypto line, "" when it
// has none.
func keyOf(t *testing.T, body []byte) string {
	t.Helper()
	m := cryptoLine.FindSubmatch(body)
	if m == nil {
		return ""
	}
	if k, err := base64.StdEncoding.DecodeString(string(m[3])); err != nil || len(k) != 30 {
		t.Errorf("crypto key %q is not 30 bytes of base64", m[3])
	}
	return string(m[3])
}

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSRTPToneCrossesTheCall: with SRTP both ways, each side hears the
// other's tone; the SDP carries a fresh key per side, the profile follows
// the policy, and no key reaches the logs.
func TestSRTPToneCrossesTheCall(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b       SRTPMode
		offerProto string
	}{
		{"required-required", SRTPRequired, SRTPRequired, "RTP/SAVP"},
		{"optional-required", SRTPOptional, SRTPRequired, "RTP/AVP"},
		{"required-optional", SRTPRequired, SRTPOptional, "RTP/SAVP"},
		{"optional-optional", SRTPOptional, SRTPOptional, "RTP/AVP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &lockedBuffer{}
			log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			recA, recB := mediatest.NewRecorder(), mediatest.NewRecorder()
			a := newSession(t, Config{SRTP: tc.a, Source: NewToneSource(440, 0.5), Sink: recA, Logger: log})
			b := newSession(t, Config{SRTP: tc.b, Source: NewToneSource(1000, 0.5), Sink: recB, Logger: log})
			offer, answer := negotiate(t, a, b)
			if !bytes.Contains(offer, []byte("m=audio "+itoa(a.LocalAddr().Port)+" "+tc.offerProto+" ")) {
				t.Errorf("offer is not %s:\n%s", tc.offerProto, offer)
			}
			if !bytes.Contains(answer, []byte(" "+tc.offerProto+" ")) {
				t.Errorf("answer does not keep the offer's %s:\n%s", tc.offerProto, answer)
			}
			ka, kb := keyOf(t, offer), keyOf(t, answer)
			if ka == "" || kb == "" || ka == kb {
				t.Fatalf("want a different key in offer and answer:\n%s\n%s", offer, answer)
			}
			if m := cryptoLine.FindSubmatch(answer); string(m[1]) != "1" || string(m[2]) != "AES_CM_128_HMAC_SHA1_80" {
				t.Errorf("answer's crypto tag/suite %q %q", m[1], m[2])
			}
			start(t, a, b)
			waitFrames(t, recB, 100)
			waitFrames(t, recA, 100)
			stA, stB := a.Stats(), b.Stats()
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			heardB, rate := recB.Samples()
			if got := mediatest.Measure(heardB, rate, 440); got.SNR < 20 {
				t.Errorf("B heard 440 Hz with SNR %.1f dB (B: %+v)", got.SNR, stB)
			}
			heardA, _ := recA.Samples()
			if got := mediatest.Measure(heardA, rate, 1000); got.SNR < 20 {
				t.Errorf("A heard 1000 Hz with SNR %.1f dB (A: %+v)", got.SNR, stA)
			}
			for _, st := range []Stats{stA, stB} {
				if st.SRTP != "AES_CM_128_HMAC_SHA1_80" || st.PacketsUnauthenticated != 0 || st.PacketsReceived < 80 {
					t.Errorf("stats %+v", st)
				}
			}
			if l := logs.String(); strings.Contains(l, ka) || strings.Contains(l, kb) {
				t.Error("an SRTP key is in the logs")
			}
			if !strings.Contains(logs.String(), "audio is encrypted") {
				t.Error("the log does not say the audio is encrypted")
			}
		})
	}
}

// TestSRTPPolicy checks what each pair of policies agrees, or why it
// refuses (the SIP engine answers 488).
func TestSRTPPolicy(t *testing.T) {
	for _, tc := range []struct {
		name       string
		offerer    SRTPMode
		answerer   SRTPMode
		answerErr  error // from Answer
		encrypted  bool
		offerProto string
	}{
		{"off-off", SRTPOff, SRTPOff, nil, false, "RTP/AVP"},
		{"off-optional", SRTPOff, SRTPOptional, nil, false, "RTP/AVP"},
		{"off-required", SRTPOff, SRTPRequired, ErrSRTPRequired, false, "RTP/AVP"},
		{"optional-off", SRTPOptional, SRTPOff, nil, false, "RTP/AVP"},
		{"required-off", SRTPRequired, SRTPOff, ErrSRTPOff, false, "RTP/SAVP"},
		{"optional-optional", SRTPOptional, SRTPOptional, nil, true, "RTP/AVP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newSession(t, Config{SRTP: tc.offerer})
			b := newSession(t, Config{SRTP: tc.answerer})
			offer, err := a.Offer()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(offer, []byte(" "+tc.offerProto+" ")) || (keyOf(t, offer) != "") != (tc.offerer != SRTPOff) {
				t.Errorf("offer:\n%s", offer)
			}
			answer, err := b.Answer(offer)
			if tc.answerErr != nil {
				if !errors.Is(err, tc.answerErr) || !errors.Is(err, ErrNotAcceptable) {
					t.Fatalf("Answer: %v, want %v (and ErrNotAcceptable)", err, tc.answerErr)
				}
				if b.Codec() != "" {
					t.Error("a refused offer changed the session")
				}
				return
			}
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			if err := a.SetAnswer(answer); err != nil {
				t.Fatalf("SetAnswer: %v\n%s", err, answer)
			}
			if (a.SRTP() != "") != tc.encrypted || (b.SRTP() != "") != tc.encrypted {
				t.Errorf("SRTP %q / %q, want encrypted=%v\n%s", a.SRTP(), b.SRTP(), tc.encrypted, answer)
			}
			if !tc.encrypted && keyOf(t, answer) != "" {
				t.Errorf("a plain answer carries a key:\n%s", answer)
			}
		})
	}
}

// TestSRTPAnswerChecked: as offerer, a required session refuses a plain
// answer and an answer whose key does not match our tag and suite; an off
// session refuses an RTP/SAVP answer. The last negotiation stays.
func TestSRTPAnswerChecked(t *testing.T) {
	req := newSession(t, Config{SRTP: SRTPRequired})
	plain := newSession(t, Config{})
	if _, err := req.Offer(); err != nil {
		t.Fatal(err)
	}
	po, err := plain.Offer()
	if err != nil {
		t.Fatal(err)
	}
	// A plain SDP as "answer" to the required offer.
	if err := req.SetAnswer(po); !errors.Is(err, ErrSRTPRequired) {
		t.Errorf("required offerer took a plain answer: %v", err)
	}
	opt := newSession(t, Config{SRTP: SRTPOptional})
	oo, err := opt.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Offer(); err != nil {
		t.Fatal(err)
	}
	wrongTag := bytes.Replace(oo, []byte("a=crypto:1 "), []byte("a=crypto:7 "), 1)
	if err := req.SetAnswer(wrongTag); !errors.Is(err, ErrNotAcceptable) || !strings.Contains(err.Error(), "tag") {
		t.Errorf("answer with another tag: %v", err)
	}
	if req.Codec() != "" || req.SRTP() != "" {
		t.Error("a refused answer changed the session")
	}
	// An off offerer given an RTP/SAVP answer.
	if _, err := plain.Offer(); err != nil {
		t.Fatal(err)
	}
	ro, err := req.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.SetAnswer(ro); !errors.Is(err, ErrSRTPOff) {
		t.Errorf("off offerer took an RTP/SAVP answer: %v", err)
	}
}

// TestSRTPBadPacketsDropped sends an SRTP session plain RTP with its
// far end's SSRC and payload type, SRTP under another key, a replay, and
// plain RTCP: all are dropped and counted, never played, and the call's
// tone goes on.
func TestSRTPBadPacketsDropped(t *testing.T) {
	recB := mediatest.NewRecorder()
	a := newSession(t, Config{SRTP: SRTPRequired, Source: NewToneSource(440, 0.5)})
	b := newSession(t, Config{SRTP: SRTPRequired, Sink: recB})
	negotiate(t, a, b)
	start(t, a, b)
	waitFrames(t, recB, 10)
	c, err := net.DialUDP("udp", nil, b.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Loud 1 kHz: if any of it were played, B would hear it.
	loud := make([]int16, frameLen)
	if err := NewToneSource(1000, 0.9).ReadFrame(loud, clockRate); err != nil {
		t.Fatal(err)
	}
	enc := g711.AppendULaw(nil, loud)
	ssrc := a.sender.SSRC()
	key := bytes.Repeat([]byte{7}, 30)
	wrong, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	// The bad packets carry sequence numbers just ahead of the real
	// stream's, so SRTP checks their authentication; numbers far from it
	// would be refused as replays before that, which proves less.
	b.rx.mu.Lock()
	rr, _ := b.rx.rec.Report(time.Now())
	b.rx.mu.Unlock()
	seq := uint16(rr.LastSequenceNumber) + 20
	for range 20 {
		seq++
		plainPkt, err := (&pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: 1000, SSRC: ssrc}, Payload: enc}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		forged, err := wrong.EncryptRTP(nil, plainPkt, nil)
		if err != nil {
			t.Fatal(err)
		}
		flipped := bytes.Clone(forged)
		flipped[20] ^= 0x55
		junk := bytes.Repeat([]byte{0x80}, 40)
		junk[2], junk[3] = byte(seq>>8), byte(seq)
		for _, pkt := range [][]byte{plainPkt, forged, flipped, {0x80, 0, 0, 1}, junk} {
			if _, err := c.Write(pkt); err != nil {
				t.Fatal(err)
			}
		}
	}
	rtcp, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: b.LocalAddr().Port + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rtcp.Close()
	// A plain receiver report: not SRTCP.
	if _, err := rtcp.Write([]byte{0x81, 201, 0, 7, 0, 0, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	mark := recB.Frames()
	waitFrames(t, recB, mark+50)
	st := b.Stats()
	if st.PacketsUnauthenticated < 60 || st.PacketsDiscarded < st.PacketsUnauthenticated {
		t.Errorf("stats after 100 bad packets: %+v", st)
	}
	heard, rate := recB.Samples()
	if got := mediatest.Measure(heard, rate, 1000); got.SNR > 0 {
		t.Errorf("the forged 1 kHz was played: SNR %.1f dB", got.SNR)
	}
	if got := mediatest.Measure(heard[mark*frameLen:], rate, 440); got.SNR < 20 {
		t.Errorf("after bad SRTP B hears 440 Hz with SNR %.1f dB", got.SNR)
	}
}

// TestSRTCP: our RTCP report, encrypted, hides the CNAME, decrypts at the
// far end into a report it reads, and fails authentication when altered.
func TestSRTCP(t *testing.T) {
	a := newSession(t, Config{SRTP: SRTPRequired})
	b := newSession(t, Config{SRTP: SRTPRequired})
	negotiate(t, a, b)
	fa, fb := a.flow.Load(), b.flow.Load()
	rep, err := rtp.Report(a.sender, a.rx.rec, a.cname, 0, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	enc, err := fa.sec.out.encryptRTCP(nil, rep)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, []byte("@ringdesk")) || len(enc) != len(rep)+4+10 || enc[len(enc)-14]&0x80 == 0 {
		t.Errorf("SRTCP packet (%d bytes from %d) is not encrypted with E flag, index and tag", len(enc), len(rep))
	}
	dec, err := fb.sec.in.decryptRTCP(make([]byte, 0, maxPacket), enc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rtp.ParseReport(dec, b.sender.SSRC(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := fb.sec.in.decryptRTCP(nil, enc); err == nil {
		t.Error("a replayed SRTCP packet was accepted")
	} else if why, auth := srtpDropReason("SRTCP packet", err); auth || !strings.Contains(why, "replayed") {
		t.Errorf("replayed SRTCP: %q (auth %v)", why, auth)
	}
	if enc, err = fa.sec.out.encryptRTCP(nil, rep); err != nil {
		t.Fatal(err)
	}
	enc[len(enc)-1] ^= 1
	if _, err := fb.sec.in.decryptRTCP(nil, enc); err == nil {
		t.Error("an altered SRTCP packet authenticated")
	} else if why, auth := srtpDropReason("SRTCP packet", err); !auth || !strings.Contains(why, "authentication") {
		t.Errorf("altered SRTCP: %q (auth %v)", why, auth)
	}
}
