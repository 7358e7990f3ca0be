package device

import (
	"unsafe"

	"github.com/gen2brain/malgo"
)

// unsafePointer is the pointer malgo's SubConfig takes for a device id.
func unsafePointer(id *malgo.DeviceID) unsafe.Pointer { return unsafe.Pointer(id) }
