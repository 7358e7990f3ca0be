package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	pionsdp "github.com/pion/sdp/v3"
)

// Local is what our side puts in an offer or answer.
type Local struct {
	// Username, SessionID and Version fill the o= line; the caller
	// increments Version when the description changes (RFC 3264 §8).
	Username           string
	SessionID, Version uint64
	// Addr is advertised in c= and o=.
	Addr netip.Addr
	// Port and RTCPPort are our RTP and RTCP ports; RTCPPort goes in a=rtcp.
	Port, RTCPPort int
	// Formats are the audio formats in preference order, telephone-event
	// included.
	Formats []Format
	// Direction is our direction attribute.
	Direction Direction
	// Ptime is the packet time we send and would like, in milliseconds.
	Ptime int
	// Proto is the audio profile; empty means RTP/AVP.
	Proto string
	// Crypto, when set, goes into an a=crypto line (SDES-SRTP).
	Crypto *Crypto
}

// Choose returns the codec to use with a far end that described remote:
// the first format in remote's order that matches one of supported (by
// name and clock rate, keeping remote's payload type), and remote's
// telephone-event at that codec's clock rate if it lists one. It is the
// answerer's choice in an answer (the offer's order wins) and the
// offerer's reading of an answer.
func Choose(remote *Media, supported []Format) (codec, event Format, hasEvent bool, err error) {
	for _, f := range remote.Formats {
		if strings.EqualFold(f.Name, TelephoneEvent) {
			continue
		}
		for _, s := range supported {
			if s.Same(f) {
				event, hasEvent = remote.Event(f.ClockRate)
				return f, event, hasEvent, nil
			}
		}
	}
	return Format{}, Format{}, false, fmt.Errorf("%w: the far end offers %s, we support %s", ErrNotAcceptable, formatNames(remote.Formats), formatNames(supported))
}

func formatNames(fs []Format) string {
	var names []string
	for _, f := range fs {
		if !strings.EqualFold(f.Name, TelephoneEvent) {
			names = append(names, fmt.Sprintf("%s/%d", f.Name, f.ClockRate))
		}
	}
	if len(names) == 0 {
		return "no codec"
	}
	return strings.Join(names, ", ")
}

// Usable returns d's audio stream, or an error wrapping ErrNotAcceptable
// that says why there is none (no audio, SRTP only, port 0).
func (d *Description) Usable() (*Media, error) {
	if d.Audio == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotAcceptable, d.why)
	}
	if d.Audio.Port == 0 {
		return nil, fmt.Errorf("%w: the audio stream is disabled (port 0)", ErrNotAcceptable)
	}
	return d.Audio, nil
}

// Offer writes an offer with a single audio stream.
func Offer(l Local) ([]byte, error) {
	return marshal(l, nil)
}

// Answer writes the answer to offer: our audio stream in place of the
// offer's usable audio stream, every other stream rejected with port 0, in
// the offer's order (RFC 3264 §6). l.Formats must already be the chosen
// formats with the offer's payload types.
func Answer(offer *Description, l Local) ([]byte, error) {
	if offer.Audio == nil {
		return nil, errors.New("answering an offer with no usable audio")
	}
	return marshal(l, offer)
}

func marshal(l Local, offer *Description) ([]byte, error) {
	if !l.Addr.IsValid() {
		return nil, errors.New("writing SDP: no local address")
	}
	addrType := "IP4"
	if l.Addr.Is6() {
		addrType = "IP6"
	}
	username := l.Username
	if username == "" {
		username = "-"
	}
	sd := &pionsdp.SessionDescription{
		Origin: pionsdp.Origin{
			Username: username, SessionID: l.SessionID, SessionVersion: l.Version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: l.Addr.String(),
		},
		SessionName: "ringdesk",
		ConnectionInformation: &pionsdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &pionsdp.Address{Address: l.Addr.String()},
		},
		TimeDescriptions: []pionsdp.TimeDescription{{}},
	}
	if offer == nil {
		sd.MediaDescriptions = []*pionsdp.MediaDescription{audioSection(l)}
	} else {
		for i, s := range offer.streams {
			if i == offer.audioIndex {
				sd.MediaDescriptions = append(sd.MediaDescriptions, audioSection(l))
				continue
			}
			fmts := s.fmts
			if len(fmts) == 0 {
				fmts = []string{"0"}
			}
			sd.MediaDescriptions = append(sd.MediaDescriptions, &pionsdp.MediaDescription{
				MediaName: pionsdp.MediaName{Media: s.media, Port: pionsdp.RangedPort{Value: 0}, Protos: strings.Split(s.proto, "/"), Formats: fmts},
			})
		}
	}
	b, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("writing SDP: %w", err)
	}
	return b, nil
}

func audioSection(l Local) *pionsdp.MediaDescription {
	md := &pionsdp.MediaDescription{
		MediaName: pionsdp.MediaName{Media: "audio", Port: pionsdp.RangedPort{Value: l.Port}, Protos: []string{"RTP", "AVP"}},
	}
	if l.Proto != "" {
		md.MediaName.Protos = strings.Split(l.Proto, "/")
	}
	for _, f := range l.Formats {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(f.PayloadType)))
	}
	for _, f := range l.Formats {
		md.Attributes = append(md.Attributes, pionsdp.NewAttribute("rtpmap", f.String()))
		if f.Fmtp != "" {
			md.Attributes = append(md.Attributes, pionsdp.NewAttribute("fmtp", fmt.Sprintf("%d %s", f.PayloadType, f.Fmtp)))
		}
	}
	if l.Ptime > 0 {
		md.Attributes = append(md.Attributes, pionsdp.NewAttribute("ptime", strconv.Itoa(l.Ptime)))
	}
	if l.RTCPPort > 0 {
		md.Attributes = append(md.Attributes, pionsdp.NewAttribute("rtcp", strconv.Itoa(l.RTCPPort)))
	}
	if l.Crypto != nil {
		md.Attributes = append(md.Attributes, pionsdp.NewAttribute("crypto", l.Crypto.String()))
	}
	md.Attributes = append(md.Attributes, pionsdp.NewPropertyAttribute(l.Direction.String()))
	return md
}
