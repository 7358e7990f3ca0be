// Package media will hold per-call media: SDP offer/answer, RTP/SRTP and
// WebRTC transports, codecs, the jitter buffer, audio and video sources and
// sinks, and tones (see DESIGN.md, "Media"). It is empty in this build; the
// audio and video issues fill it. It never imports phone or sipgo.
package media
