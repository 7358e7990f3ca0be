package crm

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// NewProvider builds the provider a [[crm.providers]] entry describes:
// the generic "http" lookup, a "csv" or "vcard" contacts file, or a CRM
// preset. secret supplies API keys (store.Profile.Secret in the app). A
// contacts file that cannot be read yet is not an error here: its Lookup
// says why until the file can be read (see OpenContacts). Options:
// WithTimeout (request timeout of providers with none), WithRegion (for
// contacts files: the same as the Resolver's, so both read numbers alike),
// WithMaxBody, WithLogger, WithClock.
func NewProvider(p store.CRMProvider, secret SecretFunc, opts ...Option) (Provider, error) {
	o := buildOptions(opts)
	name := providerName(p)
	if p.Timeout != "" {
		d, err := time.ParseDuration(p.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("CRM provider %s: timeout %q is not a positive duration like \"1.5s\"", name, p.Timeout)
		}
		opts = append(opts, WithTimeout(d))
		o.timeout = d
	}
	user := Mapping{Item: p.Item, Name: p.Name, Company: p.Company, RecordURL: p.RecordURL, Notes: p.Notes, Fields: p.Fields}
	var cfg HTTPConfig
	switch p.Type {
	case store.ProviderHTTP:
		// A 404 means "no such contact" only where the number is part of
		// the path (/contacts/by-phone/{e164}); elsewhere it means a wrong
		// url, which the user must hear about.
		cfg = HTTPConfig{Name: name, URL: p.URL, Method: p.Method, Body: p.Body, Mapping: user,
			NotFoundOn404: numberInPath(p.URL)}
	case store.ProviderCSV, store.ProviderVCard:
		c, err := OpenContacts(p.Path, p.Type, opts...)
		if err != nil {
			o.logger.Warn("contacts file could not be read yet", "provider", name, "error", err)
		}
		return c, nil
	case store.ProviderHubSpot:
		cfg = hubspotConfig(p, name)
	case store.ProviderZoho:
		cfg = zohoConfig(p, name)
	case store.ProviderPipedrive:
		cfg = pipedriveConfig(p, name)
	case store.ProviderSalesforce:
		cfg = salesforceConfig(p, name)
	case store.ProviderOdoo:
		return newOdoo(p, name, secret, o)
	case store.ProviderBitrix24:
		return newBitrix24(p, name, secret, o)
	default:
		return nil, fmt.Errorf("CRM provider %s: type %q is not one Ringdesk has (use %s)", name, p.Type, strings.Join(store.ProviderTypes(), ", "))
	}
	if p.Type != store.ProviderHTTP {
		cfg.Mapping = cfg.Mapping.merge(user)
	}
	if len(p.Headers) > 0 && cfg.Headers == nil {
		cfg.Headers = map[string]string{}
	}
	for k, v := range p.Headers {
		cfg.Headers[k] = v
	}
	cfg.SecretKey, cfg.SecretEnv = p.SecretKey(), p.SecretEnv
	hp, err := NewHTTPProvider(cfg, secret, opts...)
	if err != nil {
		return nil, err
	}
	if p.ClientID != "" && (p.Type == store.ProviderZoho || p.Type == store.ProviderSalesforce) {
		if hp.auth, err = presetOAuth(p, name, secret, o); err != nil {
			return nil, err
		}
	}
	return hp, nil
}

// numberInPath reports whether a URL template has a placeholder in its
// path, not only in its query.
func numberInPath(tmpl string) bool {
	_, rest, ok := strings.Cut(tmpl, "://")
	if !ok {
		return false
	}
	path, _, _ := strings.Cut(rest, "?")
	return placeholderRE.MatchString(path)
}

// providerName is the name a provider goes by: its id, else its type (the
// file's name for contacts files).
func providerName(p store.CRMProvider) string {
	switch {
	case p.ID != "":
		return p.ID
	case (p.Type == store.ProviderCSV || p.Type == store.ProviderVCard) && p.Path != "":
		return filepath.Base(p.Path)
	default:
		return p.Type
	}
}

// baseURL returns a preset's base address without a trailing slash.
func baseURL(configured, fallback string) string {
	if configured == "" {
		configured = fallback
	}
	return strings.TrimSuffix(configured, "/")
}

// numberPlaceholder returns the placeholder of the number form a preset
// searches with.
func numberPlaceholder(format, fallback string) string {
	if format == "" {
		format = fallback
	}
	return "{" + format + "}"
}

// hubspotBody searches contacts whose phone or mobile matches, in the
// forms HubSpot keeps: its digits-only "searchable" copies (without the
// country code), and the numbers as written in E.164 or national form.
const hubspotBody = `{"filterGroups":[` +
	`{"filters":[{"propertyName":"hs_searchable_calculated_phone_number","operator":"EQ","value":"{nsn}"}]},` +
	`{"filters":[{"propertyName":"hs_searchable_calculated_mobile_number","operator":"EQ","value":"{nsn}"}]},` +
	`{"filters":[{"propertyName":"phone","operator":"EQ","value":"{e164}"}]},` +
	`{"filters":[{"propertyName":"phone","operator":"EQ","value":"{national}"}]},` +
	`{"filters":[{"propertyName":"mobilephone","operator":"EQ","value":"{e164}"}]}],` +
	`"properties":["firstname","lastname","company","email","jobtitle","phone","mobilephone"],"limit":1}`

// hubspotConfig is the HubSpot preset: the CRM search API
// (POST /crm/v3/objects/contacts/search) with a private app's access token.
func hubspotConfig(p store.CRMProvider, name string) HTTPConfig {
	return HTTPConfig{
		Name:    name,
		URL:     baseURL(p.URL, "https://api.hubapi.com") + "/crm/v3/objects/contacts/search",
		Method:  http.MethodPost,
		Body:    hubspotBody,
		Headers: map[string]string{"Authorization": "Bearer {secret}"},
		Mapping: Mapping{
			Item:    "results",
			Name:    "{properties.firstname} {properties.lastname}",
			Company: "properties.company",
			Fields:  map[string]string{"Email": "properties.email", "Job title": "properties.jobtitle"},
		},
	}
}

// zohoConfig is the Zoho CRM preset: search the Contacts module by phone
// (GET /crm/v7/Contacts/search?phone=...), which searches every phone field.
func zohoConfig(p store.CRMProvider, name string) HTTPConfig {
	num := numberPlaceholder(p.NumberFormat, store.NumberNational)
	return HTTPConfig{
		Name: name,
		URL: baseURL(p.URL, "https://www.zohoapis.com") + "/crm/v7/Contacts/search?phone=" + num +
			"&fields=Full_Name,Account_Name,Email,Title,Phone,Mobile,Description",
		Headers: map[string]string{"Authorization": "Zoho-oauthtoken {secret}"},
		Mapping: Mapping{
			Item:    "data",
			Name:    "Full_Name",
			Company: "Account_Name.name",
			Notes:   "Description",
			Fields:  map[string]string{"Email": "Email", "Title": "Title"},
		},
	}
}

// pipedriveConfig is the Pipedrive preset: search persons by phone
// (GET /api/v2/persons/search) with an API token in the x-api-token header.
func pipedriveConfig(p store.CRMProvider, name string) HTTPConfig {
	base := baseURL(p.URL, "https://api.pipedrive.com")
	num := numberPlaceholder(p.NumberFormat, store.NumberNSN)
	return HTTPConfig{
		Name:    name,
		URL:     base + "/api/v2/persons/search?term=" + num + "&fields=phone&limit=1",
		Headers: map[string]string{"x-api-token": "{secret}"},
		Mapping: Mapping{
			Item:      "data.items.0.item",
			Name:      "name",
			Company:   "organization.name",
			RecordURL: base + "/person/{id}",
			Fields:    map[string]string{"Email": "emails", "Phone": "phones"},
		},
	}
}

// salesforceAPIVersion is the REST API version the Salesforce preset asks for.
const salesforceAPIVersion = "v62.0"

// salesforceConfig is the Salesforce preset: a SOSL search of phone fields
// over Contacts and Leads (GET /services/data/vXX/parameterizedSearch).
func salesforceConfig(p store.CRMProvider, name string) HTTPConfig {
	base := baseURL(p.URL, "")
	num := numberPlaceholder(p.NumberFormat, store.NumberNational)
	return HTTPConfig{
		Name: name,
		URL: base + "/services/data/" + salesforceAPIVersion + "/parameterizedSearch/?q=" + num +
			"&in=PHONE&sobject=Contact&sobject=Lead&Contact.fields=Id,Name,Title,Email,Account.Name" +
			"&Lead.fields=Id,Name,Title,Email,Company&overallLimit=1",
		Headers: map[string]string{"Authorization": "Bearer {secret}"},
		Mapping: Mapping{
			Item:      "searchRecords",
			Name:      "Name",
			Company:   "{Account.Name}{Company}", // a Contact has the one, a Lead the other
			RecordURL: base + "/lightning/r/{attributes.type}/{Id}/view",
			Fields:    map[string]string{"Title": "Title", "Email": "Email", "Type": "attributes.type"},
		},
	}
}

// presetOAuth sets up access-token renewal for zoho (refresh-token grant)
// and salesforce (client-credentials grant). The provider's secret is then
// the client secret.
func presetOAuth(p store.CRMProvider, name string, secret SecretFunc, o options) (*oauth, error) {
	clientSecret := func() (string, error) {
		return readSecret(secret, name, p.SecretKey(), p.SecretEnv)
	}
	switch p.Type {
	case store.ProviderZoho:
		tokenURL := p.OAuthURL
		if tokenURL == "" {
			var err error
			if tokenURL, err = zohoTokenURL(baseURL(p.URL, "https://www.zohoapis.com")); err != nil {
				return nil, fmt.Errorf("CRM provider %s: %w", name, err)
			}
		}
		refreshKey := p.SecretKey() + "/refresh_token"
		form := func() (url.Values, error) {
			cs, err := clientSecret()
			if err != nil {
				return nil, err
			}
			rt, _, err := secret(refreshKey, p.RefreshTokenEnv)
			if err != nil {
				return nil, fmt.Errorf("no Zoho refresh token for CRM provider %s: %w; store it in the OS keyring under %q or name an environment variable in refresh_token_env", name, err, refreshKey)
			}
			return url.Values{"grant_type": {"refresh_token"}, "client_id": {p.ClientID}, "client_secret": {cs}, "refresh_token": {rt}}, nil
		}
		return newOAuth(name, tokenURL, time.Hour, form, o, o.timeout), nil
	default:
		tokenURL := p.OAuthURL
		if tokenURL == "" {
			tokenURL = baseURL(p.URL, "") + "/services/oauth2/token"
		}
		form := func() (url.Values, error) {
			cs, err := clientSecret()
			if err != nil {
				return nil, err
			}
			return url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {cs}}, nil
		}
		// Salesforce's answer has no expires_in: renew hourly, and at once
		// when a lookup is refused.
		return newOAuth(name, tokenURL, time.Hour, form, o, o.timeout), nil
	}
}

// zohoTokenURL derives the accounts server of a Zoho data centre from its
// API host: www.zohoapis.eu -> https://accounts.zoho.eu/oauth/v2/token.
func zohoTokenURL(apiBase string) (string, error) {
	u, err := url.Parse(apiBase)
	if err != nil {
		return "", fmt.Errorf("url %q is not a valid address: %w", apiBase, err)
	}
	host := strings.TrimPrefix(u.Hostname(), "www.")
	tld, ok := strings.CutPrefix(host, "zohoapis.")
	if !ok {
		return "", fmt.Errorf("cannot tell the Zoho accounts server from url %q: write it in oauth_url, e.g. \"https://accounts.zoho.com/oauth/v2/token\"", apiBase)
	}
	return "https://accounts.zoho." + tld + "/oauth/v2/token", nil
}
