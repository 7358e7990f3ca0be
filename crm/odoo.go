package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/ringdesk/ringdesk/store"
	"github.com/tidwall/gjson"
)

// odoo is the Odoo preset: JSON-RPC on {url}/jsonrpc, logging in with the
// user's API key (common.login, once) and then calling search_read on
// res.partner with a domain over the search fields.
type odoo struct {
	name, endpoint, database, username string
	searchFields                       []string
	numberFormat                       string
	secret                             SecretFunc
	secretKey, secretEnv               string
	mapping                            Mapping
	fetch                              *fetcher

	mu  sync.Mutex
	uid int64 // guarded by mu; 0 until logged in
}

// odooFields are the res.partner fields read for the caller card.
var odooFields = []string{"name", "commercial_company_name", "email", "phone", "function", "comment"}

func newOdoo(p store.CRMProvider, name string, secret SecretFunc, o options) (*odoo, error) {
	base := baseURL(p.URL, "")
	if err := checkURLTemplate("CRM provider "+name+": the url", base); err != nil {
		return nil, err
	}
	if p.Database == "" || p.Username == "" {
		return nil, fmt.Errorf("CRM provider %s: an Odoo provider needs database and username", name)
	}
	if secret == nil {
		return nil, fmt.Errorf("CRM provider %s needs an API key but Ringdesk was given no secret store", name)
	}
	fields := p.SearchFields
	if len(fields) == 0 {
		fields = []string{"phone", "mobile"}
	}
	m := Mapping{
		Item:      "result",
		Name:      "name",
		Company:   "commercial_company_name",
		Notes:     "comment",
		RecordURL: base + "/web#id={id}&model=res.partner&view_type=form",
		Fields:    map[string]string{"Email": "email", "Job position": "function"},
	}.merge(Mapping{Item: p.Item, Name: p.Name, Company: p.Company, RecordURL: p.RecordURL, Notes: p.Notes, Fields: p.Fields})
	f := newFetcher(o.timeout, o.maxBody)
	f.keyHint = secretHint(p.SecretKey(), p.SecretEnv)
	return &odoo{
		name: name, endpoint: base + "/jsonrpc", database: p.Database, username: p.Username,
		searchFields: fields, numberFormat: p.NumberFormat, secret: secret,
		secretKey: p.SecretKey(), secretEnv: p.SecretEnv, mapping: m, fetch: f,
	}, nil
}

// Name returns the provider's name.
func (d *odoo) Name() string { return d.name }

// Close drops idle connections.
func (d *odoo) Close() error {
	d.fetch.close()
	return nil
}

// errOdooAccess marks Odoo's AccessDenied: the cached login is dropped.
var errOdooAccess = errors.New("the Odoo server denied access")

// Lookup searches res.partner for n.
func (d *odoo) Lookup(ctx context.Context, n Number) (Contact, error) {
	if n.Internal {
		return Contact{}, ErrNotFound
	}
	key, err := readSecret(d.secret, d.name, d.secretKey, d.secretEnv)
	if err != nil {
		return Contact{}, err
	}
	uid, err := d.login(ctx, key)
	if err != nil {
		return Contact{}, err
	}
	value := numberIn(d.numberFormat, store.NumberNSN, n)
	var domain []any
	for i, f := range d.searchFields {
		if i > 0 {
			domain = append([]any{"|"}, domain...)
		}
		domain = append(domain, []any{f, "ilike", value})
	}
	args := []any{d.database, uid, key, "res.partner", "search_read", []any{domain},
		map[string]any{"fields": odooFields, "limit": 1}}
	body, err := d.call(ctx, "object", "execute_kw", args)
	if errors.Is(err, errOdooAccess) {
		d.mu.Lock()
		d.uid = 0
		d.mu.Unlock()
	}
	if err != nil {
		return Contact{}, err
	}
	c, err := d.mapping.Contact(body)
	if err != nil {
		return Contact{}, err
	}
	c.Notes = plainText(c.Notes)
	c.Source = d.name
	return c, nil
}

// login returns the user id for the API key, asking Odoo once.
func (d *odoo) login(ctx context.Context, key string) (int64, error) {
	d.mu.Lock()
	uid := d.uid
	d.mu.Unlock()
	if uid != 0 {
		return uid, nil
	}
	body, err := d.call(ctx, "common", "login", []any{d.database, d.username, key})
	if err != nil {
		return 0, err
	}
	res := gjson.GetBytes(body, "result")
	if res.Type != gjson.Number || res.Int() <= 0 {
		return 0, fmt.Errorf("the Odoo server refused the login of %q on database %q: check username, database and the API key%s", d.username, d.database, d.fetch.keyHint)
	}
	d.mu.Lock()
	d.uid = res.Int()
	d.mu.Unlock()
	return res.Int(), nil
}

// call makes one JSON-RPC call and returns the answer, or Odoo's error.
func (d *odoo) call(ctx context.Context, service, method string, args []any) ([]byte, error) {
	payload, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "method": "call", "id": 1,
		"params": map[string]any{"service": service, "method": method, "args": args},
	})
	if err != nil {
		return nil, fmt.Errorf("building the Odoo request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("building the Odoo request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	body, err := d.fetch.do(req)
	if err != nil {
		return nil, err
	}
	if e := gjson.GetBytes(body, "error"); e.Exists() {
		kind := e.Get("data.name").String()
		msg := e.Get("data.message").String()
		if msg == "" {
			msg = e.Get("message").String()
		}
		if strings.Contains(kind, "AccessDenied") || strings.Contains(kind, "AccessError") {
			return nil, fmt.Errorf("%w: %s (%s): check the API key%s and the user's rights on contacts", errOdooAccess, truncate(msg, 200), kind, d.fetch.keyHint)
		}
		return nil, fmt.Errorf("the Odoo server answered with an error: %s (%s); check database and search_fields", truncate(msg, 200), kind)
	}
	return body, nil
}

// tagRE matches HTML tags; Odoo keeps notes as HTML.
var tagRE = regexp.MustCompile(`<[^>]*>`)

// plainText turns an HTML note into text: paragraphs and line breaks become
// new lines, tags go, entities are decoded.
func plainText(s string) string {
	if !strings.Contains(s, "<") {
		return strings.TrimSpace(html.UnescapeString(s))
	}
	s = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n").Replace(s)
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(s, "")))
}
