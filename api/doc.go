// Package api serves Ringdesk's local control API: HTTP and WebSocket on
// loopback only, as API.md (and docs/api.md for CRM developers) describes.
// A CRM, a script or a test drives the phone with the webphone SDKs' verbs
// (call, answer, hangup, hold, transfer, sendDtmf) and hears the engine's
// events on /v1/events.
//
// Every request needs the bearer token; a browser's request needs an Origin
// on the allow-list as well, so a web page the user merely visits can
// neither dial nor listen. Listen refuses any address that is not loopback.
// The window and a headless run serve the same API: the package knows
// nothing of Fyne.
package api
