package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringdesk/ringdesk/api"
	"github.com/ringdesk/ringdesk/gui"
	"github.com/ringdesk/ringdesk/internal/applog"
	"github.com/ringdesk/ringdesk/phone"
	"github.com/ringdesk/ringdesk/store"
)

// runWindow runs the window with the engine, the history, the caller
// lookup and the local API beside it, until the window closes. A link
// from the command line is dialled once an account is registered, after
// the user confirms it. With a configuration that did not load, only the
// window runs, to say why.
func runWindow(f flags, logger *applog.Logger, path string, profile *store.Profile, cfg *store.Config, loadErr error) int {
	opts := gui.Options{ConfigPath: path, Config: cfg, ConfigErr: loadErr, Logger: logger.Logger}
	if loadErr != nil {
		gui.Run(opts)
		return 0
	}
	audio := newWindowAudio(func() store.Audio { return profile.Config().Audio }, logger.Logger)
	p := phone.New(phone.WithLogger(logger.Logger), phone.WithSIPTrace(logger.TraceSIP), phone.WithMedia(audio.media))
	audio.start(p, &opts)
	defer audio.close()
	starterCtx, stopStarter := context.WithCancel(context.Background())
	defer stopStarter()
	starter := newAccountStarter(starterCtx, profile, p)
	opts.Accounts = starter
	var window atomic.Pointer[gui.MainWindow]
	confirm := func(ctx context.Context, d api.ExternalDial) bool {
		if cfg.API.TrustExternalDials {
			return true
		}
		// A link from the command line may be ready to dial before the
		// window is built: wait for the window to ask.
		for window.Load() == nil {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(100 * time.Millisecond):
			}
		}
		return window.Load().ConfirmDial(ctx, d.Number, d.URI)
	}
	ctx, cancel := context.WithCancel(context.Background())
	services, err := startServices(ctx, f, logger, profile, cfg, p, io.Discard, false, apiHooks{confirm: confirm, micCheck: audio.micCheck, show: func() {
		if w := window.Load(); w != nil {
			w.Show()
		}
	}})
	switch {
	case err != nil && services != nil:
		logger.Error("Ringdesk runs without its local API", "error", err)
	case err != nil:
		// The phone still works without the history, lookup or API.
		logger.Error("Ringdesk runs without its local API, history and caller lookup", "error", err)
	}
	addAccounts(p, profile, cfg, logger, logWriter{logger})
	var wg sync.WaitGroup
	if f.link != "" && (services == nil || services.api == nil) {
		logger.Error("the link from the command line cannot be dialled without the local API", "link", f.link)
	}
	if f.link != "" && services != nil && services.api != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := services.api.OpenURI(ctx, f.link, linkWait); err != nil {
				logger.Warn("the link from the command line was not dialled", "link", f.link, "error", err)
			}
		}()
	}

	opts.Phone = p
	opts.OnWindow = func(w *gui.MainWindow) { window.Store(w) }
	settingsOptions(&opts, f, starter, cfg, services)
	if services != nil {
		opts.History = services.history
		opts.SearchContacts = services.crm.Search
	}
	gui.Run(opts)

	window.Store(nil)
	cancel()
	stopStarter()
	<-starter.pending.done
	wg.Wait()
	services.closeAPI()
	closeCtx, closeCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer closeCancel()
	_ = p.Close(closeCtx)
	services.close()
	return 0
}

// accountStarter saves an account the window's form made and starts it
// in the engine at once, so it registers without a restart. An account
// with a call up is started again only once its calls have ended:
// restarting it would hang them up.
type accountStarter struct {
	profile *store.Profile
	phone   *phone.Phone
	pending *pendingRestarts
}

// newAccountStarter makes the window's accountStarter; its restarts wait
// for calls until ctx ends.
func newAccountStarter(ctx context.Context, profile *store.Profile, p *phone.Phone) accountStarter {
	r := &pendingRestarts{waiting: map[string]func(){}, done: make(chan struct{})}
	go r.watch(ctx, p)
	return accountStarter{profile: profile, phone: p, pending: r}
}

// pendingRestarts are account restarts waiting for the account's calls to
// end.
type pendingRestarts struct {
	mu      sync.Mutex
	waiting map[string]func() // account ID → its restart
	done    chan struct{}     // closed when watch returns
}

// watch runs the waiting restarts as their accounts' last calls end, until
// ctx ends.
func (r *pendingRestarts) watch(ctx context.Context, p *phone.Phone) {
	defer close(r.done)
	sub := p.Subscribe()
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			if e.Type != phone.EventCallEnd {
				continue
			}
			r.mu.Lock()
			var due []func()
			for id, run := range r.waiting {
				if !hasCalls(p, id) {
					due = append(due, run)
					delete(r.waiting, id)
				}
			}
			r.mu.Unlock()
			for _, run := range due {
				run()
			}
		}
	}
}

// hasCalls says whether account id has a call that has not ended.
func hasCalls(p *phone.Phone, id string) bool {
	for _, c := range p.Calls() {
		if i := c.Info(); i.Account == id && i.State != phone.CallStateEnded {
			return true
		}
	}
	return false
}

// SaveAccount keeps the account in the config and its secret in the
// keyring, then hands it to the engine.
func (s accountStarter) SaveAccount(acc store.Account, secret string) error {
	if err := s.profile.SaveAccount(acc, secret); err != nil {
		return err
	}
	return s.restart(acc, secret)
}

// restart starts the saved account (with the defaults the store filled
// in) in the engine with secret, stopping it first if it runs.
func (s accountStarter) restart(acc store.Account, secret string) error {
	for _, saved := range s.profile.Config().Accounts {
		if saved.ID == acc.ID {
			acc = saved
		}
	}
	if s.pending != nil {
		s.pending.mu.Lock()
		if hasCalls(s.phone, acc.ID) {
			s.pending.waiting[acc.ID] = func() {
				if err := s.start(acc, secret); err != nil {
					slog.Default().Warn("the edited account could not be started after its call", "account", acc.ID, "error", err)
				}
			}
			s.pending.mu.Unlock()
			slog.Default().Info("the edited account starts again once its calls end", "account", acc.ID)
			return nil
		}
		delete(s.pending.waiting, acc.ID)
		s.pending.mu.Unlock()
	}
	return s.start(acc, secret)
}

// start stops the account if it runs and starts it as acc, with secret.
func (s accountStarter) start(acc store.Account, secret string) error {
	if _, err := s.phone.Account(acc.ID); err == nil {
		_ = s.phone.RemoveAccount(acc.ID) // edited: start it again as it now is
	}
	c := withTURNCredentials(phoneAccount(acc, secret), acc, s.profile, slog.Default())
	if _, err := s.phone.AddAccount(c); err != nil {
		return fmt.Errorf("the account was saved, but the phone could not start it: %w", err)
	}
	return nil
}

// logWriter turns lines written for a terminal into warnings in the log:
// the window has no stdout a user reads.
type logWriter struct{ logger *applog.Logger }

func (l logWriter) Write(b []byte) (int, error) {
	l.logger.Warn(string(trimNewline(b)))
	return len(b), nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
