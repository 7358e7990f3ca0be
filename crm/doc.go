// Package crm finds out who is calling and shows it: it normalises the
// caller's number, asks caller-information providers (REST CRMs, CRM
// presets, local CSV and vCard files) under a deadline, caches the answers,
// opens the CRM's screen-pop page in the browser, and posts call events to a
// CRM webhook.
//
// The pieces, from the number to the popup:
//
//	raw "sip:0977805845@pbx"
//	   -> Normalize (region from [crm] region)        -> Number{E164: "+84977805845", ...}
//	   -> Resolver.Resolve (deadline crm.timeout)      -> providers asked at once, the
//	      first in config order that knows wins;          errors and timeouts become Reasons
//	      answers cached (hits and misses) for cache_ttl
//	   -> Result (JSON: number, found, contact{name, company, url, fields}, reasons)
//	      which the engine, GUI and API turn into the CALLER_INFO event
//	   -> Popper.Pop on ring or answer (crm.pop_on)    -> the default browser
//
// Webhook is independent of lookups: it takes the engine's events as JSON
// values and delivers them, signed, in order, once each.
//
// New builds all of it from store.CRM. Secrets (API keys, OAuth client
// secrets, the webhook key) never come from the config: providers ask a
// SecretFunc, which in the app is store.Profile.Secret (the OS keyring, or
// the environment variable a provider's secret_env names).
//
// The package imports store, the standard library, nyaruka/phonenumbers and
// tidwall/gjson only (see internal/depcheck).
package crm
