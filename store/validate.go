package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Validate checks every setting of c. Settings left empty are fine: they
// take their defaults. The problems are *ConfigError values (joined with
// errors.Join when there are several) naming the field; File and Line are
// empty, since c did not come from a file. LoadConfig and SaveConfig run the
// same checks and add the file and line.
func (c *Config) Validate() error {
	return joinConfigErrors(c.problems())
}

// problems checks a copy of c with the defaults applied.
func (c *Config) problems() []*ConfigError {
	cfg := c.Clone()
	cfg.ApplyDefaults()
	var v validator
	v.api(&cfg.API)
	if d := cfg.History.RetentionDays; d < 0 || d > 36500 {
		v.addf("history.retention_days", "%d is out of range: write a number of days from 1 to 36500, or 0 to keep every call", d)
	}
	firstWithID := map[string]int{}
	for i := range cfg.Accounts {
		field := fmt.Sprintf("accounts[%d]", i)
		a := &cfg.Accounts[i]
		v.account(field, a)
		if a.ID == "" {
			continue
		}
		if first, dup := firstWithID[a.ID]; dup {
			v.addf(field+".id", "%q is already the id of accounts[%d]: each account needs its own id", a.ID, first)
		} else {
			firstWithID[a.ID] = i
		}
	}
	v.crm(&cfg.CRM)
	v.oneOf("log.level", cfg.Log.Level, logLevels, "a log level")
	if cfg.UI.Language != "" {
		v.oneOf("ui.language", cfg.UI.Language, languages, "a language Ringdesk ships")
	}
	return v.problems
}

// validator collects problems; its methods check one part of the config.
type validator struct {
	problems []*ConfigError
}

func (v *validator) addf(field, format string, args ...any) {
	v.problems = append(v.problems, &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// oneOf checks that value is one of allowed; what names the kind of value,
// with its article, in the message ("a transport").
func (v *validator) oneOf(field, value string, allowed []string, what string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	if lower := strings.ToLower(value); slices.Contains(allowed, lower) {
		v.addf(field, "%q is not %s: write it in lower case, %q", value, what, lower)
		return false
	}
	v.addf(field, "%q is not %s (use %s)", value, what, orList(allowed))
	return false
}

func (v *validator) api(api *API) {
	v.loopback("api.listen", api.Listen)
	for i, origin := range api.AllowedOrigins {
		v.origin(fmt.Sprintf("api.allowed_origins[%d]", i), origin)
	}
	v.envName("api.token_env", api.TokenEnv)
	if api.DialsPerMinute < 0 || api.DialsPerMinute > 600 {
		v.addf("api.dials_per_minute", "%d is out of range: write a number of calls per minute from 1 to 600", api.DialsPerMinute)
	}
}

// idRE is what an account or provider id may look like: it becomes part of a
// keyring key ("account/<id>/password").
var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (v *validator) id(field, id, example string) {
	switch {
	case id == "":
		v.addf(field, "missing: give it a short name such as %q", example)
	case !idRE.MatchString(id):
		v.addf(field, "%q is not a usable id: use up to 64 letters, digits, \"-\", \"_\" or \".\", starting with a letter or digit", id)
	}
}

func (v *validator) account(prefix string, a *Account) {
	v.id(prefix+".id", a.ID, "main")
	v.username(prefix+".username", a.Username)
	v.domain(prefix+".domain", a.Domain)
	if v.oneOf(prefix+".transport", a.Transport, transports, "a transport") {
		v.server(prefix+".server", a.Server, a.Transport, true)
		v.server(prefix+".outbound_proxy", a.OutboundProxy, a.Transport, false)
	}
	if a.Expires < 30 || a.Expires > 86400 {
		v.addf(prefix+".expires", "%d is out of range: the registration lifetime is in seconds, from 30 to 86400 (leave it out for %d)", a.Expires, DefaultExpires)
	}
	if v.oneOf(prefix+".srtp", a.SRTP, srtpModes, "an srtp mode") && a.SRTP == SRTPOff && IsWebSocket(a.Transport) {
		v.addf(prefix+".srtp", "\"off\" is not possible on a %s account: WebRTC media is always encrypted (DTLS-SRTP); leave srtp out or write \"required\"", a.Transport)
	}
	v.codecs(prefix+".codecs", a.Codecs)
	v.oneOf(prefix+".dtmf", a.DTMF, dtmfModes, "a DTMF mode")
	for i, s := range a.ICEServers {
		v.iceServer(fmt.Sprintf("%s.ice_servers[%d]", prefix, i), s)
	}
	v.envName(prefix+".password_env", a.PasswordEnv)
}

func (v *validator) username(field, user string) {
	switch {
	case user == "":
		v.addf(field, "missing: the extension or SIP user name, e.g. \"1001\"")
	case strings.ContainsAny(user, " \t"):
		v.addf(field, "%q contains a space: SIP user names have none", user)
	case strings.Contains(user, "@"):
		name, domain, _ := strings.Cut(strings.TrimPrefix(user, "sip:"), "@")
		v.addf(field, "%q looks like a SIP address: put %q in username and %q in domain", user, name, domain)
	}
}

func (v *validator) domain(field, domain string) {
	switch {
	case domain == "":
		v.addf(field, "missing: the SIP domain of the PBX, e.g. \"pbx.example.com\"")
	case strings.Contains(domain, "://") || strings.HasPrefix(domain, "sip:") || strings.HasPrefix(domain, "sips:"):
		v.addf(field, "%q is a URI: write the domain alone, e.g. \"pbx.example.com\"", domain)
	case !validHost(domain):
		if host, _, err := splitHostPort(domain); err == "" && validHost(host) {
			v.addf(field, "%q has a port: write the domain alone (%q) and put host:port in server", domain, host)
			return
		}
		v.addf(field, "%q is not a domain name or IP address", domain)
	}
}

func (v *validator) codecs(field string, codecs []string) {
	known := Codecs()
	audio := false
	for i, c := range codecs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !v.oneOf(f, c, known, "a codec Ringdesk has") {
			continue
		}
		if slices.Index(codecs, c) < i {
			v.addf(f, "%q is listed twice", c)
		}
		audio = audio || slices.Contains(audioCodecs, c)
	}
	if len(codecs) > 0 && !audio {
		v.addf(field, "lists no audio codec: add at least one of %s", orList(audioCodecs))
	}
}

func (v *validator) iceServer(prefix string, s ICEServer) {
	if len(s.URLs) == 0 {
		v.addf(prefix+".urls", "missing: list the server's URLs, e.g. [\"stun:stun.example.com:3478\"]")
	}
	turn := false
	for i, u := range s.URLs {
		scheme := v.iceURL(fmt.Sprintf("%s.urls[%d]", prefix, i), u)
		turn = turn || scheme == "turn" || scheme == "turns"
	}
	if turn && s.Username == "" {
		v.addf(prefix+".username", "missing: a TURN server needs a username (its credential is kept in the keyring or in credential_env)")
	}
	v.envName(prefix+".credential_env", s.CredentialEnv)
}

// regionRE is an ISO 3166-1 alpha-2 region code, as phone number libraries take it.
var regionRE = regexp.MustCompile(`^[A-Z]{2}$`)

func (v *validator) crm(c *CRM) {
	if c.Region != "" && !regionRE.MatchString(c.Region) {
		v.addf("crm.region", "%q is not a region: use the two capital letters of the country, like \"VN\" or \"US\"", c.Region)
	}
	v.duration("crm.timeout", c.Timeout, false)
	if c.CacheTTL != "" {
		v.duration("crm.cache_ttl", c.CacheTTL, true)
	}
	if c.PopURL != "" {
		v.webURL("crm.pop_url", c.PopURL)
	}
	v.oneOf("crm.pop_on", c.PopOn, popOnValues, "a pop_on value")
	firstWithID := map[string]int{}
	for i := range c.Providers {
		prefix := fmt.Sprintf("crm.providers[%d]", i)
		p := &c.Providers[i]
		v.provider(prefix, p)
		if p.ID == "" {
			continue
		}
		if first, dup := firstWithID[p.ID]; dup {
			v.addf(prefix+".id", "%q is already the id of crm.providers[%d]: each provider needs its own id", p.ID, first)
		} else {
			firstWithID[p.ID] = i
		}
	}
	v.webhook(&c.Webhook)
}

// duration checks a duration setting; zeroOK allows "0s" (turning a
// feature off).
func (v *validator) duration(field, value string, zeroOK bool) {
	d, err := time.ParseDuration(value)
	switch {
	case err != nil:
		v.addf(field, "%q is not a duration: write a number with a unit, like \"1.5s\" or \"800ms\"", value)
	case d < 0 || d == 0 && !zeroOK:
		v.addf(field, "%q is not a positive duration: write one like \"1.5s\"", value)
	}
}

func (v *validator) provider(prefix string, p *CRMProvider) {
	if p.Type == "" {
		v.addf(prefix+".type", "missing: write %s", orList(providerTypes))
	} else if v.oneOf(prefix+".type", p.Type, providerTypes, "a provider type") {
		v.providerSettings(prefix, p)
	}
	if p.ID == WebhookSecretID {
		v.addf(prefix+".id", "%q is reserved for the webhook's signing key: choose another id", p.ID)
	} else if p.ID != "" {
		v.id(prefix+".id", p.ID, "crm")
	}
	if p.Timeout != "" {
		v.duration(prefix+".timeout", p.Timeout, false)
	}
	if p.NumberFormat != "" {
		v.oneOf(prefix+".number_format", p.NumberFormat, numberFormats, "a number format")
	}
	v.envName(prefix+".secret_env", p.SecretEnv)
	v.envName(prefix+".refresh_token_env", p.RefreshTokenEnv)
}

// providerSettings checks what a provider of a known type needs.
func (v *validator) providerSettings(prefix string, p *CRMProvider) {
	switch p.Type {
	case ProviderHTTP:
		if p.URL == "" {
			v.addf(prefix+".url", "missing: an http provider needs the lookup URL, e.g. \"https://crm.example.com/api/contacts?phone={e164}\"")
		} else {
			v.webURL(prefix+".url", p.URL)
			if strings.Contains(p.URL, "{secret}") {
				v.addf(prefix+".url", "holds {secret}: URLs end up in logs and browser history, so put the key in a header, e.g. headers = { Authorization = \"Bearer {secret}\" }")
			}
		}
		if p.Method != "" && v.oneOf(prefix+".method", p.Method, httpMethods, "an HTTP method Ringdesk uses") && p.Method == "GET" && p.Body != "" {
			v.addf(prefix+".body", "a GET request has no body: write method = \"POST\" or remove body")
		}
	case ProviderCSV, ProviderVCard:
		if p.Path == "" {
			v.addf(prefix+".path", "missing: a %s provider needs the path of its contacts file", p.Type)
		}
	case ProviderHubSpot, ProviderZoho:
		if p.URL != "" {
			v.webURL(prefix+".url", p.URL)
		}
	case ProviderOdoo:
		v.presetURL(prefix, "Odoo", p.URL, "https://mycompany.odoo.com")
		if p.Database == "" {
			v.addf(prefix+".database", "missing: an odoo provider needs the database name (shown under Settings, or the first part of mycompany.odoo.com)")
		}
		if p.Username == "" {
			v.addf(prefix+".username", "missing: an odoo provider needs the login of the user whose API key is stored, e.g. \"agent@example.com\"")
		}
	case ProviderPipedrive:
		v.presetURL(prefix, "Pipedrive", p.URL, "https://mycompany.pipedrive.com")
	case ProviderSalesforce:
		v.presetURL(prefix, "Salesforce", p.URL, "https://mycompany.my.salesforce.com")
	case ProviderBitrix24:
		v.presetURL(prefix, "Bitrix24 webhook (without its secret code)", p.URL, "https://mycompany.bitrix24.com/rest/1/")
	}
	if p.OAuthURL != "" {
		v.webURL(prefix+".oauth_url", p.OAuthURL)
	}
	for label := range p.Fields {
		if strings.TrimSpace(label) == "" {
			v.addf(prefix+".fields", "has an empty label: name each extra field, e.g. { Email = \"email\" }")
		}
	}
}

// presetURL checks the base URL a preset needs; what names it.
func (v *validator) presetURL(prefix, what, value, example string) {
	if value == "" {
		v.addf(prefix+".url", "missing: the address of your %s, e.g. %q", what, example)
		return
	}
	v.webURL(prefix+".url", value)
}

// webhookEventRE is an event type name as DESIGN.md spells them.
var webhookEventRE = regexp.MustCompile(`^[A-Z][A-Z_]*$`)

func (v *validator) webhook(w *CRMWebhook) {
	if w.URL != "" {
		v.webURL("crm.webhook.url", w.URL)
	} else if len(w.Events) > 0 {
		v.addf("crm.webhook.url", "missing: events are listed but no url receives them")
	}
	for i, e := range w.Events {
		if !webhookEventRE.MatchString(e) {
			v.addf(fmt.Sprintf("crm.webhook.events[%d]", i), "%q is not an event type: write it in capitals, like \"INCOMING_CALL\" or \"CALL_END\"", e)
		}
	}
	v.envName("crm.webhook.secret_env", w.SecretEnv)
}
