package device

// ring is a fixed-size FIFO of samples that overwrites its oldest samples
// when full. It is not safe for concurrent use: its owner locks.
type ring struct {
	buf   []int16
	start int // index of the oldest sample
	n     int // samples held
}

func newRing(capacity int) ring { return ring{buf: make([]int16, capacity)} }

// len returns how many samples the ring holds.
func (r *ring) len() int { return r.n }

// write appends src, dropping the oldest samples when there is no room;
// it returns how many were dropped.
func (r *ring) write(src []int16) (dropped int) {
	c := len(r.buf)
	if len(src) >= c {
		dropped = r.n + len(src) - c
		copy(r.buf, src[len(src)-c:])
		r.start, r.n = 0, c
		return dropped
	}
	if over := r.n + len(src) - c; over > 0 {
		r.skip(over)
		dropped = over
	}
	end := (r.start + r.n) % c
	k := copy(r.buf[end:], src)
	copy(r.buf, src[k:])
	r.n += len(src)
	return dropped
}

// read moves up to len(dst) of the oldest samples into dst and returns
// how many it moved.
func (r *ring) read(dst []int16) int {
	m := min(len(dst), r.n)
	c := len(r.buf)
	k := copy(dst[:m], r.buf[r.start:min(r.start+m, c)])
	copy(dst[k:m], r.buf)
	r.start = (r.start + m) % c
	r.n -= m
	return m
}

// skip forgets the n oldest samples (all of them when n is larger).
func (r *ring) skip(n int) {
	n = min(n, r.n)
	r.start = (r.start + n) % len(r.buf)
	r.n -= n
}

// reset forgets everything.
func (r *ring) reset() { r.start, r.n = 0, 0 }
