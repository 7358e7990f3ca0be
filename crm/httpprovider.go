package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SecretFunc returns the secret stored under key (see store.CRMSecretKey),
// preferring the environment variable env when it is set; source says
// where it came from ("OS keyring"). store.Profile.Secret has this shape.
type SecretFunc func(key, env string) (value, source string, err error)

// HTTPConfig is a generic REST lookup: one request per number, a JSON
// answer, and a Mapping from it to a Contact.
type HTTPConfig struct {
	// Name names the provider in messages and Contact.Source.
	Name string
	// URL is the lookup URL; {number}, {e164}, {national} and {nsn} are
	// replaced by the URL-escaped number.
	URL string
	// Method is GET (the default) or POST.
	Method string
	// Body is the JSON body of a POST; the number placeholders and {secret}
	// are replaced inside its strings, JSON-escaped.
	Body string
	// Headers are sent with every request; {secret} is replaced by the
	// provider's secret.
	Headers map[string]string
	// Mapping locates the contact in the answer.
	Mapping Mapping
	// Timeout bounds one request, body included (default: WithTimeout's).
	Timeout time.Duration
	// SecretKey and SecretEnv locate the secret for {secret}.
	SecretKey string
	SecretEnv string
	// NotFoundOn404 reads a JSON 404 answer as "no such contact".
	NotFoundOn404 bool
}

// HTTPProvider is a Provider doing a generic REST lookup (type "http"), and
// the base of the HubSpot, Zoho, Pipedrive and Salesforce presets. Its
// Close drops its idle connections.
type HTTPProvider struct {
	cfg         HTTPConfig
	secret      SecretFunc
	fetch       *fetcher
	needsPublic bool
	// auth, when set, supplies {secret} instead of the keyring (OAuth).
	auth *oauth
}

// NewHTTPProvider checks cfg and returns its provider. secret supplies
// {secret}; it may be nil when no header or body holds {secret}. Options:
// WithTimeout (the request timeout when cfg has none), WithMaxBody.
func NewHTTPProvider(cfg HTTPConfig, secret SecretFunc, opts ...Option) (*HTTPProvider, error) {
	o := buildOptions(opts)
	if cfg.Name == "" {
		cfg.Name = "http"
	}
	cfg.Method = strings.ToUpper(cfg.Method)
	if cfg.Method == "" {
		cfg.Method = http.MethodGet
	}
	if cfg.Method != http.MethodGet && cfg.Method != http.MethodPost {
		return nil, fmt.Errorf("CRM provider %s: method %q is not GET or POST", cfg.Name, cfg.Method)
	}
	if err := checkURLTemplate("CRM provider "+cfg.Name+": the url", cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Body != "" {
		sample := Number{Digits: "+84977805845", E164: "+84977805845", National: "0977805845", NSN: "977805845"}
		key := "k"
		if !json.Valid([]byte(expand(cfg.Body, sample, &key, jsonEscape))) {
			return nil, fmt.Errorf("CRM provider %s: the body is not valid JSON once filled in; put the placeholders inside strings, e.g. {\"phone\": \"{e164}\"}", cfg.Name)
		}
	}
	if err := checkMapping(cfg.Name, cfg.Mapping); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = o.timeout
	}
	p := &HTTPProvider{
		cfg:         cfg,
		secret:      secret,
		fetch:       newFetcher(cfg.Timeout, o.maxBody),
		needsPublic: usesPublicForm(cfg.URL) || usesPublicForm(cfg.Body),
	}
	p.fetch.notFoundOn404 = cfg.NotFoundOn404
	if p.usesSecret() {
		if secret == nil {
			return nil, fmt.Errorf("CRM provider %s uses {secret} but Ringdesk was given no secret store", cfg.Name)
		}
		p.fetch.keyHint = secretHint(cfg.SecretKey, cfg.SecretEnv)
	} else {
		p.fetch.keyHint = " in the provider's headers"
	}
	return p, nil
}

// secretHint says where a provider's key is kept, for 401 messages.
func secretHint(key, env string) string {
	if env != "" {
		return fmt.Sprintf(" (in environment variable %s, or in the OS keyring under %q)", env, key)
	}
	return fmt.Sprintf(" (kept in the OS keyring under %q; change it in Settings → CRM)", key)
}

// Name returns the provider's name.
func (p *HTTPProvider) Name() string { return p.cfg.Name }

// Close drops the provider's idle connections.
func (p *HTTPProvider) Close() error {
	p.fetch.close()
	if p.auth != nil {
		p.auth.fetch.close()
	}
	return nil
}

func (p *HTTPProvider) usesSecret() bool {
	if strings.Contains(p.cfg.Body, PlaceholderSecret) {
		return true
	}
	for _, v := range p.cfg.Headers {
		if strings.Contains(v, PlaceholderSecret) {
			return true
		}
	}
	return false
}

// Lookup asks the CRM about n. Internal extensions are not asked about
// when the URL or body needs a public form of the number.
func (p *HTTPProvider) Lookup(ctx context.Context, n Number) (Contact, error) {
	if p.needsPublic && n.Internal {
		return Contact{}, ErrNotFound
	}
	if n.E164 == "" && (strings.Contains(p.cfg.URL, PlaceholderE164) || strings.Contains(p.cfg.Body, PlaceholderE164)) {
		return Contact{}, fmt.Errorf("%s has no international form: set [crm] region (e.g. \"VN\") so Ringdesk can write it as +…", n.Digits)
	}
	body, err := p.get(ctx, n)
	if err != nil {
		return Contact{}, err
	}
	c, err := p.cfg.Mapping.Contact(body)
	if err != nil {
		return Contact{}, err
	}
	c.Source = p.cfg.Name
	return c, nil
}

// get sends the lookup and returns the JSON answer. With OAuth, a 401
// drops the access token and tries once more with a new one.
func (p *HTTPProvider) get(ctx context.Context, n Number) ([]byte, error) {
	body, token, err := p.send(ctx, n)
	var se *StatusError
	if p.auth != nil && errors.As(err, &se) && se.Code == http.StatusUnauthorized {
		p.auth.invalidate(token)
		body, _, err = p.send(ctx, n)
	}
	return body, err
}

// send does one request; token is the secret or access token it used.
func (p *HTTPProvider) send(ctx context.Context, n Number) (body []byte, token string, err error) {
	var secret *string
	if p.usesSecret() {
		if token, err = p.secretValue(ctx); err != nil {
			return nil, "", err
		}
		secret = &token
	}
	var reqBody io.Reader
	if p.cfg.Body != "" {
		reqBody = strings.NewReader(expand(p.cfg.Body, n, secret, jsonEscape))
	}
	req, err := http.NewRequestWithContext(ctx, p.cfg.Method, expandURL(p.cfg.URL, n), reqBody)
	if err != nil {
		return nil, token, fmt.Errorf("building the request: %w", innermost(err))
	}
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range p.cfg.Headers {
		req.Header.Set(k, expand(v, n, secret, func(s string) string { return s }))
	}
	body, err = p.fetch.do(req)
	return body, token, err
}

// secretValue returns the value for {secret}: an OAuth access token, or
// the secret kept for the provider.
func (p *HTTPProvider) secretValue(ctx context.Context) (string, error) {
	if p.auth != nil {
		return p.auth.token(ctx)
	}
	return readSecret(p.secret, p.cfg.Name, p.cfg.SecretKey, p.cfg.SecretEnv)
}

// readSecret reads a provider's secret and checks it can go in a header.
func readSecret(secret SecretFunc, provider, key, env string) (string, error) {
	v, _, err := secret(key, env)
	if err != nil {
		return "", fmt.Errorf("no API key for CRM provider %s: %w; add it in Settings → CRM (kept in the OS keyring under %q) or name an environment variable in secret_env", provider, err, key)
	}
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("the API key of CRM provider %s (under %q) holds a line break: store it again without one", provider, key)
	}
	return v, nil
}
