package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/ringdesk/ringdesk/store"
)

// apiToken finds the local API's token: --api-token-file first, then the
// environment variable [api] token_env names, then the keyring. With none,
// a new random token is made and kept in the keyring (Settings shows it).
// source says where it came from, for the log; the token itself is never
// logged.
func apiToken(f flags, profile *store.Profile, cfg *store.Config, create bool) (token, source string, err error) {
	if f.apiTokenFile != "" {
		data, err := os.ReadFile(f.apiTokenFile)
		if err != nil {
			return "", "", fmt.Errorf("read --api-token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
		if len(token) < 16 || strings.ContainsAny(token, " \t\r\n") {
			return "", "", fmt.Errorf("--api-token-file %s: the token must be one word of at least 16 characters", f.apiTokenFile)
		}
		return token, "file " + f.apiTokenFile, nil
	}
	token, source, err = profile.Secret(store.APITokenKey, cfg.API.TokenEnv)
	if err == nil && token != "" {
		return token, source, nil
	}
	if !create {
		return "", "", fmt.Errorf("no API token: %w", err)
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", "", fmt.Errorf("make an API token: %w", err)
	}
	token = hex.EncodeToString(buf)
	if err := profile.SetSecret(store.APITokenKey, token); err != nil {
		return "", "", fmt.Errorf("no API token was set and a new one could not be kept: %w", err)
	}
	return token, "new, kept in the keyring", nil
}

// apiAddr is where the local API listens: --api-addr, else the config's.
func apiAddr(f flags, cfg *store.Config) string {
	if f.apiAddr != "" {
		return f.apiAddr
	}
	if cfg.API.Listen != "" {
		return cfg.API.Listen
	}
	return store.DefaultAPIListen
}

// isDialLink says whether a command-line argument is a link to dial.
func isDialLink(arg string) bool {
	scheme, _, ok := strings.Cut(arg, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "tel", "sip", "sips", "callto":
		return true
	}
	return false
}

// withoutPassword drops a password from a sip: link's user part
// (sip:1002:secret@host): Ringdesk ignores it, and so it never reaches a
// log line, an error or the question the window asks.
func withoutPassword(link string) string {
	scheme, rest, ok := strings.Cut(link, ":")
	if !ok || (!strings.EqualFold(scheme, "sip") && !strings.EqualFold(scheme, "sips")) {
		return link
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return link
	}
	if user, _, hasPassword := strings.Cut(userinfo, ":"); hasPassword {
		return scheme + ":" + user + "@" + host
	}
	return link
}

// errHeadlessRunning says the Ringdesk answering on the API address runs
// without a window.
var errHeadlessRunning = errors.New("a headless Ringdesk is running")

// errOtherRunning says a Ringdesk answers on the API address but would
// not show its window.
var errOtherRunning = errors.New("a Ringdesk is already running")

// errNoInstance says no Ringdesk answers on the API address.
var errNoInstance = errors.New("no Ringdesk is running")

// handOver hands link to the Ringdesk already serving its local API at
// addr (POST /v1/open), which dials it. errNoInstance says none answers
// there.
func handOver(ctx context.Context, addr, token, link string) error {
	body, err := json.Marshal(map[string]string{"uri": link})
	if err != nil {
		return err
	}
	if err := postLocal(ctx, addr, token, "/v1/open", body); err != nil {
		if errors.Is(err, errNoInstance) {
			return err
		}
		return fmt.Errorf("hand %s to the Ringdesk at %s: %w", link, addr, err)
	}
	return nil
}

// showRunning asks the Ringdesk already serving its local API at addr to
// show its window (POST /v1/show). errNoInstance says none answers there;
// errHeadlessRunning that a headless one does.
func showRunning(ctx context.Context, addr, token string) error {
	if err := postLocal(ctx, addr, token, "/v1/show", nil); err != nil {
		if errors.Is(err, errNoInstance) {
			return err
		}
		if r, ok := err.(*refusal); ok && r.ringdesk {
			if r.status == http.StatusServiceUnavailable {
				return fmt.Errorf("%w at %s: stop it first (Ctrl-C or its service) to use the window", errHeadlessRunning, addr)
			}
			// Another token (--api-token-file, token_env) or an older
			// Ringdesk without /v1/show: it runs all the same, and a
			// second one would register the accounts twice.
			return fmt.Errorf("%w at %s, and it did not show its window (%s): use its tray icon, or quit it first", errOtherRunning, addr, r.message)
		}
		return fmt.Errorf("show the window of the Ringdesk at %s: %w", addr, err)
	}
	return nil
}

// postLocal posts body to path of the local API at addr with the token,
// within 5 s. A refusal comes back as the API's message with its status.
func postLocal(ctx context.Context, addr, token, path string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		var opErr *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &opErr) && opErr.Op == "dial") {
			return errNoInstance
		}
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var apiErr struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	msg := strings.TrimSpace(string(answer))
	ringdesk := false
	if json.Unmarshal(answer, &apiErr) == nil && apiErr.Error.Message != "" {
		msg, ringdesk = apiErr.Error.Message, apiErr.Error.Code != ""
	}
	return &refusal{status: resp.StatusCode, message: msg, ringdesk: ringdesk}
}

// refusal is a local API's answer other than 2xx.
type refusal struct {
	status  int
	message string
	// ringdesk says the answer is a Ringdesk API error (JSON with a code),
	// not some other program's.
	ringdesk bool
}

func (r *refusal) Error() string { return fmt.Sprintf("refused: %s (%d)", r.message, r.status) }
