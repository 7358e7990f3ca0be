package media

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"

	pionrtp "github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/ringdesk/ringdesk/media/sdp"
)

// SRTPMode is an account's SDES-SRTP policy (see the constants).
type SRTPMode = sdp.SRTPMode

// The SRTP policies: off offers RTP/AVP and refuses an RTP/SAVP-only offer,
// optional offers RTP/AVP with a=crypto (best effort) and takes keys when
// offered, required offers RTP/SAVP and refuses a far end without keys.
const (
	SRTPOff      = sdp.SRTPOff
	SRTPOptional = sdp.SRTPOptional
	SRTPRequired = sdp.SRTPRequired
)

// ParseSRTPMode reads "off", "optional" or "required" ("" is off).
func ParseSRTPMode(s string) (SRTPMode, error) { return sdp.ParseSRTPMode(s) }

// Errors of the SRTP policy, both wrapping ErrNotAcceptable.
var (
	// ErrSRTPRequired: SRTP is required here and the far end has no keys.
	ErrSRTPRequired = sdp.ErrSRTPRequired
	// ErrSRTPOff: the far end wants encrypted audio only and SRTP is off.
	ErrSRTPOff = sdp.ErrSRTPOff
)

// offeredSuite is the crypto suite we offer (RFC 4568's mandatory one).
const offeredSuite = sdp.AES_CM_128_HMAC_SHA1_80

// replayWindow is the SRTP/SRTCP replay window in packets: wider than any
// reordering a jitter buffer of 200 ms can still use.
const replayWindow = 128

var profiles = map[string]srtp.ProtectionProfile{
	sdp.AES_CM_128_HMAC_SHA1_80: srtp.ProtectionProfileAes128CmHmacSha1_80,
	sdp.AES_CM_128_HMAC_SHA1_32: srtp.ProtectionProfileAes128CmHmacSha1_32,
	sdp.AES_256_CM_HMAC_SHA1_80: srtp.ProtectionProfileAes256CmHmacSha1_80,
	sdp.AES_256_CM_HMAC_SHA1_32: srtp.ProtectionProfileAes256CmHmacSha1_32,
}

// localKey returns our master key and salt for a suite, drawn once per
// session from crypto/rand: each session has its own, and the far end's
// key (the other direction) is the far end's own. Callers hold s.mu.
func (s *Session) localKey(suite string) ([]byte, error) {
	if k, ok := s.keys[suite]; ok {
		return k, nil
	}
	n := sdp.SuiteKeyLen(suite)
	if n == 0 {
		return nil, fmt.Errorf("media: crypto suite %s is not supported", suite)
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("media: drawing an SRTP key: %w", err)
	}
	if s.keys == nil {
		s.keys = map[string][]byte{}
	}
	s.keys[suite] = k
	return k, nil
}

// srtpContext is one direction's SRTP and SRTCP context. pion's contexts
// are not safe for concurrent use; the mutexes make them so (in practice
// each is used by one goroutine: the media loop sends, the readers
// receive).
type srtpContext struct {
	suite string
	key   []byte
	mki   []byte

	rtpMu  sync.Mutex
	rtp    *srtp.Context
	rtcpMu sync.Mutex
	rtcp   *srtp.Context
}

func newSRTPContext(c *sdp.Crypto, inbound bool) (*srtpContext, error) {
	profile, ok := profiles[c.Suite]
	if !ok {
		return nil, fmt.Errorf("media: crypto suite %s is not supported", c.Suite)
	}
	keyLen, err := profile.KeyLen()
	if err != nil {
		return nil, fmt.Errorf("media: crypto suite %s: %w", c.Suite, err)
	}
	if len(c.Key) != keyLen+14 {
		return nil, fmt.Errorf("media: crypto suite %s needs %d bytes of key and salt", c.Suite, keyLen+14)
	}
	var rtpOpts, rtcpOpts []srtp.ContextOption
	if inbound {
		rtpOpts = append(rtpOpts, srtp.SRTPReplayProtection(replayWindow))
		rtcpOpts = append(rtcpOpts, srtp.SRTCPReplayProtection(replayWindow))
	}
	if len(c.MKI) > 0 {
		rtpOpts = append(rtpOpts, srtp.MasterKeyIndicator(c.MKI))
		rtcpOpts = append(rtcpOpts, srtp.MasterKeyIndicator(c.MKI))
	}
	key, salt := c.Key[:keyLen], c.Key[keyLen:]
	x := &srtpContext{suite: c.Suite, key: bytes.Clone(c.Key), mki: bytes.Clone(c.MKI)}
	if x.rtp, err = srtp.CreateContext(key, salt, profile, rtpOpts...); err != nil {
		return nil, fmt.Errorf("media: SRTP context: %w", err)
	}
	if x.rtcp, err = srtp.CreateContext(key, salt, profile, rtcpOpts...); err != nil {
		return nil, fmt.Errorf("media: SRTCP context: %w", err)
	}
	return x, nil
}

// same reports whether x was made for c (so its state, rollover counter
// and replay window included, carries over a renegotiation).
func (x *srtpContext) same(c *sdp.Crypto) bool {
	return x != nil && x.suite == c.Suite && bytes.Equal(x.key, c.Key) && bytes.Equal(x.mki, c.MKI)
}

func (x *srtpContext) encryptRTP(dst, pkt []byte) ([]byte, error) {
	x.rtpMu.Lock()
	defer x.rtpMu.Unlock()
	return x.rtp.EncryptRTP(dst, pkt, nil)
}

func (x *srtpContext) decryptRTP(dst, pkt []byte, h *pionrtp.Header) ([]byte, error) {
	x.rtpMu.Lock()
	defer x.rtpMu.Unlock()
	return x.rtp.DecryptRTP(dst, pkt, h)
}

func (x *srtpContext) encryptRTCP(dst, pkt []byte) ([]byte, error) {
	x.rtcpMu.Lock()
	defer x.rtcpMu.Unlock()
	return x.rtcp.EncryptRTCP(dst, pkt, nil)
}

func (x *srtpContext) decryptRTCP(dst, pkt []byte) ([]byte, error) {
	x.rtcpMu.Lock()
	defer x.rtcpMu.Unlock()
	return x.rtcp.DecryptRTCP(dst, pkt, nil)
}

// secure is the SRTP of a negotiation: our context for what we send, the
// far end's for what we receive.
type secure struct {
	suite   string
	out, in *srtpContext
}

// srtpDropReason names why a packet failed SRTP or SRTCP processing, and
// whether it counts as failing authentication (a replay does not).
func srtpDropReason(what string, err error) (string, bool) {
	switch {
	case errors.Is(err, srtp.ErrFailedToVerifyAuthTag):
		return what + " failed authentication (wrong key, altered, or not encrypted)", true
	case strings.Contains(err.Error(), "duplicated packet"):
		// pion's replay error type is unexported.
		return "replayed " + what + " (already received)", false
	}
	return what + " could not be authenticated (too short or malformed)", true
}
