package store

import "strings"

// Defaults filled in by ApplyDefaults for settings the file leaves out. They
// follow what users of Linphone, MicroSIP and Zoiper expect.
const (
	// DefaultAPIListen is the loopback address of the local API.
	DefaultAPIListen = "127.0.0.1:5478"
	// DefaultDialsPerMinute is how many calls the local API may place in a
	// minute.
	DefaultDialsPerMinute = 10
	// DefaultExpires is the registration lifetime in seconds asked of the
	// PBX (MicroSIP's default; the PBX may shorten it).
	DefaultExpires = 300
	// DefaultDTMF sends RFC 4733 events when the far end offers them, else
	// SIP INFO.
	DefaultDTMF = DTMFAuto
	// DefaultCRMTimeout bounds one caller lookup, so a slow CRM never
	// delays the ring.
	DefaultCRMTimeout = "1.5s"
	// DefaultCRMCacheTTL is how long a caller lookup's answer is reused.
	// Package crm applies it when crm.cache_ttl is empty; ApplyDefaults
	// leaves the key out, so a saved file stays as short as the user wrote it.
	DefaultCRMCacheTTL = "10m"
	// DefaultPopOn opens the CRM record as soon as the call rings.
	DefaultPopOn = PopOnRing
	// DefaultLogLevel is the log level when [log] does not set one.
	DefaultLogLevel = "info"
)

// DefaultCodecs returns the codec list an account gets when it names none:
// Opus, then G.711 µ-law and A-law, which every PBX speaks.
func DefaultCodecs() []string { return []string{"opus", "pcmu", "pcma"} }

// DefaultSRTP returns the srtp mode an account with this transport gets when
// the file does not set one: "optional" on tls (SDES keys only travel
// encrypted there), "required" on ws/wss (WebRTC media is always DTLS-SRTP),
// and "off" on plain udp/tcp, as Linphone, MicroSIP and Zoiper do.
func DefaultSRTP(transport string) string {
	switch {
	case transport == TransportTLS:
		return SRTPOptional
	case IsWebSocket(transport):
		return SRTPRequired
	default:
		return SRTPOff
	}
}

// ApplyDefaults fills every setting the file left out with its default (see
// the Default constants and Account.ApplyDefaults). It never overwrites a
// value that is set, so it may be called more than once.
func (c *Config) ApplyDefaults() {
	if c.API.Listen == "" {
		c.API.Listen = DefaultAPIListen
	}
	for i := range c.Accounts {
		c.Accounts[i].ApplyDefaults()
	}
	if c.CRM.Timeout == "" {
		c.CRM.Timeout = DefaultCRMTimeout
	}
	if c.CRM.PopOn == "" {
		c.CRM.PopOn = DefaultPopOn
	}
	if c.Log.Level == "" {
		c.Log.Level = DefaultLogLevel
	}
}

// ApplyDefaults fills the account's unset settings: transport (wss or ws when
// server is such a URL, else udp), expires 300, srtp per DefaultSRTP, codecs
// opus, pcmu, pcma, dtmf auto and video on. Expires 0 means "unset".
func (a *Account) ApplyDefaults() {
	if a.Transport == "" {
		a.Transport = TransportUDP
		switch {
		case strings.HasPrefix(a.Server, "wss://"):
			a.Transport = TransportWSS
		case strings.HasPrefix(a.Server, "ws://"):
			a.Transport = TransportWS
		}
	}
	if a.Expires == 0 {
		a.Expires = DefaultExpires
	}
	if a.SRTP == "" {
		a.SRTP = DefaultSRTP(a.Transport)
	}
	if len(a.Codecs) == 0 {
		a.Codecs = DefaultCodecs()
	}
	if a.DTMF == "" {
		a.DTMF = DefaultDTMF
	}
	if a.Video == nil {
		on := true
		a.Video = &on
	}
}

// VideoEnabled reports whether the account offers video; an unset Video
// means yes.
func (a *Account) VideoEnabled() bool { return a.Video == nil || *a.Video }
