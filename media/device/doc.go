// Package device opens the computer's sound devices: a microphone as a
// media Source (what the far end hears) and a speaker as a media Sink
// (what we hear), chosen by the name the system gives them, an empty name
// meaning the system's default. It also checks a microphone (MicCheck),
// shows its live level (Meter) and plays a test tone (PlayTone) for the
// Settings window.
//
// # Why malgo for capture as well as playback
//
// DESIGN.md names pion/mediadevices for capture and malgo (miniaudio) for
// playback. mediadevices' microphone driver is itself a thin layer over
// malgo: it opens a malgo capture device and turns its callback into a
// pull-based audio Reader with its own goroutines and 20 ms chunking tuned
// for its WebRTC tracks. Ringdesk's media loop wants something else — a
// Source that hands over exactly one frame at the call's rate without ever
// waiting — so this package opens the malgo capture device directly and
// keeps its own ring buffer. That gives one code path for both directions,
// the same device names for the microphone and the speaker, the same error
// mapping (no device, busy, permission) and no goroutine of ours at all:
// miniaudio's own thread calls us, and Close stops it.
//
// # Flow
//
//	microphone thread ─▶ ring (device rate) ─▶ ReadFrame: resample ─▶ call
//	call ─▶ WriteFrame: resample ─▶ ring (device rate) ─▶ speaker thread
//
// Devices run at 48 kHz, mono, 16-bit (miniaudio converts from whatever the
// hardware does); the resampler in media/resample converts to and from the
// call's rate. Neither side blocks the media loop: a capture that has not
// delivered enough yet gives a frame of silence (counted in Underruns), a
// speaker that falls behind drops its oldest audio (counted in Dropped).
//
// Only cmd/ringdesk imports this package (with its own tests): it is cgo,
// and the engine and its tests never open a sound card (DESIGN.md:
// cmd -> gui, api -> phone -> media).
package device
