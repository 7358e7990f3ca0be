package media

import (
	"errors"
	"io"
	"time"

	"github.com/ringdesk/ringdesk/media/codec"
	"github.com/ringdesk/ringdesk/media/rtp"
)

const (
	// maxCatchUp is how many late frames the loop makes up in one go after
	// a stall; beyond that it skips time rather than burst packets.
	maxCatchUp = 10
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
	gap     int // audio frames still to send before the next DTMF key

	sourceEnded, sourceFailing, sinkFailing, writeFailing bool
}

func newLoopState() *loopState {
	return &loopState{
		frame:   make([]int16, frameLen),
		silence: make([]int16, frameLen),
		out:     make([]int16, frameLen),
		payload: make([]byte, 0, 2*frameLen),
		buf:     make([]byte, 0, 1500),
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
	s.readers.Add(2)
	go s.readRTP()
	go s.readRTCP()
	go s.run()
	return nil
}

// run is the media loop: one frame every 20 ms, counted from the start so
// that a late tick is made up and the Sink gets exactly one frame per 20 ms
// of call.
func (s *Session) run() {
	defer close(s.loopDone)
	st := newLoopState()
	start := time.Now()
	nextRTCP := rtp.NextReport(start)
	ticker := time.NewTicker(frameDur)
	defer ticker.Stop()
	frames := 0
	for {
		now := time.Now()
		due := int(now.Sub(start)/frameDur) + 1
		if behind := due - frames; behind > maxCatchUp {
			s.log.Warn("media: the media loop stalled; skipping audio", "skipped", time.Duration(behind-maxCatchUp)*frameDur)
			s.sender.Pause((behind - maxCatchUp) * frameLen)
			frames = due - maxCatchUp
		}
		for ; frames < due; frames++ {
			s.tick(st)
		}
		if now.After(nextRTCP) {
			s.sendReport(st, now)
			nextRTCP = rtp.NextReport(now)
		}
		select {
		case <-s.done:
			s.sendBye(st)
			return
		case <-ticker.C:
		}
	}
}

// tick handles one frame: read the Source, send it (or a DTMF event), play
// one frame out of the jitter buffer into the Sink.
func (s *Session) tick(st *loopState) {
	f := s.flow.Load()
	if f != st.flow {
		if st.flow == nil || st.flow.codec != f.codec {
			st.enc = f.codec.NewEncoder()
		}
		st.flow = f
	}
	s.readSource(st)
	if f.send {
		s.sendFrame(st, f)
	} else {
		s.sender.Pause(frameLen)
	}
	s.playFrame(st, f)
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
			s.sender.StartEvent(uint8(f.sendEvt), r.code, int(r.duration*clockRate/time.Second))
		default:
		}
	}
	if s.sender.InEvent() {
		var pkts [][]byte
		st.buf, pkts = s.sender.AppendEventFrame(st.buf[:0], frameLen)
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
	st.buf = s.sender.AppendAudio(st.buf[:0], f.sendPT, st.payload, frameLen)
	s.write(st, f, st.buf)
}

func (s *Session) write(st *loopState, f *flow, pkt []byte) {
	dst := f.remote
	if s.symmetric {
		if p := s.latched.Load(); p != nil {
			dst = *p
		}
	}
	if _, err := s.rtpConn.WriteToUDPAddrPort(pkt, dst); err != nil {
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
func (s *Session) playFrame(st *loopState, f *flow) {
	if f.play {
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
