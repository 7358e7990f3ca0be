package crm

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os/exec"
	"runtime"

	"github.com/ringdesk/ringdesk/store"
)

// Opener opens a web address, normally in the default browser.
type Opener func(ctx context.Context, url string) error

// Popper opens the CRM's screen-pop page (crm.pop_url) for a call, when
// crm.pop_on says: as the call rings, when it is answered, or never. Calls
// from internal extensions (1002) pop nothing. It is safe for concurrent
// use.
type Popper struct {
	template string
	popOn    string
	open     Opener
	log      *slog.Logger
}

// NewPopper checks the screen-pop template and popOn ("ring", "answer" or
// "never"; empty means ring). The template may hold {number}, {e164},
// {national} and {nsn} and must be an http(s) address; an empty template
// pops nothing. Options: WithOpener (default OpenBrowser), WithLogger.
func NewPopper(template, popOn string, opts ...Option) (*Popper, error) {
	o := buildOptions(opts)
	if popOn == "" {
		popOn = store.DefaultPopOn
	}
	switch popOn {
	case store.PopOnRing, store.PopOnAnswer, store.PopOnNever:
	default:
		return nil, fmt.Errorf("screen-pop: pop_on %q is not ring, answer or never", popOn)
	}
	if template != "" {
		if err := checkURLTemplate("screen-pop: pop_url", template); err != nil {
			return nil, err
		}
	}
	return &Popper{template: template, popOn: popOn, open: o.opener, log: o.logger}, nil
}

// URL returns the screen-pop address for n: the template with the
// placeholders replaced by the URL-escaped forms of the number. It refuses
// to return anything but an http(s) address.
func (p *Popper) URL(n Number) (string, error) {
	if p.template == "" {
		return "", fmt.Errorf("screen-pop: no pop_url is set")
	}
	s := expandURL(p.template, n)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("screen-pop: %q is not a web address", s)
	}
	return s, nil
}

// Pop opens the screen-pop page for n if moment ("ring" or "answer", see
// store.PopOnRing and store.PopOnAnswer) is the one pop_on names, and
// reports whether it did. The engine calls it at both moments; the popper
// decides.
func (p *Popper) Pop(ctx context.Context, moment string, n Number) (opened bool, err error) {
	if p.template == "" || p.popOn == store.PopOnNever || moment != p.popOn || n.Internal || n.Digits == "" {
		return false, nil
	}
	target, err := p.URL(n)
	if err != nil {
		return false, err
	}
	if err := p.open(ctx, target); err != nil {
		return false, fmt.Errorf("screen-pop for %s: %w", n, err)
	}
	p.log.Info("screen-pop opened", "number", n.Key(), "moment", moment)
	return true, nil
}

// OpenBrowser opens an http(s) address in the default browser: xdg-open on
// Linux and the BSDs, open on macOS, rundll32's FileProtocolHandler on
// Windows, started directly (no shell reads the address). It returns once
// the program started; a goroutine reaps it when it exits (xdg-open and
// open exit as soon as they handed the address over).
func OpenBrowser(_ context.Context, target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("refusing to open %q: only http and https addresses are opened", target)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u.String())
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u.String())
	default:
		cmd = exec.Command("xdg-open", u.String())
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("opening the browser with %s: %w", cmd.Path, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
