package rules

import (
	"fmt"
	"strings"
)

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

// sshBuffers reports whether the ssh buffers may be used with the
// protocol: ssh, or TCP or IP, as tlsBuffers.
func (p Protocol) sshBuffers() bool {
	switch p {
	case ProtoSSH, 0:
		return true
	case ProtoHTTP, ProtoHTTP1, ProtoHTTP2:
		return false
	}
	return p.info().http
}

// TLSHandshake reports whether b is read from a TLS handshake kept per
// flow (the certificate fields, JA3, JA3S), not from one packet as
// tls.sni is.
func (b Buffer) TLSHandshake() bool {
	return b >= BufferTLSCertSubject && b <= BufferTLSRandomBytes
}

// JA3 reports whether b is one of the JA3 or JA3S buffers, which Suricata
// also fills from QUIC's TLS hellos.
func (b Buffer) JA3() bool {
	return b >= BufferJA3Hash && b <= BufferJA3SString
}

// SSH reports whether b is read from an SSH banner.
func (b Buffer) SSH() bool {
	return b >= BufferSSHProto && b <= BufferSSHHasshServerString
}

// HTTP reports whether b is one of the http buffers.
func (b Buffer) HTTP() bool {
	return b != BufferPayload && b != BufferDNSQuery && b != BufferTLSSNI && !b.TLSHandshake() && !b.SSH() && !b.Header() && !b.IPBuffer() && b < NumBuffers
}

// handshakeKeywords are the sticky buffers of TLS handshakes and SSH
// banners, with their legacy names (Suricata registers both; ET Open
// writes "tls_cert_subject; content:...").
func handshakeKeywords() []keyword {
	kws := []keyword{
		{name: "tls.cert_subject", doc: `tls.cert_subject; sticky buffer: the subject of the leaf certificate a side sent, "C=US, O=Org, CN=name".`},
		{name: "tls_cert_subject", doc: "tls_cert_subject; the same as tls.cert_subject."},
		{name: "tls.cert_issuer", doc: "tls.cert_issuer; sticky buffer: the issuer of the leaf certificate, as tls.cert_subject."},
		{name: "tls_cert_issuer", doc: "tls_cert_issuer; the same as tls.cert_issuer."},
		{name: "tls.cert_serial", doc: `tls.cert_serial; sticky buffer: the leaf certificate's serial number, "0A:1B:2C" (uppercase hex).`},
		{name: "tls_cert_serial", doc: "tls_cert_serial; the same as tls.cert_serial."},
		{name: "tls.cert_fingerprint", doc: `tls.cert_fingerprint; sticky buffer: the SHA-1 of the leaf certificate, "0a:1b:..." (lowercase hex).`},
		{name: "tls_cert_fingerprint", doc: "tls_cert_fingerprint; the same as tls.cert_fingerprint."},
		{name: "ja3.hash", doc: "ja3.hash; sticky buffer: the JA3 MD5 of the ClientHello, lowercase hex."},
		{name: "ja3_hash", doc: "ja3_hash; the same as ja3.hash."},
		{name: "ja3.string", doc: `ja3.string; sticky buffer: the JA3 string of the ClientHello, "771,4865-4866,0-23,29-23,0".`},
		{name: "ja3s.hash", doc: "ja3s.hash; sticky buffer: the JA3S MD5 of the ServerHello."},
		{name: "ja3s.string", doc: `ja3s.string; sticky buffer: the JA3S string of the ServerHello, "771,49199,65281-0-11".`},
		{name: "tls.random", doc: "tls.random; sticky buffer: the 32 random bytes of the side's hello (ClientHello to_server, ServerHello to_client)."},
		{name: "tls.random_time", doc: "tls.random_time; sticky buffer: the first 4 bytes of tls.random."},
		{name: "tls.random_bytes", doc: "tls.random_bytes; sticky buffer: the last 28 bytes of tls.random."},
		{name: "ssh.proto", doc: `ssh.proto; sticky buffer: the protocol version of a side's SSH banner, "2.0".`},
		{name: "ssh_proto", doc: "ssh_proto; the same as ssh.proto."},
		{name: "ssh.software", doc: `ssh.software; sticky buffer: the software version of a side's SSH banner, "OpenSSH_8.4p1".`},
		{name: "ssh_software", doc: "ssh_software; the same as ssh.software."},
		{name: "ssh.hassh", doc: "ssh.hassh; sticky buffer: the hassh MD5 of the client's KEXINIT."},
		{name: "ssh.hassh.string", doc: `ssh.hassh.string; sticky buffer: the client's hassh string, "kex;ciphers;macs;compression" (client to server).`},
		{name: "ssh.hassh.server", doc: "ssh.hassh.server; sticky buffer: the hassh MD5 of the server's KEXINIT."},
		{name: "ssh.hassh.server.string", doc: "ssh.hassh.server.string; sticky buffer: the server's hassh string (server to client lists)."},
	}
	ids := []Buffer{
		BufferTLSCertSubject, BufferTLSCertSubject, BufferTLSCertIssuer, BufferTLSCertIssuer,
		BufferTLSCertSerial, BufferTLSCertSerial, BufferTLSCertFingerprint, BufferTLSCertFingerprint,
		BufferJA3Hash, BufferJA3Hash, BufferJA3String, BufferJA3SHash, BufferJA3SString,
		BufferTLSRandom, BufferTLSRandomTime, BufferTLSRandomBytes,
		BufferSSHProto, BufferSSHProto, BufferSSHSoftware, BufferSSHSoftware,
		BufferSSHHassh, BufferSSHHasshString, BufferSSHHasshServer, BufferSSHHasshServerString,
	}
	for i := range kws {
		kws[i].value, kws[i].parse = valueNone, sticky(ids[i])
	}
	return append(kws,
		keyword{name: "tls.subject", doc: `tls.subject:[!]"text"; the leaf certificate's subject contains text (case-sensitive), or with ! does not; legacy form of tls.cert_subject.`,
			parse: legacyCertString("tls.subject", BufferTLSCertSubject, false)},
		keyword{name: "tls.issuerdn", doc: `tls.issuerdn:[!]"text"; the leaf certificate's issuer contains text, or with ! does not; legacy form of tls.cert_issuer.`,
			parse: legacyCertString("tls.issuerdn", BufferTLSCertIssuer, false)},
		keyword{name: "tls.fingerprint", doc: `tls.fingerprint:[!]"aa:bb:..."; the leaf certificate's SHA-1 fingerprint contains the value (any case), or with ! does not.`,
			parse: legacyCertString("tls.fingerprint", BufferTLSCertFingerprint, true)},
		keyword{name: "ssh.protoversion", doc: `ssh.protoversion:2.0; the SSH banner's protocol version is exactly this (legacy; 2_compat is not supported).`,
			parse: legacySSHString("ssh.protoversion", BufferSSHProto, true)},
		keyword{name: "ssh.softwareversion", doc: `ssh.softwareversion:OpenSSH; the SSH banner's software version starts with this (legacy).`,
			parse: legacySSHString("ssh.softwareversion", BufferSSHSoftware, false)},
		keyword{name: "tls.store", doc: "tls.store; accepted, no effect: certificates are not written to disk (the rule still alerts).",
			value: valueNone, parse: parseNothing},
	)
}

// legacySSHString parses ssh.protoversion (exact: Suricata compares the
// whole version) and ssh.softwareversion (a prefix: Suricata compares the
// rule's length of it), optionally quoted, into a content anchored in the
// buffer.
func legacySSHString(name string, id Buffer, exact bool) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		v := strings.TrimSpace(val)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.TrimSpace(v[1 : len(v)-1])
		}
		if v == "2_compat" {
			return skipf(name, "ssh.protoversion:2_compat is not supported")
		}
		if v == "" || strings.ContainsAny(v, `"`) {
			return fmt.Errorf("%s: bad value %q", name, clip(val))
		}
		c := &Content{Pattern: []byte(v), StartsWith: true, EndsWith: exact}
		st.r.Matches = append(st.r.Matches, Match{Buffer: id, Content: c})
		return nil
	}
}

// legacyCertString parses tls.subject, tls.issuerdn and tls.fingerprint:
// an optionally negated, optionally quoted string that the buffer must
// contain (Suricata: strstr on the certificate's field). It is kept as a
// content in the buffer, apart from the sticky buffer a later content
// would use.
func legacyCertString(name string, id Buffer, nocase bool) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		v := strings.TrimSpace(val)
		neg := strings.HasPrefix(v, "!")
		if neg {
			v = strings.TrimSpace(v[1:])
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if v == "" || strings.ContainsAny(v, `"`) {
			return fmt.Errorf("%s: bad value %q (want [!]\"text\")", name, clip(val))
		}
		st.r.Matches = append(st.r.Matches, Match{Buffer: id, Content: &Content{Pattern: []byte(v), Negated: neg, NoCase: nocase}})
		return nil
	}
}
