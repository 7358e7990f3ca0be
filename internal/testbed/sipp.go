package testbed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sippReadyTimeout bounds the wait for a SIPp UAS to bind its SIP port.
const sippReadyTimeout = 10 * time.Second

// SIPpOption changes how [RunSIPp] runs SIPp.
type SIPpOption func(*sippSettings)

type sippSettings struct {
	remote    string
	keys      map[string]string
	service   string
	authUser  string
	authPass  string
	calls     int
	uas       bool
	tcp       bool
	port      int
	timeout   time.Duration
	pause     time.Duration
	extraArgs []string
}

// SIPpRemote sends the scenario's requests to addr ("127.0.0.1:PORT"; only
// loopback addresses are accepted). The key [domain] becomes its IP unless
// set otherwise.
func SIPpRemote(addr string) SIPpOption {
	return func(s *sippSettings) { s.remote = addr }
}

// SIPpProxy sends the scenario's requests to Kamailio's UDP (or, with
// [SIPpTCP], TCP) address and sets the key [domain] to its domain.
func SIPpProxy(k *Kamailio) SIPpOption {
	return func(s *sippSettings) {
		s.remote = k.UDPAddr()
		s.keys["domain"] = k.Domain()
	}
}

// SIPpUser makes SIPp act as the test user: the key [user] (its From and
// AOR) and the digest credentials (-au user -ap Password(user)).
func SIPpUser(user string) SIPpOption {
	return func(s *sippSettings) {
		s.keys["user"] = user
		s.authUser, s.authPass = user, Password(user)
	}
}

// SIPpAuth sets the digest credentials used by [authentication] (-au, -ap),
// e.g. a wrong password after [SIPpUser].
func SIPpAuth(user, password string) SIPpOption {
	return func(s *sippSettings) { s.authUser, s.authPass = user, password }
}

// SIPpService sets the target user of a UAC scenario, [service] (-s).
func SIPpService(user string) SIPpOption {
	return func(s *sippSettings) { s.service = user }
}

// SIPpKey sets a scenario keyword: [name] is replaced by value (-key).
func SIPpKey(name, value string) SIPpOption {
	return func(s *sippSettings) { s.keys[name] = value }
}

// SIPpCalls sets how many calls SIPp processes before it exits (-m; default 1).
func SIPpCalls(n int) SIPpOption {
	return func(s *sippSettings) { s.calls = n }
}

// SIPpPause sets the duration of every <pause/> without its own duration
// (-d; the length of a call in uac_call.xml). Default 500 ms.
func SIPpPause(d time.Duration) SIPpOption {
	return func(s *sippSettings) { s.pause = d }
}

// SIPpTimeout makes SIPp give up and fail after d (-timeout with
// -timeout_error). Default 30 s for a UAC, none for a UAS.
func SIPpTimeout(d time.Duration) SIPpOption {
	return func(s *sippSettings) { s.timeout = d }
}

// SIPpUAS runs the scenario as a server in the background: RunSIPp returns
// once SIPp listens, and [SIPp.Addr] is where to send the INVITE.
func SIPpUAS() SIPpOption {
	return func(s *sippSettings) { s.uas = true }
}

// SIPpPort makes SIPp bind this port instead of a free one the test bed
// picks, e.g. to run a UAS where a test already sent its address. The
// port must be free (see [FreeUDPPort], or [FreePort] with [SIPpTCP]).
func SIPpPort(port int) SIPpOption {
	return func(s *sippSettings) { s.port = port }
}

// SIPpTCP uses TCP (one connection, -t t1) instead of UDP.
func SIPpTCP() SIPpOption {
	return func(s *sippSettings) { s.tcp = true }
}

// SIPpArgs appends raw SIPp command-line arguments.
func SIPpArgs(args ...string) SIPpOption {
	return func(s *sippSettings) { s.extraArgs = append(s.extraArgs, args...) }
}

// SIPp is one SIPp run (see [RunSIPp]).
type SIPp struct {
	t        testing.TB
	scenario string
	port     int
	tcp      bool
	dir      string
	proc     *process

	waitOnce sync.Once
	waitErr  error
}

// RunSIPp runs the SIPp scenario file scenario: a name in testdata/sipp at
// the module root (e.g. "register.xml"; the .xml may be left out) or a path
// (relative to the test's working directory, its package directory).
// SIPp binds 127.0.0.1 on a free port (-i 127.0.0.1 -p PORT), with its RTP
// and control ports free too, and traces messages, unexpected messages and
// its final screen into a temporary directory, shown if the test failed.
//
// Keys always set (override with [SIPpKey]): [user] = "sipp", [domain] =
// the remote IP (or the Kamailio domain with [SIPpProxy]), [expires] = "300".
//
// As a UAC (the default) SIPp starts at once; call [SIPp.Wait] for its
// result. With [SIPpUAS], RunSIPp returns once SIPp has bound its port. SIPp
// is stopped on t.Cleanup if still running.
func RunSIPp(t testing.TB, scenario string, opts ...SIPpOption) *SIPp {
	t.Helper()
	bin := requireBinary(t, "sipp", "sip-tester")

	s := sippSettings{
		keys:  map[string]string{"user": "sipp", "expires": "300"},
		calls: 1,
		pause: 500 * time.Millisecond,
	}
	for _, o := range opts {
		o(&s)
	}
	if !s.uas && s.remote == "" {
		t.Fatalf("testbed: RunSIPp(%s): a UAC needs SIPpRemote or SIPpProxy", scenario)
	}
	if !s.uas && s.timeout == 0 {
		s.timeout = 30 * time.Second // a UAS waits for calls until stopped
	}

	path, err := scenarioPath(scenario)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp := &SIPp{t: t, scenario: filepath.Base(path), tcp: s.tcp, dir: dir}
	t.Cleanup(func() {
		if sp.proc != nil {
			if err := sp.proc.stop(); err != nil {
				t.Errorf("testbed: stopping SIPp %s: %v", sp.scenario, err)
			}
		}
		if showLogs(t) {
			t.Logf("testbed: SIPp %s (%s):\n%s", sp.scenario, dir, sp.report())
		}
	})

	var lastErr error
	for range 3 { // fresh ports if another process took one meanwhile
		args, err := sp.args(path, &s)
		if err != nil {
			t.Fatal(err)
		}
		p, err := startProcess("sipp "+sp.scenario, filepath.Join(dir, "sipp.out"), dir, bin, nil, args...)
		if err != nil {
			t.Fatal(err)
		}
		sp.proc = p
		if !s.uas {
			return sp
		}
		ctx, cancel := context.WithTimeout(context.Background(), sippReadyTimeout)
		lastErr = waitReady(ctx, p, func(context.Context) error {
			if portBound(sp.port, s.tcp) {
				return nil
			}
			return errors.New("SIP port not bound yet")
		})
		cancel()
		if lastErr == nil {
			return sp
		}
		_ = p.stop()
	}
	t.Fatalf("testbed: starting SIPp %s as UAS: %v\n%s", sp.scenario, lastErr, sp.report())
	return nil
}

// scenarioPath resolves a scenario name to a file in testdata/sipp.
func scenarioPath(scenario string) (string, error) {
	if filepath.IsAbs(scenario) || strings.ContainsRune(scenario, os.PathSeparator) {
		if _, err := os.Stat(scenario); err != nil {
			return "", fmt.Errorf("testbed: SIPp scenario: %w", err)
		}
		// SIPp runs in its own directory: a relative path would not reach.
		return filepath.Abs(scenario)
	}
	if !strings.HasSuffix(scenario, ".xml") {
		scenario += ".xml"
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, "testdata", "sipp", scenario)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("testbed: SIPp scenario %q not found in testdata/sipp: %w", scenario, err)
	}
	return path, nil
}

// args builds SIPp's command line with fresh ports.
func (sp *SIPp) args(path string, s *sippSettings) ([]string, error) {
	var err error
	switch {
	case s.port != 0:
		sp.port = s.port
	case s.tcp:
		sp.port, err = FreePort()
	default:
		sp.port, err = FreeUDPPort()
	}
	if err != nil {
		return nil, err
	}
	mediaPort, err := freeUDPPortPair()
	if err != nil {
		return nil, err
	}
	ctrlPort, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"-sf", path,
		"-i", "127.0.0.1", "-p", strconv.Itoa(sp.port),
		"-mp", strconv.Itoa(mediaPort), "-cp", strconv.Itoa(ctrlPort),
		"-m", strconv.Itoa(s.calls),
		"-d", strconv.FormatInt(s.pause.Milliseconds(), 10),
		"-nostdin",
		"-trace_msg", "-message_file", filepath.Join(sp.dir, "messages.log"),
		"-trace_err", "-error_file", filepath.Join(sp.dir, "errors.log"),
		"-trace_screen", "-screen_file", filepath.Join(sp.dir, "screen.log"),
		"-trace_logs", "-log_file", filepath.Join(sp.dir, "logs.log"),
	}
	if s.tcp {
		args = append(args, "-t", "t1")
	} else {
		args = append(args, "-t", "u1")
	}
	if s.timeout > 0 {
		args = append(args, "-timeout", fmt.Sprintf("%dms", s.timeout.Milliseconds()), "-timeout_error")
	}
	if s.service != "" {
		args = append(args, "-s", s.service)
	}
	if s.authUser != "" {
		args = append(args, "-au", s.authUser)
	}
	if s.authPass != "" {
		args = append(args, "-ap", s.authPass)
	}
	keys := make(map[string]string, len(s.keys)+1)
	for k, v := range s.keys {
		keys[k] = v
	}
	if s.remote != "" {
		host, _, err := net.SplitHostPort(s.remote)
		if err != nil {
			return nil, fmt.Errorf("testbed: SIPp remote %q: %w", s.remote, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("testbed: SIPp remote %q is not a loopback address", s.remote)
		}
		if _, ok := keys["domain"]; !ok {
			keys["domain"] = host
		}
	} else if _, ok := keys["domain"]; !ok {
		keys["domain"] = "127.0.0.1"
	}
	for k, v := range keys {
		args = append(args, "-key", k, v)
	}
	args = append(args, s.extraArgs...)
	if s.remote != "" {
		args = append(args, s.remote)
	}
	return args, nil
}

// Addr returns SIPp's SIP address, "127.0.0.1:PORT".
func (sp *SIPp) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(sp.port)) }

// URI returns "sip:USER@127.0.0.1:PORT", an address that reaches this SIPp.
func (sp *SIPp) URI(user string) string {
	u := "sip:" + user + "@" + sp.Addr()
	if sp.tcp {
		u += ";transport=tcp"
	}
	return u
}

// PID returns the process id of SIPp.
func (sp *SIPp) PID() int { return sp.proc.pid() }

// Dir returns the directory holding SIPp's traces: messages.log (every
// message sent and received), errors.log (unexpected messages), screen.log
// (final statistics), logs.log (<log> actions) and sipp.out (its output).
func (sp *SIPp) Dir() string { return sp.dir }

// Messages returns SIPp's message trace so far.
func (sp *SIPp) Messages() string { return readFile(filepath.Join(sp.dir, "messages.log")) }

// Logs returns what the scenario's <log> actions wrote (logs.log).
func (sp *SIPp) Logs() string { return readFile(filepath.Join(sp.dir, "logs.log")) }

// Logged returns what the scenario's <log> actions wrote on lines that
// start with prefix and a space, without the prefix, oldest first: with
// uas_refer.xml, Logged("REFER-NOTIFY") returns the sipfrag status lines
// of the NOTIFYs, e.g. "SIP/2.0 100 Trying", "SIP/2.0 200 OK".
func (sp *SIPp) Logged(prefix string) []string {
	var out []string
	for _, line := range strings.Split(sp.Logs(), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			out = append(out, strings.TrimSpace(rest))
		} else if line == prefix {
			out = append(out, "")
		}
	}
	return out
}

var finalStatusRE = regexp.MustCompile(`FINAL-STATUS (\d{3}) ?([^\n]*)`)

// FinalStatus returns the status code and reason phrase a scenario logged
// last as "FINAL-STATUS <code> <reason>" (uac_call_rejected.xml does), or
// 0 and "" if it logged none.
func (sp *SIPp) FinalStatus() (int, string) {
	m := finalStatusRE.FindAllStringSubmatch(sp.Logs(), -1)
	if len(m) == 0 {
		return 0, ""
	}
	last := m[len(m)-1]
	code, _ := strconv.Atoi(last[1])
	return code, strings.TrimSpace(last[2])
}

// Wait waits until SIPp exits, or ctx ends (then SIPp is stopped). It
// returns nil when SIPp exited with code 0 (every call succeeded), else an
// error with the exit code, its meaning and the tails of SIPp's error and
// message logs.
func (sp *SIPp) Wait(ctx context.Context) error {
	sp.waitOnce.Do(func() {
		select {
		case <-sp.proc.done:
		case <-ctx.Done():
			_ = sp.proc.stop()
			sp.waitErr = fmt.Errorf("testbed: SIPp %s did not finish: %w\n%s", sp.scenario, ctx.Err(), sp.report())
			return
		}
		if code := sp.proc.exitCode(); code != 0 {
			sp.waitErr = &SIPpError{Scenario: sp.scenario, ExitCode: code, Report: sp.report()}
		}
	})
	return sp.waitErr
}

// ExitCode returns SIPp's exit code once it has exited, or -1.
func (sp *SIPp) ExitCode() int {
	if !sp.proc.exited() {
		return -1
	}
	return sp.proc.exitCode()
}

// Stop stops SIPp (a UAS, say) if it still runs.
func (sp *SIPp) Stop() {
	sp.t.Helper()
	if err := sp.proc.stop(); err != nil {
		sp.t.Errorf("testbed: stopping SIPp %s: %v", sp.scenario, err)
	}
}

// SIPpError is the error of a SIPp run that exited with a non-zero code.
type SIPpError struct {
	Scenario string
	ExitCode int
	Report   string // tails of SIPp's logs
}

// Error implements error.
func (e *SIPpError) Error() string {
	return fmt.Sprintf("testbed: SIPp %s failed: exit code %d (%s)\n%s",
		e.Scenario, e.ExitCode, sippExitMeaning(e.ExitCode), e.Report)
}

func sippExitMeaning(code int) string {
	switch code {
	case 0:
		return "all calls succeeded"
	case 1:
		return "at least one call failed"
	case 97:
		return "exit on internal command, calls may have been processed"
	case 99:
		return "normal exit without calls processed"
	case 254:
		return "fatal error binding a socket"
	case 255:
		return "fatal error"
	case -1:
		return "killed by a signal"
	default:
		return "unknown exit code"
	}
}

// report returns the tails of SIPp's logs, for errors and failed tests.
func (sp *SIPp) report() string {
	var b strings.Builder
	section := func(name, data string, n int) {
		if strings.TrimSpace(data) != "" {
			fmt.Fprintf(&b, "--- SIPp %s (tail) ---\n%s\n", name, tail([]byte(data), n))
		}
	}
	section("errors.log", readFile(filepath.Join(sp.dir, "errors.log")), 4<<10)
	section("logs.log", sp.Logs(), 2<<10)
	section("messages.log", sp.Messages(), 8<<10)
	section("screen.log", readFile(filepath.Join(sp.dir, "screen.log")), 4<<10)
	// SIPp's own output repeats its statistics screen every second; what
	// matters is what it printed before the first screen (fatal errors).
	out := readFile(filepath.Join(sp.dir, "sipp.out"))
	if i := strings.Index(out, "------------------------------ Scenario Screen"); i >= 0 {
		out = out[:i]
	}
	section("sipp.out", out, 4<<10)
	return b.String()
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// freeUDPPortPair returns a port p such that p and p+2 (SIPp's audio and
// video RTP ports) were free on 127.0.0.1.
func freeUDPPortPair() (int, error) {
	for range 50 {
		p, err := FreeUDPPort()
		if err != nil {
			return 0, err
		}
		if p+2 > 65535 {
			continue
		}
		c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", p+2))
		if err != nil {
			continue
		}
		c.Close()
		return p, nil
	}
	return 0, errors.New("testbed: no free pair of UDP ports p, p+2 after 50 tries")
}

// portBound reports whether some socket is bound to 127.0.0.1:port (UDP),
// or listening there (TCP), according to /proc/net.
func portBound(port int, tcp bool) bool {
	file, listenState := "/proc/net/udp", "07"
	if tcp {
		file, listenState = "/proc/net/tcp", "0A"
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 3 && f[1] == want && f[3] == listenState {
			return true
		}
	}
	return false
}
