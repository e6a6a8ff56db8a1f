package rules

// dnsBuffers reports whether the dns buffers may be used with the
// protocol: dns itself, or a transport or IP protocol DNS runs over (as
// Suricata, which sets the rule's app protocol to dns from the keyword);
// another application protocol conflicts with it. The zero value is not
// refused, as with httpBuffers.
func (p Protocol) dnsBuffers() bool {
	switch p {
	case ProtoDNS, ProtoUDP, 0:
		return true
	case ProtoHTTP, ProtoHTTP1, ProtoHTTP2:
		return false
	}
	return p.info().http // ip, ipv4/6, tcp and its variants
}
