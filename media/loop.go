package media

import (
	"errors"
	"io"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/rtp"
)

const (
	// maxCatchUp is how many late frames (1 s) the loop makes up after a
	// stall, sending them in a burst and writing them to the Sink at once;
	// beyond that it skips time.
	maxCatchUp = 50
	// dtmfGapFrames of audio separate two queued DTMF keys (40 ms).
	dtmfGapFrames = 2
)

// loopState is owned by the media loop goroutine.
type loopState struct {
	flow    *flow
	enc     codec.Encoder
	frame   []int16 // from the Source
	silence []int16
	out     []int16 // to the Sink
	payload []byte
	buf     []byte
	sbuf    []byte // the SRTP packet
	gap     int    // audio frames still to send before the next DTMF key

	// sent and played count the frames sent (or paused) and written to
	// the Sink since the start; both follow the frames due by the clock.
	sent, played int
	// dry is set while the jitter buffer lacks the audio of the next
	// frame due; dryFor is how long the loop has waited for it, counting
	// at most one frame's time per wake-up so that a stall of the loop
	// itself (when the far end's packets were most likely held up too)
	// does not count; dryAt is the wake-up last counted.
	dry    bool
	dryFor time.Duration
	dryAt  time.Time

	sourceEnded, sourceFailing, sinkFailing, writeFailing bool
}

func newLoopState() *loopState {
	return &loopState{
		frame:   make([]int16, frameLen),
		silence: make([]int16, frameLen),
		out:     make([]int16, frameLen),
		payload: make([]byte, 0, 2*frameLen),
		buf:     make([]byte, 0, 1500),
		sbuf:    make([]byte, 0, 1500),
	}
}

// Start starts sending and receiving once an offer/answer exchange has
// completed. It is idempotent: after a renegotiation the running session
// follows the new codec, address and directions by itself.
func (s *Session) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.started:
		return nil
	case s.neg == nil:
		return ErrNotNegotiated
	}
	s.started = true
	if s.rtc != nil {
		go s.run(time.Now())
		return nil
	}
	s.readers.Add(2)
	go s.readRTP()
	go s.readRTCP()
	go s.run(time.Now())
	return nil
}

// framesDue is how many frames are due at now for a loop started at start:
// one at the start, then one per 20 ms.
func framesDue(start, now time.Time) int { return int(now.Sub(start)/frameDur) + 1 }

// run is the media loop. It counts time from start, when Start was called
// (the goroutine may be scheduled later), and both its clocks count frames
// by elapsed time, never by ticks (a time.Ticker drops the ticks a
// descheduled goroutine misses): the send clock sends every frame due, in
// a burst after a stall, so the far end gets one packet per 20 ms of call;
// the play clock writes every frame due to the Sink, so the Sink gets one
// frame per 20 ms of call, but it may wait a moment for audio that has not
// arrived yet (see readyToPlay) rather than conceal it. The ticker, and
// each packet arriving while the play clock waits, only wake the loop.
func (s *Session) run(start time.Time) {
	defer close(s.loopDone)
	st := newLoopState()
	nextRTCP := rtp.NextReport(start)
	ticker := time.NewTicker(frameDur)
	defer ticker.Stop()
	for {
		now := time.Now()
		due := framesDue(start, now)
		s.sendDue(st, due)
		s.playDue(st, due, now)
		if now.After(nextRTCP) {
			s.sendReport(st, now)
			nextRTCP = rtp.NextReport(now)
		}
		select {
		case <-s.done:
			s.finish(st, start)
			return
		case <-ticker.C:
		case <-s.rx.arrived:
		}
	}
}

// loadFlow returns the current flow, with a new encoder when the codec
// changed.
func (s *Session) loadFlow(st *loopState) *flow {
	f := s.flow.Load()
	if f != st.flow {
		if st.flow == nil || st.flow.codec != f.codec {
			closeEncoder(st.enc)
			st.enc = f.codec.NewEncoder()
		}
		st.flow = f
	}
	return f
}

// closeEncoder frees an encoder that holds resources (Opus's C state).
func closeEncoder(e codec.Encoder) {
	if c, ok := e.(io.Closer); ok {
		_ = c.Close() // freeing memory: nothing to report
	}
}

// sendDue reads the Source and sends (or, while not sending, lets the RTP
// timestamp run) every frame due.
func (s *Session) sendDue(st *loopState, due int) {
	if behind := due - st.sent; behind > maxCatchUp {
		skip := behind - maxCatchUp
		s.log.Warn("media: the media loop stalled; skipping audio it should have sent", "skipped", time.Duration(skip)*frameDur)
		s.sender.Pause(skip * s.loadFlow(st).ticks)
		st.sent += skip
	}
	for ; st.sent < due; st.sent++ {
		f := s.loadFlow(st)
		s.readSource(st)
		if f.send {
			s.sendFrame(st, f)
		} else {
			s.sender.Pause(f.ticks)
		}
	}
}

// playDue writes the frames due to the Sink, up to the first one whose
// audio has not arrived and may still come.
func (s *Session) playDue(st *loopState, due int, now time.Time) {
	if behind := due - st.played; behind > maxCatchUp {
		skip := behind - maxCatchUp
		s.log.Warn("media: the media loop stalled; skipping audio it should have played", "skipped", time.Duration(skip)*frameDur)
		st.played += skip
	}
	for ; st.played < due; st.played++ {
		f := s.loadFlow(st)
		if !s.readyToPlay(st, f, now) {
			return
		}
		s.playFrame(st, f.play)
	}
}

// readyToPlay reports whether the next frame should be played now. When
// the jitter buffer lacks its audio, the loop waits for it (woken by each
// arriving packet) for as long as the buffer's target delay before it
// plays the frame concealed. Only the loop's own waiting counts, at most a
// frame's time per wake-up: when the loop itself was descheduled, the far
// end's packets (or, on a busy machine, the goroutines that send and read
// them) were most likely held up as well; they come moments after the
// loop wakes, and waiting for them costs no concealment and no lasting
// delay, since the frames then play at once.
func (s *Session) readyToPlay(st *loopState, f *flow, now time.Time) bool {
	if !f.play {
		st.dry = false
		return true
	}
	r := &s.rx
	r.mu.Lock()
	ready, grace := r.jb.Ready(), r.jb.Target()
	if !ready {
		r.waiting = true
	}
	r.mu.Unlock()
	if ready {
		st.dry = false
		return true
	}
	switch {
	case !st.dry:
		st.dry, st.dryFor, st.dryAt = true, 0, now
	case st.dryAt != now:
		st.dryFor += min(now.Sub(st.dryAt), frameDur)
		st.dryAt = now
	}
	return st.dryFor >= grace
}

// finish writes to the Sink the frames due when Close was called that a
// late wake-up left unplayed, so that the Sink holds the whole call: the
// audio buffered for them, silence for audio that will never come now
// (there is nothing to conceal after the end).
func (s *Session) finish(st *loopState, start time.Time) {
	s.mu.Lock()
	end := s.closedAt
	s.mu.Unlock()
	due := min(framesDue(start, end), st.played+maxCatchUp)
	for ; st.played < due; st.played++ {
		play := s.loadFlow(st).play
		if play {
			s.rx.mu.Lock()
			play = s.rx.jb.Ready()
			s.rx.mu.Unlock()
		}
		s.playFrame(st, play)
	}
	s.sendBye(st)
	closeEncoder(st.enc)
	st.enc = nil
}

func (s *Session) readSource(st *loopState) {
	if s.source == nil || st.sourceEnded {
		clear(st.frame)
		return
	}
	err := s.source.ReadFrame(st.frame, clockRate)
	if err == nil {
		st.sourceFailing = false
		return
	}
	clear(st.frame)
	if errors.Is(err, io.EOF) {
		st.sourceEnded = true
		s.log.Info("media: the audio source ended; sending silence")
		return
	}
	if !st.sourceFailing {
		s.log.Warn("media: the audio source failed; sending silence until it recovers", "err", err)
	}
	st.sourceFailing = true
}

// sendFrame sends one frame of audio, or the next packets of a DTMF key.
func (s *Session) sendFrame(st *loopState, f *flow) {
	if st.gap > 0 {
		st.gap--
	} else if !s.sender.InEvent() && f.sendEvt >= 0 {
		select {
		case r := <-s.dtmfOut:
			s.sender.StartEvent(uint8(f.sendEvt), r.code, int(r.duration*time.Duration(f.clock)/time.Second))
		default:
		}
	}
	if s.sender.InEvent() {
		var pkts [][]byte
		st.buf, pkts = s.sender.AppendEventFrame(st.buf[:0], f.ticks)
		for _, p := range pkts {
			s.write(st, f, p)
		}
		if !s.sender.InEvent() {
			st.gap = dtmfGapFrames
		}
		return
	}
	pcm := st.frame
	if s.muted.Load() {
		pcm = st.silence
	}
	st.payload = st.enc.Encode(st.payload[:0], pcm)
	st.buf = s.sender.AppendAudio(st.buf[:0], f.sendPT, st.payload, f.ticks)
	s.write(st, f, st.buf)
}

func (s *Session) write(st *loopState, f *flow, pkt []byte) {
	dst := f.remote
	if s.symmetric {
		if p := s.latched.Load(); p != nil {
			dst = *p
		}
	}
	if r := s.rtcOut.Load(); r != nil {
		s.writeWebRTC(st, r, pkt)
		return
	}
	wire := pkt
	if f.sec != nil {
		var err error
		if st.sbuf, err = f.sec.out.encryptRTP(st.sbuf[:0], pkt); err != nil {
			if !st.writeFailing {
				s.log.Warn("media: encrypting RTP failed", "err", err)
			}
			st.writeFailing = true
			return
		}
		wire = st.sbuf
	}
	if _, err := s.rtpConn.WriteToUDPAddrPort(wire, dst); err != nil {
		if !st.writeFailing {
			s.log.Warn("media: sending RTP failed", "to", dst.String(), "err", err)
		}
		st.writeFailing = true
		return
	}
	st.writeFailing = false
	s.sentPackets.Add(1)
	s.sentBytes.Add(uint64(len(pkt) - rtp.HeaderLen))
}

// playFrame writes one frame to the Sink: the jitter buffer's output while
// playing, silence while held.
func (s *Session) playFrame(st *loopState, play bool) {
	if play {
		s.rx.mu.Lock()
		s.rx.jb.Read(st.out)
		s.rx.mu.Unlock()
	} else {
		clear(st.out)
	}
	if err := s.sink.WriteFrame(st.out, clockRate); err != nil {
		if !st.sinkFailing {
			s.log.Warn("media: the audio sink failed", "err", err)
		}
		st.sinkFailing = true
		return
	}
	st.sinkFailing = false
}
