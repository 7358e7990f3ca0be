package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fullConfig sets every field, so a round trip checks them all.
func fullConfig() *Config {
	on, off := true, false
	return &Config{
		API: API{Listen: "127.0.0.1:6000", AllowedOrigins: []string{"https://crm.example.com", "http://localhost:3000"}, TokenEnv: "RINGDESK_API_TOKEN"},
		Accounts: []Account{
			{ID: "main", DisplayName: "Agent 1001 \"quoted\" ünïcode", Username: "1001", AuthUsername: "a1001", Domain: "pbx.example.com",
				Realm: "asterisk", Transport: "wss", Server: "wss://pbx.example.com:7443/ws", OutboundProxy: "wss://edge.example.com",
				CAFile: "/etc/ringdesk/pbx-ca.pem", Expires: 120, SRTP: "required", Codecs: []string{"opus", "pcma", "vp8", "h264"},
				Video: &on, DTMF: "rfc4733", Voicemail: "*97",
				ICEServers: []ICEServer{
					{URLs: []string{"stun:stun.example.com:3478"}},
					{URLs: []string{"turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"}, Username: "agent", CredentialEnv: "TURN_CRED"},
				},
				PasswordIsHA1: true, PasswordEnv: "RINGDESK_MAIN_PASSWORD"},
			{ID: "backup", Username: "2001", Domain: "10.0.0.1", Transport: "udp", Server: "10.0.0.1:5060",
				Expires: 3600, SRTP: "off", Codecs: []string{"pcmu"}, Video: &off, DTMF: "info"},
		},
		CRM: CRM{Region: "VN", Timeout: "2s", PopURL: "https://crm.example.com/search?phone={e164}", PopOn: "answer",
			Providers: []CRMProvider{
				{
					Type:      "http",
					ID:        "crm",
					URL:       "https://crm.example.com/api?phone={e164}",
					Headers:   map[string]string{"Authorization": "Bearer {secret}", "X-Tenant": "7"},
					Name:      "data.0.name",
					Company:   "data.0.company",
					RecordURL: "data.0.url",
					SecretEnv: "CRM_TOKEN",
				},
				{Type: "csv", Path: `C:\Users\agent\contacts.csv`},
			}},
		Log: Log{Level: "debug", SIPTrace: true},
		UI:  UI{Language: "vi"},
	}
}

func TestSaveConfigRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	want := fullConfig()
	if err := SaveConfig(path, want); err != nil {
		t.Fatalf("SaveConfig: %v", err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig of the saved file: %v\n%s", err, fileBytes(t, path))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v\nfile:\n%s", got, want, fileBytes(t, path))
	}

	// A loaded config saves to the same bytes again.
	first := fileBytes(t, path)
	if err := SaveConfig(path, got); err != nil {
		t.Fatalf("SaveConfig again: %v", err)
	}
	if second := fileBytes(t, path); !bytes.Equal(first, second) {
		t.Errorf("saving the loaded config changed the file:\n%s\n---\n%s", first, second)
	}
}

func TestSaveConfigDesignSampleRoundTrip(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, designSample))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := SaveConfig(path, cfg); err != nil {
		t.Fatalf("SaveConfig: %v", err)
	}
	again, err := LoadConfig(path)
	if err != nil || !reflect.DeepEqual(again, cfg) {
		t.Fatalf("round trip = %+v, %v\nwant %+v", again, err, cfg)
	}
}

func TestSaveConfigWritesHeaderAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "ringdesk")
	path := filepath.Join(dir, "config.toml")
	if err := SaveConfig(path, fullConfig()); err != nil {
		t.Fatalf("SaveConfig: %v", err)
	}
	data := fileBytes(t, path)
	if !bytes.HasPrefix(data, []byte(fileHeader)) {
		t.Errorf("the file does not start with the header:\n%s", data)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", st.Mode().Perm())
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("created folder mode = %v, want 0700", st.Mode().Perm())
	}
}

// dirNames lists a folder's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveConfigLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	for range 3 {
		if err := SaveConfig(path, fullConfig()); err != nil {
			t.Fatalf("SaveConfig: %v", err)
		}
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"config.toml"}) {
		t.Errorf("folder holds %v after saving, want only config.toml", names)
	}
}

func TestSaveConfigFailedRenameLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.Mkdir(path, 0o700); err != nil { // a folder where the file should go
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := SaveConfig(path, fullConfig())
	if err == nil {
		t.Fatal("SaveConfig over a non-empty folder succeeded")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "left as it was") {
		t.Errorf("error %q does not name the file and say it is unchanged", err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"config.toml"}) {
		t.Errorf("folder holds %v after a failed save, want only config.toml", names)
	}
}

func TestSaveConfigRefusesAnInvalidConfig(t *testing.T) {
	path := writeConfig(t, validAccount)
	before := fileBytes(t, path)
	cfg := fullConfig()
	cfg.Accounts[1].Server = "10.0.0.1:70000"
	err := SaveConfig(path, cfg)
	want := path + `: accounts[1].server: "10.0.0.1:70000": port 70000 is out of range (use 1 to 65535)`
	if err == nil || err.Error() != want {
		t.Fatalf("SaveConfig = %v\nwant %s", err, want)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != path || ce.Field != "accounts[1].server" {
		t.Errorf("error is not a *ConfigError naming file and field: %#v", err)
	}
	if !bytes.Equal(fileBytes(t, path), before) {
		t.Error("a refused save changed the file")
	}
	if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{"config.toml"}) {
		t.Errorf("folder holds %v, want only config.toml", names)
	}
}

func TestSaveConfigReplacesTheTargetOfASymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "ringdesk.toml")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte(validAccount), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.toml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := SaveConfig(link, fullConfig()); err != nil {
		t.Fatalf("SaveConfig: %v", err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced by a file (%v)", err)
	}
	cfg, err := LoadConfig(target)
	if err != nil || len(cfg.Accounts) != 2 {
		t.Fatalf("the link's target was not updated: %+v, %v", cfg, err)
	}
}

func TestSavedFileHoldsNoSecretField(t *testing.T) {
	// Config has no field for a secret; keep it that way.
	for _, typ := range []reflect.Type{reflect.TypeFor[Config](), reflect.TypeFor[API](), reflect.TypeFor[Account](),
		reflect.TypeFor[ICEServer](), reflect.TypeFor[CRM](), reflect.TypeFor[CRMProvider](), reflect.TypeFor[Log](), reflect.TypeFor[UI]()} {
		for i := range typ.NumField() {
			name := strings.ToLower(tagName(typ.Field(i)))
			if strings.HasSuffix(name, "_env") || name == "password_is_ha1" {
				continue
			}
			for _, bad := range []string{"password", "secret", "token", "credential", "ha1"} {
				if strings.Contains(name, bad) {
					t.Errorf("%s.%s looks like a secret field; secrets belong in Secrets", typ.Name(), name)
				}
			}
		}
	}
}
