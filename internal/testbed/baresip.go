package testbed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	// baresipReadyTimeout bounds the wait for a started baresip to be ready
	// (control port open, SIP answering, registered if asked to).
	baresipReadyTimeout = 15 * time.Second
	// baresipCommandTimeout bounds one ctrl_tcp command of the short helpers.
	baresipCommandTimeout = 5 * time.Second
	// baresipModuleDir is where Debian's baresip-core installs its modules.
	baresipModuleDir = "/usr/lib/baresip/modules"
)

// BaresipOption changes how [StartBaresip] configures baresip.
type BaresipOption func(*baresipSettings)

type baresipSettings struct {
	user       string
	kamailio   *Kamailio
	audioFile  string
	codecs     []string
	autoAnswer bool
	extra      []string
	modules    []string // extra modules, loaded after the codecs
	params     []string // extra account (address) parameters
}

// BaresipRegister makes baresip register to Kamailio as user (one of
// [Users], with its [Password]) over UDP. StartBaresip then returns only
// once Kamailio has the registration.
func BaresipRegister(k *Kamailio, user string) BaresipOption {
	return func(s *baresipSettings) { s.kamailio, s.user = k, user }
}

// BaresipUser sets the user part of baresip's address when it does not
// register (default "baresip"): calls go to [Baresip.URI].
func BaresipUser(user string) BaresipOption {
	return func(s *baresipSettings) { s.user = user }
}

// BaresipAudioFile makes baresip play this 16-bit mono PCM WAV file as its
// microphone (the aufile module; played once, then silence). Default: a
// 440 Hz tone of 30 s at 8000 Hz written by [WriteToneWAV].
func BaresipAudioFile(path string) BaresipOption {
	return func(s *baresipSettings) { s.audioFile = path }
}

// BaresipCodecs sets the audio codecs baresip offers and accepts, in order
// of preference: "PCMU", "PCMA", "opus" (default PCMU, PCMA).
func BaresipCodecs(codecs ...string) BaresipOption {
	return func(s *baresipSettings) { s.codecs = codecs }
}

// BaresipManualAnswer turns auto-answer off: incoming calls ring until
// [Baresip.Accept] or [Baresip.Hangup].
func BaresipManualAnswer() BaresipOption {
	return func(s *baresipSettings) { s.autoAnswer = false }
}

// BaresipConfig appends raw lines to baresip's config file.
func BaresipConfig(lines ...string) BaresipOption {
	return func(s *baresipSettings) { s.extra = append(s.extra, lines...) }
}

// BaresipModules loads more of baresip's modules, by file name in
// /usr/lib/baresip/modules (e.g. "srtp.so"). StartBaresip skips the test
// (fails it when CI is set) if one is missing.
func BaresipModules(modules ...string) BaresipOption {
	return func(s *baresipSettings) { s.modules = append(s.modules, modules...) }
}

// BaresipAccountParams appends address parameters to baresip's account
// line, each as "name=value" without the leading ';' (e.g.
// "mediaenc=srtp-mand", "ptime=20"). Debian's baresip 1.0 documents them in
// /usr/share/doc/baresip-core/examples/accounts.
func BaresipAccountParams(params ...string) BaresipOption {
	return func(s *baresipSettings) { s.params = append(s.params, params...) }
}

// BaresipSRTP makes baresip encrypt its calls' media with SDES-SRTP (RFC
// 4568): it loads the srtp module and sets the account's mediaenc to mode,
// one of "srtp" (best effort: offers RTP/AVP with a=crypto and takes plain
// RTP too), "srtp-mand" (offers RTP/SAVP, refuses plain RTP) or
// "srtp-mandf" (RTP/SAVPF; not tried here). baresip 1.0 offers one suite,
// AES_CM_128_HMAC_SHA1_80 (its module also names AES_CM_128_HMAC_SHA1_32
// and the AEAD_AES_*_GCM suites), and reports the suite agreed in a
// CALL_MENC event ("0,audio,SUITE"). Its RTCP socket sends a plain APP
// packet ("PING") as the stream starts, before SRTP is on, and a plain
// RTCP BYE after it is off: a far end that checks SRTCP counts them as
// failing authentication.
func BaresipSRTP(mode string) BaresipOption {
	return func(s *baresipSettings) {
		s.modules = append(s.modules, "srtp.so")
		s.params = append(s.params, "mediaenc="+mode)
	}
}

// Baresip is a running baresip 1.0 far end on 127.0.0.1, controlled over
// its ctrl_tcp port (see [StartBaresip]). Its methods may be called from
// any goroutine.
//
// Media: it plays the configured WAV file as its microphone (the aufile
// module, once, then silence) and the sndfile module records every call
// into [Baresip.RecordingDir], one WAV per direction, named after the
// second the call's audio started: "dump-YYYY-MM-DD-hh-mm-ss-dec.wav" is
// what baresip heard (decoded from the remote RTP), "...-enc.wav" what it
// sent. They are 16-bit PCM at the codec's rate: 8000 Hz mono for
// PCMU/PCMA, 48000 Hz stereo for opus (use [WAV.Mono]). A file is complete
// once the call closed. Two calls starting within the same second share a
// file name, so space calls of one baresip by a second when recording.
// Debian's baresip 1.0 has no aufile player, so it plays what it hears to
// the aubridge module, which discards it.
type Baresip struct {
	t        testing.TB
	settings baresipSettings
	dir      string
	recDir   string
	logPath  string
	sipPort  int
	ctrlPort int
	proc     *process
	ctrl     *ctrlClient
}

// StartBaresip writes a baresip configuration into a new temporary
// directory, starts `baresip -f DIR -n 127.0.0.1` on free ports and returns
// once its ctrl_tcp port accepted the test bed's connection, its SIP port
// answers an OPTIONS ping and, with [BaresipRegister], Kamailio has its
// registration. It auto-answers incoming calls unless
// [BaresipManualAnswer] is given. It is stopped on t.Cleanup; its log is
// printed if the test failed.
//
// It skips the test (fails it when CI is set) if the Debian package
// baresip-core is missing.
func StartBaresip(t testing.TB, opts ...BaresipOption) *Baresip {
	t.Helper()
	bin := requireBinary(t, "baresip", "baresip-core")
	for _, m := range []string{"ctrl_tcp.so", "aufile.so", "sndfile.so", "g711.so", "menu.so", "account.so"} {
		if _, err := os.Stat(filepath.Join(baresipModuleDir, m)); err != nil {
			missing(t, "baresip module "+m+" not found in "+baresipModuleDir, "baresip-core")
		}
	}

	s := baresipSettings{user: "baresip", codecs: []string{"PCMU", "PCMA"}, autoAnswer: true}
	for _, o := range opts {
		o(&s)
	}
	for _, m := range s.modules {
		if _, err := os.Stat(filepath.Join(baresipModuleDir, m)); err != nil {
			missing(t, "baresip module "+m+" not found in "+baresipModuleDir, "baresip-core")
		}
	}
	if s.kamailio != nil && Password(s.user) == "" {
		t.Fatalf("testbed: BaresipRegister: %q is not a test user (testbed.Users: %s)", s.user, strings.Join(Users, ", "))
	}
	dir := t.TempDir()
	b := &Baresip{
		t:        t,
		settings: s,
		dir:      dir,
		recDir:   filepath.Join(dir, "recordings"),
		logPath:  filepath.Join(dir, "baresip.log"),
	}
	if err := os.MkdirAll(b.recDir, 0o755); err != nil {
		t.Fatalf("testbed: baresip: %v", err)
	}
	if b.settings.audioFile == "" {
		b.settings.audioFile = filepath.Join(dir, "tone440.wav")
		if err := WriteToneWAV(b.settings.audioFile, 440, 30, 8000); err != nil {
			t.Fatal(err)
		}
	}
	srcRate, err := wavRate(b.settings.audioFile)
	if err != nil {
		t.Fatalf("testbed: baresip audio file: %v", err)
	}
	t.Cleanup(func() {
		b.shutdown()
		logOnFailure(t, "baresip", b.logPath, cleanBaresipLog)
	})

	var lastErr error
	for range 3 { // fresh ports if another process took one meanwhile
		if lastErr = b.start(bin, srcRate); lastErr == nil {
			return b
		}
	}
	t.Fatalf("testbed: starting baresip: %v\n%s", lastErr, tail([]byte(b.Log()), logTailBytes))
	return nil
}

func (b *Baresip) shutdown() {
	if b.proc != nil {
		if err := b.proc.stop(); err != nil {
			b.t.Errorf("testbed: stopping baresip: %v", err)
		}
	}
	if b.ctrl != nil {
		b.ctrl.close()
	}
}

// start picks ports, writes the config and runs baresip until ready.
func (b *Baresip) start(bin string, srcRate int) error {
	var err error
	if b.sipPort, err = FreePort(); err != nil {
		return err
	}
	if b.ctrlPort, err = FreeTCPPort(); err != nil {
		return err
	}
	if err := b.writeConfig(srcRate); err != nil {
		return err
	}
	p, err := startProcess("baresip", b.logPath, b.dir, bin, []string{"HOME=" + b.dir},
		"-f", b.dir, "-n", "127.0.0.1")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), baresipReadyTimeout)
	defer cancel()
	err = waitReady(ctx, p, func(ctx context.Context) error {
		if b.ctrl == nil {
			c, err := dialCtrl(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ctrlPort)))
			if err != nil {
				return fmt.Errorf("control port: %w", err)
			}
			b.ctrl = c
		}
		if _, err := SIPPing(ctx, b.SIPAddr()); err != nil {
			return err
		}
		if k := b.settings.kamailio; k != nil {
			return k.WaitRegistered(ctx, b.settings.user, true)
		}
		return nil
	})
	if err != nil {
		_ = p.stop()
		if b.ctrl != nil {
			b.ctrl.close()
			b.ctrl = nil
		}
		return fmt.Errorf("baresip on SIP port %d, control port %d: %w", b.sipPort, b.ctrlPort, err)
	}
	b.proc = p
	return nil
}

func (b *Baresip) writeConfig(srcRate int) error {
	s := b.settings
	modules := []string{"g711.so"}
	for _, c := range s.codecs {
		if strings.EqualFold(c, "opus") {
			modules = append(modules, "opus.so")
		}
	}
	var cfg strings.Builder
	lines := []string{
		"# Generated by ringdesk internal/testbed.",
		"poll_method epoll",
		"sip_listen 127.0.0.1:" + strconv.Itoa(b.sipPort),
		"call_local_timeout 120",
		"call_max_calls 4",
		"audio_player aubridge,testbed-play",
		"audio_alert aubridge,testbed-alert",
		"audio_source aufile," + s.audioFile,
		"ausrc_srate " + strconv.Itoa(srcRate),
		"ausrc_channels 1",
		"audio_level no",
		"audio_buffer 20-160",
		"rtp_tos 0",
		"rtp_ports 20000-29998",
		"rtcp_mux no",
		"jitter_buffer_delay 1-10",
		"rtp_stats no",
		"module_path " + baresipModuleDir,
	}
	for _, m := range s.modules {
		if !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	for _, m := range modules {
		lines = append(lines, "module "+m)
	}
	lines = append(lines,
		"module aufile.so",
		"module aubridge.so",
		"module sndfile.so",
		"module_tmp account.so",
		"module_app menu.so",
		"module_app ctrl_tcp.so",
		"ctrl_tcp_listen 127.0.0.1:"+strconv.Itoa(b.ctrlPort),
		"snd_path "+b.recDir,
		"opus_bitrate 28000",
	)
	lines = append(lines, s.extra...)
	for _, l := range lines {
		cfg.WriteString(l + "\n")
	}
	if err := os.WriteFile(filepath.Join(b.dir, "config"), []byte(cfg.String()), 0o644); err != nil {
		return fmt.Errorf("testbed: writing baresip config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "accounts"), []byte(b.accountLine()+"\n"), 0o644); err != nil {
		return fmt.Errorf("testbed: writing baresip accounts: %w", err)
	}
	return nil
}

func (b *Baresip) accountLine() string {
	s := b.settings
	codecs := make([]string, len(s.codecs))
	for i, c := range s.codecs {
		codecs[i] = c
		if strings.EqualFold(c, "opus") {
			codecs[i] = "opus/48000/2" // baresip takes a bare name as NAME/8000/1
		}
	}
	params := []string{"audio_codecs=" + strings.Join(codecs, ",")}
	if s.autoAnswer {
		params = append(params, "answermode=auto")
	} else {
		params = append(params, "answermode=manual")
	}
	aor := "<" + b.AOR() + ">"
	if k := s.kamailio; k != nil {
		params = append(params,
			"auth_pass="+Password(s.user),
			`outbound="sip:`+k.UDPAddr()+`;transport=udp"`,
			"regint=300",
		)
	} else {
		params = append(params, "regint=0")
	}
	params = append(params, s.params...)
	return aor + ";" + strings.Join(params, ";")
}

// wavRate returns the sample rate of a WAV file, checking it is 16-bit mono.
func wavRate(path string) (int, error) {
	w, err := ReadWAV(path)
	if err != nil {
		return 0, err
	}
	if w.Channels != 1 {
		return 0, fmt.Errorf("%s has %d channels; baresip's aufile needs mono", path, w.Channels)
	}
	return w.SampleRate, nil
}

// AOR returns baresip's account address: "sip:USER@DOMAIN" when it
// registers to Kamailio, else "sip:USER@127.0.0.1:PORT".
func (b *Baresip) AOR() string {
	if k := b.settings.kamailio; k != nil {
		return k.URI(b.settings.user)
	}
	return b.URI()
}

// URI returns the address that reaches baresip directly,
// "sip:USER@127.0.0.1:PORT".
func (b *Baresip) URI() string { return "sip:" + b.settings.user + "@" + b.SIPAddr() }

// SIPAddr returns baresip's SIP address, "127.0.0.1:PORT" (UDP and TCP).
func (b *Baresip) SIPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.sipPort)) }

// User returns the user part of baresip's address.
func (b *Baresip) User() string { return b.settings.user }

// PID returns baresip's process id.
func (b *Baresip) PID() int { return b.proc.pid() }

// LogPath returns the path of baresip's log file.
func (b *Baresip) LogPath() string { return b.logPath }

// Log returns everything baresip printed so far, less the call status line
// it redraws ten times a second.
func (b *Baresip) Log() string { return cleanBaresipLog(readFile(b.logPath)) }

// baresipStatus matches the call status line baresip's menu module redraws
// with carriage returns, e.g. "[0:00:01] audio=0/0 (bit/s)   ".
var baresipStatus = regexp.MustCompile(`\[\d+:\d\d:\d\d\] audio=[^\[\r\n]*\r?`)

func cleanBaresipLog(s string) string {
	return strings.ReplaceAll(baresipStatus.ReplaceAllString(s, ""), "\r", "")
}

// RecordingDir returns the directory where the sndfile module writes one
// WAV file per call and direction.
func (b *Baresip) RecordingDir() string { return b.recDir }

// Command sends a command to baresip over ctrl_tcp (a menu command such as
// "dial", "hangup", "accept", "reginfo", "listcalls", "quit") and returns
// its answer text.
func (b *Baresip) Command(ctx context.Context, command, params string) (string, error) {
	out, err := b.ctrl.command(ctx, command, params)
	if err != nil {
		return out, fmt.Errorf("testbed: baresip %s %s: %w", command, params, err)
	}
	return out, nil
}

func (b *Baresip) shortCommand(command, params string) error {
	ctx, cancel := context.WithTimeout(context.Background(), baresipCommandTimeout)
	defer cancel()
	_, err := b.Command(ctx, command, params)
	return err
}

// Dial makes baresip call uri (e.g. "sip:1001@127.0.0.1"). Progress comes
// as events: CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED.
func (b *Baresip) Dial(uri string) error { return b.shortCommand("dial", uri) }

// Hangup ends (or rejects) baresip's current call.
func (b *Baresip) Hangup() error { return b.shortCommand("hangup", "") }

// Accept answers baresip's ringing incoming call.
func (b *Baresip) Accept() error { return b.shortCommand("accept", "") }

// Quit asks baresip to exit and waits (up to 5 s) until it has.
func (b *Baresip) Quit() error {
	// baresip may exit before it answers: the exit itself is the answer.
	_ = b.shortCommand("quit", "")
	select {
	case <-b.proc.done:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("testbed: baresip did not exit within 5 s of quit")
	}
}

// WaitEvent waits for an event of the given type (e.g. "CALL_ESTABLISHED")
// and returns the oldest such event not returned by an earlier WaitEvent,
// so two calls wait for two events. Events are kept from the moment
// StartBaresip connected, so one that came before the wait is found too.
func (b *Baresip) WaitEvent(ctx context.Context, typ string) (BaresipEvent, error) {
	ev, err := b.ctrl.waitEvent(ctx, typ)
	if err != nil {
		return ev, fmt.Errorf("testbed: baresip: %w (events so far: %s)", err, b.eventSummary())
	}
	return ev, nil
}

// Events returns every event baresip reported so far, oldest first.
func (b *Baresip) Events() []BaresipEvent { return b.ctrl.allEvents() }

func (b *Baresip) eventSummary() string {
	var types []string
	for _, ev := range b.Events() {
		types = append(types, ev.Type)
	}
	if len(types) == 0 {
		return "none"
	}
	return strings.Join(types, " ")
}

// Recordings returns the paths of the WAV files sndfile wrote so far, of
// what baresip heard ("dec") or sent ("enc").
func (b *Baresip) Recordings(direction string) []string {
	m, _ := filepath.Glob(filepath.Join(b.recDir, "*-"+direction+".wav"))
	return m
}

// ReceivedWAV waits for the recording of what baresip heard in its most
// recent call and returns its path. Call it after CALL_CLOSED for a
// complete file.
func (b *Baresip) ReceivedWAV(ctx context.Context) (string, error) {
	for {
		var newest string
		var newestTime time.Time
		for _, p := range b.Recordings("dec") {
			if st, err := os.Stat(p); err == nil && !st.ModTime().Before(newestTime) {
				newest, newestTime = p, st.ModTime()
			}
		}
		if newest != "" {
			return newest, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("testbed: baresip wrote no recording of received audio in %s: %w", b.recDir, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
