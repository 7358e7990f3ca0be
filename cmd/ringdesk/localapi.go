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

// errNoInstance says no Ringdesk answers on the API address.
var errNoInstance = errors.New("no Ringdesk is running")

// handOver gives a link to the Ringdesk already running (single instance):
// POST /v1/open on its local API. errNoInstance means none answered, so
// this process should start and dial the link itself.
func handOver(ctx context.Context, addr, token, link string) error {
	body, err := json.Marshal(map[string]string{"uri": link})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/open", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("hand %s to the running Ringdesk: %w", link, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		var opErr *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &opErr) && opErr.Op == "dial") {
			return errNoInstance
		}
		return fmt.Errorf("hand %s to the Ringdesk at %s: %w", link, addr, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var apiErr struct {
		Error struct{ Message string } `json:"error"`
	}
	msg := strings.TrimSpace(string(answer))
	if json.Unmarshal(answer, &apiErr) == nil && apiErr.Error.Message != "" {
		msg = apiErr.Error.Message
	}
	return fmt.Errorf("the Ringdesk at %s refused %s: %s (%d)", addr, link, msg, resp.StatusCode)
}
