//go:build pins

package pins

// SDES-SRTP for RTP/SAVP calls (the audio issue's next phase): pinned here
// until media imports it.
import (
	_ "github.com/pion/srtp/v3"
)
