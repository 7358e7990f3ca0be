package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/ringdesk/ringdesk/media"
	"github.com/ringdesk/ringdesk/phone/human"
)

// MediaOptions chooses what a call sends and where what it receives goes.
type MediaOptions struct {
	// Source is what the far end hears (nil: silence).
	Source media.Source
	// Sink receives what we hear (nil: discarded).
	Sink media.Sink
}

// MediaStats returns the call's media statistics so far: packets sent,
// received, lost, late, discarded and failing SRTP authentication, the
// jitter, the SRTP suite ("" for plain RTP). Zero before the call has
// media; after the call ended, the figures at its end.
func (c *Call) MediaStats() media.Stats {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return media.Stats{}
	}
	return m.Stats()
}

// errMediaNoDTMF says the far end did not accept RFC 4733 events.
var errMediaNoDTMF = media.ErrDTMFNotNegotiated

// mediaAdapter fits media.Session to what a call needs.
type mediaAdapter struct{ *media.Session }

func (m mediaAdapter) SetDirection(d mediaDirection) {
	switch d {
	case directionSendOnly:
		m.Session.SetDirection(media.SendOnly)
	case directionRecvOnly:
		m.Session.SetDirection(media.RecvOnly)
	case directionInactive:
		m.Session.SetDirection(media.Inactive)
	default:
		m.Session.SetDirection(media.SendRecv)
	}
}

// newMedia opens the call's RTP session on the account's local address
// and relays the RFC 4733 digits it receives as DTMF events.
func (p *Phone) newMedia(a *Account, c *Call) (mediaSession, error) {
	mode, err := a.cfg.srtpMode()
	if err != nil {
		return nil, err
	}
	cfg := media.Config{LocalIP: a.st.localIP, Codecs: a.cfg.Codecs, Logger: a.log.With("call", c.info.ID), SRTP: mode, WebRTC: a.cfg.webRTC(), SymmetricRTP: a.cfg.SymmetricRTP}
	if p.s.mediaConfig != nil {
		opts := p.s.mediaConfig(c.info)
		cfg.Source, cfg.Sink = opts.Source, opts.Sink
	}
	cfg.OnConnectionLost = func(err error) {
		a.log.Warn("hanging up: the call's audio connection was lost", "call", c.info.ID, "error", err)
		_ = c.byeWith(context.Background(), Cause{Message: connectionLostMessage, By: ByNetwork})
	}
	s, err := media.NewSession(cfg)
	if err != nil {
		return nil, fmt.Errorf("open the call's audio: %w", err)
	}
	go c.relayMediaDTMF(s.DTMF())
	return mediaAdapter{s}, nil
}

// webRTC is the WebRTC profile of a WS or WSS account (the PBX's WebRTC
// entrance, where a browser's ICE and DTLS-SRTP are expected), nil for
// the others. Any account answers a WebRTC offer all the same.
func (c AccountConfig) webRTC() *media.WebRTCConfig {
	switch c.transport() {
	case "ws", "wss":
	default:
		return nil
	}
	w := &media.WebRTCConfig{}
	for _, s := range c.ICEServers {
		w.ICEServers = append(w.ICEServers, media.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return w
}

// connectionLostMessage is the cause of a call ended because its media
// connection failed (WebRTC: ICE failed) and it would stay up in silence.
const connectionLostMessage = "Hung up: the call's audio connection was lost (the far end stopped answering)"

// srtpMode is the account's SDES-SRTP policy for RTP/AVP and RTP/SAVP
// audio. Empty SRTP means the default: optional on TLS accounts (the keys
// in the SDP then travel encrypted) and off on UDP and TCP. WebSocket
// accounts keep plain RTP/AVP here whatever SRTP says: their "required" is
// WebRTC's DTLS-SRTP, which is not the SDES of this policy.
func (c AccountConfig) srtpMode() (media.SRTPMode, error) {
	switch c.transport() {
	case "ws", "wss":
		return media.SRTPOff, nil
	}
	if strings.TrimSpace(c.SRTP) == "" {
		if c.transport() == "tls" {
			return media.SRTPOptional, nil
		}
		return media.SRTPOff, nil
	}
	m, err := media.ParseSRTPMode(c.SRTP)
	if err != nil {
		return media.SRTPOff, fmt.Errorf("account %q: %w", c.ID, err)
	}
	return m, nil
}

// mediaRefusal is the cause of refusing an offer our media cannot take,
// and the text of the Warning header (RFC 3261 §20.43) that tells the far
// end why.
func mediaRefusal(err error) (Cause, string) {
	cause := Cause{Code: 488, Reason: "Not Acceptable Here", By: ByLocal}
	var warning string
	switch {
	case errors.Is(err, media.ErrSRTPRequired):
		cause.Message = "Refused: the caller's audio is not encrypted, and this account requires SRTP"
		warning = `399 ringdesk "Encrypted audio (SRTP) required"`
	case errors.Is(err, media.ErrSRTPOff):
		cause.Message = "Refused: the caller requires encrypted audio (SRTP), which is off on this account"
		warning = `399 ringdesk "Encrypted audio (SRTP) not accepted"`
	default:
		cause.Message = "Refused: the caller's audio settings (codecs) were not acceptable"
		warning = `305 ringdesk "Incompatible media format"`
	}
	return cause, warning
}

// refusalMessage is the sentence for a final failure response to our
// INVITE: the usual one for its code, and for 488/606 the far end's
// Warning text when it gives one (such as "Encrypted audio (SRTP)
// required"), cut to one short printable line.
func refusalMessage(res *sip.Response) string {
	msg := human.Message(res.StatusCode, false)
	if res.StatusCode != 488 && res.StatusCode != 606 {
		return msg
	}
	h := res.GetHeader("Warning")
	if h == nil {
		return msg
	}
	_, text, ok := strings.Cut(h.Value(), `"`)
	text, _, _ = strings.Cut(text, `"`)
	text = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(text))
	if !ok || text == "" {
		return msg
	}
	if r := []rune(text); len(r) > 100 {
		text = string(r[:100]) + "…"
	}
	return msg + " (" + text + ")"
}

// answerRefusal is the cause of hanging up a call whose 2xx carried an
// answer our media cannot take.
func answerRefusal(err error) Cause {
	cause := Cause{By: ByLocal}
	switch {
	case errors.Is(err, media.ErrSRTPRequired):
		cause.Message = "Hung up: the far end answered without encrypted audio (SRTP), which this account requires"
	case errors.Is(err, media.ErrSRTPOff):
		cause.Message = "Hung up: the far end answered with encrypted audio (SRTP) only, which is off on this account"
	default:
		cause.Message = "Hung up: the far end's answer had no audio we can play"
	}
	return cause
}
