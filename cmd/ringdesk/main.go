// Command ringdesk is the Ringdesk softphone: it opens the window by default;
// --check-config only reads and validates the configuration; --headless runs
// the SIP engine, the local API and the call history without a window.
// `ringdesk tel:NUMBER` (or sip:, callto:) hands the number to the Ringdesk
// already running, or starts one that dials it once registered.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ringdesk/ringdesk/internal/applog"
	"github.com/ringdesk/ringdesk/store"
)

// version is set at link time by packaging (-ldflags "-X main.version=...").
var version = "0.1.0-dev"

// flags are the command line's settings.
type flags struct {
	configPath   string
	logFile      string
	logLevel     string
	sipTrace     bool
	checkConfig  bool
	showVersion  bool
	headless     bool
	autoAnswer   bool
	audioIn      string
	audioOut     string
	apiAddr      string
	apiTokenFile string
	// link is a tel:, sip: or callto: link to dial, from the command line.
	link string
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("ringdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.configPath, "config", "", "configuration file (default: the OS config folder's ringdesk/config.toml)")
	fs.StringVar(&f.logFile, "log-file", "", "log file (default: the OS cache folder's ringdesk/ringdesk.log)")
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error (default: the config file's, else info)")
	fs.BoolVar(&f.sipTrace, "sip-trace", false, "log every SIP message, credentials removed")
	fs.BoolVar(&f.checkConfig, "check-config", false, "read and validate the configuration, say where each account's password comes from, and exit")
	fs.BoolVar(&f.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&f.headless, "headless", false, "run the SIP engine without a window; events go to stdout, one per line (stop with Ctrl-C)")
	fs.BoolVar(&f.autoAnswer, "auto-answer", false, "with --headless: answer every incoming call")
	fs.StringVar(&f.audioIn, "audio-in", "silence", "with --headless: what the far end hears: FILE.wav, tone:HZ or silence")
	fs.StringVar(&f.audioOut, "audio-out", "null", "with --headless: where what we hear goes: FILE.wav or null")
	fs.StringVar(&f.apiAddr, "api-addr", "", "the local API's loopback address, e.g. 127.0.0.1:5478 (default: [api] listen in the config)")
	fs.StringVar(&f.apiTokenFile, "api-token-file", "", "a file holding the local API's token (default: the keyring, or [api] token_env)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: ringdesk [flags] [tel:NUMBER | sip:NUMBER@HOST | callto:NUMBER]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 1:
		return f, fmt.Errorf("unexpected argument %q (see ringdesk -h)", fs.Arg(1))
	case fs.NArg() == 1 && !isDialLink(fs.Arg(0)):
		return f, fmt.Errorf("unexpected argument %q: give a tel:, sip: or callto: link to dial (see ringdesk -h)", fs.Arg(0))
	case fs.NArg() == 1:
		f.link = withoutPassword(fs.Arg(0))
	}
	return f, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its outputs injected, so tests drive it; it returns the
// process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ringdesk:", err)
		return 2
	}
	if f.showVersion {
		fmt.Fprintln(stdout, "ringdesk", version)
		return 0
	}

	path := f.configPath
	if path == "" {
		if path, err = store.DefaultConfigPath(); err != nil {
			fmt.Fprintln(stderr, "ringdesk:", err)
			return 1
		}
	}
	logger, err := applog.New(applog.Options{File: f.logFile, Level: f.logLevel, SIPTrace: f.sipTrace, Stderr: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "ringdesk: start logging:", err)
		return 1
	}
	defer logger.Close()
	logger.Info("ringdesk starting", "version", version, "config", path, "log", logger.FilePath())

	profile, cfg, loadErr := store.OpenProfile(path, store.NewKeyring(), logger.Logger)
	if loadErr != nil {
		cfg = &store.Config{} // store has logged why; the window shows it too
	} else {
		applyLogSettings(logger, f, cfg)
	}

	if f.checkConfig {
		return checkConfig(stdout, profile, cfg, loadErr)
	}
	if f.link != "" && loadErr == nil {
		// Single instance: the Ringdesk already running dials the link.
		token, _, err := apiToken(f, profile, cfg, false)
		if err == nil {
			err = handOver(context.Background(), apiAddr(f, cfg), token, f.link)
			if err == nil {
				logger.Info("link handed to the running Ringdesk", "address", apiAddr(f, cfg))
				return 0
			}
		}
		if !errors.Is(err, errNoInstance) && !errors.Is(err, store.ErrSecretNotFound) && !errors.Is(err, store.ErrNoKeyring) {
			fmt.Fprintln(stderr, "ringdesk:", err)
			return 1
		}
		logger.Info("no running Ringdesk took the link: starting, to dial it once registered", "reason", err)
	}
	if f.headless {
		if loadErr != nil {
			fmt.Fprintln(stderr, "ringdesk:", loadErr)
			return 1
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runHeadless(ctx, f, logger, profile, cfg, stdout)
	}

	if f.link == "" && loadErr == nil {
		// Single instance: started again (from the launcher, while the
		// window sits in the tray), Ringdesk shows the running window
		// rather than register the accounts a second time.
		// Without a token (no keyring here) a running Ringdesk still
		// answers 401 in its own words, which is enough to know.
		token, _, _ := apiToken(f, profile, cfg, false)
		err := showRunning(context.Background(), apiAddr(f, cfg), token)
		if err == nil {
			logger.Info("Ringdesk is already running: its window is shown", "address", apiAddr(f, cfg))
			return 0
		}
		switch {
		case errors.Is(err, errHeadlessRunning), errors.Is(err, errOtherRunning):
			fmt.Fprintln(stderr, "ringdesk:", err)
			return 1
		case !errors.Is(err, errNoInstance):
			// Something else holds the API's address: the window starts
			// without its API, and says why in the log.
			logger.Warn("the program at the local API's address is not a Ringdesk that shows its window", "address", apiAddr(f, cfg), "error", err)
		}
	}
	return runWindow(f, logger, path, profile, cfg, loadErr)
}

// applyLogSettings takes the config file's log settings where no flag set them.
func applyLogSettings(logger *applog.Logger, f flags, cfg *store.Config) {
	if f.logLevel == "" && cfg.Log.Level != "" {
		if err := logger.SetLevel(cfg.Log.Level); err != nil {
			logger.Warn("log level from the config file ignored", "error", err)
		}
	}
	if !f.sipTrace && cfg.Log.SIPTrace {
		logger.SetSIPTrace(true)
	}
}

// checkConfig reports on the configuration for --check-config: 0 when it is
// valid and every account's password can be found, 1 otherwise.
func checkConfig(stdout io.Writer, profile *store.Profile, cfg *store.Config, loadErr error) int {
	if loadErr != nil {
		fmt.Fprintln(stdout, "configuration NOT valid:", loadErr)
		return 1
	}
	fmt.Fprintf(stdout, "configuration %s is valid: %d account(s)\n", profile.Path(), len(cfg.Accounts))
	code := 0
	for _, acc := range cfg.Accounts {
		_, source, err := profile.AccountSecret(acc.ID)
		if err != nil {
			fmt.Fprintf(stdout, "account %s: no password: %v\n", acc.ID, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "account %s: %s@%s over %s, password from %s\n", acc.ID, acc.Username, acc.Domain, acc.Transport, source)
	}
	return code
}
