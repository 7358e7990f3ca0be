// Package testbed starts real SIP peers on the loopback interface for tests:
// Kamailio as registrar and proxy ([StartKamailio]), baresip as an independent
// far end that answers, plays a WAV file and records what it hears
// ([StartBaresip]), and SIPp scenarios from testdata/sipp ([RunSIPp]).
//
// Every peer
//
//   - binds 127.0.0.1 only, on ports the kernel reported free;
//   - is started in its own process group and killed by group on t.Cleanup
//     (SIGTERM, then SIGKILL after a grace period);
//   - writes its log into a t.TempDir() directory, and that log is printed
//     with t.Log (its tail when large) only when the test failed;
//   - is waited for by a real readiness check, never a sleep: a SIP OPTIONS
//     ping over UDP (Kamailio, baresip), a TCP connection (Kamailio's
//     WebSocket port, baresip's control port), Kamailio's own registration
//     table, or SIPp's port showing in /proc/net; always with a time limit.
//
// A missing peer binary skips the test with a message naming the Debian
// package to install, except when the environment variable CI is non-empty:
// then the test fails, so that CI never skips silently.
//
// The users known to Kamailio are [Users] ("1001" to "1010"), each with the
// password [Password](user); see [Kamailio] for the realm and domain.
//
// To check what a phone sent or answered: [SIPp.Received], [SIPp.Sent] and
// [SIPp.Logged] read a SIPp run's traces as [SIPMessage]s and log lines;
// [SendRawUDP] sends one hand-written request (the broken ones of
// testdata/sipp/raw come from [RawSIPCorpus]) and returns the answers.
//
// Set TESTBED_LOGS=1 to see the peers' logs of passing tests too.
//
// Start peers from the test's goroutine (they call t.Fatal when they cannot
// start). Tests using them may run in parallel: every peer has its own
// ports, directory and process group.
package testbed
