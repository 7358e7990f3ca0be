// Package phone is Ringdesk's SIP engine on sipgo: accounts and their
// registration, calls and their state machine, hold, DTMF, transfer, and
// the events the GUI and the local API subscribe to (DESIGN.md, "The
// engine's contract").
//
// One Phone owns the accounts and calls. Commands are methods (Dial,
// Call.Answer, Hangup, Hold, Unhold, Mute, SendDTMF, Transfer,
// AttendedTransfer, CompleteTransfer, CancelTransfer, Phone.SetDND,
// SetForward, Account.Register, Unregister); events reach each
// subscriber through its own queue (Subscribe), so a slow subscriber
// never holds the engine up.
//
// Layout: stack.go wraps one sipgo user agent per account (the UDP socket
// or the connection flow); register.go is the registration loop (refresh,
// backoff with jitter, keep-alives, reconnects, Expires: 0 at the end);
// outgoing.go and incoming.go set calls up; dialog.go is RFC 3261 §12;
// reinvite.go is hold, remote hold, glare and session timers (RFC 4028);
// dtmf.go and transfer.go are DTMF (RFC 4733 or INFO) and REFER (RFC 3515);
// attended.go is attended transfer and Replaces (RFC 3891, RFC 5589);
// dnd.go and forward.go are Do Not Disturb and call forwarding (302).
// phone/digest answers digest challenges (MD5, SHA-256, HA1), phone/human
// words SIP failures for people, phone/resolve locates servers (RFC 3263).
package phone
