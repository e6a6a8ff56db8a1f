package rulematch

// Rules left out because they can never match here, and the rule types
// decided at compile time (IP-only, protocol-only HTTP). A rule that
// parses but asks for something the matcher never sees (an HTTP response,
// an application protocol it does not detect) would load and stay silent,
// which reads as "not in this capture"; leaving it out with a reason says
// "not checked" instead.

import (
	"fmt"
	"strings"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Unsupported reports whether the matcher leaves r out, and why. New
// leaves such rules out (Skipped lists them); callers that report skipped
// rules can ask first.
func Unsupported(r *rules.Rule) (rules.Skipped, bool) {
	kw, reason := unsupported(r)
	if reason == "" {
		return rules.Skipped{}, false
	}
	return rules.Skipped{File: r.File, Line: r.Line, SID: r.SID, Keyword: kw, Reason: reason}, true
}

// Skipped lists the rules New left out, with why (Unsupported).
func (m *Matcher) Skipped() []rules.Skipped { return m.eng.skipped }

func unsupported(r *rules.Rule) (keyword, reason string) {
	if r.Proto.Transports() == 0 {
		return "", "" // compileRule reports it as an error
	}
	toClient := r.Flow.Direction == rules.FlowToClient
	for i := range len(r.Matches) + len(r.BSize) {
		var id rules.Buffer
		if i < len(r.Matches) {
			id = r.Matches[i].Buffer
		} else {
			id = r.BSize[i-len(r.Matches)].Buffer // bsize reads its buffer too
		}
		if id == rules.BufferPayload || id >= rules.NumBuffers || id.IPBuffer() {
			continue // NumBuffers and up: compileRule reports it; every IP packet has addresses
		}
		name := id.String()
		if id == rules.BufferDNSQuery {
			if toClient {
				// the query is read from requests only (dns.go)
				return name, "dns.query is read from DNS requests: with flow:to_client it never matches"
			}
			continue
		}
		if id == rules.BufferTLSSNI {
			if toClient {
				// the name is read from ClientHellos only (tls.go)
				return name, "tls.sni is read from TLS ClientHellos: with flow:to_client it never matches"
			}
			continue
		}
		if !requestBuffer(id) || toClient && responseSide(id) {
			// Suricata's http.header, http.cookie and the like inspect
			// the response headers on to_client rules; responses are
			// never parsed here
			return name, "http response buffers are not supported"
		}
		if toClient {
			return name, fmt.Sprintf("%s is a request buffer: with flow:to_client it never matches", name)
		}
	}
	if toClient && r.URILen != nil {
		return "urilen", "urilen reads the request URI: with flow:to_client it never matches"
	}
	if len(r.Matches) == 0 && len(r.BSize) == 0 && !transportProto(r.Proto) && !httpProto(r.Proto) {
		return r.Proto.String(), fmt.Sprintf("protocol %s alone: %s is not detected, so the rule would match every packet on any port", r.Proto, r.Proto)
	}
	return "", ""
}

// requestBuffer reports whether parseHTTPRequest fills the buffer: the
// request buffers. Any other http buffer the parser may learn is one the
// matcher never sees.
func requestBuffer(id rules.Buffer) bool {
	switch id {
	case rules.BufferHTTPURI, rules.BufferHTTPMethod, rules.BufferHTTPHeader, rules.BufferHTTPHost,
		rules.BufferHTTPUserAgent, rules.BufferHTTPCookie, rules.BufferHTTPBody, rules.BufferHTTPHeaderNames,
		rules.BufferHTTPRawURI, rules.BufferHTTPRequestLine, rules.BufferHTTPContentType, rules.BufferHTTPAccept,
		rules.BufferHTTPAcceptLang, rules.BufferHTTPAcceptEnc, rules.BufferHTTPConnection, rules.BufferHTTPReferer,
		rules.BufferHTTPRawHeader, rules.BufferHTTPProtocol, rules.BufferHTTPStart:
		return true
	}
	return false
}

// responseSide reports whether Suricata reads the buffer from the response
// on a to_client rule (the header buffers, header names, Content-Type,
// Connection, the protocol and http.start, the status line and headers; the URI, request line, method, host, user agent, Accept*,
// Referer and request body exist in requests only).
func responseSide(id rules.Buffer) bool {
	switch id {
	case rules.BufferHTTPHeader, rules.BufferHTTPCookie, rules.BufferHTTPHeaderNames, rules.BufferHTTPContentType,
		rules.BufferHTTPConnection, rules.BufferHTTPRawHeader, rules.BufferHTTPProtocol, rules.BufferHTTPStart:
		return true
	}
	return strings.HasPrefix(id.String(), "http.response")
}

// transportProto reports whether p names IP or a transport rather than
// an application protocol.
func transportProto(p rules.Protocol) bool {
	switch p {
	case rules.ProtoIP, rules.ProtoIPv4, rules.ProtoIP4, rules.ProtoIPv6, rules.ProtoIP6,
		rules.ProtoTCP, rules.ProtoTCPPkt, rules.ProtoTCPStream, rules.ProtoUDP,
		rules.ProtoICMP, rules.ProtoICMPv4, rules.ProtoICMPv6:
		return true
	}
	return false
}

// httpProto reports whether p is HTTP/1, which the matcher detects by its
// request line (HTTP/2 it does not).
func httpProto(p rules.Protocol) bool {
	return p == rules.ProtoHTTP || p == rules.ProtoHTTP1
}

// isIPOnly reports whether r is one of Suricata's IP-only rules
// (SignatureIsIPOnly): a transport or IP protocol, no payload keyword, no
// flow keyword (Suricata makes any flow: a packet rule), no other packet
// keyword, flowbits only set, and no negated address (those are
// "like IP-only" rules, run on every packet). Pass rules stay per packet:
// Suricata's IP-only pass passes the whole flow, which a pass that
// matches every packet of the direction comes closer to than one that
// matches the first only.
func isIPOnly(r *rules.Rule) bool {
	if !transportProto(r.Proto) || len(r.Matches) > 0 || len(r.BSize) > 0 || r.Flow != (rules.Flow{}) || r.Action == rules.ActionPass ||
		r.Flags != nil || r.FragBits != nil || r.Seq != nil || r.Ack != nil || r.Window != nil || r.IPID != nil || r.ICMPID != nil || r.ICMPSeq != nil || r.SameIP || r.Dsize != nil || r.URILen != nil || r.TTL != nil || r.IType != nil || r.ICode != nil {
		return false
	}
	for _, fb := range r.Flowbits {
		if fb.Cmd != rules.FlowbitSet {
			return false
		}
	}
	neg := func(a *rules.AddrSpec) bool { return a.Negated || len(a.Exclude) > 0 }
	return !neg(&r.Src) && !neg(&r.Dst)
}

// onlyAddressBuffers reports whether r's payload keywords, if any, all
// read ip.src or ip.dst.
func onlyAddressBuffers(r *rules.Rule) bool {
	for i := range r.Matches {
		if !r.Matches[i].Buffer.IPBuffer() {
			return false
		}
	}
	for _, bs := range r.BSize {
		if !bs.Buffer.IPBuffer() {
			return false
		}
	}
	return true
}
