package device

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/gen2brain/malgo"
)

// Info describes one sound device as the system names it.
type Info struct {
	// Name is what the system calls the device; pass it to OpenCapture,
	// OpenPlayback, MicCheck, OpenLevelMeter or PlayTone.
	Name string
	// Default is whether it is the system's default device of its kind,
	// the one an empty name opens.
	Default bool
}

// Devices lists the sound devices of this computer.
type Devices struct {
	// Capture are the microphones (and other inputs, such as a monitor of
	// an output).
	Capture []Info
	// Playback are the speakers and headsets.
	Playback []Info
}

// Errors a person can act on. The errors of this package wrap one of them
// (test with errors.Is) and say in words which device and what to do.
var (
	// ErrNoDevice says the device named is not there, or that this
	// computer has no device of that kind at all.
	ErrNoDevice = errors.New("no such sound device")
	// ErrBusy says another program holds the device.
	ErrBusy = errors.New("the sound device is busy")
	// ErrPermission says the system does not let Ringdesk use the device.
	ErrPermission = errors.New("not allowed to use the sound device")
	// ErrSilent says a microphone delivers nothing but silence.
	ErrSilent = errors.New("the microphone delivers only silence")
	// ErrClosed is returned by the methods of a device after Close.
	ErrClosed = errors.New("the sound device is closed")
)

// deviceRate is the rate devices are opened at; miniaudio converts from
// the hardware's own.
const deviceRate = 48000

// backends are the sound systems tried, best first. miniaudio's "null"
// backend is left out on purpose: a computer without sound must say so
// rather than open a device that swallows everything.
func backends() []malgo.Backend {
	switch runtime.GOOS {
	case "linux":
		return []malgo.Backend{malgo.BackendPulseaudio, malgo.BackendAlsa, malgo.BackendJack}
	case "windows":
		return []malgo.Backend{malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm}
	case "darwin":
		return []malgo.Backend{malgo.BackendCoreaudio}
	case "freebsd", "openbsd", "netbsd":
		return []malgo.Backend{malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss}
	}
	return nil
}

// newContext starts miniaudio on the first sound system that works.
func newContext() (*malgo.AllocatedContext, error) {
	ctx, err := malgo.InitContext(backends(), malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, wrapKind(ErrNoDevice, "no sound system is available on this computer (%v)", err)
	}
	return ctx, nil
}

// freeContext stops and frees a context from newContext.
func freeContext(ctx *malgo.AllocatedContext) {
	_ = ctx.Uninit()
	ctx.Free()
}

// List returns the microphones and speakers of this computer. It fails
// only when no sound system works at all.
func List() (Devices, error) {
	ctx, err := newContext()
	if err != nil {
		return Devices{}, err
	}
	defer freeContext(ctx)
	var d Devices
	for _, kind := range []malgo.DeviceType{malgo.Capture, malgo.Playback} {
		infos, err := ctx.Devices(kind)
		if err != nil {
			return Devices{}, fmt.Errorf("listing the %s: %w", kindWords(kind), err)
		}
		list := make([]Info, 0, len(infos))
		for _, in := range infos {
			list = append(list, Info{Name: in.Name(), Default: in.IsDefault != 0})
		}
		if kind == malgo.Capture {
			d.Capture = list
		} else {
			d.Playback = list
		}
	}
	return d, nil
}

// kindWords names a kind of device for a person, in the plural.
func kindWords(kind malgo.DeviceType) string {
	if kind == malgo.Capture {
		return "microphones"
	}
	return "speakers"
}

// kindWord names a kind of device for a person.
func kindWord(kind malgo.DeviceType) string {
	if kind == malgo.Capture {
		return "microphone"
	}
	return "speaker"
}

// findID returns the id of the device of kind called name: an exact match
// first, then one that differs only in case. An empty name is the
// system's default (nil).
func findID(ctx *malgo.AllocatedContext, kind malgo.DeviceType, name string) (*malgo.DeviceID, error) {
	infos, err := ctx.Devices(kind)
	if err != nil {
		return nil, fmt.Errorf("listing the %s: %w", kindWords(kind), err)
	}
	if name == "" {
		if len(infos) == 0 {
			return nil, wrapKind(ErrNoDevice, "this computer has no %s", kindWord(kind))
		}
		return nil, nil
	}
	for _, exact := range []bool{true, false} {
		for i := range infos {
			n := infos[i].Name()
			if n == name || (!exact && strings.EqualFold(n, name)) {
				id := infos[i].ID
				return &id, nil
			}
		}
	}
	names := make([]string, 0, len(infos))
	for i := range infos {
		names = append(names, fmt.Sprintf("%q", infos[i].Name()))
	}
	if len(names) == 0 {
		return nil, wrapKind(ErrNoDevice, "there is no %s %q: this computer has no %s at all", kindWord(kind), name, kindWord(kind))
	}
	return nil, wrapKind(ErrNoDevice, "there is no %s %q (this computer has %s)", kindWord(kind), name, strings.Join(names, ", "))
}

// openError turns miniaudio's failure to open or start a device into words
// and one of the package's errors.
func openError(kind malgo.DeviceType, name string, err error) error {
	what := kindWord(kind)
	if name != "" {
		what += fmt.Sprintf(" %q", name)
	} else {
		what = "default " + what
	}
	var res malgo.Result
	if errors.As(err, &res) {
		switch res {
		case malgo.ErrAccessDenied:
			return wrapKind(ErrPermission, "the system does not let Ringdesk use the %s: allow it in the privacy or sound settings (%v)", what, err)
		case malgo.ErrBusy, malgo.ErrAlreadyInUse:
			return wrapKind(ErrBusy, "the %s is busy: another program is using it (%v)", what, err)
		case malgo.ErrFailedToOpenBackendDevice, malgo.ErrFailedToStartBackendDevice:
			return wrapKind(ErrBusy, "the %s did not open: it may be unplugged or used by another program, or the sound system is not running (%v)", what, err)
		case malgo.ErrDoesNotExist, malgo.ErrNoDevice, malgo.ErrNoBackend, malgo.ErrDeviceTypeNotSupported:
			return wrapKind(ErrNoDevice, "the %s is not there: is it unplugged? (%v)", what, err)
		}
	}
	return fmt.Errorf("the %s could not be opened: %w", what, err)
}

// open starts miniaudio and opens the device of kind called name at
// deviceRate, mono, 16-bit, with data as its callback. The device is not
// started yet.
func open(kind malgo.DeviceType, name string, data malgo.DataProc) (*malgo.AllocatedContext, *malgo.Device, error) {
	ctx, err := newContext()
	if err != nil {
		return nil, nil, err
	}
	id, err := findID(ctx, kind, name)
	if err != nil {
		freeContext(ctx)
		return nil, nil, err
	}
	cfg := malgo.DefaultDeviceConfig(kind)
	cfg.SampleRate = deviceRate
	// 20 ms periods, three of them: small enough for a call, large
	// enough that a busy machine does not starve the sound server.
	cfg.PeriodSizeInMilliseconds = 20
	cfg.Periods = 3
	sub := malgo.SubConfig{Format: malgo.FormatS16, Channels: 1}
	// The id is passed to C inside the config: pin it for the call.
	var pin runtime.Pinner
	defer pin.Unpin()
	if id != nil {
		pin.Pin(id)
		sub.DeviceID = unsafePointer(id)
	}
	if kind == malgo.Capture {
		cfg.Capture = sub
	} else {
		cfg.Playback = sub
	}
	cfg.Pulse.StreamNameCapture = "Ringdesk microphone"
	cfg.Pulse.StreamNamePlayback = "Ringdesk"
	dev, err := malgo.InitDevice(ctx.Context, cfg, malgo.DeviceCallbacks{Data: data})
	if err != nil {
		freeContext(ctx)
		return nil, nil, openError(kind, name, err)
	}
	return ctx, dev, nil
}

// kindError is an error for a person whose sentence is complete in itself,
// and which errors.Is matches with one of the Err values (its kind),
// without that value's own words added to the sentence.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// wrapKind makes a kindError of the sentence format (with args) and kind.
func wrapKind(kind error, format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: kind}
}
