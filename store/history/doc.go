// Package history is Ringdesk's call history: one SQLite file (through
// modernc.org/sqlite, pure Go) in WAL mode, next to the configuration.
//
// A call is written when it starts and completed as it goes on, each step
// committed to disk before the method returns:
//
//	Start  -> ringing
//	Answer -> answered
//	End    -> ended, or missed (inbound, never answered)
//
// so a crash loses nothing: the next Open finds the calls left unfinished
// and marks them interrupted (see Open). SetCallerCard and SetData add what
// the CRM showed and the data attached to the call, during or after it.
//
// List pages through the history in the shape of GET /v1/history, with a
// keyword that matches numbers by their digits; ExportCSV writes it out for
// a spreadsheet; Prune and WithRetention keep it to a chosen age.
//
// The schema is upgraded in place by an ordered list of migrations (see
// migrate.go), keeping every row; PRAGMA user_version is the schema version.
// Failures of the file (corrupt, read-only, full disk) are *Error values a
// person can act on.
//
// store/history imports nothing of Ringdesk's: the engine's call ids,
// directions and end causes are copied in by whoever wires the two together.
package history
