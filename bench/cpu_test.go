package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringdesk/ringdesk/internal/testbed"
	"github.com/ringdesk/ringdesk/media/mediatest"
)

// callSecondsEnv overrides the length of each call of BenchmarkCallCPU
// (default 30 s), e.g. BENCH_CALL_SECONDS=5 for a quick check.
const callSecondsEnv = "BENCH_CALL_SECONDS"

// envDuration reads a number of seconds from the environment variable
// name, def when it is unset.
func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s <= 0 {
		tb.Fatalf("%s=%q: want a positive number of seconds", name, v)
	}
	return time.Duration(s * float64(time.Second))
}

// BenchmarkCallCPU measures the CPU time (user + system, from
// /proc/PID/stat) a call costs each side's process. Two calls run at the
// same time, through Kamailio, with the same codec and files: a baresip
// calls `ringdesk --headless --auto-answer` (a separate process built
// from ./cmd/ringdesk), and a second baresip calls a third, so that
// Ringdesk's time can be set beside baresip's in the same role under the
// same load of a possibly busy machine. Each call lasts
// BENCH_CALL_SECONDS (default 30) from the answer to the hang-up; every
// side plays a tone WAV and records what it hears.
//
// Reported per call: ringdesk-cpu-s (Ringdesk as callee), baresip-cpu-s
// (baresip as callee), ratio (the two divided), and the CPU time of the
// calling baresip of each call.
func BenchmarkCallCPU(b *testing.B) {
	for _, codec := range []string{"PCMU", "opus"} {
		b.Run(codec, func(b *testing.B) { benchCallCPU(b, codec) })
	}
}

func benchCallCPU(b *testing.B, codec string) {
	dur := envDuration(b, callSecondsEnv, 30*time.Second)
	rate := 8000
	if codec == "opus" {
		rate = 48000
	}
	k := testbed.StartKamailio(b)
	dir := b.TempDir()
	low, high := filepath.Join(dir, "440.wav"), filepath.Join(dir, "1000.wav")
	secs := dur.Seconds() + 10 // baresip plays its file once
	if err := testbed.WriteToneWAV(low, 440, secs, rate); err != nil {
		b.Fatal(err)
	}
	if err := testbed.WriteToneWAV(high, 1000, secs, rate); err != nil {
		b.Fatal(err)
	}
	callsRD := testbed.StartBaresip(b, testbed.BaresipRegister(k, "1009"), testbed.BaresipAudioFile(low), testbed.BaresipCodecs(codec))
	callsBR := testbed.StartBaresip(b, testbed.BaresipRegister(k, "1008"), testbed.BaresipAudioFile(low), testbed.BaresipCodecs(codec))
	other := testbed.StartBaresip(b, testbed.BaresipRegister(k, "1002"), testbed.BaresipAudioFile(high), testbed.BaresipCodecs(codec))
	heard := filepath.Join(dir, "ringdesk-heard.wav")
	rd := startRingdesk(b, k, headlessOptions{user: "1001", codecs: []string{strings.ToLower(codec)}, audioIn: high, audioOut: heard})

	var rdCPU, brCPU, callerWithRD, callerWithBR time.Duration
	b.ResetTimer()
	for i := range b.N {
		from := rd.lines()
		used, err := cpuOfCalls(dur,
			leg{name: "ringdesk", caller: callsRD, calleePID: rd.pid(), uri: k.URI("1001"), closed: func(ctx context.Context) error {
				_, err := rd.waitLine(20*time.Second, from, "CALL_END account=main")
				return err
			}},
			leg{name: "baresip", caller: callsBR, calleePID: other.PID(), uri: k.URI("1002"), closed: func(ctx context.Context) error {
				_, err := other.WaitEvent(ctx, "CALL_CLOSED")
				return err
			}},
		)
		if err != nil {
			b.Fatal(err)
		}
		rdCPU += used["ringdesk"].callee
		callerWithRD += used["ringdesk"].caller
		brCPU += used["baresip"].callee
		callerWithBR += used["baresip"].caller
		if i == 0 {
			checkCPUCallAudio(b, callsRD, heard)
		}
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(per(rdCPU), "ringdesk-cpu-s")
	b.ReportMetric(per(brCPU), "baresip-cpu-s")
	if brCPU > 0 {
		b.ReportMetric(rdCPU.Seconds()/brCPU.Seconds(), "ratio")
	}
	b.ReportMetric(per(callerWithRD), "caller-cpu-s-with-ringdesk")
	b.ReportMetric(per(callerWithBR), "caller-cpu-s-with-baresip")
	b.Logf("%s, %s calls (mean of %d): callee Ringdesk %.3f s CPU, callee baresip %.3f s CPU (ratio %.2f); the calling baresip %.3f s beside Ringdesk, %.3f s beside baresip",
		codec, dur, b.N, per(rdCPU), per(brCPU), rdCPU.Seconds()/brCPU.Seconds(), per(callerWithRD), per(callerWithBR))
}

// callCPU is the CPU time the two sides of one call used.
type callCPU struct{ caller, callee time.Duration }

// leg is one call of cpuOfCalls: caller dials uri, answered by the
// process calleePID; closed waits until the callee has ended the call.
type leg struct {
	name      string
	caller    *testbed.Baresip
	calleePID int
	uri       string
	closed    func(context.Context) error
}

// cpuOfCalls makes the calls of legs at the same time: it dials them all,
// keeps them up for dur from the last answer, hangs them all up, waits
// until both sides of each closed it, and returns, by leg name, the CPU
// time each side used from before the dials to then.
func cpuOfCalls(dur time.Duration, legs ...leg) (map[string]callCPU, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dur+time.Minute)
	defer cancel()
	pids := map[string]int{}
	for _, l := range legs {
		pids[l.name+"/caller"], pids[l.name+"/callee"] = l.caller.PID(), l.calleePID
	}
	m, err := newCPUMeter(pids)
	if err != nil {
		return nil, err
	}
	for _, l := range legs {
		if err := l.caller.Dial(l.uri); err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	for _, l := range legs {
		if _, err := l.caller.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	select {
	case <-time.After(dur):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for _, l := range legs {
		if err := l.caller.Hangup(); err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	for _, l := range legs {
		if _, err := l.caller.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
		if err := l.closed(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	used, err := m.used()
	if err != nil {
		return nil, err
	}
	out := map[string]callCPU{}
	for _, l := range legs {
		out[l.name] = callCPU{caller: used[l.name+"/caller"], callee: used[l.name+"/callee"]}
	}
	return out, nil
}

// checkCPUCallAudio fails the benchmark unless audio flowed both ways in
// the call with Ringdesk: a CPU figure of a silent call would mean
// nothing. Ringdesk's recording (heard) must hold the calling baresip's
// 440 Hz and the caller's newest recording Ringdesk's 1 kHz, at an SNR
// that says the tone is there (10 dB; the tests judge quality).
func checkCPUCallAudio(b *testing.B, caller *testbed.Baresip, heard string) {
	b.Helper()
	check := func(who, path string, freq float64) {
		w, err := testbed.ReadWAV(path)
		if err != nil {
			b.Errorf("%s's recording: %v", who, err)
			return
		}
		tone := mediatest.Measure(w.Mono(), w.SampleRate, freq)
		b.Logf("%s heard %.0f Hz at %.1f dBFS, SNR %.1f dB", who, freq, tone.Level, tone.SNR)
		if tone.SNR < 10 {
			b.Errorf("%s heard %.0f Hz at SNR %.1f dB, want > 10: the call carried no audio", who, freq, tone.SNR)
		}
	}
	check("Ringdesk", heard, 440)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	path, err := caller.ReceivedWAV(ctx)
	if err != nil {
		b.Error(err)
		return
	}
	check("the calling baresip", path, 1000)
}

// BenchmarkIdleCPU measures the CPU time a registered Ringdesk (the
// headless process of BenchmarkCallCPU) and a registered baresip use
// without a call over BENCH_CALL_SECONDS (default 30): the share of
// BenchmarkCallCPU's figures that is not the call's.
func BenchmarkIdleCPU(b *testing.B) {
	dur := envDuration(b, callSecondsEnv, 30*time.Second)
	k := testbed.StartKamailio(b)
	dir := b.TempDir()
	br := testbed.StartBaresip(b, testbed.BaresipRegister(k, "1002"))
	rd := startRingdesk(b, k, headlessOptions{user: "1001", codecs: []string{"pcmu"}, audioIn: "silence", audioOut: filepath.Join(dir, "heard.wav")})
	var rdCPU, brCPU time.Duration
	b.ResetTimer()
	for range b.N {
		m, err := newCPUMeter(map[string]int{"ringdesk": rd.pid(), "baresip": br.PID()})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(dur)
		used, err := m.used()
		if err != nil {
			b.Fatal(err)
		}
		rdCPU += used["ringdesk"]
		brCPU += used["baresip"]
	}
	b.StopTimer()
	b.ReportMetric(rdCPU.Seconds()/float64(b.N), "ringdesk-cpu-s")
	b.ReportMetric(brCPU.Seconds()/float64(b.N), "baresip-cpu-s")
	b.Logf("idle for %s: Ringdesk %.3f s CPU, baresip %.3f s CPU", dur, rdCPU.Seconds()/float64(b.N), brCPU.Seconds()/float64(b.N))
}
