// Package store keeps Ringdesk's configuration file, its secrets in the OS
// keyring, and (in later issues) the call history.
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
	Log      Log       `toml:"log,omitempty"`
	UI       UI        `toml:"ui,omitempty"`
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
}

// Account is one SIP account (an extension on a PBX). Its password (or HA1)
// is kept under AccountPasswordKey(ID) in the Secrets, never here.
//
// Empty fields mean "the default" (see ApplyDefaults); Video is a pointer so
// that "not set" (nil, meaning on) differs from an explicit false.
type Account struct {
	ID            string   `toml:"id"`
	DisplayName   string   `toml:"display_name,omitempty"`
	Username      string   `toml:"username"`
	AuthUsername  string   `toml:"auth_username,omitempty"`
	Domain        string   `toml:"domain"`
	Realm         string   `toml:"realm,omitempty"`
	Transport     string   `toml:"transport,omitempty"`
	Server        string   `toml:"server,omitempty"`
	OutboundProxy string   `toml:"outbound_proxy,omitempty"`
	CAFile        string   `toml:"ca_file,omitempty"`
	Expires       int      `toml:"expires,omitempty"`
	SRTP          string   `toml:"srtp,omitempty"`
	Codecs        []string `toml:"codecs,omitempty"`
	Video         *bool    `toml:"video,omitempty"`
	DTMF          string   `toml:"dtmf,omitempty"`
	Voicemail     string   `toml:"voicemail,omitempty"`
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

// CRM configures caller lookup and screen-pop (filled by the caller-lookup issue).
type CRM struct {
	Region  string `toml:"region,omitempty"`
	Timeout string `toml:"timeout,omitempty"`
	PopURL  string `toml:"pop_url,omitempty"`
	PopOn   string `toml:"pop_on,omitempty"`
	// Providers are asked in order who is calling.
	Providers []CRMProvider `toml:"providers,omitempty"`
}

// CRMProvider is one source of caller information ([[crm.providers]]).
type CRMProvider struct {
	// Type is "http" (a REST lookup) or "csv" (a local contacts file).
	Type string `toml:"type"`
	// ID names the provider; its secret, if any, is kept under SecretKey.
	ID string `toml:"id,omitempty"`
	// URL is the lookup URL of an http provider; {e164} is the caller's number.
	URL string `toml:"url,omitempty"`
	// Headers are sent with every lookup; {secret} is replaced by the
	// provider's secret.
	Headers map[string]string `toml:"headers,omitempty,inline"`
	// Name, Company and RecordURL are JSON paths into an http provider's answer.
	Name      string `toml:"name,omitempty"`
	Company   string `toml:"company,omitempty"`
	RecordURL string `toml:"record_url,omitempty"`
	// Path is the file of a csv provider.
	Path string `toml:"path,omitempty"`
	// SecretEnv names an environment variable holding the provider's secret on
	// hosts without a keyring.
	SecretEnv string `toml:"secret_env,omitempty"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `toml:"level,omitempty"`
	// SIPTrace logs every SIP message sent and received, with credentials redacted.
	SIPTrace bool `toml:"sip_trace,omitempty"`
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
		out.CRM.Providers[i].Headers = maps.Clone(out.CRM.Providers[i].Headers)
	}
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
