// Package media is the audio of one call: SDP offer/answer, RTP and RTCP on
// a pair of UDP sockets, G.711 coding, a jitter buffer, RFC 4733 DTMF, and
// the Source (what the far end hears) and Sink (what we hear) it plays
// between. The SIP engine in phone creates one [Session] per call and drives
// it through Offer/Answer/SetAnswer, Start, SetDirection (hold), SetMuted,
// SendDTMF and Close; media knows nothing of SIP.
//
// The flow, one 20 ms frame at a time (docs/media.md draws it larger):
//
//	Source ─▶ mute ─▶ codec.Encoder ─▶ rtp.Sender ─▶ UDP (RTP) ─▶ far end
//	                          DTMF queue ─┘ (telephone-event packets replace audio)
//
//	far end ─▶ UDP (RTP) ─▶ filter (PT, SSRC) ─▶ rtp.Reception (loss, jitter)
//	                                   ├─▶ rtp.EventDetector ─▶ DTMF() channel
//	                                   └─▶ rtp.JitterBuffer ─▶ codec.Decoder ─▶ Sink
//
//	rtp.Reports ◀─▶ UDP (RTCP): SR/RR with SDES every ~5 s, BYE on Close
//
// A session owns three goroutines once started: the media loop (it reads
// the Source, sends, plays out the jitter buffer into the Sink and sends
// RTCP; paced by elapsed time since Start, so a descheduled loop catches up
// instead of losing time), the RTP reader and the RTCP reader. Close stops
// all three before it returns.
//
// Subpackages: sdp (offer/answer), rtp (sender, jitter buffer, reports,
// telephone events), codec and codec/g711, tone and wav (sources and
// sinks), mediatest (a recording Sink and a Goertzel tone detector for
// tests). media never imports phone or the SIP library.
package media
