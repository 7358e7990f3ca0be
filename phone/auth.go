package phone

import (
	"fmt"

	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/phone/digest"
)

// authorize adds the Authorization (401) or Proxy-Authorization (407)
// header answering res's challenge to req, which must be a fresh copy of
// the challenged request with its CSeq already increased. It returns an
// error when the account has no credentials for the challenge.
func (a *Account) authorize(req *sip.Request, res *sip.Response) error {
	challengeName, answerName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		challengeName, answerName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var values []string
	for _, h := range res.GetHeaders(challengeName) {
		values = append(values, h.Value())
	}
	if len(values) == 0 {
		return fmt.Errorf("the server answered %d without a %s header", res.StatusCode, challengeName)
	}
	creds := digest.Credentials{Username: a.cfg.authUser(), Password: a.cfg.Password, HA1: a.cfg.HA1}
	ch, err := digest.SelectChallenge(values, creds)
	if err != nil {
		return fmt.Errorf("cannot answer the server's challenge: %w", err)
	}
	if a.cfg.Realm != "" && ch.Realm != a.cfg.Realm {
		return fmt.Errorf("the server asks for credentials of realm %q, the account has them for %q", ch.Realm, a.cfg.Realm)
	}
	value, err := a.digest.Authorize(ch, creds, string(req.Method), req.Recipient.String(), req.Body())
	if err != nil {
		return fmt.Errorf("cannot answer the server's challenge: %w", err)
	}
	req.RemoveHeader(answerName)
	req.AppendHeader(sip.NewHeader(answerName, value))
	return nil
}
