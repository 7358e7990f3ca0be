//go:build pins

// Package pins imports the SIP and media stack that later issues build on, so
// that go.mod keeps it at the versions the project chose (sipgo v1.7.2,
// pion/webrtc v4 and pion/mediadevices v0.9.4 with its cgo codecs) before any
// package uses it.
// `make test` builds it with `-tags pins`, which also proves on every CI run
// that the cgo toolchain and libvpx are in place. Remove an import here once
// a real package imports it.
package pins

import (
	_ "github.com/emiago/sipgo"
	_ "github.com/pion/mediadevices"
	_ "github.com/pion/mediadevices/pkg/codec/opus"
	_ "github.com/pion/mediadevices/pkg/codec/vpx"
	_ "github.com/pion/webrtc/v4"
)
