// Package store keeps Ringdesk's configuration file and its secrets in the OS
// keyring; the call history lives in the sub-package store/history.
//
// The configuration is one TOML file (see DefaultConfigPath) read by
// LoadConfig and written atomically by SaveConfig; every problem in it is
// reported as a *ConfigError naming the file, the line and the field. Secrets
// never go into that file: they live behind the Secrets interface, whose
// Keyring implementation uses the OS keyring. A Profile ties the file and the
// secrets together for the GUI and cmd.
package store

import (
	"maps"
	"slices"
)

// Config is the whole user-facing configuration file (config.toml).
// Field names follow DESIGN.md; secrets never appear here.
type Config struct {
	API      API       `toml:"api,omitempty"`
	Accounts []Account `toml:"accounts"`
	CRM      CRM       `toml:"crm,omitempty"`
	History  History   `toml:"history,omitempty"`
	Log      Log       `toml:"log,omitempty"`
	UI       UI        `toml:"ui,omitempty"`
	Audio    Audio     `toml:"audio,omitempty"`
}

// API configures the local control API.
type API struct {
	// Listen is the loopback address the API serves on, e.g. "127.0.0.1:5478".
	Listen string `toml:"listen"`
	// AllowedOrigins lists the browser Origins allowed to call the API.
	AllowedOrigins []string `toml:"allowed_origins,omitempty"`
	// TokenEnv names an environment variable holding the API token on hosts
	// without a keyring.
	TokenEnv string `toml:"token_env,omitempty"`
	// DialsPerMinute caps the calls the API may place in a minute, so a
	// runaway script cannot place a thousand calls; 0 means
	// DefaultDialsPerMinute (see DialLimit).
	DialsPerMinute int `toml:"dials_per_minute,omitempty"`
	// TrustExternalDials dials tel:, sip: and callto: links handed over by
	// the operating system without asking the user first.
	TrustExternalDials bool `toml:"trust_external_dials,omitempty"`
}

// DialLimit is how many calls the API may place in a minute.
func (a API) DialLimit() int {
	if a.DialsPerMinute <= 0 {
		return DefaultDialsPerMinute
	}
	return a.DialsPerMinute
}

// Account is one SIP account (an extension on a PBX). Its password (or HA1)
// is kept under AccountPasswordKey(ID) in the Secrets, never here.
//
// Empty fields mean "the default" (see ApplyDefaults); Video is a pointer so
// that "not set" (nil, meaning on) differs from an explicit false.
type Account struct {
	ID            string `toml:"id"`
	DisplayName   string `toml:"display_name,omitempty"`
	Username      string `toml:"username"`
	AuthUsername  string `toml:"auth_username,omitempty"`
	Domain        string `toml:"domain"`
	Realm         string `toml:"realm,omitempty"`
	Transport     string `toml:"transport,omitempty"`
	Server        string `toml:"server,omitempty"`
	OutboundProxy string `toml:"outbound_proxy,omitempty"`
	CAFile        string `toml:"ca_file,omitempty"`
	Expires       int    `toml:"expires,omitempty"`
	SRTP          string `toml:"srtp,omitempty"`
	// SymmetricRTP sends RTP where the far end's RTP comes from rather than
	// where its SDP says, for a PBX or phone behind NAT that does not fix
	// its SDP (plain RTP accounts; WebRTC has ICE for that).
	SymmetricRTP bool     `toml:"symmetric_rtp,omitempty"`
	Codecs       []string `toml:"codecs,omitempty"`
	Video        *bool    `toml:"video,omitempty"`
	DTMF         string   `toml:"dtmf,omitempty"`
	Voicemail    string   `toml:"voicemail,omitempty"`
	// ICEServers are the STUN/TURN servers of a ws/wss account.
	ICEServers []ICEServer `toml:"ice_servers,omitempty,inline"`
	// PasswordIsHA1 says the stored secret is HA1 = md5(user:realm:password)
	// rather than the password itself.
	PasswordIsHA1 bool `toml:"password_is_ha1,omitempty"`
	// PasswordEnv names an environment variable holding the password (or HA1)
	// on hosts without a keyring.
	PasswordEnv string `toml:"password_env,omitempty"`
}

// ICEServer is a STUN or TURN server for WebRTC (WS/WSS) accounts. A TURN
// credential lives in the keyring under ICECredentialKey, or in the variable
// CredentialEnv names.
type ICEServer struct {
	URLs          []string `toml:"urls"`
	Username      string   `toml:"username,omitempty"`
	CredentialEnv string   `toml:"credential_env,omitempty"`
}

// CRM configures caller lookup and screen-pop (package crm; docs/crm.md is
// the admin's guide to every key).
type CRM struct {
	// Region is the ISO 3166 region numbers without a country code are read
	// in, e.g. "VN": with it, 0977805845 and +84977805845 are one number.
	Region string `toml:"region,omitempty"`
	// Timeout bounds one caller lookup across all providers (default 1.5s).
	Timeout string `toml:"timeout,omitempty"`
	// PopURL is opened in the browser on ring or answer (see PopOn); it may
	// hold {number}, {e164}, {national} and {nsn}.
	PopURL string `toml:"pop_url,omitempty"`
	// PopOn says when PopURL is opened: ring, answer or never.
	PopOn string `toml:"pop_on,omitempty"`
	// CacheTTL is how long a lookup's answer (found or not) is reused, e.g.
	// "10m"; empty means 10 minutes, "0s" turns the cache off.
	CacheTTL string `toml:"cache_ttl,omitempty"`
	// Providers are asked in order who is calling.
	Providers []CRMProvider `toml:"providers,omitempty"`
	// Webhook posts call events to the CRM ([crm.webhook]).
	Webhook CRMWebhook `toml:"webhook,omitempty"`
}

// CRMProvider is one source of caller information ([[crm.providers]]).
// Which fields apply depends on Type; docs/crm.md lists them per type.
type CRMProvider struct {
	// Type is "http" (a REST lookup), "csv" or "vcard" (a local contacts
	// file), or a CRM preset: "hubspot", "zoho", "odoo", "pipedrive",
	// "salesforce" or "bitrix24".
	Type string `toml:"type"`
	// ID names the provider; its secret, if any, is kept under SecretKey.
	ID string `toml:"id,omitempty"`
	// URL is the lookup URL of an http provider ({number}, {e164},
	// {national} and {nsn} are the caller's number), or the base address
	// of a preset's CRM (e.g. "https://mycompany.odoo.com").
	URL string `toml:"url,omitempty"`
	// Method is the HTTP method of an http provider: GET (the default) or POST.
	Method string `toml:"method,omitempty"`
	// Body is the JSON body an http provider POSTs; the number placeholders
	// may appear inside its strings.
	Body string `toml:"body,omitempty"`
	// Headers are sent with every lookup; {secret} is replaced by the
	// provider's secret.
	Headers map[string]string `toml:"headers,omitempty,inline"`
	// Item is the JSON path of the matching record in an http provider's
	// answer (e.g. "data.0"); the paths below are then relative to it. When
	// the record (or the whole answer) is an array, its first element is used.
	Item string `toml:"item,omitempty"`
	// Name, Company, RecordURL and Notes are JSON paths into an http
	// provider's answer, or templates such as "{first} {last}" or
	// "https://crm.example.com/c/{id}" whose {path}s are JSON paths.
	Name      string `toml:"name,omitempty"`
	Company   string `toml:"company,omitempty"`
	RecordURL string `toml:"record_url,omitempty"`
	Notes     string `toml:"notes,omitempty"`
	// Fields maps extra labels shown on the caller card to JSON paths (or
	// templates), e.g. { Email = "email", Owner = "owner.name" }.
	Fields map[string]string `toml:"fields,omitempty,inline"`
	// Timeout bounds one request to this provider (default: crm.timeout).
	Timeout string `toml:"timeout,omitempty"`
	// NumberFormat chooses the form of the number a preset searches with:
	// e164, national, nsn (national number without prefix) or number (as
	// the PBX sent it). Each preset has its own default.
	NumberFormat string `toml:"number_format,omitempty"`
	// Database and Username are the Odoo database and login.
	Database string `toml:"database,omitempty"`
	Username string `toml:"username,omitempty"`
	// SearchFields are the Odoo res.partner fields searched for the number
	// (default phone and mobile).
	SearchFields []string `toml:"search_fields,omitempty"`
	// ClientID turns on OAuth for zoho (refresh-token grant) and salesforce
	// (client-credentials grant): the provider's secret is then the client
	// secret, and Ringdesk fetches and renews access tokens itself.
	ClientID string `toml:"client_id,omitempty"`
	// OAuthURL overrides the OAuth token endpoint a preset derives from URL.
	OAuthURL string `toml:"oauth_url,omitempty"`
	// RefreshTokenEnv names an environment variable holding Zoho's refresh
	// token on hosts without a keyring (else it is kept under
	// SecretKey()+"/refresh_token").
	RefreshTokenEnv string `toml:"refresh_token_env,omitempty"`
	// Path is the file of a csv or vcard provider.
	Path string `toml:"path,omitempty"`
	// SecretEnv names an environment variable holding the provider's secret on
	// hosts without a keyring.
	SecretEnv string `toml:"secret_env,omitempty"`
}

// CRMWebhook posts call events to a CRM ([crm.webhook]). Each POST is
// signed with an HMAC-SHA256 whose key is kept in the keyring under
// CRMSecretKey("webhook"), or in the variable SecretEnv names.
type CRMWebhook struct {
	// URL receives the events; empty turns the webhook off.
	URL string `toml:"url,omitempty"`
	// Events lists the event types to send (e.g. ["INCOMING_CALL",
	// "CALL_END"]); empty sends every call event.
	Events []string `toml:"events,omitempty"`
	// SecretEnv names an environment variable holding the signing key on
	// hosts without a keyring.
	SecretEnv string `toml:"secret_env,omitempty"`
}

// History configures the call history.
type History struct {
	// RetentionDays deletes finished calls older than this many days when
	// Ringdesk starts; 0 keeps every call.
	RetentionDays int `toml:"retention_days,omitempty"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `toml:"level,omitempty"`
	// SIPTrace logs every SIP message sent and received, with credentials redacted.
	SIPTrace bool `toml:"sip_trace,omitempty"`
}

// Audio chooses the sound devices by the names the system gives them. An
// empty name means the system's default device.
type Audio struct {
	// Microphone is the capture device calls send from.
	Microphone string `toml:"microphone,omitempty"`
	// Speaker is the playback device calls play on, and the ringback,
	// busy and key tones.
	Speaker string `toml:"speaker,omitempty"`
	// Ringer is the playback device the ringtone of incoming calls plays
	// on (a headset's speaker is often not where the agent hears a ring).
	Ringer string `toml:"ringer,omitempty"`
}

// UI holds window and language preferences.
type UI struct {
	Language string `toml:"language,omitempty"`
}

// Clone returns a deep copy of c, so a caller may change it freely.
func (c *Config) Clone() *Config {
	out := *c
	out.API.AllowedOrigins = slices.Clone(c.API.AllowedOrigins)
	out.Accounts = slices.Clone(c.Accounts)
	for i := range out.Accounts {
		out.Accounts[i] = out.Accounts[i].Clone()
	}
	out.CRM.Providers = slices.Clone(c.CRM.Providers)
	for i := range out.CRM.Providers {
		p := &out.CRM.Providers[i]
		p.Headers = maps.Clone(p.Headers)
		p.Fields = maps.Clone(p.Fields)
		p.SearchFields = slices.Clone(p.SearchFields)
	}
	out.CRM.Webhook.Events = slices.Clone(c.CRM.Webhook.Events)
	return &out
}

// Clone returns a deep copy of a.
func (a Account) Clone() Account {
	a.Codecs = slices.Clone(a.Codecs)
	if a.Video != nil {
		v := *a.Video
		a.Video = &v
	}
	a.ICEServers = slices.Clone(a.ICEServers)
	for i := range a.ICEServers {
		a.ICEServers[i].URLs = slices.Clone(a.ICEServers[i].URLs)
	}
	return a
}
