// Package crm will look callers up in CRMs and local contacts and open the
// CRM's screen-pop (see DESIGN.md). It is empty in this build; the caller
// lookup issue fills it.
package crm
