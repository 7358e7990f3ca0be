package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestCRMValidation(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // messages after "<path>:"
	}{
		{"every preset", `[crm]
cache_ttl = "0s"
[[crm.providers]]
type = "hubspot"
id = "hs"
record_url = "https://app.hubspot.com/contacts/123/record/0-1/{id}"
[[crm.providers]]
type = "zoho"
url = "https://www.zohoapis.eu"
client_id = "1000.ABC"
refresh_token_env = "ZOHO_REFRESH"
[[crm.providers]]
type = "odoo"
url = "https://acme.odoo.com"
database = "acme"
username = "agent@acme.com"
search_fields = ["phone"]
[[crm.providers]]
type = "pipedrive"
url = "https://acme.pipedrive.com"
number_format = "national"
[[crm.providers]]
type = "salesforce"
url = "https://acme.my.salesforce.com"
[[crm.providers]]
type = "bitrix24"
url = "https://acme.bitrix24.com/rest/1/"
[[crm.providers]]
type = "vcard"
path = "/home/agent/contacts.vcf"
[[crm.providers]]
type = "http"
url = "https://crm.example.com/api/search"
method = "POST"
body = '{"phone":"{e164}"}'
item = "data"
fields = { Email = "email" }
timeout = "800ms"
[crm.webhook]
url = "https://crm.example.com/hooks/ringdesk"
events = ["INCOMING_CALL", "CALL_END"]
secret_env = "RINGDESK_WEBHOOK_KEY"
`, nil},
		{"preset without its url", "[[crm.providers]]\ntype = \"odoo\"\ndatabase = \"acme\"\nusername = \"a\"\n",
			[]string{`1: crm.providers[0].url: missing: the address of your Odoo, e.g. "https://mycompany.odoo.com"`}},
		{"odoo without database and login", "[[crm.providers]]\ntype = \"odoo\"\nurl = \"https://acme.odoo.com\"\n",
			[]string{
				`1: crm.providers[0].database: missing: an odoo provider needs the database name (shown under Settings, or the first part of mycompany.odoo.com)`,
				`1: crm.providers[0].username: missing: an odoo provider needs the login of the user whose API key is stored, e.g. "agent@example.com"`,
			}},
		{"secret in the url", "[[crm.providers]]\ntype = \"http\"\nurl = \"https://crm.example.com/?key={secret}&q={e164}\"\n",
			[]string{`3: crm.providers[0].url: holds {secret}: URLs end up in logs and browser history, so put the key in a header, e.g. headers = { Authorization = "Bearer {secret}" }`}},
		{"GET with a body", "[[crm.providers]]\ntype = \"http\"\nurl = \"https://crm.example.com/\"\nmethod = \"GET\"\nbody = \"{}\"\n",
			[]string{`5: crm.providers[0].body: a GET request has no body: write method = "POST" or remove body`}},
		{"method", "[[crm.providers]]\ntype = \"http\"\nurl = \"https://crm.example.com/\"\nmethod = \"PUT\"\n",
			[]string{`4: crm.providers[0].method: "PUT" is not an HTTP method Ringdesk uses (use GET or POST)`}},
		{"number format", "[[crm.providers]]\ntype = \"zoho\"\nnumber_format = \"international\"\n",
			[]string{`3: crm.providers[0].number_format: "international" is not a number format (use e164, national, nsn or number)`}},
		{"provider timeout", "[[crm.providers]]\ntype = \"zoho\"\ntimeout = \"0s\"\n",
			[]string{`3: crm.providers[0].timeout: "0s" is not a positive duration: write one like "1.5s"`}},
		{"reserved id", "[[crm.providers]]\ntype = \"csv\"\nid = \"webhook\"\npath = \"/c.csv\"\n",
			[]string{`3: crm.providers[0].id: "webhook" is reserved for the webhook's signing key: choose another id`}},
		{"vcard without path", "[[crm.providers]]\ntype = \"vcard\"\n",
			[]string{`1: crm.providers[0].path: missing: a vcard provider needs the path of its contacts file`}},
		{"cache ttl", "[crm]\ncache_ttl = \"soon\"\n",
			[]string{`2: crm.cache_ttl: "soon" is not a duration: write a number with a unit, like "1.5s" or "800ms"`}},
		{"webhook", "[crm.webhook]\nurl = \"ftp://crm.example.com/\"\nevents = [\"call_end\"]\nsecret_env = \"1X\"\n",
			[]string{
				`2: crm.webhook.url: "ftp://crm.example.com/" is not a web address: write one starting with https:// or http://`,
				`3: crm.webhook.events[0]: "call_end" is not an event type: write it in capitals, like "INCOMING_CALL" or "CALL_END"`,
				`4: crm.webhook.secret_env: "1X" is not an environment variable name: use letters, digits and "_", not starting with a digit, e.g. "RINGDESK_MAIN_PASSWORD"`,
			}},
		{"webhook events without url", "[crm.webhook]\nevents = [\"CALL_END\"]\n",
			[]string{`1: crm.webhook.url: missing: events are listed but no url receives them`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file)
			cfg, err := LoadConfig(path)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadConfig accepted it: %+v", cfg.CRM)
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + ":" + w
			}
			if got := configErrors(t, err); !reflect.DeepEqual(got, want) {
				t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestCRMCloneIsDeep(t *testing.T) {
	c := &Config{CRM: CRM{
		Providers: []CRMProvider{{Type: "http", Fields: map[string]string{"Email": "email"}, SearchFields: []string{"phone"}}},
		Webhook:   CRMWebhook{Events: []string{"CALL_END"}},
	}}
	d := c.Clone()
	d.CRM.Providers[0].Fields["Email"] = "x"
	d.CRM.Providers[0].SearchFields[0] = "x"
	d.CRM.Webhook.Events[0] = "x"
	if c.CRM.Providers[0].Fields["Email"] != "email" || c.CRM.Providers[0].SearchFields[0] != "phone" || c.CRM.Webhook.Events[0] != "CALL_END" {
		t.Errorf("Clone shares CRM maps or slices: %+v", c.CRM)
	}
}
