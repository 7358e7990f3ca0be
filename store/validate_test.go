package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// with returns validAccount with one line replaced; the line count stays the
// same, so the lines in the expected messages are those of validAccount:
// 1 [[accounts]], 2 id, 3 display_name, 4 username, 5 domain, 6 transport,
// 7 server. Lines appended after it start at 8.
func with(old, new string) string {
	if !strings.Contains(validAccount, old) {
		panic("validAccount has no " + old)
	}
	return strings.Replace(validAccount, old, new, 1)
}

func TestLoadConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // messages after "<path>:"
	}{
		{"unknown transport", with(`transport = "udp"`, `transport = "udpp"`),
			[]string{`6: accounts[0].transport: "udpp" is not a transport (use udp, tcp, tls, ws or wss)`}},
		{"transport in capitals", with(`transport = "udp"`, `transport = "UDP"`),
			[]string{`6: accounts[0].transport: "UDP" is not a transport: write it in lower case, "udp"`}},
		{"port out of range", with(`server = "pbx.example.com:5060"`, `server = "pbx.example.com:70000"`),
			[]string{`7: accounts[0].server: "pbx.example.com:70000": port 70000 is out of range (use 1 to 65535)`}},
		{"port not a number", with(`server = "pbx.example.com:5060"`, `server = "pbx.example.com:sip"`),
			[]string{`7: accounts[0].server: "pbx.example.com:sip": port "sip" is not a number`}},
		{"URL on a udp account", with(`server = "pbx.example.com:5060"`, `server = "wss://pbx.example.com"`),
			[]string{`7: accounts[0].server: "wss://pbx.example.com" is a URL: for a udp account write host[:port], e.g. "pbx.example.com:5060"`}},
		{"sip URI on a tcp account", strings.Replace(with(`server = "pbx.example.com:5060"`, `server = "sip:pbx.example.com"`), `"udp"`, `"tcp"`, 1),
			[]string{`7: accounts[0].server: "sip:pbx.example.com" is a URL: for a tcp account write host[:port], e.g. "pbx.example.com:5060"`}},
		{"bad host", with(`server = "pbx.example.com:5060"`, `server = "pbx example.com"`),
			[]string{`7: accounts[0].server: "pbx example.com": "pbx example.com" is not a host name or IP address`}},
		{"IPv6 server", with(`server = "pbx.example.com:5060"`, `server = "[2001:db8::1]:5060"`), nil},
		{"host:port on a wss account", with(`transport = "udp"`, `transport = "wss"`),
			[]string{`7: accounts[0].server: "pbx.example.com:5060" is not a WebSocket URL: a wss account needs one like "wss://pbx.example.com:7443"`}},
		{"wss URL on a ws account", strings.Replace(with(`transport = "udp"`, `transport = "ws"`), `"pbx.example.com:5060"`, `"wss://pbx.example.com:7443/ws"`, 1),
			[]string{`7: accounts[0].server: "wss://pbx.example.com:7443/ws" is a wss:// URL but transport is "ws": make them agree`}},
		{"wss URL port out of range", strings.Replace(with(`transport = "udp"`, `transport = "wss"`), `"pbx.example.com:5060"`, `"wss://pbx.example.com:70000"`, 1),
			[]string{`7: accounts[0].server: "wss://pbx.example.com:70000": port 70000 is out of range (use 1 to 65535)`}},
		{"wss account without server", strings.Replace(with(`transport = "udp"`, `transport = "wss"`), `server = "pbx.example.com:5060"`, `# no server`, 1),
			[]string{`1: accounts[0].server: missing: a wss account needs the PBX's WebSocket URL, e.g. "wss://pbx.example.com:7443"`}},
		{"outbound proxy port", validAccount + `outbound_proxy = "proxy.example.com:0"` + "\n",
			[]string{`8: accounts[0].outbound_proxy: "proxy.example.com:0": port 0 is out of range (use 1 to 65535)`}},
		{"missing id", with(`id = "main"`, `# no id`),
			[]string{`1: accounts[0].id: missing: give it a short name such as "main"`}},
		{"unusable id", with(`id = "main"`, `id = "my account"`),
			[]string{`2: accounts[0].id: "my account" is not a usable id: use up to 64 letters, digits, "-", "_" or ".", starting with a letter or digit`}},
		{"missing username", with(`username = "1001"`, `# no username`),
			[]string{`1: accounts[0].username: missing: the extension or SIP user name, e.g. "1001"`}},
		{"username is an address", with(`username = "1001"`, `username = "1001@pbx.example.com"`),
			[]string{`4: accounts[0].username: "1001@pbx.example.com" looks like a SIP address: put "1001" in username and "pbx.example.com" in domain`}},
		{"missing domain", with(`domain = "pbx.example.com"`, `# no domain`),
			[]string{`1: accounts[0].domain: missing: the SIP domain of the PBX, e.g. "pbx.example.com"`}},
		{"domain with port", with(`domain = "pbx.example.com"`, `domain = "pbx.example.com:5060"`),
			[]string{`5: accounts[0].domain: "pbx.example.com:5060" has a port: write the domain alone ("pbx.example.com") and put host:port in server`}},
		{"domain is a URI", with(`domain = "pbx.example.com"`, `domain = "sip:pbx.example.com"`),
			[]string{`5: accounts[0].domain: "sip:pbx.example.com" is a URI: write the domain alone, e.g. "pbx.example.com"`}},
		{"duplicate ids", validAccount + validAccount,
			[]string{`10: accounts[1].id: "main" is already the id of accounts[0]: each account needs its own id`}},
		{"bad srtp", validAccount + `srtp = "maybe"` + "\n",
			[]string{`8: accounts[0].srtp: "maybe" is not an srtp mode (use off, optional or required)`}},
		{"srtp off on wss", strings.Replace(with(`transport = "udp"`, `transport = "wss"`), `"pbx.example.com:5060"`, `"wss://pbx.example.com"`, 1) + `srtp = "off"` + "\n",
			[]string{`8: accounts[0].srtp: "off" is not possible on a wss account: WebRTC media is always encrypted (DTLS-SRTP); leave srtp out or write "required"`}},
		{"bad dtmf", validAccount + `dtmf = "inband"` + "\n",
			[]string{`8: accounts[0].dtmf: "inband" is not a DTMF mode (use rfc4733, info or auto)`}},
		{"unknown codec", validAccount + `codecs = ["opus", "g729"]` + "\n",
			[]string{`8: accounts[0].codecs[1]: "g729" is not a codec Ringdesk has (use opus, pcmu, pcma, vp8 or h264)`}},
		{"codec on its own line", validAccount + "codecs = [\n  \"opus\",\n  \"G722\",\n]\n",
			[]string{`10: accounts[0].codecs[1]: "G722" is not a codec Ringdesk has (use opus, pcmu, pcma, vp8 or h264)`}},
		{"codec twice", validAccount + `codecs = ["pcmu", "pcmu"]` + "\n",
			[]string{`8: accounts[0].codecs[1]: "pcmu" is listed twice`}},
		{"video codecs only", validAccount + `codecs = ["vp8"]` + "\n",
			[]string{`8: accounts[0].codecs: lists no audio codec: add at least one of opus, pcmu or pcma`}},
		{"expires too short", validAccount + "expires = 10\n",
			[]string{`8: accounts[0].expires: 10 is out of range: the registration lifetime is in seconds, from 30 to 86400 (leave it out for 300)`}},
		{"expires too long", validAccount + "expires = 100000\n",
			[]string{`8: accounts[0].expires: 100000 is out of range: the registration lifetime is in seconds, from 30 to 86400 (leave it out for 300)`}},
		{"bad password_env", validAccount + `password_env = "MY-PASS"` + "\n",
			[]string{`8: accounts[0].password_env: "MY-PASS" is not an environment variable name: use letters, digits and "_", not starting with a digit, e.g. "RINGDESK_MAIN_PASSWORD"`}},
		{"ICE URL scheme", validAccount + `ice_servers = [{ urls = ["stun:ok.example.com", "http://stun.example.com"] }]` + "\n",
			[]string{`8: accounts[0].ice_servers[0].urls[1]: "http://stun.example.com" is not a STUN or TURN URL: start it with stun:, stuns:, turn: or turns:, e.g. "stun:stun.example.com:3478"`}},
		{"ICE URL with slashes", validAccount + `ice_servers = [{ urls = ["stun://stun.example.com"] }]` + "\n",
			[]string{`8: accounts[0].ice_servers[0].urls[0]: "stun://stun.example.com": write it without "//", e.g. "stun:stun.example.com"`}},
		{"ICE URL port", validAccount + "[[accounts.ice_servers]]\nurls = [\"turn:turn.example.com:99999?transport=tcp\"]\nusername = \"agent\"\n",
			[]string{`9: accounts[0].ice_servers[0].urls[0]: "turn.example.com:99999": port 99999 is out of range (use 1 to 65535)`}},
		{"TURN transport option", validAccount + `ice_servers = [{ urls = ["turns:turn.example.com?transport=sctp"], username = "a" }]` + "\n",
			[]string{`8: accounts[0].ice_servers[0].urls[0]: "turns:turn.example.com?transport=sctp": the only option after "?" is transport=udp or transport=tcp, on turn: and turns: URLs`}},
		{"TURN without username", validAccount + `ice_servers = [{ urls = ["turn:turn.example.com"] }]` + "\n",
			[]string{`8: accounts[0].ice_servers[0].username: missing: a TURN server needs a username (its credential is kept in the keyring or in credential_env)`}},
		{"ICE server without URLs", validAccount + `ice_servers = [{ username = "a" }]` + "\n",
			[]string{`8: accounts[0].ice_servers[0].urls: missing: list the server's URLs, e.g. ["stun:stun.example.com:3478"]`}},
		{"API on every interface", "[api]\nlisten = \"0.0.0.0:5478\"\n",
			[]string{`2: api.listen: "0.0.0.0:5478" is not a loopback address: the API must listen on 127.0.0.1, ::1 or localhost so only this computer can reach it`}},
		{"API without port", "[api]\nlisten = \"127.0.0.1\"\n",
			[]string{`2: api.listen: "127.0.0.1" is not host:port: write a loopback address with a port, e.g. "127.0.0.1:5478"`}},
		{"API port out of range", "[api]\nlisten = \"[::1]:65536\"\n",
			[]string{`2: api.listen: "[::1]:65536": port 65536 is out of range (use 1 to 65535)`}},
		{"API on localhost", "[api]\nlisten = \"localhost:5478\"\n", nil},
		{"API dial limit", "[api]\ndials_per_minute = 1000\n",
			[]string{`2: api.dials_per_minute: 1000 is out of range: write a number of calls per minute from 1 to 600`}},
		{"history retention", "[history]\nretention_days = -1\n",
			[]string{`2: history.retention_days: -1 is out of range: write a number of days from 1 to 36500, or 0 to keep every call`}},
		{"origin wildcard", "[api]\nallowed_origins = [\"https://crm.example.com\", \"*\"]\n",
			[]string{`2: api.allowed_origins[1]: "*" would let any web page control your phone: list your CRM's origin, e.g. "https://crm.example.com"`}},
		{"origin with path", "[api]\nallowed_origins = [\"https://crm.example.com/app\"]\n",
			[]string{`2: api.allowed_origins[0]: "https://crm.example.com/app" is not an origin: write only scheme://host[:port], without a path, e.g. "https://crm.example.com"`}},
		{"CRM timeout", "[crm]\ntimeout = \"1.5\"\n",
			[]string{`2: crm.timeout: "1.5" is not a duration: write a number with a unit, like "1.5s" or "800ms"`}},
		{"CRM timeout negative", "[crm]\ntimeout = \"-1s\"\n",
			[]string{`2: crm.timeout: "-1s" is not a positive duration: write one like "1.5s"`}},
		{"pop_on", "[crm]\npop_on = \"always\"\n",
			[]string{`2: crm.pop_on: "always" is not a pop_on value (use ring, answer or never)`}},
		{"region", "[crm]\nregion = \"vn\"\n",
			[]string{`2: crm.region: "vn" is not a region: use the two capital letters of the country, like "VN" or "US"`}},
		{"pop_url", "[crm]\npop_url = \"crm.example.com/search?phone={e164}\"\n",
			[]string{`2: crm.pop_url: "crm.example.com/search?phone={e164}" is not a web address: write one starting with https:// or http://`}},
		{"provider type", "[[crm.providers]]\ntype = \"ldap\"\n",
			[]string{`2: crm.providers[0].type: "ldap" is not a provider type (use http, csv, vcard, hubspot, zoho, odoo, pipedrive, salesforce or bitrix24)`}},
		{"provider without type", "[[crm.providers]]\nurl = \"https://crm.example.com/?q={e164}\"\n",
			[]string{`1: crm.providers[0].type: missing: write http, csv, vcard, hubspot, zoho, odoo, pipedrive, salesforce or bitrix24`}},
		{"http provider without url", "[crm]\n\n[[crm.providers]]\ntype = \"http\"\n",
			[]string{`3: crm.providers[0].url: missing: an http provider needs the lookup URL, e.g. "https://crm.example.com/api/contacts?phone={e164}"`}},
		{"csv provider without path", "[[crm.providers]]\ntype = \"csv\"\n[[crm.providers]]\ntype = \"csv\"\npath = \"/x.csv\"\n[[crm.providers]]\ntype = \"csv\"\n",
			[]string{`1: crm.providers[0].path: missing: a csv provider needs the path of its contacts file`,
				`6: crm.providers[2].path: missing: a csv provider needs the path of its contacts file`}},
		{"log level", "[log]\nlevel = \"verbose\"\n",
			[]string{`2: log.level: "verbose" is not a log level (use debug, info, warn or error)`}},
		{"several problems, by line", "[api]\nlisten = \"0.0.0.0:1\"\n" + strings.Replace(with(`transport = "udp"`, `transport = "udpp"`), `id = "main"`, `# no id`, 1),
			[]string{
				`2: api.listen: "0.0.0.0:1" is not a loopback address: the API must listen on 127.0.0.1, ::1 or localhost so only this computer can reach it`,
				`4: accounts[0].id: missing: give it a short name such as "main"`,
				`9: accounts[0].transport: "udpp" is not a transport (use udp, tcp, tls, ws or wss)`,
			}},
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
				t.Fatalf("LoadConfig accepted it: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("LoadConfig returned a config with the error")
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

func TestConfigErrorFields(t *testing.T) {
	path := writeConfig(t, with(`server = "pbx.example.com:5060"`, `server = "pbx.example.com:70000"`))
	_, err := LoadConfig(path)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *ConfigError", err, err)
	}
	if ce.File != path || ce.Line != 7 || ce.Field != "accounts[0].server" || !strings.Contains(ce.Msg, "70000") {
		t.Errorf("ConfigError = %+v", ce)
	}
}

func TestValidateWithoutAFile(t *testing.T) {
	cfg := &Config{Accounts: []Account{{ID: "main", Username: "1001", Domain: "pbx.example.com", Transport: "udpp"}}}
	err := cfg.Validate()
	want := `accounts[0].transport: "udpp" is not a transport (use udp, tcp, tls, ws or wss)`
	if err == nil || err.Error() != want {
		t.Fatalf("Validate() = %v, want %s", err, want)
	}
	if cfg.Accounts[0].Expires != 0 || cfg.API.Listen != "" {
		t.Error("Validate changed the config it checked")
	}
	if err := (&Config{}).Validate(); err != nil {
		t.Errorf("an empty config is invalid: %v", err)
	}
}

func TestConfigErrorFormat(t *testing.T) {
	tests := []struct {
		err  ConfigError
		want string
	}{
		{ConfigError{File: "c.toml", Line: 3, Field: "a.b", Msg: "bad"}, "c.toml:3: a.b: bad"},
		{ConfigError{File: "c.toml", Line: 3, Column: 9, Msg: "TOML syntax error: x"}, "c.toml:3:9: TOML syntax error: x"},
		{ConfigError{File: "c.toml", Field: "a.b", Msg: "bad"}, "c.toml: a.b: bad"},
		{ConfigError{Field: "a.b", Msg: "bad"}, "a.b: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
