//go:build !dynamic

package opus

// The static libopus (1.3.1) that pion/mediadevices ships for linux, darwin
// and windows: importing its Opus package puts the archive on the link line
// (its cgo LDFLAGS), and include/ holds the matching headers. Build with
// -tags dynamic to use the system's libopus through pkg-config instead
// (Debian libopus-dev), as mediadevices itself then does.

// #cgo CFLAGS: -I${SRCDIR}/include
import "C"

import _ "github.com/pion/mediadevices/pkg/codec/opus" // links libopus
