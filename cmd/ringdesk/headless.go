package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/internal/applog"
	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// runHeadless runs the SIP engine, the local API, the call history and the
// caller lookup without a window until ctx ends: every account registers,
// each event is written to stdout as one line, and with --auto-answer every
// incoming call is answered. A link from the command line is dialled once
// an account is registered. It returns the exit code.
func runHeadless(ctx context.Context, f flags, logger *applog.Logger, profile *store.Profile, cfg *store.Config, stdout io.Writer) int {
	mediaFor, err := mediaChooser(f.audioIn, f.audioOut)
	if err != nil {
		fmt.Fprintln(stdout, "ringdesk:", err)
		return 2
	}
	p := phone.New(phone.WithLogger(logger.Logger), phone.WithSIPTrace(logger.TraceSIP), phone.WithMedia(mediaFor))
	sub := p.Subscribe()
	var wg sync.WaitGroup
	// Shutdown order: the API first, so nothing new is asked; then the
	// engine, which hangs up, unregisters and so ends the event printer;
	// then the goroutines left, and the history and lookup last, after
	// the watcher saw the calls end.
	var services *services
	defer func() {
		services.closeAPI()
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(closeCtx)
		wg.Wait()
		services.close()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for e := range sub.C {
			fmt.Fprintln(stdout, eventLine(e))
			if f.autoAnswer && e.Type == phone.EventIncomingCall {
				if c, err := p.Call(e.Call.ID); err == nil {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := c.Answer(ctx); err != nil {
							logger.Warn("auto-answer failed", "call", c.ID(), "error", err)
						}
					}()
				}
			}
		}
	}()

	services, err = startServices(ctx, f, logger, profile, cfg, p, stdout, true, apiHooks{})
	if err != nil {
		fmt.Fprintln(stdout, "ERROR", err)
		return 1
	}

	code := addAccounts(p, profile, cfg, logger, stdout)
	if f.link != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := services.api.OpenURI(ctx, f.link, linkWait); err != nil {
				fmt.Fprintf(stdout, "ERROR dial %s: %v\n", f.link, err)
			}
		}()
	}
	<-ctx.Done()
	return code
}

// linkWait is how long a link from the command line waits for an account
// to register before it is given up.
const linkWait = 60 * time.Second

// phoneAccount turns a configured account and its secret into what the
// engine takes.
func phoneAccount(acc store.Account, secret string) phone.AccountConfig {
	c := phone.AccountConfig{
		ID: acc.ID, DisplayName: acc.DisplayName, Username: acc.Username, AuthUsername: acc.AuthUsername,
		Domain: acc.Domain, Realm: acc.Realm, Transport: acc.Transport, Server: acc.Server,
		OutboundProxy: acc.OutboundProxy, CAFile: acc.CAFile, Expires: time.Duration(acc.Expires) * time.Second,
		Register: true, DTMF: acc.DTMF, Codecs: acc.Codecs, Video: acc.VideoEnabled(), SRTP: acc.SRTP,
		SymmetricRTP: acc.SymmetricRTP,
	}
	if acc.PasswordIsHA1 {
		c.HA1 = secret
	} else {
		c.Password = secret
	}
	for _, s := range acc.ICEServers {
		c.ICEServers = append(c.ICEServers, phone.ICEServer{URLs: s.URLs, Username: s.Username})
	}
	return c
}

// withTURNCredentials gives c the credentials of its account's TURN
// servers (those with a username) from the keyring or their
// credential_env. A missing one is logged: the server is still tried
// (STUN needs none) and ICE falls back to the other candidates.
func withTURNCredentials(c phone.AccountConfig, acc store.Account, profile *store.Profile, logger *slog.Logger) phone.AccountConfig {
	for i, s := range acc.ICEServers {
		if s.Username == "" || i >= len(c.ICEServers) {
			continue
		}
		v, _, err := profile.Secret(store.ICECredentialKey(acc.ID, s), s.CredentialEnv)
		if err != nil {
			logger.Warn("no credential for a TURN server: calls may fail to connect behind strict firewalls", "account", acc.ID, "server", strings.Join(s.URLs, " "), "error", err)
			continue
		}
		c.ICEServers[i].Credential = v
	}
	return c
}

// mediaChooser reads --audio-in (FILE.wav, tone:HZ or silence) and
// --audio-out (FILE.wav or null). With several calls, the first records
// into FILE.wav and later ones into FILE-<call id>.wav.
func mediaChooser(in, out string) (func(phone.CallInfo) phone.MediaOptions, error) {
	var freq float64
	switch {
	case in == "" || in == "silence":
	case strings.HasPrefix(in, "tone:"):
		v, err := strconv.ParseFloat(strings.TrimPrefix(in, "tone:"), 64)
		if err != nil || v <= 0 || v >= 4000 {
			return nil, fmt.Errorf("--audio-in %q: a tone is tone:HZ with 0 < HZ < 4000", in)
		}
		freq = v
	case strings.HasSuffix(strings.ToLower(in), ".wav"):
		s, err := media.NewWAVFileSource(in)
		if err != nil {
			return nil, fmt.Errorf("--audio-in: %w", err)
		}
		if c, ok := s.(io.Closer); ok {
			c.Close()
		}
	default:
		return nil, fmt.Errorf("--audio-in %q: want FILE.wav, tone:HZ or silence", in)
	}
	if out != "" && out != "null" && !strings.HasSuffix(strings.ToLower(out), ".wav") {
		return nil, fmt.Errorf("--audio-out %q: want FILE.wav or null", out)
	}
	var mu sync.Mutex
	first := ""
	return func(call phone.CallInfo) phone.MediaOptions {
		var opts phone.MediaOptions
		switch {
		case freq > 0:
			opts.Source = media.NewToneSource(freq, 0.5)
		case strings.HasSuffix(strings.ToLower(in), ".wav"):
			if s, err := media.NewWAVFileSource(in); err == nil {
				opts.Source = s
			}
		}
		if out != "" && out != "null" {
			mu.Lock()
			path := out
			if first == "" {
				first = call.ID
			} else if first != call.ID {
				path = strings.TrimSuffix(out, ".wav") + "-" + call.ID + ".wav"
			}
			mu.Unlock()
			if s, err := media.NewWAVFileSink(path); err == nil {
				opts.Sink = s
			}
		}
		return opts
	}, nil
}

// eventLine is one event as a line for people and scripts:
// "TYPE account [call id state number] [cause]".
func eventLine(e phone.Event) string {
	var b strings.Builder
	b.WriteString(string(e.Type))
	if e.Account != "" {
		b.WriteString(" account=" + e.Account)
	}
	if e.Call != nil {
		fmt.Fprintf(&b, " call=%s state=%s direction=%s number=%q", e.Call.ID, e.Call.State, e.Call.Direction, e.Call.Number)
	}
	if e.Cause != nil {
		fmt.Fprintf(&b, " code=%d reason=%q message=%q by=%s", e.Cause.Code, e.Cause.Reason, e.Cause.Message, e.Cause.By)
	}
	if e.Digit != "" {
		b.WriteString(" digit=" + e.Digit)
	}
	if e.Status != "" {
		b.WriteString(" status=" + e.Status)
	}
	if e.TransferState != "" {
		b.WriteString(" transfer=" + e.TransferState)
	}
	return b.String()
}
