// Package depcheck holds only a test: it fails when a package imports across
// the arrows DESIGN.md draws (cmd -> gui, api -> phone -> media; gui and api
// -> crm, store; crm -> store; nothing imports cmd, gui or api).
package depcheck
