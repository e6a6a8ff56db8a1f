package rulematch

// Rules left out because they can never match here, and the rule types
// decided at compile time (IP-only, protocol-only HTTP). A rule that
// parses but asks for something the matcher never sees (an HTTP response,
// an application protocol it does not detect) would load and stay silent,
// which reads as "not in this capture"; leaving it out with a reason says
// "not checked" instead.

import (
	"fmt"

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
	toServer := r.Flow.Direction == rules.FlowToServer
	req := r.URILen != nil // request-only buffers (urilen reads http.uri)
	respName := ""         // a response-only buffer
	for i := range len(r.Matches) + len(r.BSize) {
		var id rules.Buffer
		if i < len(r.Matches) {
			id = r.Matches[i].Buffer
		} else {
			id = r.BSize[i-len(r.Matches)].Buffer // bsize reads its buffer too
		}
		if id == rules.BufferPayload || id >= rules.NumBuffers || id.Header() || id.IPBuffer() {
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
		if handshakeBuffer(id) {
			if r.Proto == rules.ProtoQUIC {
				return name, "ja3 and ja3s on QUIC are not supported: QUIC is not decoded"
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
		switch httpSideOf(id) {
		case sideFile:
			if !fileProto(r.Proto) {
				// files are taken from HTTP bodies only (httpresp.go)
				return name, fmt.Sprintf("%s on %s: files are read from HTTP bodies only, %s is not parsed", name, r.Proto, r.Proto)
			}
		case sideResponse:
			if toServer {
				return name, fmt.Sprintf("%s is a response buffer: with flow:to_server it never matches", name)
			}
			respName = name
		case sideRequest:
			if toClient {
				return name, fmt.Sprintf("%s is a request buffer: with flow:to_client it never matches", name)
			}
			req = true
		}
	}
	if respName != "" && r.Proto == rules.ProtoHTTP2 {
		// the HTTP/1 response parser never sees an HTTP/2 stream
		return respName, fmt.Sprintf("%s on http2: HTTP/2 responses are not parsed", respName)
	}
	if req && respName != "" {
		// Suricata inspects a transaction's request buffers for such a
		// rule; responses are not paired with their requests here
		return respName, "the rule mixes request and response buffers: responses are not paired with their requests"
	}
	if kw, reason := unsupportedDecoderKeyword(r); reason != "" {
		return kw, reason
	}
	if toClient && r.URILen != nil {
		return "urilen", "urilen reads the request URI: with flow:to_client it never matches"
	}
	if len(r.Matches) == 0 && len(r.BSize) == 0 && !transportProto(r.Proto) && !httpProto(r.Proto) &&
		r.Proto != rules.ProtoTLS && r.Proto != rules.ProtoSSH {
		return r.Proto.String(), fmt.Sprintf("protocol %s alone: %s is not detected, so the rule would match every packet on any port", r.Proto, r.Proto)
	}
	return "", ""
}

// httpSide says which message of an HTTP transaction a buffer is read
// from.
type httpSide uint8

const (
	sideBoth     httpSide = iota // headers: the request's on to_server, the response's on to_client
	sideRequest                  // the request line's parts and the request-only headers
	sideResponse                 // the status line's parts, the response-only headers and body
	sideFile                     // file.data: the body of either, as the direction says
)

// httpSideOf classifies an http buffer as Suricata 7 registers it: for one
// direction or both.
func httpSideOf(id rules.Buffer) httpSide {
	switch id {
	case rules.BufferHTTPURI, rules.BufferHTTPMethod, rules.BufferHTTPHost, rules.BufferHTTPUserAgent,
		rules.BufferHTTPBody, rules.BufferHTTPRawURI, rules.BufferHTTPRequestLine, rules.BufferHTTPAccept,
		rules.BufferHTTPAcceptLang, rules.BufferHTTPAcceptEnc, rules.BufferHTTPReferer:
		return sideRequest
	case rules.BufferHTTPStatCode, rules.BufferHTTPStatMsg, rules.BufferHTTPResponseLine,
		rules.BufferHTTPServer, rules.BufferHTTPLocation:
		return sideResponse
	case rules.BufferFileData:
		return sideFile
	}
	return sideBoth
}

// fileProto reports whether file.data can match with protocol p: HTTP,
// or a transport or IP rule, which Suricata runs on HTTP's files too.
// Files of SMTP, SMB, FTP, NFS and HTTP/2 are not extracted.
func fileProto(p rules.Protocol) bool {
	return httpProto(p) || p == rules.ProtoTCP || p == rules.ProtoIP || p == rules.ProtoIPv4 ||
		p == rules.ProtoIP4 || p == rules.ProtoIPv6 || p == rules.ProtoIP6
}

// transportProto reports whether p names IP or a transport rather than
// an application protocol.
func transportProto(p rules.Protocol) bool {
	switch p {
	case rules.ProtoIP, rules.ProtoIPv4, rules.ProtoIP4, rules.ProtoIPv6, rules.ProtoIP6,
		rules.ProtoTCP, rules.ProtoTCPPkt, rules.ProtoTCPStream, rules.ProtoUDP,
		rules.ProtoICMP, rules.ProtoICMPv4, rules.ProtoICMPv6, rules.ProtoPkthdr:
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
// "like IP-only" rules, run on every packet). An IP-only pass or drop acts
// on the whole flow (action.go), so the first packet's match holds for
// the rest.
func isIPOnly(r *rules.Rule) bool {
	neg := func(a *rules.AddrSpec) bool { return a.Negated || len(a.Exclude) > 0 }
	return likeIPOnly(r) && !neg(&r.Src) && !neg(&r.Dst)
}

// likeIPOnly reports whether r is IP-only but for negated addresses:
// Suricata's SIG_TYPE_LIKE_IPONLY, run on every packet, whose drop or pass
// still acts on the flow (suricata-verify ips-state-1).
func likeIPOnly(r *rules.Rule) bool {
	if !transportProto(r.Proto) || len(r.Matches) > 0 || len(r.BSize) > 0 || r.Flow != (rules.Flow{}) ||
		r.Flags != nil || r.FragBits != nil || r.Seq != nil || r.Ack != nil || r.Window != nil || r.IPID != nil || r.ICMPID != nil || r.ICMPSeq != nil || r.SameIP || r.Dsize != nil || r.URILen != nil || r.TTL != nil || r.IType != nil || r.ICode != nil || hasDecoderKeywords(r) {
		return false
	}
	for _, fb := range r.Flowbits {
		if fb.Cmd != rules.FlowbitSet {
			return false
		}
	}
	return true
}

// readsResponse reports whether a rule runs on HTTP responses: it reads a
// response buffer or file.data, or (not being to_server) a buffer both
// messages have, which Suricata reads from the response too.
func readsResponse(r *rules.Rule, bufs []chain) bool {
	if r.Flow.Direction == rules.FlowToServer || r.URILen != nil || r.Proto == rules.ProtoHTTP2 {
		// an http2 rule's header buffers are HTTP/2's, never an HTTP/1
		// response's
		return false
	}
	http := false
	for _, b := range bufs {
		switch b.id {
		case rules.BufferPayload, rules.BufferDNSQuery, rules.BufferTLSSNI:
			continue
		}
		http = true
		if httpSideOf(b.id) == sideRequest {
			return false
		}
	}
	return http
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
