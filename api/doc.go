// Package api will serve Ringdesk's local control API: HTTP and WebSocket on
// loopback, as API.md describes. It is empty in this build; the local API
// issue fills it.
package api
