package media

import "time"

// Stats are a session's media statistics since it started. Byte counts are
// RTP payload bytes, as RTCP counts them.
type Stats struct {
	// Codec is the negotiated codec's name, "" before negotiation.
	Codec string
	// PacketsSent and BytesSent count RTP we sent, DTMF events included.
	PacketsSent, BytesSent uint64
	// PacketsReceived and BytesReceived count accepted RTP from the far end.
	PacketsReceived, BytesReceived uint64
	// PacketsLost is expected minus received by sequence number (RFC 3550
	// §6.4.1): negative when duplicates arrived.
	PacketsLost int64
	// PacketsLate arrived after their audio had been played or concealed.
	PacketsLate uint64
	// PacketsDiscarded were not RTP, or had a payload type we did not
	// negotiate, or came from a second source, or failed SRTP (RTP and
	// RTCP packets both count).
	PacketsDiscarded uint64
	// PacketsUnauthenticated are the SRTP and SRTCP packets among
	// PacketsDiscarded that failed authentication (a wrong key, altered,
	// or plain RTP where SRTP was agreed); they are never played.
	PacketsUnauthenticated uint64
	// SRTP is the crypto suite protecting the media
	// ("AES_CM_128_HMAC_SHA1_80"), "" for plain RTP.
	SRTP string
	// FramesConcealed counts 20 ms frames that needed loss concealment.
	FramesConcealed uint64
	// FramesRecovered counts lost frames rebuilt from the next packet's
	// forward error correction (Opus in-band FEC) rather than concealed.
	FramesRecovered uint64
	// Jitter is the interarrival jitter of the far end's packets.
	Jitter time.Duration
	// BufferDelay is the delay the jitter buffer aims for.
	BufferDelay time.Duration
	// RoundTrip is the RTT from RTCP, 0 until known.
	RoundTrip time.Duration
}

// Stats returns the statistics so far.
func (s *Session) Stats() Stats {
	st := Stats{Codec: s.Codec(), SRTP: s.SRTP(), PacketsSent: s.sentPackets.Load(), BytesSent: s.sentBytes.Load()}
	r := &s.rx
	r.mu.Lock()
	defer r.mu.Unlock()
	jb := r.jb.Stats()
	st.PacketsReceived, st.BytesReceived = r.received, r.bytes
	st.PacketsLost = r.lostEarlier + r.rec.Lost()
	st.PacketsLate = jb.Late
	st.PacketsDiscarded = r.discarded
	st.PacketsUnauthenticated = r.authFailed
	st.FramesConcealed = jb.Concealed
	st.FramesRecovered = jb.Recovered
	st.Jitter = r.rec.Jitter()
	st.BufferDelay = jb.Target
	st.RoundTrip = r.rtt
	return st
}

// SRTP returns the crypto suite protecting the call's media, "" for plain
// RTP or before negotiation.
func (s *Session) SRTP() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rtc != nil && s.neg != nil {
		return WebRTCSuite
	}
	if s.sec == nil {
		return ""
	}
	return s.sec.suite
}
