package store

// The values a transport may take.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
	TransportWS  = "ws"
	TransportWSS = "wss"
)

// The values srtp may take. On udp/tcp/tls accounts they choose SDES-SRTP
// (RTP/SAVP); WebRTC (ws/wss) media is always DTLS-SRTP, so "off" is refused
// there.
const (
	SRTPOff      = "off"
	SRTPOptional = "optional"
	SRTPRequired = "required"
)

// The values dtmf may take: RFC 4733 telephone-events, SIP INFO, or auto
// (RFC 4733 when the far end offers telephone-event, else INFO).
const (
	DTMFAuto    = "auto"
	DTMFRFC4733 = "rfc4733"
	DTMFInfo    = "info"
)

// The values crm.pop_on may take: open the CRM record when the call rings,
// when it is answered, or never.
const (
	PopOnRing   = "ring"
	PopOnAnswer = "answer"
	PopOnNever  = "never"
)

// The values a CRM provider's type may take: the generic REST lookup, the
// local contacts files, and the CRM presets (see docs/crm.md).
const (
	ProviderHTTP       = "http"
	ProviderCSV        = "csv"
	ProviderVCard      = "vcard"
	ProviderHubSpot    = "hubspot"
	ProviderZoho       = "zoho"
	ProviderOdoo       = "odoo"
	ProviderPipedrive  = "pipedrive"
	ProviderSalesforce = "salesforce"
	ProviderBitrix24   = "bitrix24"
)

// The values a CRM provider's number_format may take: which form of the
// caller's number a preset searches with.
const (
	NumberE164     = "e164"
	NumberNational = "national"
	NumberNSN      = "nsn"
	NumberAsSent   = "number"
)

// WebhookSecretID is the provider id reserved for the webhook's signing key,
// kept under CRMSecretKey(WebhookSecretID) ("crm/webhook").
const WebhookSecretID = "webhook"

var (
	transports    = []string{TransportUDP, TransportTCP, TransportTLS, TransportWS, TransportWSS}
	srtpModes     = []string{SRTPOff, SRTPOptional, SRTPRequired}
	dtmfModes     = []string{DTMFRFC4733, DTMFInfo, DTMFAuto}
	popOnValues   = []string{PopOnRing, PopOnAnswer, PopOnNever}
	providerTypes = []string{ProviderHTTP, ProviderCSV, ProviderVCard, ProviderHubSpot, ProviderZoho,
		ProviderOdoo, ProviderPipedrive, ProviderSalesforce, ProviderBitrix24}
	numberFormats = []string{NumberE164, NumberNational, NumberNSN, NumberAsSent}
	httpMethods   = []string{"GET", "POST"}
	logLevels     = []string{"debug", "info", "warn", "error"}
	// languages are the window's languages ([ui] language; empty follows
	// the system): English, Vietnamese, Simplified Chinese.
	languages   = []string{"en", "vi", "zh-Hans"}
	audioCodecs = []string{"opus", "pcmu", "pcma"}
	videoCodecs = []string{"vp8", "h264"}
)

// Transports returns the transports an account may use, in the order a
// settings form should offer them.
func Transports() []string { return append([]string(nil), transports...) }

// Codecs returns the codec names an account's codecs list may hold: the
// audio codecs first, then the video codecs.
func Codecs() []string {
	return append(append([]string(nil), audioCodecs...), videoCodecs...)
}

// ProviderTypes returns the types a CRM provider may have, in the order a
// settings form should offer them.
func ProviderTypes() []string { return append([]string(nil), providerTypes...) }

// IsWebSocket reports whether transport is ws or wss, the PBX's WebRTC
// entrance.
func IsWebSocket(transport string) bool {
	return transport == TransportWS || transport == TransportWSS
}
