package store

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// designSample is the configuration file shown in DESIGN.md; it must load.
const designSample = `
[api]
listen = "127.0.0.1:5478"
allowed_origins = ["https://crm.example.com"]

[[accounts]]
id = "main"
display_name = "Agent 1001"
username = "1001"                 # extension / private identity
auth_username = "1001"
domain = "pbx.example.com"        # realm if it differs: realm = "..."
transport = "wss"                 # udp | tcp | tls | ws | wss
server = "wss://pbx.example.com:7443"   # host:port for udp/tcp/tls
ca_file = ""                      # extra CA for a PBX with a private certificate
expires = 300
srtp = "optional"                 # off | optional | required
codecs = ["opus", "pcmu", "pcma"]
video = true
dtmf = "auto"                     # rfc4733 | info | auto
ice_servers = [{ urls = ["stun:stun.example.com:3478"] }]
voicemail = "*97"
# The password (or HA1) lives in the OS keyring. A headless host without a keyring
# may name an environment variable instead:
password_env = "RINGDESK_MAIN_PASSWORD"

[crm]
region = "VN"                     # default region for number normalisation
timeout = "1.5s"
pop_url = "https://crm.example.com/search?phone={e164}"   # opened on ring
pop_on = "ring"                   # ring | answer | never

[[crm.providers]]
type = "http"
url = "https://crm.example.com/api/contacts?phone={e164}"
headers = { Authorization = "Bearer {secret}" }   # {secret} from the keyring
name = "data.0.name"              # JSON paths into the answer
company = "data.0.company"
record_url = "data.0.url"

[[crm.providers]]
type = "csv"
path = "/home/agent/contacts.csv"
`

func TestLoadConfigReadsTheDesignSample(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, designSample))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	on := true
	wantAccount := Account{
		ID: "main", DisplayName: "Agent 1001", Username: "1001", AuthUsername: "1001",
		Domain: "pbx.example.com", Transport: "wss", Server: "wss://pbx.example.com:7443",
		Expires: 300, SRTP: "optional", Codecs: []string{"opus", "pcmu", "pcma"}, Video: &on,
		DTMF: "auto", ICEServers: []ICEServer{{URLs: []string{"stun:stun.example.com:3478"}}},
		Voicemail: "*97", PasswordEnv: "RINGDESK_MAIN_PASSWORD",
	}
	if len(cfg.Accounts) != 1 || !reflect.DeepEqual(cfg.Accounts[0], wantAccount) {
		t.Errorf("accounts = %+v\nwant [%+v]", cfg.Accounts, wantAccount)
	}
	if cfg.API.Listen != "127.0.0.1:5478" || !reflect.DeepEqual(cfg.API.AllowedOrigins, []string{"https://crm.example.com"}) {
		t.Errorf("api = %+v", cfg.API)
	}
	if len(cfg.CRM.Providers) != 2 || cfg.CRM.Providers[0].Headers["Authorization"] != "Bearer {secret}" ||
		cfg.CRM.Providers[1].Path != "/home/agent/contacts.csv" || cfg.CRM.Region != "VN" {
		t.Errorf("crm = %+v", cfg.CRM)
	}
}

func TestLoadConfigMissingFileIsTheFirstRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ringdesk", "config.toml")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig of a missing file: %v", err)
	}
	if len(cfg.Accounts) != 0 {
		t.Errorf("accounts = %v, want none", cfg.Accounts)
	}
	want := &Config{API: API{Listen: DefaultAPIListen}, CRM: CRM{Timeout: "1.5s", PopOn: "ring"}, Log: Log{Level: "info"}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config = %+v, want %+v", cfg, want)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("loading created %s (stat: %v); it must not write anything", filepath.Dir(path), err)
	}
}

func TestLoadConfigAppliesDefaults(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, `
[[accounts]]
id = "a"
username = "1001"
domain = "pbx.example.com"

[[accounts]]
id = "b"
username = "1002"
domain = "pbx.example.com"
server = "wss://pbx.example.com:7443"

[[accounts]]
id = "c"
username = "1003"
domain = "pbx.example.com"
transport = "tls"
expires = 600
codecs = ["pcma"]
video = false
dtmf = "info"
`))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	on, off := true, false
	want := []Account{
		{ID: "a", Username: "1001", Domain: "pbx.example.com", Transport: "udp", Expires: 300, SRTP: "off",
			Codecs: []string{"opus", "pcmu", "pcma"}, DTMF: "auto", Video: &on},
		{ID: "b", Username: "1002", Domain: "pbx.example.com", Transport: "wss", Server: "wss://pbx.example.com:7443",
			Expires: 300, SRTP: "required", Codecs: []string{"opus", "pcmu", "pcma"}, DTMF: "auto", Video: &on},
		{ID: "c", Username: "1003", Domain: "pbx.example.com", Transport: "tls", Expires: 600, SRTP: "optional",
			Codecs: []string{"pcma"}, DTMF: "info", Video: &off},
	}
	if !reflect.DeepEqual(cfg.Accounts, want) {
		t.Errorf("accounts =\n%+v\nwant\n%+v", cfg.Accounts, want)
	}
	if cfg.API.Listen != "127.0.0.1:5478" || cfg.CRM.Timeout != "1.5s" || cfg.CRM.PopOn != "ring" || cfg.Log.Level != "info" {
		t.Errorf("top-level defaults not applied: %+v", cfg)
	}
}

func TestDefaultSRTPPerTransport(t *testing.T) {
	for transport, want := range map[string]string{"udp": "off", "tcp": "off", "tls": "optional", "ws": "required", "wss": "required"} {
		if got := DefaultSRTP(transport); got != want {
			t.Errorf("DefaultSRTP(%q) = %q, want %q", transport, got, want)
		}
	}
}

func TestLoadConfigSyntaxErrorNamesLineAndColumn(t *testing.T) {
	path := writeConfig(t, `
[[accounts]]
id = "main
username = "1001"
`)
	_, err := LoadConfig(path)
	want := path + `:2:11: TOML syntax error: basic strings cannot have new lines`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestLoadConfigRejectsUnknownSettings(t *testing.T) {
	path := writeConfig(t, validAccount+`trasport = "udp"
password = "hunter2"
ice_servers = [{ urls = ["stun:stun.example.com"], usrname = "x" }]
[log]
levle = "debug"
`)
	_, err := LoadConfig(path)
	if err == nil {
		t.Fatal("LoadConfig accepted unknown settings")
	}
	want := []string{
		path + `:8: accounts[0].trasport: unknown setting (did you mean "transport"?)`,
		path + `:9: accounts[0].password: secrets are never kept in this file: enter it in Ringdesk, which keeps it in the OS keyring, or on a host without a keyring name an environment variable that holds it (password_env, token_env, credential_env or secret_env)`,
		path + `:10: accounts[0].ice_servers[0].usrname: unknown setting (did you mean "username"?)`,
		path + `:12: log.levle: unknown setting (did you mean "level"?)`,
	}
	if got := configErrors(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%q\nwant\n%q", got, want)
	}
}

func TestLoadConfigUnknownTableListsTheSettings(t *testing.T) {
	path := writeConfig(t, "[ui]\ntheme = \"dark\"\n")
	_, err := LoadConfig(path)
	want := path + `:2: ui.theme: unknown setting (the settings here are language)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestLoadConfigWrongTypeNamesTheField(t *testing.T) {
	path := writeConfig(t, validAccount+"expires = \"300\"\n")
	_, err := LoadConfig(path)
	want := path + `:8: accounts[0].expires: must be a whole number, not text in quotes`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestLoadConfigDuplicateKeyNamesTheField(t *testing.T) {
	path := writeConfig(t, validAccount+"id = \"other\"\n")
	_, err := LoadConfig(path)
	want := path + `:8: accounts[0].id: key id is already defined`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestLoadConfigAcceptsAByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, append([]byte("\xef\xbb\xbf"), validAccount[1:]...), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil || len(cfg.Accounts) != 1 {
		t.Fatalf("LoadConfig with a BOM = %+v, %v", cfg, err)
	}
}

func TestLoadConfigUnreadableFile(t *testing.T) {
	path := t.TempDir() // a folder, not a file
	if _, err := LoadConfig(path); err == nil {
		t.Fatal("LoadConfig of a folder succeeded")
	}
}

func TestDefaultConfigPath(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks the XDG layout")
	}
	t.Setenv("XDG_CONFIG_HOME", "/xdg/config")
	got, err := DefaultConfigPath()
	if err != nil || got != "/xdg/config/ringdesk/config.toml" {
		t.Errorf("DefaultConfigPath() = %q, %v; want /xdg/config/ringdesk/config.toml", got, err)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "")
	if _, err := DefaultConfigPath(); err == nil {
		t.Error("DefaultConfigPath() with no HOME succeeded")
	}
}

func TestLoadConfigSyntaxErrorSuggestsQuotes(t *testing.T) {
	path := writeConfig(t, validAccount+"expires = three\n")
	_, err := LoadConfig(path)
	want := path + `:8:11: TOML syntax error: expected keyword "true" (text needs quotes: write "three")`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}
