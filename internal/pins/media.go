//go:build pins

package pins

// The pieces of the SIP engine and media stack being written now (RFC 3263
// lookups, SDP, RTP/RTCP, SRTP, call ids): pinned here until their packages
// land.
import (
	_ "github.com/google/uuid"
	_ "github.com/miekg/dns"
	_ "github.com/pion/rtcp"
	_ "github.com/pion/rtp"
	_ "github.com/pion/sdp/v3"
	_ "github.com/pion/srtp/v3"
)
