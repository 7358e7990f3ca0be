package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/crm"
	"github.com/ringdesk/ringdesk/internal/applog"
	"github.com/ringdesk/ringdesk/internal/callwatch"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
	"github.com/ringdesk/ringdesk/store/history"
)

// services are what runs beside the engine: the call history, the caller
// lookup, the watcher that feeds both, and the local API.
type services struct {
	history *history.Store
	crm     *crm.Service
	watcher *callwatch.Watcher
	api     *api.Server
	serving sync.WaitGroup
	cancel  context.CancelFunc
}

// historyPath is the call history beside the configuration file, so a
// --config folder holds a whole profile.
func historyPath(profile *store.Profile) string {
	return filepath.Join(filepath.Dir(profile.Path()), "history.db")
}

// apiHooks are the local API's calls into the window, nil in headless
// mode: confirm asks the agent before dialling a link handed over by the
// system, micCheck measures the microphone for /v1/mic-check, show brings
// the window to the front for /v1/show.
type apiHooks struct {
	confirm  func(context.Context, api.ExternalDial) bool
	micCheck func(context.Context) (level, peak float64, err error)
	show     func()
}

// startServices opens the history, starts the caller lookup and the
// watcher, and serves the local API on its loopback address. The API's
// address goes to out as "API http://127.0.0.1:PORT". The hooks are what
// only the window has (see apiHooks). Whatever
// started is closed again when a later part fails, except that without
// needAPI a failing API leaves the rest running (the window works without
// it) and only the error says so.
func startServices(ctx context.Context, f flags, logger *applog.Logger, profile *store.Profile, cfg *store.Config, p *phone.Phone, out io.Writer, needAPI bool, hooks apiHooks) (s *services, err error) {
	s = &services{}
	apiStage := false
	defer func() {
		switch {
		case err != nil && apiStage && !needAPI:
			if s.api != nil {
				s.api.Close()
				s.api = nil
			}
		case err != nil:
			s.close()
			s = nil
		}
	}()
	s.history, err = history.Open(ctx, historyPath(profile), history.WithRetention(time.Duration(cfg.History.RetentionDays)*24*time.Hour))
	if err != nil {
		return s, fmt.Errorf("call history: %w", err)
	}
	if n := s.history.Interrupted(); n > 0 {
		logger.Warn("calls left unfinished by the last run were marked interrupted", "calls", n)
	}
	s.crm, err = crm.New(cfg.CRM, profile.Secret, crm.WithLogger(logger.Logger))
	if err != nil {
		return s, fmt.Errorf("caller lookup: %w", err)
	}
	s.watcher = callwatch.Start(callwatch.Options{Phone: p, History: s.history, CRM: s.crm, Region: cfg.CRM.Region,
		EncodeEvent: func(e phone.Event) any { return api.EventFrom(e) }, Logger: logger.Logger})

	apiStage = true
	token, source, err := apiToken(f, profile, cfg, true)
	if err != nil {
		return s, fmt.Errorf("local API: %w", err)
	}
	logger.Info("local API token", "source", source)
	s.api, err = api.New(api.Options{Phone: p, Token: token, AllowedOrigins: cfg.API.AllowedOrigins,
		History: s.history, Lookup: s.crm.Resolver, DialsPerMinute: cfg.API.DialLimit(),
		ConfirmDial: hooks.confirm, MicCheck: hooks.micCheck, ShowWindow: hooks.show, Version: version, Logger: logger.Logger})
	if err != nil {
		return s, fmt.Errorf("local API: %w", err)
	}
	if err := s.api.Listen(apiAddr(f, cfg)); err != nil {
		// Not serving: nothing may offer its token (Settings) or hand it
		// links.
		s.api.Close()
		s.api = nil
		return s, fmt.Errorf("local API: %w", err)
	}
	serveCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		if err := s.api.Serve(serveCtx); err != nil {
			logger.Error("local API stopped", "error", err)
		}
	}()
	fmt.Fprintln(out, "API", s.api.URL())
	logger.Info("local API listening", "url", s.api.URL())
	return s, nil
}

// addAccounts gives the engine every configured account with its password;
// a problem with one account is written to out and makes the result 1.
func addAccounts(p *phone.Phone, profile *store.Profile, cfg *store.Config, logger *applog.Logger, out io.Writer) int {
	code := 0
	for _, acc := range cfg.Accounts {
		secret, source, err := profile.AccountSecret(acc.ID)
		if err != nil {
			fmt.Fprintf(out, "ERROR account %s: %v\n", acc.ID, err)
			code = 1
			continue
		}
		logger.Info("account password", "account", acc.ID, "source", source)
		if _, err := p.AddAccount(withTURNCredentials(phoneAccount(acc, secret), acc, profile, logger.Logger)); err != nil {
			fmt.Fprintf(out, "ERROR account %s: %v\n", acc.ID, err)
			code = 1
		}
	}
	return code
}

// closeAPI stops the local API, so nothing new is asked of the engine
// while it shuts down.
func (s *services) closeAPI() {
	if s == nil {
		return
	}
	if s.cancel != nil {
		s.cancel()
		s.serving.Wait()
	}
	if s.api != nil {
		s.api.Close()
	}
}

// close stops the API, the watcher and the lookup, and closes the history,
// in that order; parts never started are skipped. Close the engine before
// it, so the watcher records the calls the engine's shutdown ends.
func (s *services) close() {
	if s == nil {
		return
	}
	s.closeAPI()
	if s.watcher != nil {
		s.watcher.Close()
	}
	if s.crm != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.crm.Close(ctx)
	}
	if s.history != nil {
		_ = s.history.Close()
	}
}
