package rules

// tlsBuffers reports whether the tls buffers may be used with the
// protocol: tls itself, or TCP or IP, which TLS runs over (Suricata sets
// the rule's app protocol to tls from the keyword); another application
// protocol, or UDP, conflicts with it. The zero value is not refused, as
// with httpBuffers.
func (p Protocol) tlsBuffers() bool {
	switch p {
	case ProtoTLS, 0:
		return true
	case ProtoHTTP, ProtoHTTP1, ProtoHTTP2:
		return false
	}
	return p.info().http // ip, ipv4/6, tcp and its variants
}
