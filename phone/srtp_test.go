package phone

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/media/codec/g711"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// directCallee starts a phone whose account ("1002", no registration)
// takes calls on its UDP address, returned as host:port.
func directCallee(t *testing.T, srtp string, opts ...Option) (*Phone, *recorder, string) {
	t.Helper()
	return codecCallee(t, srtp, nil, opts...)
}

// codecCallee is directCallee with the account's codecs (nil: the
// defaults).
func codecCallee(t *testing.T, srtp string, codecs []string, opts ...Option) (*Phone, *recorder, string) {
	t.Helper()
	p := newTestPhone(t, opts...)
	rec := record(t, p)
	a, err := p.AddAccount(AccountConfig{ID: "callee", Username: "1002", Domain: "127.0.0.1", Server: "127.0.0.1:9", Transport: "udp",
		SRTP: srtp, Codecs: codecs})
	if err != nil {
		t.Fatal(err)
	}
	ip, port := a.st.udpAddr()
	return p, rec, ip + ":" + itoa(port)
}

// directCaller starts a phone whose account ("1001", no registration)
// sends its INVITEs to server.
// connectDirect has caller dial the callee its account points at, the
// callee answer, and waits until both are in the call.
func connectDirect(ctx context.Context, t *testing.T, caller *Phone, ra *recorder, callee *Phone, rb *recorder) (call, answered *Call) {
	t.Helper()
	call, err := caller.Dial(ctx, "", "sip:1002@127.0.0.1", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := rb.waitFor(EventIncomingCall, "")
	answered, err = callee.Call(in.Call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := answered.Answer(ctx); err != nil {
		t.Fatal(err)
	}
	ra.waitFor(EventInCall, call.ID())
	rb.waitFor(EventInCall, answered.ID())
	return call, answered
}

func directCaller(t *testing.T, srtp, server string, opts ...Option) (*Phone, *recorder) {
	t.Helper()
	return codecCaller(t, srtp, server, nil, opts...)
}

// codecCaller is directCaller with the account's codecs (nil: the
// defaults).
func codecCaller(t *testing.T, srtp, server string, codecs []string, opts ...Option) (*Phone, *recorder) {
	t.Helper()
	p := newTestPhone(t, opts...)
	rec := record(t, p)
	if _, err := p.AddAccount(AccountConfig{ID: "caller", Username: "1001", Domain: "127.0.0.1", Server: server, Transport: "udp",
		SRTP: srtp, Codecs: codecs}); err != nil {
		t.Fatal(err)
	}
	return p, rec
}

func itoa(n int) string { return strconv.Itoa(n) }

func toneMedia(freq float64, sink media.Sink) Option {
	return WithMedia(func(CallInfo) MediaOptions {
		return MediaOptions{Source: media.NewToneSource(freq, 0.5), Sink: sink}
	})
}

// sniffed decodes the PCMU payloads of captured datagrams as if they were
// plain RTP (the first 160 bytes of each) and returns the audio and the
// payload lengths seen.
func sniffed(t *testing.T, pkts [][]byte) ([]int16, map[int]int) {
	t.Helper()
	var pcm []int16
	lengths := map[int]int{}
	for _, b := range pkts {
		var p pionrtp.Packet
		if err := p.Unmarshal(b); err != nil || p.PayloadType != 0 {
			continue
		}
		lengths[len(p.Payload)]++
		pcm = g711.AppendULawPCM(pcm, p.Payload[:min(len(p.Payload), 160)])
	}
	return pcm, lengths
}

// TestSRTPBetweenEngines: two engines call through a SIP relay that
// points the audio of both directions at sniffing UDP relays. Each side
// must hear the other's tone (SNR > 20 dB); with SRTP the datagrams on
// the wire must not decode as the tone, carry the 10-byte auth tag, and
// the RTCP must be SRTCP (E flag, CNAME not readable). optional↔off is
// the control: plain RTP, which the same sniffer does decode.
func TestSRTPBetweenEngines(t *testing.T) {
	for _, tc := range []struct {
		name           string
		caller, callee string
		encrypted      bool
	}{
		{"required-required", "required", "required", true},
		{"optional-required", "optional", "required", true},
		{"optional-off", "optional", "off", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			heardA, heardB := mediatest.NewRecorder(), mediatest.NewRecorder()
			callee, rb, addr := directCallee(t, tc.callee, toneMedia(1000, heardB))
			relay := newSIPRelay(t, addr, nil)
			caller, ra := directCaller(t, tc.caller, relay.addr(), toneMedia(440, heardA))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			call, bc := connectDirect(ctx, t, caller, ra, callee, rb)
			// Three seconds of audio each way.
			if err := heardB.WaitFrames(ctx, 150); err != nil {
				t.Fatalf("callee heard %d frames: %v", heardB.Frames(), err)
			}
			if err := heardA.WaitFrames(ctx, 150); err != nil {
				t.Fatalf("caller heard %d frames: %v", heardA.Frames(), err)
			}
			stA, stB := call.MediaStats(), bc.MediaStats()
			if err := call.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			ra.waitFor(EventCallEnd, call.ID())
			rb.waitFor(EventCallEnd, bc.ID())

			suite := ""
			if tc.encrypted {
				suite = "AES_CM_128_HMAC_SHA1_80"
			}
			for who, st := range map[string]media.Stats{"caller": stA, "callee": stB} {
				if st.SRTP != suite || st.PacketsUnauthenticated != 0 || st.PacketsDiscarded != 0 || st.PacketsReceived < 100 {
					t.Errorf("%s's stats: %+v, want SRTP %q and nothing dropped", who, st, suite)
				}
			}
			samples, rate := heardB.Samples()
			if tone := mediatest.Measure(samples, rate, 440); tone.SNR < 20 {
				t.Errorf("callee heard 440 Hz at SNR %.1f dB, want > 20 (stats %+v)", tone.SNR, stB)
			}
			samples, rate = heardA.Samples()
			if tone := mediatest.Measure(samples, rate, 1000); tone.SNR < 20 {
				t.Errorf("caller heard 1 kHz at SNR %.1f dB, want > 20 (stats %+v)", tone.SNR, stA)
			}

			toCaller, toCallee := relay.media()
			if toCaller == nil || toCallee == nil {
				t.Fatal("the audio did not go through the relays")
			}
			for _, dir := range []struct {
				name  string
				r     *mediaRelay
				freq  float64
				cname string
			}{{"caller→callee", toCallee, 440, "@ringdesk"}, {"callee→caller", toCaller, 1000, "@ringdesk"}} {
				pcm, lengths := sniffed(t, dir.r.rtpPackets())
				if len(pcm) < 100*160 {
					t.Fatalf("%s: sniffed only %d samples", dir.name, len(pcm))
				}
				tone := mediatest.Measure(pcm, 8000, dir.freq)
				if tc.encrypted {
					if tone.SNR > 0 {
						t.Errorf("%s: the wire decodes as the %.0f Hz tone (SNR %.1f dB): not encrypted", dir.name, dir.freq, tone.SNR)
					}
					if lengths[170] == 0 || lengths[160] != 0 {
						t.Errorf("%s: payload lengths %v, want 160 + the 10-byte SRTP tag", dir.name, lengths)
					}
				} else if tone.SNR < 20 {
					t.Errorf("%s: plain RTP on the wire decodes at SNR %.1f dB: the sniffer is broken", dir.name, tone.SNR)
				}
			}
			// The RTCP BYE (and any report) went through the relay too.
			deadline := time.Now().Add(10 * time.Second)
			for len(toCallee.rtcpPackets()) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			rtcp := toCallee.rtcpPackets()
			if len(rtcp) == 0 {
				t.Fatal("no RTCP from the caller crossed the relay")
			}
			for _, p := range rtcp {
				readable := bytes.Contains(p, []byte("@ringdesk"))
				if tc.encrypted && (readable || len(p) < 8+4+10 || p[len(p)-14]&0x80 == 0) {
					t.Errorf("RTCP on the wire is not SRTCP (%d bytes, CNAME readable %v)", len(p), readable)
				}
				if !tc.encrypted && !readable {
					t.Errorf("plain RTCP without our CNAME: %x", p)
				}
			}
		})
	}
}

// TestSRTPPolicyRefusals: an engine that requires SRTP and one that has it
// off cannot talk; the callee answers 488 with a Warning that says why,
// and both sides end the call with a cause a person understands. The
// callee shows only CALL_END (the call never rang).
func TestSRTPPolicyRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, caller, callee string
		callerMsg, calleeMsg string
	}{
		{"required-calls-off", "required", "off",
			"(Encrypted audio (SRTP) not accepted)", "Refused: the caller requires encrypted audio (SRTP), which is off on this account"},
		{"off-calls-required", "off", "required",
			"(Encrypted audio (SRTP) required)", "Refused: the caller's audio is not encrypted, and this account requires SRTP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rb, addr := directCallee(t, tc.callee)
			caller, ra := directCaller(t, tc.caller, addr)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			call, err := caller.Dial(ctx, "", "sip:1002@127.0.0.1", DialOptions{})
			if err != nil {
				t.Fatal(err)
			}
			end := ra.waitFor(EventCallEnd, call.ID())
			if end.Cause.Code != 488 || end.Cause.By != ByRemote || !strings.HasPrefix(end.Cause.Message, "The call's audio or video settings were not accepted") ||
				!strings.Contains(end.Cause.Message, tc.callerMsg) {
				t.Errorf("caller's cause %+v, want 488 saying %q", end.Cause, tc.callerMsg)
			}
			refused := rb.waitFor(EventCallEnd, "")
			if refused.Cause.Code != 488 || refused.Cause.By != ByLocal || refused.Cause.Message != tc.calleeMsg {
				t.Errorf("callee's cause %+v, want 488 %q", refused.Cause, tc.calleeMsg)
			}
			if got := rb.callEvents(refused.Call.ID); len(got) != 1 {
				t.Errorf("callee's events %v, want CALL_END alone", got)
			}
		})
	}
}

func TestAccountSRTPMode(t *testing.T) {
	for _, tc := range []struct {
		transport, srtp string
		want            media.SRTPMode
		err             bool
	}{
		{"udp", "", media.SRTPOff, false},
		{"tcp", "", media.SRTPOff, false},
		{"tls", "", media.SRTPOptional, false},
		{"tls", "off", media.SRTPOff, false},
		{"udp", "required", media.SRTPRequired, false},
		{"udp", "Optional", media.SRTPOptional, false},
		{"wss", "required", media.SRTPOff, false}, // DTLS-SRTP's business, not SDES
		{"udp", "mandatory", media.SRTPOff, true},
	} {
		got, err := AccountConfig{ID: "a", Transport: tc.transport, SRTP: tc.srtp}.srtpMode()
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s srtp=%q: %v, %v; want %v (error %v)", tc.transport, tc.srtp, got, err, tc.want, tc.err)
		}
	}
	// A bad value fails the call with a readable error, before any INVITE.
	p := newTestPhone(t)
	if _, err := p.AddAccount(AccountConfig{ID: "bad", Username: "1001", Domain: "127.0.0.1", Server: "127.0.0.1:9", Transport: "udp", SRTP: "mandatory"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := p.Dial(ctx, "", "1002", DialOptions{}); err == nil || !strings.Contains(err.Error(), "mandatory") {
		t.Errorf("Dial with srtp=mandatory: %v", err)
	}
}

// TestSRTPRequiredAgainstBaresip: Ringdesk with SRTP required calls
// baresip (Debian's baresip-core, srtp module loaded) through Kamailio.
// baresip does SDES only when its account says mediaenc=srtp or
// srtp-mand, which internal/testbed sets with BaresipSRTP; without it baresip
// refuses the RTP/SAVP offer with 488, and Ringdesk must end the call
// with the 488 cause. With optional, the same baresip answers plain RTP
// and the call carries audio (best effort).
func TestSRTPRequiredAgainstBaresip(t *testing.T) {
	k := testbed.StartKamailio(t)
	wav := t.TempDir() + "/1khz.wav"
	if err := testbed.WriteToneWAV(wav, 1000, 5, 8000); err != nil {
		t.Fatal(err)
	}
	b := testbed.StartBaresip(t, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(wav), testbed.BaresipCodecs("PCMU"),
		testbed.BaresipConfig("module srtp.so"))
	// The refused call closes its sink: the second call gets its own.
	heard := mediatest.NewRecorder()
	p := newTestPhone(t, WithMedia(func(c CallInfo) MediaOptions {
		if c.Account == "opt" {
			return MediaOptions{Source: media.NewToneSource(440, 0.5), Sink: heard}
		}
		return MediaOptions{Source: media.NewToneSource(440, 0.5)}
	}))
	rec := record(t, p)
	cfg := kamailioAccount(k, "1001", "udp")
	cfg.Codecs, cfg.SRTP = []string{"pcmu"}, "required"
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventRegistered, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call, err := p.Dial(ctx, "", "1009", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	end := rec.waitFor(EventCallEnd, call.ID())
	if end.Cause.Code != 488 || end.Cause.Message != "The call's audio or video settings were not accepted" {
		t.Errorf("cause %+v, want 488 with the media message", end.Cause)
	}

	// Best effort: the same account with optional gets plain audio.
	cfg.ID, cfg.SRTP = "opt", "optional"
	if _, err := p.AddAccount(cfg); err != nil {
		t.Fatal(err)
	}
	call, err = p.Dial(ctx, "opt", "1009", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventInCall, call.ID())
	if err := heard.WaitFrames(ctx, 100); err != nil {
		t.Fatalf("Ringdesk heard only %d frames: %v", heard.Frames(), err)
	}
	st := call.MediaStats()
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(EventCallEnd, call.ID())
	if st.SRTP != "" {
		t.Errorf("baresip without mediaenc answered SRTP? stats %+v", st)
	}
	samples, rate := heard.Samples()
	if tone := mediatest.Measure(samples, rate, 1000); tone.SNR < 20 {
		t.Errorf("Ringdesk heard baresip's 1 kHz at SNR %.1f dB, want > 20 (stats %+v)", tone.SNR, st)
	}
	if _, err := b.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
}
