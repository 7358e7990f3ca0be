// Package phone is Ringdesk's SIP engine: accounts and registration, calls
// and their state machine, transfer, DTMF, presence, MWI and the events the
// GUI and the local API subscribe to (see DESIGN.md, "The engine's contract").
//
// This build holds the engine's vocabulary only: the event names shared with
// the API and the JS client, and the call states. Registration and calls come
// with the SIP engine issue; nothing here talks to a network yet.
package phone
