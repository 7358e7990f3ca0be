package testbed

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// kamailioReadyTimeout bounds the wait for a started Kamailio to answer.
const kamailioReadyTimeout = 15 * time.Second

//go:embed kamailio.cfg.tmpl
var kamailioCfgText string

var kamailioCfg = template.Must(template.New("kamailio.cfg").Parse(kamailioCfgText))

// KamailioOption changes how [StartKamailio] configures Kamailio.
type KamailioOption func(*kamailioSettings)

type kamailioSettings struct {
	domain  string
	realm   string
	noAuth  bool
	debug   int
	aliases []string
	tls     bool
	minExp  int
}

// KamailioDomain makes Kamailio serve the SIP domain name (e.g. "pbx.test") in
// addition to 127.0.0.1, and report it from [Kamailio.Domain]. Unless
// [KamailioRealm] says otherwise, the digest realm becomes the same name. No DNS
// is involved: clients still send to [Kamailio.UDPAddr] and friends.
func KamailioDomain(domain string) KamailioOption {
	return func(s *kamailioSettings) { s.domain = domain }
}

// KamailioRealm sets the digest realm of the challenges (default: the domain).
func KamailioRealm(realm string) KamailioOption {
	return func(s *kamailioSettings) { s.realm = realm }
}

// KamailioNoAuth turns digest authentication off: every REGISTER and INVITE is
// accepted without credentials.
func KamailioNoAuth() KamailioOption {
	return func(s *kamailioSettings) { s.noAuth = true }
}

// KamailioMinExpires makes the registrar refuse shorter registrations
// with 423 Interval Too Brief and Min-Expires: secs (RFC 3261 §10.3).
func KamailioMinExpires(secs int) KamailioOption {
	return func(s *kamailioSettings) { s.minExp = secs }
}

// KamailioDebug sets Kamailio's log level (the cfg "debug" parameter,
// default 2 = info; 3 = debug is very verbose).
func KamailioDebug(level int) KamailioOption {
	return func(s *kamailioSettings) { s.debug = level }
}

// Kamailio is a running Kamailio registrar and proxy on 127.0.0.1 (see
// [StartKamailio]). Its methods may be called from any goroutine, except
// Stop and Restart, which report failures through the test and so belong
// to the test's goroutine.
//
// Domain and realm: by default the domain is "127.0.0.1" (any port: Kamailio
// treats every 127.0.0.1 URI as its own domain, so "sip:1002@127.0.0.1"
// works as well as "sip:1002@127.0.0.1:PORT") and the digest realm is
// "127.0.0.1" too. [KamailioDomain] and [KamailioRealm] change both.
//
// What it does, like a small PBX:
//   - REGISTER for [Users] with digest auth (401), contacts kept in memory;
//     Expires from 1 s to 3600 s are accepted as asked (default 300 s).
//   - Initial requests whose From is in its domain need proxy auth (407);
//     requests from a foreign domain may reach local users without auth.
//     A wrong password is challenged again (401/407 once more), as most PBXs
//     do; it is never answered 403.
//   - Calls between registered users over UDP, TCP and WebSocket, in any mix,
//     record-routed; no media relay (SDP passes untouched).
//   - 404 for a user not in [Users], 480 for a known user not registered,
//     200 to OPTIONS addressed to the server itself (keepalives).
//   - Contacts of TCP and WS clients (and of UDP clients whose Contact does
//     not match their source address) are reached through the connection or
//     address their requests came from: fix_nated_register for REGISTER and
//     an ";alias=" Contact parameter for dialogs.
type Kamailio struct {
	t        testing.TB
	settings kamailioSettings
	dir      string
	cfgPath  string
	logPath  string
	sipPort  int
	wsPort   int
	tlsPort  int

	mu   sync.Mutex
	proc *process // nil while stopped
}

// StartKamailio writes a Kamailio configuration into a new temporary
// directory, starts `kamailio -DD -E` in the foreground on free ports of
// 127.0.0.1 and returns once it answers a SIP OPTIONS ping over UDP and
// accepts TCP connections on its WebSocket port. It is stopped on t.Cleanup;
// its log is printed if the test failed.
//
// It skips the test (fails it when CI is set) if the Debian packages
// kamailio or kamailio-websocket-modules are missing.
func StartKamailio(t testing.TB, opts ...KamailioOption) *Kamailio {
	t.Helper()
	bin := requireBinary(t, "kamailio", "kamailio")
	requireKamailioModule(t, bin, "websocket.so", "kamailio-websocket-modules")
	requireKamailioModule(t, bin, "tls.so", "kamailio-tls-modules")

	s := kamailioSettings{domain: "127.0.0.1", debug: 2}
	for _, o := range opts {
		o(&s)
	}
	if s.realm == "" {
		s.realm = s.domain
	}
	s.aliases = []string{"127.0.0.1", "localhost"}
	if s.domain != "127.0.0.1" && s.domain != "localhost" {
		s.aliases = append(s.aliases, s.domain)
	}

	dir := t.TempDir()
	k := &Kamailio{
		t:        t,
		settings: s,
		dir:      dir,
		cfgPath:  filepath.Join(dir, "kamailio.cfg"),
		logPath:  filepath.Join(dir, "kamailio.log"),
	}
	t.Cleanup(func() {
		if err := k.stop(); err != nil {
			t.Errorf("testbed: stopping Kamailio: %v", err)
		}
		logOnFailure(t, "kamailio", k.logPath, nil)
	})

	// Another test may grab a port between our probe and Kamailio's bind:
	// try fresh ports a few times when Kamailio exits at start-up.
	var lastErr error
	for range 3 {
		if lastErr = k.pickPorts(); lastErr != nil {
			break
		}
		if lastErr = k.writeCfg(); lastErr != nil {
			break
		}
		if lastErr = k.start(bin); lastErr == nil {
			return k
		}
	}
	t.Fatalf("testbed: starting Kamailio: %v\n%s", lastErr, tail([]byte(k.Log()), logTailBytes))
	return nil
}

// requireKamailioModule ends the test unless Kamailio's module directory has
// the named module.
func requireKamailioModule(t testing.TB, bin, module, debianPackage string) {
	t.Helper()
	out, _ := exec.Command(bin, "-I").CombinedOutput()
	dirs := []string{"/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules"}
	if m := regexp.MustCompile(`Default paths to modules:\s*(\S+)`).FindSubmatch(out); m != nil {
		dirs = strings.Split(string(m[1]), ":")
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, module)); err == nil {
			return
		}
	}
	missing(t, fmt.Sprintf("Kamailio module %s not found in %s", module, strings.Join(dirs, ":")), debianPackage)
}

// pickPorts chooses Kamailio's SIP, WebSocket and TLS ports. Each free
// port is found by binding and releasing it, so the kernel may offer the
// same one twice: then it asks again.
func (k *Kamailio) pickPorts() error {
	sip, err := FreePort()
	if err != nil {
		return err
	}
	taken := []int{sip}
	distinct := func() (int, error) {
		for range 20 {
			p, err := FreeTCPPort()
			if err != nil {
				return 0, err
			}
			if !slices.Contains(taken, p) {
				taken = append(taken, p)
				return p, nil
			}
		}
		return 0, fmt.Errorf("testbed: the kernel kept offering ports already chosen (%v)", taken)
	}
	if k.wsPort, err = distinct(); err != nil {
		return err
	}
	k.sipPort = sip
	if k.settings.tls {
		if k.tlsPort, err = distinct(); err != nil {
			return err
		}
	}
	return nil
}

type cfgUser struct{ Name, Password string }

func (k *Kamailio) writeCfg() error {
	users := make([]cfgUser, 0, len(Users))
	for _, u := range Users {
		users = append(users, cfgUser{u, Password(u)})
	}
	tlsCfg := ""
	if k.settings.tls {
		var err error
		if tlsCfg, err = k.writeTLSFiles(); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	err := kamailioCfg.Execute(&buf, map[string]any{
		"TLSPort":    k.tlsPort,
		"TLSCfg":     tlsCfg,
		"SIPPort":    k.sipPort,
		"WSPort":     k.wsPort,
		"Aliases":    k.settings.aliases,
		"Realm":      k.settings.realm,
		"NoAuth":     k.settings.noAuth,
		"Debug":      k.settings.debug,
		"MinExpires": max(1, k.settings.minExp),
		"Users":      users,
		"PingUA":     PingUserAgent,
	})
	if err != nil {
		return fmt.Errorf("testbed: rendering kamailio.cfg: %w", err)
	}
	if err := os.WriteFile(k.cfgPath, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("testbed: writing kamailio.cfg: %w", err)
	}
	return nil
}

// start runs Kamailio with the current cfg and ports and waits until ready.
func (k *Kamailio) start(bin string) error {
	runDir := filepath.Join(k.dir, "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fmt.Errorf("testbed: creating Kamailio's runtime dir: %w", err)
	}
	p, err := startProcess("kamailio", k.logPath, k.dir, bin, nil,
		"-DD", "-E", "-f", k.cfgPath,
		"-Y", runDir, "-P", filepath.Join(runDir, "kamailio.pid"),
		"-m", "64", "-M", "8", "-a", "no", "-w", k.dir,
	)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), kamailioReadyTimeout)
	defer cancel()
	err = waitReady(ctx, p, func(ctx context.Context) error {
		code, err := SIPPing(ctx, k.UDPAddr())
		if err != nil {
			return err
		}
		if code != 200 {
			return fmt.Errorf("OPTIONS answered %d, want 200", code)
		}
		for _, addr := range []string{k.TCPAddr(), k.wsAddr()} {
			c, err := (&net.Dialer{}).DialContext(ctx, "tcp4", addr)
			if err != nil {
				return err
			}
			c.Close()
		}
		return nil
	})
	if err != nil {
		_ = p.stop()
		return fmt.Errorf("Kamailio on udp/tcp %d, ws %d: %w", k.sipPort, k.wsPort, err)
	}
	k.mu.Lock()
	k.proc = p
	k.mu.Unlock()
	return nil
}

// waitReady polls check (each try bounded to one second) until it succeeds,
// the process exits or ctx ends.
func waitReady(ctx context.Context, p *process, check func(context.Context) error) error {
	var lastErr error
	for {
		if p.exited() {
			return fmt.Errorf("%s exited during start-up with code %d", p.name, p.exitCode())
		}
		tryCtx, cancel := context.WithTimeout(ctx, time.Second)
		lastErr = check(tryCtx)
		cancel()
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (last check: %v)", p.name, ctx.Err(), lastErr)
		case <-p.done:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (k *Kamailio) stop() error {
	k.mu.Lock()
	p := k.proc
	k.proc = nil
	k.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.stop()
}

// Stop stops Kamailio (its process group) and waits until it is gone. Its
// ports stay reserved for [Kamailio.Restart]; until then clients get no
// answer (UDP) or a refused connection (TCP, WS).
func (k *Kamailio) Stop() {
	k.t.Helper()
	if err := k.stop(); err != nil {
		k.t.Fatalf("testbed: stopping Kamailio: %v", err)
	}
}

// Restart stops Kamailio if it runs and starts it again with the same
// configuration on the same ports. Registrations are lost (they are kept in
// memory only), as they would be when a real registrar restarts.
func (k *Kamailio) Restart() {
	k.t.Helper()
	k.Stop()
	bin := requireBinary(k.t, "kamailio", "kamailio")
	var err error
	for range 3 { // the same ports may need a moment to be released
		if err = k.start(bin); err == nil {
			return
		}
	}
	k.t.Fatalf("testbed: restarting Kamailio: %v\n%s", err, tail([]byte(k.Log()), logTailBytes))
}

// Running reports whether Kamailio currently runs.
func (k *Kamailio) Running() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.proc != nil && !k.proc.exited()
}

// PID returns the process id of the running Kamailio main process (also its
// process group id), or 0 while stopped.
func (k *Kamailio) PID() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.proc == nil {
		return 0
	}
	return k.proc.pid()
}

// UDPAddr returns Kamailio's SIP UDP address, "127.0.0.1:PORT".
func (k *Kamailio) UDPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(k.sipPort)) }

// TCPAddr returns Kamailio's SIP TCP address; the same port as UDPAddr.
func (k *Kamailio) TCPAddr() string { return k.UDPAddr() }

// WSURL returns the WebSocket URL for SIP over WebSocket (subprotocol "sip"),
// "ws://127.0.0.1:PORT/".
func (k *Kamailio) WSURL() string { return "ws://" + k.wsAddr() + "/" }

func (k *Kamailio) wsAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(k.wsPort)) }

// Domain returns the SIP domain Kamailio serves ("127.0.0.1" unless set
// with [KamailioDomain]). Clients use it in their From/To/Request-URIs.
func (k *Kamailio) Domain() string { return k.settings.domain }

// Realm returns the digest realm of Kamailio's 401/407 challenges.
func (k *Kamailio) Realm() string { return k.settings.realm }

// HA1 returns the digest HA1 of a test user for this Kamailio's realm.
func (k *Kamailio) HA1(user string) string { return HA1(user, k.settings.realm, Password(user)) }

// URI returns "sip:USER@DOMAIN", the address of a user of this Kamailio.
func (k *Kamailio) URI(user string) string { return "sip:" + user + "@" + k.settings.domain }

// LogPath returns the path of Kamailio's log file (all runs, appended).
func (k *Kamailio) LogPath() string { return k.logPath }

// Log returns everything Kamailio logged so far, across restarts.
func (k *Kamailio) Log() string {
	b, err := os.ReadFile(k.logPath)
	if err != nil {
		return ""
	}
	return string(b)
}

// Count returns how many requests of the given method (e.g. "REGISTER";
// case-insensitive) Kamailio has received since StartKamailio, across
// restarts, retransmissions included and the test bed's own OPTIONS pings
// excluded. A request is logged before Kamailio answers or forwards it, so
// once a client saw the answer, the request is counted. Not counted: an ACK
// to one of Kamailio's own stateless replies (401, 407, 404), which the sl
// module absorbs before the routing script runs.
func (k *Kamailio) Count(method string) int {
	return strings.Count(k.Log(), "TESTBED-REQ method="+strings.ToUpper(method)+" ")
}

// CountAuthChallenges returns how many 401/407 challenges Kamailio sent for
// requests of the given method (case-insensitive), across restarts.
func (k *Kamailio) CountAuthChallenges(method string) int {
	return strings.Count(k.Log(), "TESTBED-AUTH challenge method="+strings.ToUpper(method)+" ")
}
