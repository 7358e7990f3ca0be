package crm

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
)

// ErrNotFound is returned by a Provider's Lookup when it knows no contact
// with the number. It is an answer, not a failure: the Resolver caches it.
var ErrNotFound = errors.New("no contact has this number")

// Provider is one source of caller information: a CRM, a local contacts
// file. Lookup must honour ctx (the Resolver gives it the lookup's
// deadline) and be safe for concurrent use.
type Provider interface {
	// Name names the provider in messages and in Contact.Source, e.g.
	// "hubspot" or "contacts.csv".
	Name() string
	// Lookup returns the contact with the number, ErrNotFound when there is
	// none, or an error a person can read ("CRM answered 401 Unauthorized:
	// check the API key ...").
	Lookup(ctx context.Context, number Number) (Contact, error)
}

// Contact is what a provider knows about a caller: what the incoming-call
// popup, the CALLER_INFO event and the contacts tab show.
type Contact struct {
	// Name is the person's (or company's) name.
	Name string
	// Company is the organisation the person belongs to.
	Company string
	// URL is the contact's record in the CRM, opened from the popup.
	URL string
	// Notes is free text from the record.
	Notes string
	// Fields holds the extra labelled values the provider maps (Email,
	// Owner, ...).
	Fields map[string]string
	// Numbers are the contact's phone numbers as the source writes them
	// (local contacts list them; CRMs may leave it empty).
	Numbers []string
	// Source names the provider that answered.
	Source string
}

// contactJSON is Contact in API.md's CALLER_INFO shape: name, company, url
// and fields always present, the rest when known.
type contactJSON struct {
	Name    string            `json:"name"`
	Company string            `json:"company"`
	URL     string            `json:"url"`
	Fields  map[string]string `json:"fields"`
	Notes   string            `json:"notes,omitempty"`
	Numbers []string          `json:"numbers,omitempty"`
	Source  string            `json:"source,omitempty"`
}

// MarshalJSON writes the contact as API.md's CALLER_INFO "contact":
// {"name", "company", "url", "fields", and "notes", "numbers", "source"
// when set}.
func (c Contact) MarshalJSON() ([]byte, error) {
	fields := c.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return json.Marshal(contactJSON{Name: c.Name, Company: c.Company, URL: c.URL, Fields: fields,
		Notes: c.Notes, Numbers: c.Numbers, Source: c.Source})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Contact) UnmarshalJSON(data []byte) error {
	var j contactJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = Contact{Name: j.Name, Company: j.Company, URL: j.URL, Fields: j.Fields, Notes: j.Notes, Numbers: j.Numbers, Source: j.Source}
	return nil
}

// Clone returns a deep copy of c.
func (c Contact) Clone() Contact {
	c.Fields = maps.Clone(c.Fields)
	c.Numbers = slices.Clone(c.Numbers)
	return c
}

// empty reports whether the contact carries nothing to show.
func (c Contact) empty() bool {
	return c.Name == "" && c.Company == "" && c.URL == ""
}

// Result is the answer to "who is calling?": the number in all its forms,
// the contact when one was found, and why providers could not answer.
type Result struct {
	// Number is the caller's number; when Normalize refused the input it
	// holds only Raw.
	Number Number
	// Contact is the caller, valid when Found.
	Contact Contact
	// Found says a provider knew the number.
	Found bool
	// Reasons says, one line per provider, why it could not answer
	// ("hubspot: no answer within 1.5s"); a lookup can find a contact and
	// still carry reasons from providers asked before the one that knew.
	Reasons []string
	// Cached says the answer came from the cache.
	Cached bool
}

// resultJSON is Result on the wire.
type resultJSON struct {
	Number  Number   `json:"number"`
	Found   bool     `json:"found"`
	Contact *Contact `json:"contact"`
	Reasons []string `json:"reasons,omitempty"`
	Cached  bool     `json:"cached,omitempty"`
}

// MarshalJSON writes the result as {"number": {...}, "found": bool,
// "contact": {name, company, url, fields, ...} or null, "reasons": [...]}:
// the CALLER_INFO event takes "contact" as it is.
func (r Result) MarshalJSON() ([]byte, error) {
	j := resultJSON{Number: r.Number, Found: r.Found, Reasons: r.Reasons, Cached: r.Cached}
	if r.Found {
		c := r.Contact
		j.Contact = &c
	}
	return json.Marshal(j)
}

// clone returns a deep copy of r.
func (r Result) clone() Result {
	r.Contact = r.Contact.Clone()
	r.Reasons = slices.Clone(r.Reasons)
	return r
}
