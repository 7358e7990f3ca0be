package phone

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// dialog is the state RFC 3261 §12 keeps for a call once the far end
// answered (or, for an early dialog, sent a provisional with a To tag).
type dialog struct {
	callID       string
	local        sip.Uri
	localName    string
	localTag     string
	remote       sip.Uri
	remoteName   string
	remoteTag    string
	localSeq     uint32
	remoteSeq    uint32
	inviteSeq    uint32 // CSeq of the INVITE (or re-INVITE) an ACK answers
	remoteTarget sip.Uri
	routes       []sip.Uri
}

// uacDialog builds the dialog of a call we placed from the INVITE we sent
// and a response carrying the far end's tag (§12.1.2).
func uacDialog(invite *sip.Request, res *sip.Response) *dialog {
	d := &dialog{callID: invite.CallID().Value(), localSeq: invite.CSeq().SeqNo, inviteSeq: invite.CSeq().SeqNo}
	from, to := invite.From(), res.To()
	d.local, d.localName = from.Address, from.DisplayName
	d.localTag, _ = from.Params.Get("tag")
	d.remote, d.remoteName = to.Address, to.DisplayName
	d.remoteTag, _ = to.Params.Get("tag")
	d.remoteTarget = invite.Recipient
	if c := res.Contact(); c != nil {
		d.remoteTarget = c.Address
	}
	for _, h := range res.GetHeaders("Record-Route") {
		d.routes = append(d.routes, parseRouteValues(h.Value())...)
	}
	slices.Reverse(d.routes)
	return d
}

// uasDialog builds the dialog of a call we received (§12.1.1); localTag
// is the tag we put in our responses.
func uasDialog(invite *sip.Request, localTag string) *dialog {
	d := &dialog{callID: invite.CallID().Value(), remoteSeq: invite.CSeq().SeqNo, localTag: localTag}
	from, to := invite.From(), invite.To()
	d.remote, d.remoteName = from.Address, from.DisplayName
	d.remoteTag, _ = from.Params.Get("tag")
	d.local, d.localName = to.Address, to.DisplayName
	d.localSeq = uint32(1 + rand.IntN(10000))
	d.remoteTarget = from.Address
	if c := invite.Contact(); c != nil {
		d.remoteTarget = c.Address
	}
	for _, h := range invite.GetHeaders("Record-Route") {
		d.routes = append(d.routes, parseRouteValues(h.Value())...)
	}
	return d
}

// parseRouteValues splits a Record-Route value that may hold several
// comma-separated addresses.
func parseRouteValues(value string) []sip.Uri {
	var out []sip.Uri
	for _, part := range splitAddresses(value) {
		var u sip.Uri
		start, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
		if start >= 0 && end > start {
			part = part[start+1 : end]
		}
		if err := sip.ParseUri(strings.TrimSpace(part), &u); err == nil {
			out = append(out, u)
		}
	}
	return out
}

// splitAddresses splits on commas outside <> and quotes.
func splitAddresses(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '<':
			if !quoted {
				depth++
			}
		case '>':
			if !quoted && depth > 0 {
				depth--
			}
		case ',':
			if !quoted && depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// request builds an in-dialog request (§12.2.1.1). ACK reuses the CSeq of
// the INVITE it acknowledges; every other method takes the next number.
func (d *dialog) request(method sip.RequestMethod) *sip.Request {
	req := sip.NewRequest(method, d.remoteTarget)
	from := &sip.FromHeader{DisplayName: d.localName, Address: d.local, Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: d.remote, Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	req.AppendHeader(from)
	req.AppendHeader(to)
	cid := sip.CallIDHeader(d.callID)
	req.AppendHeader(&cid)
	seq := d.inviteSeq
	if method != sip.ACK {
		d.localSeq++
		seq = d.localSeq
		if method == sip.INVITE {
			d.inviteSeq = seq
		}
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	for _, r := range d.routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	return req
}

// acceptRemoteSeq checks an in-dialog request's CSeq is newer than the
// last one (§12.2.2); a retransmission is not a new request.
func (d *dialog) acceptRemoteSeq(seq uint32) bool {
	if d.remoteSeq != 0 && seq <= d.remoteSeq {
		return false
	}
	d.remoteSeq = seq
	return true
}
