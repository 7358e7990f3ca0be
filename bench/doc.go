// Package bench holds Ringdesk's end-to-end benchmarks, run against real
// peers on the loopback interface (see internal/testbed): the CPU time a
// call costs Ringdesk beside baresip's, and the mouth-to-ear latency of
// the media path between two engines. They run only with -bench (`make
// bench`); `go test ./...` compiles them and runs just the quick checks of
// their analysis. README.md says how to run them and what they measured.
package bench
