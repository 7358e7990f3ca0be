package crm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/tidwall/gjson"
)

// Errors a CRM request may wrap, for programs; the messages around them are
// written for people.
var (
	// ErrTooLarge: the answer was bigger than the size limit.
	ErrTooLarge = errors.New("the CRM's answer is too large")
	// ErrNotJSON: the answer was not JSON (an HTML login page, say).
	ErrNotJSON = errors.New("the CRM did not answer with JSON")
	// ErrRedirected: the CRM redirected to another host, which Ringdesk
	// refuses to follow (the API key would go with it).
	ErrRedirected = errors.New("the CRM redirected to another host")
	// ErrTimeout: the CRM did not answer in time.
	ErrTimeout = errors.New("the CRM did not answer in time")
)

// StatusError is a CRM's answer with a non-2xx status. Its message names
// the status and what to check ("CRM answered 401 Unauthorized: check the
// API key ...").
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Status is the status line, "401 Unauthorized".
	Status string
	// Detail is the CRM's own error message, when its answer had one.
	Detail string
	// Hint says what to check.
	Hint string
}

// Error formats the status, the CRM's message and the hint.
func (e *StatusError) Error() string {
	var b strings.Builder
	b.WriteString("CRM answered ")
	b.WriteString(e.Status)
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%q)", e.Detail)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// fetcher sends requests to one CRM: bounded time and size, JSON only, no
// redirects to another host, and errors a person can read. The request URL
// never appears in an error (Bitrix24 keeps its key in it).
type fetcher struct {
	client    *http.Client
	transport *http.Transport
	timeout   time.Duration
	maxBody   int64
	// notFoundOn404 treats a JSON 404 as "no such contact" (REST lookups of
	// the form /contacts/by-phone/{e164}).
	notFoundOn404 bool
	// keyHint says where the API key comes from, for 401 and 403 messages.
	keyHint string
}

func newFetcher(timeout time.Duration, maxBody int64) *fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxResponseHeaderBytes = 64 << 10
	tr.MaxIdleConnsPerHost = 4
	tr.IdleConnTimeout = 90 * time.Second
	f := &fetcher{transport: tr, timeout: timeout, maxBody: maxBody}
	f.client = &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: sameHostRedirects}
	return f
}

// sameHostRedirects follows up to 5 redirects that stay on the host (and
// port) of the original request, and refuses the others.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return refusedRedirect{errors.New("the CRM redirected more than 5 times; write the final address in the provider's url")}
	}
	if req.URL.Host != via[0].URL.Host {
		return refusedRedirect{fmt.Errorf("%w (%s): Ringdesk does not follow it, so your API key stays with your CRM; write the final address in the provider's url", ErrRedirected, req.URL.Host)}
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return refusedRedirect{errors.New("the CRM redirected from https to plain http: Ringdesk does not follow it, so your API key is never sent unencrypted")}
	}
	return nil
}

// refusedRedirect marks the errors of sameHostRedirects in client.Do's error.
type refusedRedirect struct{ error }

func (r refusedRedirect) Unwrap() error { return r.error }

// close drops the idle connections, ending their goroutines.
func (f *fetcher) close() {
	f.transport.CloseIdleConnections()
}

// do sends req and returns the body of a 2xx JSON answer. A 204 (and a
// JSON 404 when notFoundOn404) is ErrNotFound.
func (f *fetcher) do(req *http.Request) ([]byte, error) {
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Ringdesk")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(req, err)
	}
	defer resp.Body.Close()

	jsonType, typeProblem := jsonContentType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return nil, ErrNotFound
	case resp.StatusCode == http.StatusNotFound && f.notFoundOn404 && jsonType:
		return nil, ErrNotFound
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, f.statusError(resp, jsonType)
	case !jsonType:
		return nil, typeProblem
	}
	if resp.ContentLength > f.maxBody {
		return nil, f.tooLarge(resp.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody+1))
	if err != nil {
		return nil, f.transportError(req, err)
	}
	if int64(len(body)) > f.maxBody {
		return nil, f.tooLarge(-1)
	}
	if !gjson.ValidBytes(body) {
		return nil, fmt.Errorf("%w: its answer is not valid JSON (%d bytes starting %q); check the provider's url", ErrNotJSON, len(body), snippet(body))
	}
	return body, nil
}

func (f *fetcher) tooLarge(length int64) error {
	size := "more than " + formatBytes(f.maxBody)
	if length > 0 {
		size = formatBytes(length)
	}
	return fmt.Errorf("%w: it is %s and Ringdesk reads at most %s; make the lookup return one contact (a filter or a limit in the url)", ErrTooLarge, size, formatBytes(f.maxBody))
}

// jsonContentType reports whether ct names JSON, and if not, the error
// that says what came instead.
func jsonContentType(ct string) (bool, error) {
	if ct == "" {
		return false, fmt.Errorf("%w: its answer has no Content-Type; the url probably does not point at the CRM's API", ErrNotJSON)
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false, fmt.Errorf("%w: its answer's Content-Type %q cannot be read", ErrNotJSON, ct)
	}
	switch {
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		return true, nil
	case mt == "text/html" || mt == "application/xhtml+xml":
		return false, fmt.Errorf("%w but with a web page (%s): the url probably points at the CRM's web app or a login page, not its API", ErrNotJSON, mt)
	default:
		return false, fmt.Errorf("%w but with %s; check the provider's url", ErrNotJSON, mt)
	}
}

// statusError turns a non-2xx answer into a StatusError, reading the CRM's
// own message from a JSON body when there is one.
func (f *fetcher) statusError(resp *http.Response, jsonType bool) error {
	e := &StatusError{Code: resp.StatusCode, Status: resp.Status}
	if e.Status == "" || !strings.HasPrefix(e.Status, fmt.Sprint(resp.StatusCode)) {
		e.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if jsonType {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		e.Detail = errorDetail(body)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e.Hint = "check the API key" + f.keyHint
	case resp.StatusCode == http.StatusForbidden:
		e.Hint = "the API key" + f.keyHint + " is not allowed to read contacts; give it that permission (scope) in the CRM"
	case resp.StatusCode == http.StatusNotFound:
		e.Hint = "check the provider's url"
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Hint = "the CRM's rate limit was reached; lookups work again when it resets"
	case resp.StatusCode >= 500:
		e.Hint = "the CRM has a problem of its own; lookups work again when it is fixed"
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Hint = "the CRM redirected in a way Ringdesk does not follow; write the final address in the provider's url"
	case resp.StatusCode >= 400:
		e.Hint = "the CRM did not accept the lookup; check the provider's url and settings"
	}
	return e
}

// errorDetail picks a CRM's error message out of a JSON error answer.
func errorDetail(body []byte) string {
	for _, path := range []string{"error_description", "error.message", "message", "error", "errors.0.message", "data.message", "0.message"} {
		if v := gjson.GetBytes(body, path); v.Type == gjson.String && v.Str != "" {
			return truncate(v.Str, 200)
		}
	}
	return ""
}

// transportError explains why no answer came, naming the host only.
func (f *fetcher) transportError(req *http.Request, err error) error {
	host := req.URL.Host
	var redirect refusedRedirect
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	switch {
	case errors.As(err, &redirect):
		return redirect.error
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		if d, ok := req.Context().Deadline(); ok && time.Until(d) < f.timeout {
			return fmt.Errorf("%w: no answer from %s before the lookup's deadline", ErrTimeout, host)
		}
		return fmt.Errorf("%w: no answer from %s within %v", ErrTimeout, host, f.timeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the lookup at %s was cancelled: %w", host, context.Canceled)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("could not find the CRM's host %s: %w; check the provider's url and the network", dnsErr.Name, dnsErr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("could not reach the CRM at %s: %w; check the provider's url", host, syscall.ECONNREFUSED)
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr):
		return fmt.Errorf("the CRM at %s has a TLS certificate this computer does not trust: %w", host, innermost(err))
	default:
		return fmt.Errorf("the request to the CRM at %s failed: %w", host, innermost(err))
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// innermost returns the error inside a *url.Error chain, whose message
// carries no URL (the URL may hold a key, as Bitrix24's do).
func innermost(err error) error {
	for {
		var ue *url.Error
		if !errors.As(err, &ue) {
			return err
		}
		err = ue.Err
	}
}

func snippet(b []byte) string {
	return truncate(strings.TrimSpace(string(b)), 40)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
