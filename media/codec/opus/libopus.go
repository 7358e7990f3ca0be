package opus

// #include <opus.h>
import "C"

import "sync/atomic"

// live counts the encoder and decoder states allocated in C and not yet
// freed, for the tests.
var live atomic.Int64

// strerror is libopus's description of an error code.
func strerror(code int) string { return C.GoString(C.opus_strerror(C.int(code))) }

// Version returns the version string of the linked libopus.
func Version() string { return C.GoString(C.opus_get_version_string()) }
