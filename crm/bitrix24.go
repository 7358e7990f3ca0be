package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/ringdesk/ringdesk/store"
	"github.com/tidwall/gjson"
)

// bitrix24 is the Bitrix24 preset, over an inbound webhook
// (https://portal/rest/<user>/<code>/): crm.duplicate.findbycomm finds the
// ids of contacts, companies and leads with the number, then the first
// contact (else company, else lead) is read with its company in one batch.
// The webhook code is the secret; it is put in the URL only at request time
// and never appears in an error or a log line.
type bitrix24 struct {
	name, base, portal   string
	secret               SecretFunc
	secretKey, secretEnv string
	fields               map[string]string
	fetch                *fetcher
}

func newBitrix24(p store.CRMProvider, name string, secret SecretFunc, o options) (*bitrix24, error) {
	base := baseURL(p.URL, "")
	if err := checkURLTemplate("CRM provider "+name+": the url", base); err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, fmt.Errorf("CRM provider %s needs its webhook code but Ringdesk was given no secret store", name)
	}
	u, _ := url.Parse(base) // checked above
	f := newFetcher(o.timeout, o.maxBody)
	f.keyHint = ": the webhook's code" + secretHint(p.SecretKey(), p.SecretEnv)
	return &bitrix24{
		name: name, base: base, portal: u.Scheme + "://" + u.Host,
		secret: secret, secretKey: p.SecretKey(), secretEnv: p.SecretEnv, fields: p.Fields, fetch: f,
	}, nil
}

// Name returns the provider's name.
func (b *bitrix24) Name() string { return b.name }

// Close drops idle connections.
func (b *bitrix24) Close() error {
	b.fetch.close()
	return nil
}

// Lookup finds the contact, company or lead with the number.
func (b *bitrix24) Lookup(ctx context.Context, n Number) (Contact, error) {
	if n.Internal {
		return Contact{}, ErrNotFound
	}
	code, err := readSecret(b.secret, b.name, b.secretKey, b.secretEnv)
	if err != nil {
		return Contact{}, err
	}
	var values []string
	for _, v := range []string{n.E164, n.National, n.Digits} {
		if v != "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	found, err := b.call(ctx, code, "crm.duplicate.findbycomm", map[string]any{"type": "PHONE", "values": values})
	if err != nil {
		return Contact{}, err
	}
	for _, kind := range []string{"CONTACT", "COMPANY", "LEAD"} {
		id := gjson.GetBytes(found, "result."+kind+".0")
		if !id.Exists() {
			continue
		}
		return b.read(ctx, code, kind, id.String())
	}
	return Contact{}, ErrNotFound
}

// read fetches one entity (a contact with its company) and maps it.
func (b *bitrix24) read(ctx context.Context, code, kind, id string) (Contact, error) {
	id = url.QueryEscape(id)
	var rec, company gjson.Result
	switch kind {
	case "CONTACT":
		body, err := b.call(ctx, code, "batch", map[string]any{"halt": 0, "cmd": map[string]string{
			"contact": "crm.contact.get?id=" + id,
			"company": "crm.company.get?id=$result[contact][COMPANY_ID]",
		}})
		if err != nil {
			return Contact{}, err
		}
		rec = gjson.GetBytes(body, "result.result.contact")
		company = gjson.GetBytes(body, "result.result.company")
	case "COMPANY":
		body, err := b.call(ctx, code, "crm.company.get", map[string]any{"id": id})
		if err != nil {
			return Contact{}, err
		}
		rec = gjson.GetBytes(body, "result")
	default:
		body, err := b.call(ctx, code, "crm.lead.get", map[string]any{"id": id})
		if err != nil {
			return Contact{}, err
		}
		rec = gjson.GetBytes(body, "result")
	}
	if !rec.IsObject() {
		return Contact{}, ErrNotFound
	}
	c := Contact{
		Name:   oneLine(value(rec, "{NAME} {SECOND_NAME} {LAST_NAME}", nil)),
		Notes:  plainText(text(rec.Get("COMMENTS"))),
		Source: b.name,
		Fields: map[string]string{},
	}
	switch kind {
	case "CONTACT":
		c.Company = text(company.Get("TITLE"))
		c.URL = b.portal + "/crm/contact/details/" + url.PathEscape(rec.Get("ID").String()) + "/"
	case "COMPANY":
		c.Name = text(rec.Get("TITLE"))
		c.Company = c.Name
		c.URL = b.portal + "/crm/company/details/" + url.PathEscape(rec.Get("ID").String()) + "/"
	default:
		if c.Name == "" {
			c.Name = text(rec.Get("TITLE"))
		}
		c.Company = text(rec.Get("COMPANY_TITLE"))
		c.URL = b.portal + "/crm/lead/details/" + url.PathEscape(rec.Get("ID").String()) + "/"
		c.Fields["Type"] = "Lead"
	}
	defaults := map[string]string{"Position": "POST", "Email": "EMAIL.0.VALUE"}
	for label, path := range defaults {
		if _, overridden := b.fields[label]; !overridden {
			if v := text(rec.Get(path)); v != "" {
				c.Fields[label] = v
			}
		}
	}
	for label, path := range b.fields {
		if v := value(rec, path, nil); v != "" {
			c.Fields[label] = v
		}
	}
	for _, ph := range rec.Get("PHONE.#.VALUE").Array() {
		c.Numbers = append(c.Numbers, ph.String())
	}
	if c.empty() {
		return Contact{}, ErrNotFound
	}
	return c, nil
}

// call invokes one REST method through the webhook.
func (b *bitrix24) call(ctx context.Context, code, method string, params any) ([]byte, error) {
	payload, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("building the Bitrix24 request: %w", err)
	}
	endpoint := b.base + "/" + url.PathEscape(code) + "/" + method + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		// The error would quote the URL, which holds the code.
		return nil, fmt.Errorf("building the Bitrix24 request for %s failed: check the provider's url", method)
	}
	req.Header.Set("Content-Type", "application/json")
	body, err := b.fetch.do(req)
	if err != nil {
		return nil, err
	}
	if e := gjson.GetBytes(body, "error"); e.Exists() {
		return nil, fmt.Errorf("the Bitrix24 method %s failed: %s (%s)", method, truncate(gjson.GetBytes(body, "error_description").String(), 200), e.String())
	}
	return body, nil
}
