package crm

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// oauth fetches and renews the access token of a Zoho (refresh-token
// grant) or Salesforce (client-credentials grant) provider. Refreshes are
// serialised, and a caller waiting for one gives up when its ctx ends.
type oauth struct {
	provider   string
	tokenURL   string
	form       func() (url.Values, error) // the grant's form, secrets included
	fetch      *fetcher
	now        func() time.Time
	defaultTTL time.Duration // when the answer has no expires_in

	refreshing chan struct{} // one slot: held while a refresh runs

	mu      sync.Mutex
	access  string    // guarded by mu
	expires time.Time // guarded by mu
}

func newOAuth(provider, tokenURL string, defaultTTL time.Duration, form func() (url.Values, error), o options, timeout time.Duration) *oauth {
	f := newFetcher(timeout, 64<<10)
	f.keyHint = " (the client secret, or the refresh token)"
	return &oauth{
		provider: provider, tokenURL: tokenURL, form: form, fetch: f, now: o.now,
		defaultTTL: defaultTTL, refreshing: make(chan struct{}, 1),
	}
}

// current returns the access token while it is valid.
func (a *oauth) current() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.access, a.access != "" && a.now().Before(a.expires)
}

// token returns a valid access token, fetching a new one when needed.
func (a *oauth) token(ctx context.Context) (string, error) {
	if t, ok := a.current(); ok {
		return t, nil
	}
	select {
	case a.refreshing <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("%w: still waiting for an access token from %s", ErrTimeout, a.provider)
	}
	defer func() { <-a.refreshing }()
	if t, ok := a.current(); ok {
		return t, nil
	}
	form, err := a.form()
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("building the token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	body, err := a.fetch.do(req)
	if err != nil {
		return "", fmt.Errorf("getting an access token from %s: %w", a.provider, err)
	}
	access := gjson.GetBytes(body, "access_token").String()
	if access == "" {
		why := errorDetail(body)
		if why == "" {
			why = "its answer has no access_token"
		}
		return "", fmt.Errorf("%s refused to give an access token (%s): check client_id, the client secret and, for Zoho, the refresh token", a.provider, why)
	}
	ttl := a.defaultTTL
	if s := gjson.GetBytes(body, "expires_in").Int(); s > 0 {
		ttl = time.Duration(s) * time.Second
	}
	margin := min(time.Minute, ttl/10)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.access, a.expires = access, a.now().Add(ttl-margin)
	return access, nil
}

// invalidate drops tok if it is still the current token (the CRM refused it).
func (a *oauth) invalidate(tok string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.access == tok {
		a.access = ""
	}
}
