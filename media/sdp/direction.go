package sdp

import "fmt"

// Direction is a media stream's direction attribute (RFC 3264 §5.1), seen
// from the side that wrote the SDP.
type Direction int

// The four directions. SendRecv is the zero value: SDP without a direction
// attribute means sendrecv.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

// String returns the SDP attribute name ("sendrecv", ...).
func (d Direction) String() string {
	if d < 0 || int(d) >= len(directionNames) {
		return fmt.Sprintf("Direction(%d)", int(d))
	}
	return directionNames[d]
}

// ParseDirection reads an SDP direction attribute name.
func ParseDirection(s string) (Direction, bool) {
	for i, n := range directionNames {
		if n == s {
			return Direction(i), true
		}
	}
	return SendRecv, false
}

// Sends reports whether the writer of the SDP sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether the writer of the SDP accepts media.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// DirectionOf returns the direction that sends and receives as asked.
func DirectionOf(sends, receives bool) Direction {
	switch {
	case sends && receives:
		return SendRecv
	case sends:
		return SendOnly
	case receives:
		return RecvOnly
	}
	return Inactive
}

// AnswerDirection is the direction an answerer who wants local puts in its
// answer to an offer with direction offered (RFC 3264 §6.1): it sends only
// if the offerer receives, and receives only if the offerer sends.
func AnswerDirection(local, offered Direction) Direction {
	return DirectionOf(local.Sends() && offered.Receives(), local.Receives() && offered.Sends())
}
