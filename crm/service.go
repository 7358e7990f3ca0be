package crm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// Service is caller lookup, screen-pop and the webhook built from the
// [crm] configuration: what cmd wires and the GUI and API use.
type Service struct {
	// Resolver answers "who is calling?" (CALLER_INFO, the popup, GET
	// /v1/contacts/lookup).
	Resolver *Resolver
	// Popper opens crm.pop_url on ring or answer.
	Popper *Popper
	// Webhook posts call events to crm.webhook.url; nil when none is set.
	Webhook *Webhook

	contacts []*ContactsFile
	cancel   context.CancelFunc
	watchers sync.WaitGroup
}

// New builds the Service cfg describes (cfg as store loads it: validated,
// defaults applied). secret reads API keys and the webhook's signing key
// (store.Profile.Secret). Contacts files are watched for changes until
// Close; a change empties the lookup cache. Options given here are applied
// after those the config implies (WithLogger, WithClock, WithOpener, ...).
func New(cfg store.CRM, secret SecretFunc, opts ...Option) (*Service, error) {
	timeout := DefaultTimeout
	if cfg.Timeout != "" {
		d, err := time.ParseDuration(cfg.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("crm.timeout %q is not a positive duration like \"1.5s\"", cfg.Timeout)
		}
		timeout = d
	}
	ttl := DefaultCacheTTL
	if cfg.CacheTTL != "" {
		d, err := time.ParseDuration(cfg.CacheTTL)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("crm.cache_ttl %q is not a duration like \"10m\" (\"0s\" turns the cache off)", cfg.CacheTTL)
		}
		ttl = d
	}
	opts = append([]Option{WithTimeout(timeout), WithRegion(cfg.Region), WithCache(ttl, 0)}, opts...)
	o := buildOptions(opts)

	var providers []Provider
	var contacts []*ContactsFile
	var errs []error
	for i, pc := range cfg.Providers {
		p, err := NewProvider(pc, secret, opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("crm.providers[%d]: %w", i, err))
			continue
		}
		providers = append(providers, p)
		if c, ok := p.(*ContactsFile); ok {
			contacts = append(contacts, c)
		}
	}
	popper, err := NewPopper(cfg.PopURL, cfg.PopOn, opts...)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		for _, p := range providers {
			if c, ok := p.(interface{ Close() error }); ok {
				_ = c.Close()
			}
		}
		return nil, errors.Join(errs...)
	}
	s := &Service{Resolver: NewResolver(providers, opts...), Popper: popper, contacts: contacts}
	if cfg.Webhook.URL != "" {
		if s.Webhook, err = NewWebhook(cfg.Webhook, secret, opts...); err != nil {
			_ = s.Resolver.Close()
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for _, c := range contacts {
		s.watchers.Go(func() { c.Watch(ctx, s.Resolver.Flush) })
	}
	o.logger.Info("CRM lookup ready", "providers", len(providers), "contacts_files", len(contacts),
		"timeout", timeout, "cache_ttl", ttl, "pop_on", popper.popOn, "webhook", s.Webhook != nil)
	return s, nil
}

// Contacts returns the local contacts files among the providers.
func (s *Service) Contacts() []*ContactsFile { return append([]*ContactsFile(nil), s.contacts...) }

// Search searches every local contacts file (the GUI's contacts tab); see
// ContactsFile.Search.
func (s *Service) Search(query string) []Contact { return SearchAll(s.contacts, query) }

// Close stops watching contacts files, stops lookups, and delivers the
// webhook's queued events until ctx ends (see Webhook.Close).
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	s.watchers.Wait()
	errs := []error{s.Resolver.Close()}
	if s.Webhook != nil {
		errs = append(errs, s.Webhook.Close(ctx))
	}
	return errors.Join(errs...)
}
