package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// ---- DNS ----------------------------------------------------------------

// dns: client asks resolver for name's A record, resolver answers with ips
// (NXDOMAIN when none). Returns the answer's time.
func (c *capture) dns(t int64, client, resolver *host, name string, ips ...netip.Addr) int64 {
	sport := c.ephemeral(client)
	id := uint16(c.rng.Uint32())
	q := []layers.DNSQuestion{{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}
	c.ip(t, client, resolver, layers.IPProtocolUDP,
		&layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: 53},
		&layers.DNS{ID: id, RD: true, Questions: q})
	rt := t + 2*resolver.dist + c.between(200, 18000) // cache hit or upstream lookup
	ans := &layers.DNS{ID: id, QR: true, RD: true, RA: true, Questions: q}
	if len(ips) == 0 {
		ans.ResponseCode = layers.DNSResponseCodeNXDomain
	}
	for _, a := range ips {
		ans.Answers = append(ans.Answers, layers.DNSResourceRecord{
			Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN,
			TTL: uint32(60 + c.rng.IntN(3540)), IP: a.AsSlice(),
		})
	}
	c.ip(rt, resolver, client, layers.IPProtocolUDP,
		&layers.UDP{SrcPort: 53, DstPort: layers.UDPPort(sport)}, ans)
	return rt
}

// ---- ICMP ---------------------------------------------------------------

// ping sends count Linux-style echo requests one second apart; dst answers.
func (c *capture) ping(t int64, src, dst *host, count int) int64 {
	id := uint16(c.rng.Uint32())
	var end int64
	for i := range count {
		p := make([]byte, 56)
		wall := baseTime.UnixMicro() + t
		binary.LittleEndian.PutUint64(p[0:], uint64(wall/1e6))
		binary.LittleEndian.PutUint64(p[8:], uint64(wall%1e6))
		for j := 16; j < 56; j++ {
			p[j] = byte(j)
		}
		seq := uint16(i + 1)
		c.ip(t, src, dst, layers.IPProtocolICMPv4,
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: id, Seq: seq},
			gopacket.Payload(p))
		end = t + 2*dst.dist + c.between(10, 60)
		c.ip(end, dst, src, layers.IPProtocolICMPv4,
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0), Id: id, Seq: seq},
			gopacket.Payload(p))
		t += sec + c.between(0, 300)
	}
	return end
}

// udpClosed sends a UDP datagram to a closed port; dst answers ICMP port
// unreachable quoting the original IP header, UDP header and payload.
func (c *capture) udpClosed(t int64, src, dst *host, sport, dport uint16, payload []byte) int64 {
	orig := c.ip(t, src, dst, layers.IPProtocolUDP,
		&layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}, gopacket.Payload(payload))
	orig = orig[:binary.BigEndian.Uint16(orig[2:4])] // drop Ethernet padding
	if len(orig) > 548 {
		orig = orig[:548]
	}
	rt := t + 2*dst.dist + c.between(20, 80)
	c.ip(rt, dst, src, layers.IPProtocolICMPv4,
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort)},
		gopacket.Payload(orig))
	return rt
}

// ---- HTTP / TLS -----------------------------------------------------------

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36"

var loremWords = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod
tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation
ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit
esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia
deserunt mollit anim id est laborum network packet capture firewall endpoint policy update release`)

// html returns a deterministic HTML page of exactly n bytes (n >= 200).
func (c *capture) html(title string, n int) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>")
	b.WriteString(title)
	b.WriteString("</title></head>\n<body>\n")
	const tail = "</body>\n</html>\n"
	for b.Len() < n-len(tail)-8 {
		b.WriteString("<p>")
		for range 12 + c.rng.IntN(30) {
			b.WriteString(loremWords[c.rng.IntN(len(loremWords))])
			b.WriteByte(' ')
		}
		b.WriteString("</p>\n")
	}
	s := b.String()
	if len(s) > n-len(tail) {
		s = s[:n-len(tail)-1] + "\n"
	}
	s += strings.Repeat(" ", n-len(tail)-len(s)) + tail
	return []byte(s)
}

// httpGet opens a connection to srv:80, fetches each path (keep-alive) and
// closes from the client side. Returns the time of the last packet.
func (c *capture) httpGet(t int64, client, server *host, vhost, ua string, paths ...string) int64 {
	k := c.dial(t, client, c.ephemeral(client), server, 80).handshake()
	for i, p := range paths {
		req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.9\r\nAccept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n", p, vhost, ua)
		think := c.between(20, 200)
		if i > 0 {
			think = c.between(300*msec, 3*sec)
		}
		k.send(cli, []byte(req), think)
		body := c.html(vhost+p, 1200+c.rng.IntN(c.bodyMax))
		hdr := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: keep-alive\r\nCache-Control: max-age=600\r\n\r\n",
			baseTime.Add(usToDur(k.last)).Format("Mon, 02 Jan 2006 15:04:05 GMT"), len(body))
		k.send(srv, append([]byte(hdr), body...), c.between(500, 12*msec))
	}
	return k.close(cli, c.between(200*msec, 2*sec))
}

// tlsRecord is a TLS record header followed by n random bytes.
func (c *capture) tlsRecord(typ byte, n int) []byte {
	b := append([]byte{typ, 3, 3, byte(n >> 8), byte(n)}, c.randBytes(n)...)
	return b
}

// https opens a TLS-looking session to srv:443 with a few request/response
// exchanges and closes it from the client side.
func (c *capture) https(t int64, client, server *host, exchanges int) int64 {
	k := c.dial(t, client, c.ephemeral(client), server, 443).handshake()
	hello := c.tlsRecord(0x16, 512)
	hello[2] = 1 // ClientHello record version 3.1
	k.send(cli, hello, c.between(100, 400))
	k.send(srv, append(c.tlsRecord(0x16, 122), append(c.tlsRecord(0x14, 1), c.tlsRecord(0x17, 2400+c.rng.IntN(2500))...)...), c.between(1*msec, 6*msec))
	k.send(cli, append(c.tlsRecord(0x14, 1), c.tlsRecord(0x17, 53)...), c.between(200, 900))
	for range exchanges {
		k.send(cli, c.tlsRecord(0x17, 300+c.rng.IntN(600)), c.between(5*msec, 900*msec))
		k.send(srv, c.tlsRecord(0x17, 1000+c.rng.IntN(c.bodyMax)), c.between(2*msec, 40*msec))
	}
	k.send(cli, c.tlsRecord(0x15, 26), c.between(1*sec, 5*sec)) // close_notify
	return k.close(cli, c.between(50, 300))
}

// ---- SSH ------------------------------------------------------------------

// sshPacket frames an unencrypted SSH binary packet (RFC 4253 §6).
func (c *capture) sshPacket(payload []byte) []byte {
	pad := 8 - (len(payload)+5)%8
	if pad < 4 {
		pad += 8
	}
	p := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	p = append(p, byte(pad))
	p = append(p, payload...)
	return append(p, c.randBytes(pad)...)
}

func sshString(b []byte, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// sshKexInit is an SSH_MSG_KEXINIT as OpenSSH sends it.
func (c *capture) sshKexInit(server bool) []byte {
	kex := "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com"
	hostkey := "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
	if server {
		kex = "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"
		hostkey = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
	}
	cipher := "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"
	mac := "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
	comp := "none,zlib@openssh.com"
	p := append([]byte{20}, c.randBytes(16)...)
	for _, l := range []string{kex, hostkey, cipher, cipher, mac, mac, comp, comp, "", ""} {
		p = sshString(p, []byte(l))
	}
	p = append(p, 0, 0, 0, 0, 0)
	return c.sshPacket(p)
}

// sshKex runs banner exchange and key exchange on an established
// connection and ends with the (encrypted) ssh-userauth service request.
func (c *capture) sshKex(k *tcpConn, clientBanner, serverBanner string) {
	k.send(srv, []byte(serverBanner+"\r\n"), c.between(1*msec, 6*msec))
	k.send(cli, []byte(clientBanner+"\r\n"), c.between(200, 2*msec))
	k.send(cli, c.sshKexInit(false), c.between(50, 400))
	k.send(srv, c.sshKexInit(true), c.between(100, 900))
	q := sshString([]byte{30}, c.randBytes(32))
	k.send(cli, c.sshPacket(q), c.between(300, 2*msec))
	hostKey := sshString(sshString(nil, []byte("ssh-ed25519")), c.randBytes(32))
	sig := sshString(sshString(nil, []byte("ssh-ed25519")), c.randBytes(64))
	reply := sshString(sshString(sshString([]byte{31}, hostKey), c.randBytes(32)), sig)
	k.send(srv, append(c.sshPacket(reply), c.sshPacket([]byte{21})...), c.between(1*msec, 4*msec))
	k.send(cli, append(c.sshPacket([]byte{21}), c.randBytes(44)...), c.between(300, 1500)) // NEWKEYS + service request
	k.send(srv, c.randBytes(44), c.between(200, 1*msec))                                   // service accept
}

// sshEncrypted is a chacha20-poly1305 packet: 4-byte length, padded body, 16-byte tag.
func (c *capture) sshEncrypted(body int) []byte {
	n := body + 1 + 4 // padding length byte, at least 4 bytes of padding
	n += (8 - n%8) % 8
	return c.randBytes(4 + n + 16)
}

// ---- FTP ------------------------------------------------------------------

// ftpCmd: the client sends a command line, the server answers a reply line.
func (c *capture) ftpCmd(k *tcpConn, cmd, reply string, think, serverDelay int64) {
	k.send(cli, []byte(cmd+"\r\n"), think)
	k.send(srv, []byte(reply+"\r\n"), serverDelay)
}

// ---- ARP / DHCP -----------------------------------------------------------

// garp: a host probes for ip (RFC 5227) and then announces it twice.
func (c *capture) garp(t int64, mac net.HardwareAddr, ip netip.Addr) int64 {
	unspec := netip.AddrFrom4([4]byte{})
	for range 2 {
		c.arp(t, mac, broadcast, layers.ARPRequest, mac, unspec, zeroMAC, ip)
		t += c.between(1*sec, 2*sec)
	}
	for range 2 {
		c.arp(t, mac, broadcast, layers.ARPRequest, mac, ip, zeroMAC, ip)
		t += 2*sec + c.between(0, 50*msec)
	}
	return t
}

// dhcpLease runs DHCP DISCOVER/OFFER/REQUEST/ACK for mac, obtaining ip from
// server. Returns the time of the ACK.
func (c *capture) dhcpLease(t int64, mac net.HardwareAddr, hostname string, ip netip.Addr, server *host) int64 {
	xid := c.rng.Uint32()
	zero := &host{ip: netip.AddrFrom4([4]byte{}), mac: mac, ttl: 64}
	bcast := &host{ip: netip.AddrFrom4([4]byte{255, 255, 255, 255}), mac: broadcast}
	client := &host{ip: ip, mac: mac, ttl: 64}
	clientID := append([]byte{1}, mac...)
	params := []byte{1, 3, 6, 15, 28, 51, 58, 59, 119}
	msg := func(tp layers.DHCPMsgType) layers.DHCPOption {
		return layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(tp)})
	}
	req := func(tp layers.DHCPMsgType, extra ...layers.DHCPOption) *layers.DHCPv4 {
		opts := []layers.DHCPOption{msg(tp), layers.NewDHCPOption(layers.DHCPOptClientID, clientID)}
		opts = append(opts, extra...)
		opts = append(opts,
			layers.NewDHCPOption(layers.DHCPOptHostname, []byte(hostname)),
			layers.NewDHCPOption(layers.DHCPOptParamsRequest, params))
		return &layers.DHCPv4{Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet,
			HardwareLen: 6, Xid: xid, ClientHWAddr: mac, Options: opts}
	}
	reply := func(tp layers.DHCPMsgType) *layers.DHCPv4 {
		sid := server.ip.AsSlice()
		lease := binary.BigEndian.AppendUint32(nil, 86400)
		return &layers.DHCPv4{Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet,
			HardwareLen: 6, Xid: xid, ClientHWAddr: mac, YourClientIP: ip.AsSlice(), NextServerIP: net.IPv4zero.To4(),
			Options: []layers.DHCPOption{
				msg(tp),
				layers.NewDHCPOption(layers.DHCPOptServerID, sid),
				layers.NewDHCPOption(layers.DHCPOptLeaseTime, lease),
				layers.NewDHCPOption(layers.DHCPOptSubnetMask, []byte{255, 255, 255, 0}),
				layers.NewDHCPOption(layers.DHCPOptRouter, sid),
				layers.NewDHCPOption(layers.DHCPOptDNS, sid),
				layers.NewDHCPOption(layers.DHCPOptDomainName, []byte("lan")),
			}}
	}
	udp := func(s, d uint16) *layers.UDP {
		return &layers.UDP{SrcPort: layers.UDPPort(s), DstPort: layers.UDPPort(d)}
	}
	c.ip(t, zero, bcast, layers.IPProtocolUDP, udp(68, 67), req(layers.DHCPMsgTypeDiscover))
	t += c.between(1*msec, 4*msec)
	c.ip(t, server, client, layers.IPProtocolUDP, udp(67, 68), reply(layers.DHCPMsgTypeOffer))
	t += c.between(1*msec, 10*msec)
	c.ip(t, zero, bcast, layers.IPProtocolUDP, udp(68, 67), req(layers.DHCPMsgTypeRequest,
		layers.NewDHCPOption(layers.DHCPOptRequestIP, ip.AsSlice()),
		layers.NewDHCPOption(layers.DHCPOptServerID, server.ip.AsSlice())))
	t += c.between(1*msec, 4*msec)
	c.ip(t, server, client, layers.IPProtocolUDP, udp(67, 68), reply(layers.DHCPMsgTypeAck))
	return t
}

// dhcpRelease: the client at ip gives its lease back.
func (c *capture) dhcpRelease(t int64, client *host, server *host) {
	rel := &layers.DHCPv4{Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet,
		HardwareLen: 6, Xid: c.rng.Uint32(), ClientIP: client.ip.AsSlice(), ClientHWAddr: client.mac,
		Options: []layers.DHCPOption{
			layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(layers.DHCPMsgTypeRelease)}),
			layers.NewDHCPOption(layers.DHCPOptServerID, server.ip.AsSlice()),
			layers.NewDHCPOption(layers.DHCPOptClientID, append([]byte{1}, client.mac...)),
		}}
	c.ip(t, client, server, layers.IPProtocolUDP, &layers.UDP{SrcPort: 68, DstPort: 67}, rel)
}
