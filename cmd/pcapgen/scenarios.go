package main

import (
	"fmt"
	"strings"

	"github.com/google/gopacket/layers"
)

// scenario is one generated capture file.
type scenario struct {
	file string
	gen  func(c *capture)
}

// scenarios in the order they are written. README.md describes each.
var scenarios = []scenario{
	{"benign.pcap", genBenign},
	{"portscan.pcap", genPortScan},
	{"synflood.pcap", genSynFlood},
	{"synflood-spoofed.pcap", genSynFloodSpoofed},
	{"arp-poison.pcap", genARPPoison},
	{"bruteforce-ssh.pcap", genBruteForceSSH},
	{"bruteforce-ftp.pcap", genBruteForceFTP},
	{"scanner-internal.pcap", genScannerInternal},
	{"guest-vm.pcap", genGuestVM},
	{"mixed.pcapng", genMixed},
	{"vlan.pcap", genVLAN},
	{"ipv6-scan.pcap", genIPv6Scan},
	{"scan-part1.pcap", genScanPart1},
	{"scan-part2.pcap", genScanPart2},
	{"slowscan.pcap", genSlowScan},
	{"monitoring.pcap", genMonitoring},
	{"bruteforce-success.pcap", genBruteForceSuccess},
}

// ---- benign -----------------------------------------------------------------

// browse: DNS lookup through the gateway, then an HTTP fetch.
func (c *capture) browse(t int64, h *cast, client, server *host, name string, paths ...string) int64 {
	t = c.dns(t, client, h.gw, name, server.ip)
	return c.httpGet(t+c.between(200, 900), client, server, name, browserUA, paths...)
}

func genBenign(c *capture) {
	h := c.cast()
	c.bodyMax = 10000
	// Workstations resolve the gateway, the gateway resolves pc3.
	c.arpResolve(0, h.pc1, h.gw)
	c.arpResolve(700*msec, h.pc2, h.gw)
	c.arpResolve(41*sec, h.gw, h.pc3)

	c.browse(150*msec, h, h.pc1, h.www, "www.example.com", "/", "/about.html")
	c.browse(1200*msec, h, h.pc2, h.news, "news.example.net", "/")
	t := c.dns(3*sec, h.pc1, h.gw, "cdn.example.org", h.cdn.ip)
	c.https(t+300, h.pc1, h.cdn, 3)

	// Admin logs in to the SSH server and works for a while.
	c.arpResolve(4800*msec, h.admin, h.ssh)
	c.sshInteractive(5*sec, h.admin, h.ssh, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", 10, []int{2400, 600, 9000, 300, 7000, 1200, 4800}, 6*sec)
	// A second, shorter login to an external bastion.
	t = c.dns(8*sec, h.pc2, h.gw, "bastion.example.net", h.bastion.ip)
	c.sshInteractive(t+400, h.pc2, h.bastion, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", 5, []int{900, 3000, 400}, 6*sec)

	c.ping(12*sec, h.pc1, h.gw, 4)
	t = c.dns(17*sec, h.pc1, h.gw, "www.example.com", h.www.ip)
	c.ping(t+500, h.pc1, h.www, 4)

	c.arpResolve(19900*msec, h.pc2, h.ftp)
	c.ftpDownload(20*sec, h.pc2, h.ftp, "alice", "S3cure!Pass", "quarterly-report.pdf", 24000)

	// Light browsing for the rest of the capture.
	sites := []struct {
		h    *host
		name string
	}{{h.www, "www.example.com"}, {h.news, "news.example.net"}, {h.www, "intranet.example.com"}}
	clients := []*host{h.pc1, h.pc2, h.pc3}
	t = 30 * sec
	for i := range 6 {
		s := sites[i%len(sites)]
		c.browse(t, h, clients[i%len(clients)], s.h, s.name, fmt.Sprintf("/articles/%d.html", 100+i))
		t += c.between(9*sec, 16*sec)
	}
	t = c.dns(t, h.pc3, h.gw, "cdn.example.org", h.cdn.ip)
	c.https(t+400, h.pc3, h.cdn, 2)
}

// sshInteractive: a successful interactive SSH session. The user types
// commands (one 36-byte encrypted packet per keystroke, echoed by the
// server); each command's output has the given size. The client closes.
func (c *capture) sshInteractive(t int64, client, server *host, serverBanner string, commands int, outputs []int, maxPause int64) int64 {
	k := c.dial(t, client, c.ephemeral(client), server, 22).handshake()
	c.sshKex(k, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", serverBanner)
	// Public-key authentication, then session channel, pty, shell.
	k.send(cli, c.sshEncrypted(380), c.between(2*msec, 10*msec))
	k.send(srv, c.sshEncrypted(340), c.between(1*msec, 3*msec))
	k.send(cli, c.sshEncrypted(720), c.between(5*msec, 20*msec))
	k.send(srv, c.sshEncrypted(12), c.between(2*msec, 6*msec))
	k.send(cli, c.sshEncrypted(60), c.between(200, 900))
	k.send(srv, append(c.sshEncrypted(640), c.sshEncrypted(24)...), c.between(500, 2*msec))
	k.send(cli, append(c.sshEncrypted(96), c.sshEncrypted(40)...), c.between(200, 900))
	k.send(srv, c.sshEncrypted(20), c.between(300, 1*msec))
	k.send(srv, c.sshEncrypted(1100), c.between(20*msec, 60*msec)) // motd
	k.send(srv, c.sshEncrypted(60), c.between(1*msec, 5*msec))     // prompt
	for i := range commands {
		keys := 3 + c.rng.IntN(9)
		k.wait(c.between(800*msec, maxPause))
		for j := range keys + 1 { // the last one is Enter
			think := c.between(70*msec, 260*msec)
			if j == 0 {
				think = 0
			}
			k.send(cli, c.randBytes(36), think)
			if j < keys {
				k.send(srv, c.randBytes(36), c.between(30, 200))
			}
		}
		k.send(srv, c.sshEncrypted(outputs[i%len(outputs)]), c.between(3*msec, 60*msec))
		k.send(srv, c.sshEncrypted(60), c.between(100, 800)) // prompt
	}
	for j := range 5 { // "exit" + Enter
		k.send(cli, c.randBytes(36), c.between(90*msec, 200*msec))
		if j < 4 {
			k.send(srv, c.randBytes(36), c.between(30, 200))
		}
	}
	k.send(srv, append(c.sshEncrypted(12), append(c.sshEncrypted(40), c.sshEncrypted(12)...)...), c.between(2*msec, 8*msec))
	k.send(cli, c.sshEncrypted(12), c.between(200, 800))
	return k.close(cli, c.between(1*msec, 5*msec))
}

// ftpDownload: login, passive-mode RETR of a file of size bytes, QUIT.
func (c *capture) ftpDownload(t int64, client, server *host, user, pass, file string, size int) int64 {
	k := c.dial(t, client, c.ephemeral(client), server, 21).handshake()
	k.send(srv, []byte("220 (vsFTPd 3.0.5)\r\n"), c.between(2*msec, 8*msec))
	c.ftpCmd(k, "USER "+user, "331 Please specify the password.", c.between(1*sec, 3*sec), c.between(200, 900))
	c.ftpCmd(k, "PASS "+pass, "230 Login successful.", c.between(2*sec, 5*sec), c.between(8*msec, 30*msec))
	c.ftpCmd(k, "SYST", "215 UNIX Type: L8", c.between(1*msec, 3*msec), c.between(100, 600))
	c.ftpCmd(k, "TYPE I", "200 Switching to Binary mode.", c.between(2*sec, 6*sec), c.between(100, 600))
	dport := uint16(50000 + c.rng.IntN(1000))
	c.ftpCmd(k, "PASV", fmt.Sprintf("227 Entering Passive Mode (%s,%d,%d).",
		strings.ReplaceAll(server.ip.String(), ".", ","), dport>>8, dport&0xff), c.between(500*msec, 2*sec), c.between(100, 600))
	d := c.dial(k.last+c.between(200, 900), client, c.ephemeral(client), server, dport).handshake()
	k.after(d.last)
	k.send(cli, []byte("RETR "+file+"\r\n"), c.between(50, 300))
	k.send(srv, []byte(fmt.Sprintf("150 Opening BINARY mode data connection for %s (%d bytes).\r\n", file, size)), c.between(200, 900))
	d.after(k.last)
	d.send(srv, c.randBytes(size), c.between(100, 500))
	d.close(srv, c.between(100, 400))
	k.after(d.last)
	k.send(srv, []byte("226 Transfer complete.\r\n"), c.between(100, 400))
	c.ftpCmd(k, "QUIT", "221 Goodbye.", c.between(3*sec, 8*sec), c.between(100, 600))
	return k.close(srv, c.between(100, 500))
}

// ---- port scans ---------------------------------------------------------------

func genPortScan(c *capture) {
	h := c.cast()
	scanner := c.wanHost(ipPortScanner, 44, 35)
	c.arpResolve(0, h.gw, h.scanVictim)
	// Background: the victim fetches a page before the scan starts.
	c.browse(300*msec, h, h.scanVictim, h.www, "www.example.com", "/")
	c.scanPorts(2*sec, scanner, h.scanVictim, 61772, c.shuffled(portRange(1, 1024)), openSet(22, 80, 443), 16*msec, 28*msec)
}

func genScanPart1(c *capture) {
	h := c.cast()
	scanner := c.wanHost(ipSplitScanner, 47, 28)
	c.arpResolve(0, h.gw, h.scanVictim)
	c.scanPorts(500*msec, scanner, h.scanVictim, 51234, c.shuffled(portRange(1, 10)), openSet(22), 1800*msec, 2200*msec)
}

func genScanPart2(c *capture) {
	h := c.cast()
	scanner := c.wanHost(ipSplitScanner, 47, 28)
	c.scanPorts(20*sec+300*msec, scanner, h.scanVictim, 51234, c.shuffled(portRange(11, 22)), openSet(22), 1400*msec, 1700*msec)
}

func genSlowScan(c *capture) {
	h := c.cast()
	scanner := c.wanHost(ipSlowScanner, 49, 40)
	c.arpResolve(0, h.gw, h.scanVictim)
	ports := []uint16{21, 22, 23, 25, 80, 110, 143, 443, 445, 3389}
	c.scanPorts(1*sec, scanner, h.scanVictim, 40411, c.shuffled(ports), openSet(22, 80, 443), 31*sec, 35*sec)
	for i := range 5 { // background DNS of the victim
		c.dns(int64(i)*60*sec+20*sec, h.scanVictim, h.gw, "ntp.example.org", addr("203.0.113.123"))
	}
}

// ---- SYN floods -----------------------------------------------------------------

// webTraffic: clients fetch pages from the LAN web server between from and to.
func (c *capture) webTraffic(h *cast, from, to int64, clients ...*host) {
	t := from
	for i := 0; t < to; i++ {
		c.httpGet(t, clients[i%len(clients)], h.web, "intranet.lan", browserUA, fmt.Sprintf("/wiki/page%d", 10+i))
		t += c.between(700*msec, 1800*msec)
	}
}

// synFlood: count SYNs (hping3 style: window 512, no options, random source
// port and sequence) from src(i) to victim:80 spread over dur; the victim
// answers every SYN with a SYN-ACK (SYN cookies) that is never ACKed.
func (c *capture) synFlood(t, dur int64, count int, victim *host, src func(i int) *host) {
	step := dur / int64(count)
	for i := range count {
		a := src(i)
		a.ipid = uint16(c.rng.Uint32())
		sport := uint16(1024 + c.rng.IntN(64512))
		seq := c.rng.Uint32()
		c.ip(t, a, victim, layers.IPProtocolTCP, &layers.TCP{
			SrcPort: layers.TCPPort(sport), DstPort: 80, Seq: seq, SYN: true, Window: 512,
		})
		c.ip(t+2*victim.dist+c.between(5, 40), victim, a, layers.IPProtocolTCP, &layers.TCP{
			SrcPort: 80, DstPort: layers.TCPPort(sport), Seq: c.rng.Uint32(), Ack: seq + 1, SYN: true, ACK: true, Window: 64240,
			Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}},
		})
		t += c.between(step/4, step*7/4)
	}
}

func genSynFlood(c *capture) {
	h := c.cast()
	c.bodyMax = 3000
	c.arpResolve(0, h.pc1, h.web)
	c.arpResolve(200*msec, h.pc2, h.web)
	c.webTraffic(h, 400*msec, 11*sec, h.pc1, h.pc2, h.pc3)
	attacker := c.wanHost(ipFlooder, 51, 22)
	c.synFlood(5*sec, 3*sec, 3000, h.web, func(int) *host { return attacker })
}

func genSynFloodSpoofed(c *capture) {
	h := c.cast()
	c.bodyMax = 3000
	c.arpResolve(0, h.pc1, h.web)
	c.webTraffic(h, 300*msec, 10*sec, h.pc1, h.pc3)
	c.synFlood(4*sec, 3*sec, 3000, h.web, func(int) *host {
		return c.wanHost(c.publicIPv4().String(), uint8(40+c.rng.IntN(20)), 20)
	})
}

// ---- ARP poisoning ------------------------------------------------------------

func genARPPoison(c *capture) {
	h := c.cast()
	attacker := c.lanHost("192.168.1.66", macARPAttack, 64)
	victim, gw := h.arpVictim, h.gw
	// Normal resolution first.
	c.arpResolve(0, victim, gw)
	c.arpResolve(300*msec, gw, victim)
	c.browse(500*msec, h, victim, h.www, "www.example.com", "/")
	c.arpResolve(4*sec, attacker, gw)
	c.arpResolve(4200*msec, attacker, victim)
	c.ping(5*sec, victim, gw, 3)

	// arpspoof -t 192.168.1.30 192.168.1.1 and the reverse: unsolicited
	// replies every 2 s, then three corrective rounds when it exits.
	const start, rounds = 10 * sec, 20
	t := int64(start)
	for range rounds {
		c.arp(t, attacker.mac, victim.mac, layers.ARPReply, attacker.mac, gw.ip, victim.mac, victim.ip)
		c.arp(t+c.between(100, 600), attacker.mac, gw.mac, layers.ARPReply, attacker.mac, victim.ip, gw.mac, gw.ip)
		t += 2*sec + c.between(0, 3*msec)
	}
	end := t
	c.mitm = &mitm{victim: victim, gw: gw, attacker: attacker, from: start + 50*msec, to: end, delay: 140}
	// The victim's traffic now flows through the attacker.
	c.browse(start+3*sec, h, victim, h.news, "news.example.net", "/", "/login")
	c.ping(start+12*sec, victim, h.www, 4)
	c.browse(start+20*sec, h, victim, h.www, "mail.example.com", "/inbox")
	for range 3 {
		c.arp(t, attacker.mac, victim.mac, layers.ARPReply, gw.mac, gw.ip, victim.mac, victim.ip)
		c.arp(t+c.between(100, 600), attacker.mac, gw.mac, layers.ARPReply, victim.mac, victim.ip, gw.mac, gw.ip)
		t += 1*sec + c.between(0, 3*msec)
	}
	c.browse(t+2*sec, h, victim, h.www, "www.example.com", "/news")
}

// ---- brute force ----------------------------------------------------------------

func genBruteForceSSH(c *capture) {
	h := c.cast()
	attacker := c.wanHost(ipSSHBrute, 46, 41)
	c.arpResolve(0, h.gw, h.ssh)
	t := 2 * sec
	for i := range 12 {
		c.sshBruteConn(t, attacker, h.ssh, 3+i%2)
		t += c.between(8*sec, 12*sec)
	}
	// One legitimate administrator session in the middle of it.
	c.arpResolve(19900*msec, h.admin, h.ssh)
	c.sshInteractive(20*sec, h.admin, h.ssh, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", 10,
		[]int{4200, 31000, 800, 52000, 2400, 38000, 650, 36000, 9000, 26000}, 14*sec)
}

// sshBruteConn: one hydra connection: banners, key exchange, attempts
// password tries each rejected after the PAM delay, then sshd disconnects.
func (c *capture) sshBruteConn(t int64, attacker, server *host, attempts int) int64 {
	k := c.dial(t, attacker, c.ephemeral(attacker), server, 22).handshake()
	c.sshKex(k, "SSH-2.0-libssh_0.10.6", "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5")
	for i := range attempts {
		k.send(cli, c.sshEncrypted(60+c.rng.IntN(30)), c.between(1*msec, 5*msec))
		if i == 0 {
			k.send(srv, c.sshEncrypted(30), c.between(1*msec, 4*msec)) // "none" method list
			k.send(cli, c.sshEncrypted(60+c.rng.IntN(30)), c.between(1*msec, 5*msec))
		}
		k.send(srv, c.sshEncrypted(30), c.between(500*msec, 1500*msec))
	}
	k.send(srv, c.sshEncrypted(64), c.between(1*msec, 3*msec)) // disconnect: too many failures
	return k.close(srv, c.between(100, 500))
}

var ftpUsers = []string{"admin", "root", "ftp", "test", "user", "ftpuser", "backup", "www-data"}
var ftpPasswords = []string{"123456", "password", "admin", "root", "qwerty", "letmein", "12345678", "ftp",
	"test123", "changeme", "welcome", "P@ssw0rd", "abc123", "111111", "dragon", "master", "monkey",
	"secret", "shadow", "sunshine", "trustno1", "iloveyou", "football", "baseball", "superman"}

func genBruteForceFTP(c *capture) {
	h := c.cast()
	attacker := c.wanHost(ipFTPBrute, 48, 29)
	c.arpResolve(0, h.gw, h.ftp)
	t := 1 * sec
	attempt := 0
	for conn := range 9 {
		tries := 3
		if conn == 8 {
			tries = 1
		}
		creds := make([][2]string, tries)
		for i := range creds {
			creds[i] = [2]string{ftpUsers[attempt/4%len(ftpUsers)], ftpPasswords[attempt%len(ftpPasswords)]}
			attempt++
		}
		c.ftpFailedLogins(t, attacker, h.ftp, creds, conn == 8)
		t += c.between(2500*msec, 4*sec)
	}
}

// ftpFailedLogins: one connection to server:21 that tries each (user,
// password) of creds right after the previous reply; vsftpd answers 331 to
// USER and, after its ~1 s delay_failed_login, 530 to PASS. With quit the
// client then sends QUIT (221). The server closes: vsftpd drops the session
// after max_login_fails (3) failures or after QUIT. Returns the time of the
// last packet.
func (c *capture) ftpFailedLogins(t int64, client, server *host, creds [][2]string, quit bool) int64 {
	k := c.dial(t, client, c.ephemeral(client), server, 21).handshake()
	k.send(srv, []byte("220 (vsFTPd 3.0.5)\r\n"), c.between(2*msec, 8*msec))
	for _, cr := range creds {
		c.ftpCmd(k, "USER "+cr[0], "331 Please specify the password.", c.between(1*msec, 4*msec), c.between(100, 600))
		c.ftpCmd(k, "PASS "+cr[1], "530 Login incorrect.", c.between(1*msec, 4*msec), c.between(900*msec, 1100*msec))
	}
	if quit {
		c.ftpCmd(k, "QUIT", "221 Goodbye.", c.between(1*msec, 4*msec), c.between(100, 600))
	}
	return k.close(srv, c.between(100, 600))
}

// ---- internal vulnerability scanner -------------------------------------------

const (
	nessusUA = "Mozilla/5.00 (Nessus; Windows NT 10.0; Win64; x64)"
	nmapUA   = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
)

func genScannerInternal(c *capture) {
	h := c.cast()
	scanner := c.lanHost("192.168.1.250", macScanner, 64)
	// Live hosts of 192.168.1.1-60 and their open TCP ports.
	known := map[int]*host{1: h.gw, 10: h.web, 20: h.scanVictim, 21: h.ftp, 22: h.ssh, 30: h.arpVictim, 40: h.mac, 50: h.admin}
	openPorts := map[int][]uint16{1: {80, 443}, 10: {22, 80, 443, 8080}, 20: {22, 80, 443}, 21: {21, 22}, 22: {22, 3306}}
	live := []int{1, 5, 10, 11, 12, 15, 20, 21, 22, 23, 25, 30, 31, 32, 33, 35, 40, 41, 42, 44, 45, 50, 51, 52, 53, 55, 57, 58, 59, 60}
	hosts := make(map[int]*host, len(live))
	for _, n := range live {
		if hh, ok := known[n]; ok {
			hosts[n] = hh
			continue
		}
		ttl := uint8(64)
		if n%3 == 0 {
			ttl = 128
		}
		hosts[n] = c.lanHost(fmt.Sprintf("192.168.1.%d", n), fmt.Sprintf("b8:ca:3a:%02x:%02x:%02x", 0x40+n, n*7%256, n), ttl)
		switch {
		case ttl == 128 && n%2 == 0:
			openPorts[n] = []uint16{3389}
		case ttl == 128:
			openPorts[n] = nil
		default:
			openPorts[n] = []uint16{22}
		}
	}
	liveSet := make(map[int]bool, len(live))
	for _, n := range live {
		liveSet[n] = true
	}

	// 1. ARP sweep of .1-.60.
	t := 500 * msec
	for n := 1; n <= 60; n++ {
		ip := addr(fmt.Sprintf("192.168.1.%d", n))
		c.arp(t, scanner.mac, broadcast, layers.ARPRequest, scanner.mac, scanner.ip, zeroMAC, ip)
		if hh := hosts[n]; liveSet[n] {
			c.arp(t+hh.dist+scanner.dist+c.between(20, 100), hh.mac, scanner.mac, layers.ARPReply, hh.mac, hh.ip, scanner.mac, scanner.ip)
		}
		t += c.between(4*msec, 8*msec)
	}

	// 2. TCP sweep of the live hosts on 21/22/80/443/3389.
	t += 1 * sec
	for _, p := range []uint16{21, 22, 80, 443, 3389} {
		for _, n := range live {
			c.synProbe(t, scanner, hosts[n], 45127, p, openSet(openPorts[n]...)[p])
			t += c.between(2*msec, 6*msec)
		}
	}

	// 3. Vertical scans of 30 ports on .10 and .22.
	vports := []uint16{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995,
		1433, 1723, 3306, 3389, 5432, 5900, 6379, 8000, 8080, 8443, 9000, 9090, 9200, 11211, 27017}
	for _, n := range []int{10, 22} {
		t += 500 * msec
		ports := c.shuffled(append([]uint16(nil), vports...))
		t = c.scanPorts(t, scanner, hosts[n], 45128, ports, openSet(openPorts[n]...), 3*msec, 9*msec)
	}

	// 4. UDP probes: DNS answered by the gateway, closed ports answer ICMP
	// port unreachable quoting the probe.
	t += 1 * sec
	c.dns(t, scanner, h.gw, "version.bind", addr("192.168.1.1"))
	ntp := make([]byte, 48)
	ntp[0] = 0xe3
	snmp := []byte{0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa0, 0x19, 0x02, 0x04, 0x1a, 0x2b, 0x3c, 0x4d,
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x05, 0x00}
	nbstat := append([]byte{0x80, 0xf0, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x20, 'C', 'K'}, []byte(strings.Repeat("A", 30))...)
	nbstat = append(nbstat, 0x00, 0x00, 0x21, 0x00, 0x01)
	for _, p := range []struct {
		n       int
		port    uint16
		payload []byte
	}{{1, 123, ntp}, {1, 161, snmp}, {10, 123, ntp}, {10, 161, snmp}, {10, 137, nbstat}, {22, 161, snmp}, {22, 500, c.randBytes(64)}, {21, 69, []byte("\x00\x01nessus_test\x00octet\x00")}} {
		t += c.between(20*msec, 60*msec)
		c.udpClosed(t, scanner, hosts[p.n], 45129, p.port, p.payload)
	}

	// 5. Service probes on open ports.
	t += 1 * sec
	for _, n := range []int{1, 10, 20} {
		k := c.dial(t, scanner, c.ephemeral(scanner), hosts[n], 80).handshake()
		c.httpProbe(k, "GET / HTTP/1.1", nessusUA, "200 OK")
		c.httpProbe(k, "GET /NessusTest7193442013.html HTTP/1.1", nessusUA, "404 Not Found")
		k.close(cli, c.between(1*msec, 5*msec))
		t = k.last + c.between(20*msec, 80*msec)
	}
	k := c.dial(t, scanner, c.ephemeral(scanner), hosts[10], 8080).handshake()
	c.httpProbe(k, "GET / HTTP/1.1", nmapUA, "200 OK")
	k.close(cli, c.between(1*msec, 5*msec))
	t = k.last + c.between(20*msec, 80*msec)
	k = c.dial(t, scanner, c.ephemeral(scanner), hosts[10], 80).handshake()
	c.httpProbe(k, "OPTIONS / HTTP/1.1", nmapUA, "405 Not Allowed")
	k.close(cli, c.between(1*msec, 5*msec))
	t = k.last + c.between(20*msec, 80*msec)
	// SSH banner grabs: read the server's version string and hang up.
	for _, g := range []struct {
		n      int
		banner string
	}{{10, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5"}, {20, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5"}, {21, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10"}} {
		k = c.dial(t, scanner, c.ephemeral(scanner), hosts[g.n], 22).handshake()
		k.send(srv, []byte(g.banner+"\r\n"), c.between(2*msec, 6*msec))
		k.close(cli, c.between(300, 2*msec))
		t = k.last + c.between(10*msec, 50*msec)
	}
	// SSH host-key grab on one server.
	k = c.dial(t, scanner, c.ephemeral(scanner), hosts[22], 22).handshake()
	k.send(srv, []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"), c.between(2*msec, 6*msec))
	k.send(cli, []byte("SSH-2.0-Nmap-SSH2-Hostkey\r\n"), c.between(200, 900))
	k.send(cli, c.sshKexInit(false), c.between(50, 300))
	k.send(srv, c.sshKexInit(true), c.between(200, 900))
	t = k.close(cli, c.between(1*msec, 4*msec))

	// 6. Default FTP credentials against .21, at most four connections at a
	// time: vsftpd refuses each PASS after ~1 s and drops the session after
	// 3 failures, so a slot opens its next connection when one ends. 22
	// attempts in 8 connections; the last one tries once and says QUIT.
	t += 1 * sec
	var slots [4]int64 // when each slot is free
	for i := range slots {
		slots[i] = t
		t += c.between(10*msec, 60*msec)
	}
	for next := 0; next < len(scannerFTPCreds); {
		i := 0 // the slot free first, so connections start in port order
		for j := range slots {
			if slots[j] < slots[i] {
				i = j
			}
		}
		n := min(3, len(scannerFTPCreds)-next)
		end := c.ftpFailedLogins(slots[i], scanner, hosts[21], scannerFTPCreds[next:next+n], next+n == len(scannerFTPCreds))
		next += n
		slots[i] = end + c.between(5*msec, 40*msec)
	}
}

// scannerFTPCreds are the default accounts a vulnerability scanner tries on
// an FTP server, anonymous first.
var scannerFTPCreds = [][2]string{
	{"anonymous", "nessus@nessus.org"}, {"ftp", "ftp"}, {"admin", "admin"},
	{"admin", "password"}, {"admin", "1234"}, {"root", "root"},
	{"root", "toor"}, {"root", "password"}, {"guest", "guest"},
	{"test", "test"}, {"user", "user"}, {"administrator", "administrator"},
	{"ftpuser", "ftpuser"}, {"backup", "backup"}, {"upload", "upload"},
	{"operator", "operator"}, {"support", "support"}, {"admin", "admin123"},
	{"root", "123456"}, {"pi", "raspberry"}, {"service", "service"},
	{"default", "default"},
}

// httpProbe: one request/response of a scanner on an open connection.
func (c *capture) httpProbe(k *tcpConn, line, ua, status string) {
	host := k.h[srv].ip.String()
	req := fmt.Sprintf("%s\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n", line, host, ua)
	k.send(cli, []byte(req), c.between(200, 2*msec))
	body := c.html(status, 600+c.rng.IntN(1200))
	if !strings.HasPrefix(status, "200") {
		body = []byte("<html>\r\n<head><title>" + status + "</title></head>\r\n<body>\r\n<center><h1>" + status + "</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n")
	}
	resp := fmt.Sprintf("HTTP/1.1 %s\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n", status, len(body))
	k.send(srv, append([]byte(resp), body...), c.between(300, 3*msec))
}

// ---- guest VMs ------------------------------------------------------------------

func genGuestVM(c *capture) {
	h := c.cast()
	mac := h.mac // the Mac host, 192.168.1.40
	gw := h.gw
	c.arpResolve(0, mac, gw)
	t := c.dns(200*msec, mac, gw, "www.example.com", h.www.ip)
	c.https(t+300, mac, h.www, 2)

	// VMware guest (bridged) boots, leases 192.168.1.41 and announces it.
	guestIP := addr("192.168.1.41")
	t = c.dhcpLease(5*sec, mustMAC(macVMware1), "ubuntu-vm", guestIP, gw)
	t = c.garp(t+c.between(10*msec, 40*msec), mustMAC(macVMware1), guestIP)
	vm1 := c.lanHost("192.168.1.41", macVMware1, 64)
	c.arpResolve(t, vm1, gw)
	t = c.dns(t+5*msec, vm1, gw, "archive.ubuntu.example.org", h.cdn.ip)
	c.httpGet(t+300, vm1, h.cdn, "archive.ubuntu.example.org", "Debian APT-HTTP/1.3 (2.7.14)", "/ubuntu/dists/noble-updates/InRelease")

	// Parallels guest (bridged) leases 192.168.1.42.
	pIP := addr("192.168.1.42")
	t = c.dhcpLease(15*sec, mustMAC(macParallels), "DESKTOP-PVM11", pIP, gw)
	t = c.garp(t+c.between(10*msec, 40*msec), mustMAC(macParallels), pIP)
	pvm := c.lanHost("192.168.1.42", macParallels, 128)
	c.arpResolve(t, pvm, gw)
	t = c.dns(t+3*msec, pvm, gw, "news.example.net", h.news.ip)
	c.https(t+300, pvm, h.news, 3)

	// Host traffic continues.
	t = c.dns(30*sec, mac, gw, "cdn.example.org", h.cdn.ip)
	c.https(t+300, mac, h.cdn, 2)

	// The VMware guest is deleted (releasing its lease) and re-created with
	// a new MAC; it gets 192.168.1.41 again and announces it.
	c.dhcpRelease(45*sec, vm1, gw)
	t = c.dhcpLease(60*sec, mustMAC(macVMware2), "ubuntu-vm", guestIP, gw)
	t = c.garp(t+c.between(10*msec, 40*msec), mustMAC(macVMware2), guestIP)
	vm2 := c.lanHost("192.168.1.41", macVMware2, 64)
	c.arpResolve(t, vm2, gw)
	c.arpResolve(t+2*sec, gw, vm2)
	t = c.dns(t+10*msec, vm2, gw, "archive.ubuntu.example.org", h.cdn.ip)
	c.httpGet(t+300, vm2, h.cdn, "archive.ubuntu.example.org", "Debian APT-HTTP/1.3 (2.7.14)", "/ubuntu/dists/noble/InRelease")
	c.ping(t+3*sec, mac, vm2, 3)
}

// ---- multiple link types -------------------------------------------------------

func genMixed(c *capture) {
	h := c.cast()
	c.ng = true
	c.ifaces = append(c.ifaces, iface{name: "any", link: layers.LinkTypeLinuxSLL, self: h.web.mac})
	scanner := c.wanHost(ipPortScanner, 44, 35)

	// Interface 0 (eth0, Ethernet): workstation traffic and the scan.
	c.ifc = 0
	c.arpResolve(0, h.pc1, h.gw)
	c.browse(200*msec, h, h.pc1, h.www, "www.example.com", "/")
	c.arpResolve(2*sec, h.gw, h.scanVictim)
	c.scanPorts(2100*msec, scanner, h.scanVictim, 61772, c.shuffled(portRange(1, 100)), openSet(22, 80, 443), 25*msec, 55*msec)
	t := c.dns(6*sec, h.pc2, h.gw, "news.example.net", h.news.ip)
	c.httpGet(t+200, h.pc2, h.news, "news.example.net", browserUA, "/")

	// Interface 1 (any, Linux cooked): the web server's own view.
	c.ifc = 1
	c.arpResolve(300*msec, h.web, h.gw)
	c.dns(400*msec, h.web, h.gw, "updates.example.org", h.cdn.ip)
	c.webTraffic(h, 1*sec, 9*sec, h.pc2, h.pc3)
	c.ifc = 0
}

func genVLAN(c *capture) {
	h := c.cast()
	c.ifaces[0].vlan = 100
	scanner := c.wanHost(ipPortScanner, 44, 35)
	c.arpResolve(0, h.pc1, h.gw)
	c.browse(200*msec, h, h.pc1, h.www, "www.example.com", "/", "/contact.html")
	c.arpResolve(1500*msec, h.gw, h.scanVictim)
	c.scanPorts(1600*msec, scanner, h.scanVictim, 61772, c.shuffled(portRange(1, 100)), openSet(22, 80, 443), 20*msec, 40*msec)
	t := c.dns(3*sec, h.pc2, h.gw, "cdn.example.org", h.cdn.ip)
	c.https(t+200, h.pc2, h.cdn, 2)
	c.ping(4*sec, h.pc1, h.gw, 3)
}

// ---- IPv6 -------------------------------------------------------------------------

func genIPv6Scan(c *capture) {
	victimMAC := mustMAC(macScanVictim)
	routerLL := &host{ip: addr("fe80::21a:2bff:fe3c:4d01"), mac: gatewayMAC, ttl: 255}
	victimND := &host{ip: addr("2001:db8:1::20"), mac: victimMAC, ttl: 255}
	victim := c.lanHost("2001:db8:1::20", macScanVictim, 64)
	scanner := c.wanHost("2001:db8:66::1", 52, 38)
	solicited := &host{ip: addr("ff02::1:ff00:20"), mac: mustMAC("33:33:ff:00:00:20")}

	// Router resolves the victim; the victim resolves the router.
	c.ip(0, routerLL, solicited, layers.IPProtocolICMPv6,
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborSolicitation, 0)},
		&layers.ICMPv6NeighborSolicitation{TargetAddress: victim.ip.AsSlice(),
			Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptSourceAddress, Data: gatewayMAC}}})
	c.ip(180, victimND, routerLL, layers.IPProtocolICMPv6,
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborAdvertisement, 0)},
		&layers.ICMPv6NeighborAdvertisement{Flags: 0x60, TargetAddress: victim.ip.AsSlice(),
			Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptTargetAddress, Data: victimMAC}}})
	victimLL := &host{ip: addr("fe80::baca:3aff:fe71:2014"), mac: victimMAC, ttl: 255}
	routerSol := &host{ip: addr("ff02::1:ff3c:4d01"), mac: mustMAC("33:33:ff:3c:4d:01")}
	c.ip(2*sec, victimLL, routerSol, layers.IPProtocolICMPv6,
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborSolicitation, 0)},
		&layers.ICMPv6NeighborSolicitation{TargetAddress: routerLL.ip.AsSlice(),
			Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptSourceAddress, Data: victimMAC}}})
	c.ip(2*sec+210, routerLL, victimLL, layers.IPProtocolICMPv6,
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborAdvertisement, 0)},
		&layers.ICMPv6NeighborAdvertisement{Flags: 0xe0, TargetAddress: routerLL.ip.AsSlice(),
			Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptTargetAddress, Data: gatewayMAC}}})

	// Benign: the victim talks to an IPv6 web server.
	web6 := c.wanHost("2001:db8:80::10", 54, 16)
	c.https(2*sec+300*msec, victim, web6, 2)

	ports := []uint16{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 389, 443, 445, 465, 587, 631, 993, 995,
		1433, 1521, 2049, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200}
	ports = append(ports, portRange(10000, 10009)...) // 40 ports
	c.scanPorts(4*sec, scanner, victim, 58133, c.shuffled(ports), openSet(22, 443), 15*msec, 40*msec)
}

// ---- monitoring health checks --------------------------------------------------

// genMonitoring: a Nagios-style monitoring server checks SSH on three servers
// every 30 s (check_ssh: read the banner, send one, disconnect), and pings
// them. Each check is a short connection with a small server reply, the
// shape of a failed SSH login, so the brute-force signature fires for each
// server; the fixed period across servers is what tells it from guessing.
func genMonitoring(c *capture) {
	h := c.cast()
	mon := c.lanHost(ipMonitoring, macMonitoring, 64)
	servers := []*host{h.web, h.ftp, h.ssh}
	for i, s := range servers {
		c.arpResolve(int64(i)*10*msec, mon, s)
	}
	const period = 30 * sec
	for round := range 10 {
		t := sec + int64(round)*period
		for i, s := range servers {
			// the scheduler spreads checks a little; the period holds
			at := t + int64(i)*2*sec + c.between(0, 150*msec)
			k := c.dial(at, mon, c.ephemeral(mon), s, 22).handshake()
			k.send(srv, []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"), c.between(1*msec, 4*msec))
			k.send(cli, []byte("SSH-2.0-check_ssh_2.4\r\n"), c.between(200, 1*msec))
			k.close(cli, c.between(100, 400))
		}
	}
}

// ---- brute force that succeeded ---------------------------------------------

// genBruteForceSuccess: a compromised workstation inside the network guesses
// SSH passwords on the SSH server (hydra-like, 10 connections), then logs
// in and keeps an interactive session. The guessing fires, the login
// fires as login-after-guessing, and although the host is internal it is
// to be investigated, never excused as a scanner.
func genBruteForceSuccess(c *capture) {
	h := c.cast()
	pc := c.lanHost(ipCompromised, macPC4, 128)
	c.arpResolve(0, pc, h.ssh)
	t := 1 * sec
	for i := range 10 {
		c.sshBruteConn(t, pc, h.ssh, 3+i%3)
		t += c.between(4*sec, 7*sec)
	}
	c.sshInteractive(t+3*sec, pc, h.ssh, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", 8,
		[]int{2600, 14000, 900, 47000, 3100, 22000, 700, 12000}, 9*sec)
}
