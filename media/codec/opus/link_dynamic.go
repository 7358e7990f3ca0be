//go:build dynamic

package opus

// #cgo pkg-config: opus
import "C"
