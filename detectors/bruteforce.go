// Brute-force remote login, after Zeek's detect-bruteforcing scripts: count
// failed logins per (client, server, service) and report a client that fails
// too often within a window. Cleartext protocols show their failures (FTP
// 530, POP3 -ERR, IMAP NO, Telnet "Login incorrect", SMB
// STATUS_LOGON_FAILURE, VNC's failed security result); encrypted ones (SSH,
// RDP) do not, so their failures are guessed from the shape of finished
// connections: short, small and closed by the server.
//
// After a report, a login by the same client to the same service in the
// same window is reported too, as Zeek's SSH::Login_By_Password_Guesser: an
// SSH or RDP connection the size of a session, or FTP's 230. The guessing
// may have worked; for an incident responder that is the alert that
// matters, and a scanner never keeps a session it broke into.

package detectors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

// BruteForceService names the login protocol spoken on a server port.
type BruteForceService struct {
	Port uint16 `json:"port"`
	// Service is one of ssh, rdp (judged by connection shape) or ftp,
	// telnet, smb, vnc, pop3, imap (judged by the server's failure reply).
	Service string `json:"service"`
}

func init() {
	Register(Registration{SID: SIDBruteForce, Section: "brute_force", Profile: bruteForceProfile,
		New:      func(c Config) packet.Detector { return NewBruteForce(c.BruteForce) },
		Validate: func(c Config) error { return c.BruteForce.Validate() }})
}

// Vulnerability scanners try default credentials and monitoring systems
// fail logins on a schedule; keeping a session after guessing is neither.
// Failed-login alerts are of the service's kind ("ssh", "ftp", ...).
var bruteForceProfile = Profile{
	Default: Behaviour{Evidence: EvidenceFailedLogins, Benign: CauseScanner | CauseMonitoring},
	Kinds:   map[string]Behaviour{KindLoginAfterGuessing: {Evidence: EvidenceLogin}},
}

// BruteForceConfig tunes brute-force login detection. Start from
// DefaultBruteForceConfig.
type BruteForceConfig struct {
	// Services maps server ports to login protocols. Add a port when a
	// service listens elsewhere (SSH on 2222). Default: the IANA ports of
	// ssh 22, telnet 23, ftp 21, rdp 3389, smb 445, vnc 5900, pop3 110 and
	// imap 143; the TLS ports (993, 995, 990) hide failures and are left out.
	Services []BruteForceService `json:"services"`

	// Window is the span failures are counted over, starting at the first
	// failure of a (client, server, port); a report fires once per window
	// and again only in a later one. Longer: slow guessers are caught, and
	// an honest user's forgotten password adds up over a longer day.
	// Default 15 min, Zeek FTP's bruteforce_measurement_interval (Zeek SSH
	// uses guessing_timeout 30 min).
	Window packet.Duration `json:"window"`

	// Threshold is how many visible failed logins (FTP, Telnet, SMB, VNC,
	// POP3, IMAP) within Window make a report. Lower: fewer guesses go
	// unnoticed, and a user retrying a stale saved password trips it.
	// Default 20, Zeek FTP's bruteforce_threshold.
	Threshold int `json:"threshold"`

	// ConnThreshold is how many failed-looking SSH or RDP connections within
	// Window make a report; 0 turns connection-shape detection off. Zeek SSH
	// reports 30 guesses (password_guesses_limit) in 30 min, but here one
	// connection hides several guesses: OpenSSH allows 6 (MaxAuthTries) and
	// hydra and its kin use them before the server hangs up, so 8
	// connections is roughly 20-48 guesses, in the same range as Zeek's 30.
	// Lower: a user fumbling a password a few times trips it. Default 8.
	ConnThreshold int `json:"conn_threshold"`

	// MaxConnDuration is the longest an SSH or RDP connection may last and
	// still look like a failed login. Failed authentications end in
	// seconds; an interactive session lasts longer. Longer: slow tools
	// (and manual tries) are counted, and short scripted sessions
	// (scp, remote commands) are more likely to be. Default 30 s.
	MaxConnDuration packet.Duration `json:"max_conn_duration"`

	// MaxServerBytes is the most payload the server may send in a
	// failed-looking connection. Key exchange and a few failure messages
	// come to 2-4 KB; a logged-in shell sends a banner, prompt and output.
	// Higher: catches servers with big host keys or banners, counts more
	// quick successful sessions. Default 5500, Bro's SSH
	// authentication_data_size, the size at which it presumed a login
	// succeeded.
	MaxServerBytes uint64 `json:"max_server_bytes"`

	// MaxClientBytes is the most payload the client may send in a
	// failed-looking connection: key exchange plus a handful of password
	// attempts is 2-5 KB; copying a file is more. Higher: post-quantum key
	// exchanges (larger client shares) still fit, more small uploads count.
	// Default 10000: ours, twice a six-guess SSH connection.
	MaxClientBytes uint64 `json:"max_client_bytes"`

	// MaxTracked caps the (client, server, port) counters, about 320 bytes
	// each (10.5 MB at the default). When full the stalest counter goes and
	// is counted as evicted; a guesser spread over more sources than this
	// is undercounted. Default 32768.
	MaxTracked int `json:"max_tracked"`

	// MaxConns caps the POP3 and IMAP connections whose last client command
	// is remembered (to tell a refused login from any other -ERR or NO),
	// about 230 bytes each (3.8 MB at the default). When full the stalest
	// goes and its next failure is missed. Default 16384.
	MaxConns int `json:"max_conns"`
}

// DefaultBruteForceConfig returns the documented defaults.
func DefaultBruteForceConfig() BruteForceConfig {
	return BruteForceConfig{
		Services: []BruteForceService{
			{Port: 21, Service: "ftp"},
			{Port: 22, Service: "ssh"},
			{Port: 23, Service: "telnet"},
			{Port: 110, Service: "pop3"},
			{Port: 143, Service: "imap"},
			{Port: 445, Service: "smb"},
			{Port: 3389, Service: "rdp"},
			{Port: 5900, Service: "vnc"},
		},
		Window:          packet.Duration(15 * time.Minute),
		Threshold:       20,
		ConnThreshold:   8,
		MaxConnDuration: packet.Duration(30 * time.Second),
		MaxServerBytes:  5500,
		MaxClientBytes:  10000,
		MaxTracked:      32768,
		MaxConns:        16384,
	}
}

const bfMaxTable = 1 << 22

// Validate reports the first setting out of range, naming its json key.
func (c BruteForceConfig) Validate() error {
	for i, s := range c.Services {
		if s.Port == 0 {
			return fmt.Errorf("services[%d].port: 0 is out of range, want 1 to 65535", i)
		}
		if bfServiceID(s.Service) == bfNone {
			return fmt.Errorf("services[%d].service: %q is not one of ssh, rdp, ftp, telnet, smb, vnc, pop3, imap", i, s.Service)
		}
		for j := range i {
			if c.Services[j].Port == s.Port {
				return fmt.Errorf("services[%d].port: %d is already services[%d].port", i, s.Port, j)
			}
		}
	}
	switch {
	case c.Window.D() < time.Second || c.Window.D() > 24*time.Hour:
		return fmt.Errorf("window: %s is out of range, want 1s to 24h0m0s", c.Window)
	case c.Threshold < 1 || c.Threshold > 1<<20:
		return fmt.Errorf("threshold: %d is out of range, want 1 to %d", c.Threshold, 1<<20)
	case c.ConnThreshold < 0 || c.ConnThreshold > 1<<20:
		return fmt.Errorf("conn_threshold: %d is out of range, want 1 to %d, or 0 to turn it off", c.ConnThreshold, 1<<20)
	case c.MaxConnDuration.D() < time.Second || c.MaxConnDuration.D() > time.Hour:
		return fmt.Errorf("max_conn_duration: %s is out of range, want 1s to 1h0m0s", c.MaxConnDuration)
	case c.MaxServerBytes < 1 || c.MaxServerBytes > 1<<30:
		return fmt.Errorf("max_server_bytes: %d is out of range, want 1 to %d", c.MaxServerBytes, 1<<30)
	case c.MaxClientBytes < 1 || c.MaxClientBytes > 1<<30:
		return fmt.Errorf("max_client_bytes: %d is out of range, want 1 to %d", c.MaxClientBytes, 1<<30)
	case c.MaxTracked < 1 || c.MaxTracked > bfMaxTable:
		return fmt.Errorf("max_tracked: %d is out of range, want 1 to %d", c.MaxTracked, bfMaxTable)
	case c.MaxConns < 1 || c.MaxConns > bfMaxTable:
		return fmt.Errorf("max_conns: %d is out of range, want 1 to %d", c.MaxConns, bfMaxTable)
	}
	return nil
}

// Login protocols; bfNone marks a port that is not a login service.
const (
	bfNone uint8 = iota
	bfSSH
	bfTelnet
	bfFTP
	bfRDP
	bfSMB
	bfVNC
	bfPOP3
	bfIMAP
)

func bfServiceID(name string) uint8 {
	switch name {
	case "ssh":
		return bfSSH
	case "telnet":
		return bfTelnet
	case "ftp":
		return bfFTP
	case "rdp":
		return bfRDP
	case "smb":
		return bfSMB
	case "vnc":
		return bfVNC
	case "pop3":
		return bfPOP3
	case "imap":
		return bfIMAP
	}
	return bfNone
}

// bfKind is the event Kind of a service.
func bfKind(svc uint8) string {
	switch svc {
	case bfSSH:
		return "ssh"
	case bfTelnet:
		return "telnet"
	case bfFTP:
		return "ftp"
	case bfRDP:
		return "rdp"
	case bfSMB:
		return "smb"
	case bfVNC:
		return "vnc"
	case bfPOP3:
		return "pop3"
	case bfIMAP:
		return "imap"
	}
	return ""
}

// bfEvidence names the failure a service shows, for Detail.
func bfEvidence(svc uint8) string {
	switch svc {
	case bfTelnet:
		return "Telnet login failure"
	case bfFTP:
		return "FTP 530"
	case bfSMB:
		return "SMB STATUS_LOGON_FAILURE"
	case bfVNC:
		return "VNC security result failed"
	case bfPOP3:
		return "POP3 -ERR"
	case bfIMAP:
		return "IMAP NO"
	}
	return ""
}

// bfByShape says whether a service's failures are judged from connection
// shape because its replies are encrypted.
func bfByShape(svc uint8) bool { return svc == bfSSH || svc == bfRDP }

type bfKey struct {
	client, server netip.Addr
	port           uint16
}

func (k bfKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.client).Addr(k.server).Word(uint64(k.port))
}

type bfCounter struct {
	winStart            int64
	count               uint64
	first, last         packet.PacketRef
	firstTime, lastTime int64
	mac                 [6]byte
	hasMAC              bool
	fired               bool
	loggedIn            bool   // a login after the report was reported
	maxServer           uint64 // most server bytes of a failed-looking connection counted
}

type bfConnKey struct {
	client, server netip.Addr
	cport, sport   uint16
}

func (k bfConnKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.client).Addr(k.server).Word(uint64(k.cport)<<16 | uint64(k.sport))
}

type bfConnState struct {
	auth bool // the last client command was a login
}

// bfAttempt is one failed login, from a reply packet or a connection.
type bfAttempt struct {
	key                 bfKey
	svc                 uint8
	mac                 [6]byte
	hasMAC              bool
	firstTime, lastTime int64 // equal for a reply, Start and End for a connection
	first, last         packet.PacketRef
	threshold           int
	serverBytes         uint64 // what the server sent, for a connection
}

// BruteForce detects password guessing against login services
// (SIDBruteForce). Failures are counted per (client, server, server port):
// visible failure replies against Threshold, failed-looking SSH and RDP
// connections against ConnThreshold. The window opens at the first failure
// and lasts Window; the event fires on the failure that reaches the
// threshold, once per window, with Count the failures so far (the
// threshold), First/FirstTime the window's first failure (for a connection,
// its first packet) and Last/LastTime the one that fired. Successful logins
// neither count nor reset anything.
type BruteForce struct {
	cfg      BruteForceConfig
	window   int64
	maxDur   int64
	ports    *[1 << 16]uint8 // service by server port: one load per packet
	counters *bounded.Table[bfKey, bfCounter]
	conns    *bounded.Table[bfConnKey, bfConnState]
}

// NewBruteForce returns the detector; cfg must have passed Validate.
func NewBruteForce(cfg BruteForceConfig) *BruteForce {
	d := &BruteForce{
		cfg:      cfg,
		window:   cfg.Window.Nanos(),
		maxDur:   cfg.MaxConnDuration.Nanos(),
		ports:    new([1 << 16]uint8),
		counters: bounded.NewHashed[bfKey, bfCounter](cfg.MaxTracked, bfKey.hash),
		conns:    bounded.NewHashed[bfConnKey, bfConnState](cfg.MaxConns, bfConnKey.hash),
	}
	for _, s := range cfg.Services {
		d.ports[s.Port] = bfServiceID(s.Service)
	}
	return d
}

// Name implements Detector.
func (d *BruteForce) Name() string { return "bruteforce" }

// Evicted implements Detector.
func (d *BruteForce) Evicted() uint64 { return d.counters.Evicted() + d.conns.Evicted() }

// Expire implements Detector. A counter untouched for a whole window has
// nothing left to count; reports fire on the failure that crosses the
// threshold, so nothing is pending.
func (d *BruteForce) Expire(now int64, _ packet.Emit) {
	d.counters.Expire(now-d.window, nil)
	d.conns.Expire(now-d.window, nil)
}

// Observe implements Detector.
func (d *BruteForce) Observe(f *packet.Facts, emit packet.Emit) {
	if f.Proto != packet.ProtoTCP || len(f.Payload) == 0 {
		return
	}
	switch f.Dir {
	case packet.DirToServer:
		if svc := d.ports[f.DstPort]; svc == bfPOP3 || svc == bfIMAP {
			d.noteCommand(f, svc)
		}
	case packet.DirToClient:
		svc := d.ports[f.SrcPort]
		if svc == bfFTP && bytes.HasPrefix(f.Payload, []byte("230")) {
			d.loginAfterGuessing(bfKey{client: f.Dst, server: f.Src, port: f.SrcPort}, svc,
				f.Time, f.Packet, "FTP 230: logged in", emit)
			return
		}
		if svc == bfNone || bfByShape(svc) || !d.failedReply(f, svc) {
			return
		}
		d.count(&bfAttempt{
			key:       bfKey{client: f.Dst, server: f.Src, port: f.SrcPort},
			svc:       svc,
			mac:       f.DstMAC,
			hasMAC:    f.HasEth,
			firstTime: f.Time,
			lastTime:  f.Time,
			first:     f.Packet,
			last:      f.Packet,
			threshold: d.cfg.Threshold,
		}, emit)
	}
}

// ConnEnded implements ConnObserver.
func (d *BruteForce) ConnEnded(c *packet.Conn, emit packet.Emit) {
	svc := d.ports[c.ServerPort]
	if svc == bfPOP3 || svc == bfIMAP {
		d.conns.Delete(bfConnKey{c.Client, c.Server, c.ClientPort, c.ServerPort})
		return
	}
	if !bfByShape(svc) || d.cfg.ConnThreshold == 0 {
		return
	}
	key := bfKey{client: c.Client, server: c.Server, port: c.ServerPort}
	if d.sessionLooking(c) {
		d.loginAfterGuessing(key, svc, c.End, c.Last,
			fmt.Sprintf("%s session of %s, the server sent %d bytes", strings.ToUpper(bfKind(svc)), bfSpan(c.End-c.Start), c.ServerBytes), emit)
		return
	}
	if most, ok := d.outgrewFailures(key, c); ok {
		d.loginAfterGuessing(key, svc, c.End, c.Last,
			fmt.Sprintf("%s connection of %s, the server sent %d bytes where its failed-looking ones got at most %d",
				strings.ToUpper(bfKind(svc)), bfSpan(c.End-c.Start), c.ServerBytes, most), emit)
		return
	}
	if !d.failedLooking(c) {
		return
	}
	d.count(&bfAttempt{
		key:         bfKey{client: c.Client, server: c.Server, port: c.ServerPort},
		svc:         svc,
		mac:         c.ClientMAC,
		hasMAC:      c.ClientMAC != [6]byte{},
		firstTime:   c.Start,
		lastTime:    c.End,
		first:       c.First,
		last:        c.Last,
		threshold:   d.cfg.ConnThreshold,
		serverBytes: c.ServerBytes,
	}, emit)
}

// outgrewFailures says whether c, a connection by a client already reported
// for guessing against this server, got more from the server than any of
// its failures did, by half as much again and by at least 1 KiB: the size
// of a login that ran a few commands (id; uname) and left, under
// MaxServerBytes. The guessing tool's own connections set the yardstick:
// hydra's failures against OpenSSH 9.2 in pcaps/lab/hydra-ssh-success got
// 1.2-2.1 KB, the login that followed 4.1 KB (after a login OpenSSH alone
// sends its host keys, channel replies and the exit status). Each extra
// refused try on one connection adds about 100 bytes, so a failure with
// six tries is under 1.8 times one with a single try and under 1 KiB more.
// It returns the largest failure's size.
func (d *BruteForce) outgrewFailures(key bfKey, c *packet.Conn) (uint64, bool) {
	if !c.Established || c.ClientBytes == 0 || c.ClosedBy == packet.CloseTimeout {
		return 0, false
	}
	cnt, ok := d.counters.Peek(key)
	if !ok || !cnt.fired || cnt.loggedIn || cnt.maxServer == 0 {
		return 0, false
	}
	most := cnt.maxServer
	return most, c.ServerBytes*2 >= most*3 && c.ServerBytes >= most+1024
}

// failedLooking says whether a finished connection has the shape of a
// refused login: established, both sides spoke (a port probe is not a
// login), short, and too small for a session. The byte ceiling is what
// separates a failure from a login (Bro's authentication_data_size): after
// a successful SSH login the server sends host keys, channel replies and
// output, well past it. Who closed does not matter: hydra leaves it to the
// server, an OpenSSH client quits by itself after "Permission denied". An
// idle timeout or the end of the capture says nothing, so those are not
// counted.
func (d *BruteForce) failedLooking(c *packet.Conn) bool {
	if !c.Established || c.ClientBytes == 0 || c.ServerBytes == 0 || c.ClosedBy == packet.CloseTimeout {
		return false
	}
	return c.Duration() < d.maxDur && c.ServerBytes < d.cfg.MaxServerBytes && c.ClientBytes < d.cfg.MaxClientBytes
}

// sessionLooking says whether a finished connection carried a session: the
// server sent more than a refused login can (MaxServerBytes), however it
// ended, the end of the capture included.
func (d *BruteForce) sessionLooking(c *packet.Conn) bool {
	return c.Established && c.ServerBytes >= d.cfg.MaxServerBytes
}

// loginAfterGuessing reports a login by a client already reported for
// guessing against this service, in the same window, once.
func (d *BruteForce) loginAfterGuessing(key bfKey, svc uint8, at int64, pkt packet.PacketRef, what string, emit packet.Emit) {
	c, ok := d.counters.Get(key, at)
	if !ok || !c.fired || c.loggedIn || at-c.winStart >= d.window {
		return
	}
	c.loggedIn = true
	emit(packet.Event{
		SID:         SIDBruteForce,
		Time:        at,
		Attacker:    key.client,
		AttackerMAC: c.mac,
		HasMAC:      c.hasMAC,
		Victim:      key.server,
		VictimPort:  key.port,
		Proto:       packet.ProtoTCP,
		FirstTime:   c.firstTime,
		LastTime:    at,
		First:       c.first,
		Last:        pkt,
		Count:       c.count,
		Kind:        KindLoginAfterGuessing,
		Detail: fmt.Sprintf("%s after %d failed %s logins: the guessing may have succeeded",
			what, c.count, strings.ToUpper(bfKind(svc))),
	})
}

// KindLoginAfterGuessing is the Kind of a brute-force event reporting a
// login by a client already reported for guessing.
const KindLoginAfterGuessing = "login-after-guessing"

// count adds one failure and fires when the window's count reaches the
// threshold, once per window.
func (d *BruteForce) count(a *bfAttempt, emit packet.Emit) {
	c, created := d.counters.Put(a.key, a.lastTime, nil)
	if created || a.lastTime-c.winStart >= d.window {
		*c = bfCounter{
			winStart:  a.lastTime,
			firstTime: a.firstTime,
			first:     a.first,
			mac:       a.mac,
			hasMAC:    a.hasMAC,
		}
	}
	c.count++
	c.lastTime, c.last = a.lastTime, a.last
	c.maxServer = max(c.maxServer, a.serverBytes)
	if c.fired || c.count < uint64(a.threshold) {
		return
	}
	c.fired = true
	span := bfSpan(c.lastTime - c.firstTime)
	var detail string
	if bfByShape(a.svc) {
		detail = fmt.Sprintf("%d failed-looking %s connections in %s (each under %s, server under %d bytes)",
			c.count, strings.ToUpper(bfKind(a.svc)), span, d.cfg.MaxConnDuration, d.cfg.MaxServerBytes)
	} else {
		detail = fmt.Sprintf("%d failed logins (%s) in %s", c.count, bfEvidence(a.svc), span)
	}
	emit(packet.Event{
		SID:         SIDBruteForce,
		Time:        a.lastTime,
		Attacker:    a.key.client,
		AttackerMAC: c.mac,
		HasMAC:      c.hasMAC,
		Victim:      a.key.server,
		VictimPort:  a.key.port,
		Proto:       packet.ProtoTCP,
		FirstTime:   c.firstTime,
		LastTime:    c.lastTime,
		First:       c.first,
		Last:        c.last,
		Count:       c.count,
		Kind:        bfKind(a.svc),
		Detail:      detail,
	})
}

// noteCommand remembers whether a POP3 or IMAP client's last command was a
// login, so that only a refusal of it counts: -ERR and NO also answer a
// missing message or mailbox. SASL continuation lines (base64, no command
// word) leave the state alone.
func (d *BruteForce) noteCommand(f *packet.Facts, svc uint8) {
	p := f.Payload
	var auth, known bool
	if svc == bfPOP3 {
		auth, known = bfPOP3Command(p)
	} else {
		auth, known = bfIMAPCommand(p)
	}
	if !known {
		return
	}
	k := bfConnKey{f.Src, f.Dst, f.SrcPort, f.DstPort}
	if !auth {
		if s, ok := d.conns.Get(k, f.Time); ok {
			s.auth = false
		}
		return
	}
	s, _ := d.conns.Put(k, f.Time, nil)
	s.auth = true
}

// loginPending reports and clears the connection's login state, so one
// refusal counts once.
func (d *BruteForce) loginPending(f *packet.Facts) bool {
	s, ok := d.conns.Get(bfConnKey{f.Dst, f.Src, f.DstPort, f.SrcPort}, f.Time)
	if !ok || !s.auth {
		return false
	}
	s.auth = false
	return true
}

// failedReply recognises a server's login failure with prefix and
// substring tests only: this runs on every server packet of a login port.
func (d *BruteForce) failedReply(f *packet.Facts, svc uint8) bool {
	p := f.Payload
	switch svc {
	case bfFTP:
		return bfFTPFailed(p)
	case bfPOP3:
		return bfFoldPrefix(p, "-ERR") && d.loginPending(f)
	case bfIMAP:
		if bytes.Contains(p, []byte("[AUTHENTICATIONFAILED]")) {
			d.loginPending(f)
			return true
		}
		return bfIMAPTaggedNO(p) && d.loginPending(f)
	case bfTelnet:
		return bfTelnetFailed(p)
	case bfSMB:
		return bfSMBLogonFailure(p)
	case bfVNC:
		return bfVNCFailed(p)
	}
	return false
}

// bfFTPFailed matches reply 530 "Not logged in", single or multi-line
// ("530 Login incorrect.", "530-..."). Zeek counts any 5xx answer to USER or
// PASS; 530 is the one servers use and needs no command tracking.
func bfFTPFailed(p []byte) bool {
	return len(p) >= 4 && p[0] == '5' && p[1] == '3' && p[2] == '0' && (p[3] == ' ' || p[3] == '-')
}

// bfTelnetFailed matches what login(1), BusyBox, network gear and Windows
// telnetd print after a wrong password.
func bfTelnetFailed(p []byte) bool {
	return bytes.Contains(p, []byte("Login incorrect")) ||
		bytes.Contains(p, []byte("Login failed")) ||
		bytes.Contains(p, []byte("Authentication failed")) ||
		bytes.Contains(p, []byte("Access denied"))
}

// NTSTATUS values of a refused session setup.
const (
	bfStatusLogonFailure  = 0xC000006D
	bfStatusWrongPassword = 0xC000006A
)

// bfSMBLogonFailure matches a Session Setup response refusing the
// credentials, in SMB2 (magic FE 'SMB', status at header offset 8, command 1
// at offset 12) or SMB1 (magic FF 'SMB', command 0x73 at offset 4, status at
// offset 5), which hydra and older tools still speak. Both sit after the
// 4-byte NetBIOS session header; fields are little-endian.
func bfSMBLogonFailure(p []byte) bool {
	if len(p) < 4+16 || p[0] != 0 {
		return false
	}
	h := p[4:]
	var status uint32
	switch {
	case h[0] == 0xFE && h[1] == 'S' && h[2] == 'M' && h[3] == 'B':
		if binary.LittleEndian.Uint16(h[12:14]) != 1 {
			return false
		}
		status = binary.LittleEndian.Uint32(h[8:12])
	case h[0] == 0xFF && h[1] == 'S' && h[2] == 'M' && h[3] == 'B':
		if h[4] != 0x73 {
			return false
		}
		status = binary.LittleEndian.Uint32(h[5:9])
	default:
		return false
	}
	return status == bfStatusLogonFailure || status == bfStatusWrongPassword
}

// bfVNCFailed matches an RFB SecurityResult of 1 (failed) or 2 (too many
// attempts): the bare 4 bytes of RFB 3.3/3.7, or followed by a length-prefixed
// reason in 3.8. The length must account for the whole segment, which a
// framebuffer update that happens to start with the same bytes does not.
func bfVNCFailed(p []byte) bool {
	if len(p) < 4 || p[0] != 0 || p[1] != 0 || p[2] != 0 || (p[3] != 1 && p[3] != 2) {
		return false
	}
	if len(p) == 4 {
		return true
	}
	return len(p) > 8 && uint64(binary.BigEndian.Uint32(p[4:8])) == uint64(len(p)-8)
}

// bfPOP3Command says whether a client line is a login command (USER, PASS,
// APOP, AUTH) and whether it is a command at all.
func bfPOP3Command(p []byte) (auth, known bool) {
	if len(p) < 4 {
		return false, false
	}
	if len(p) > 4 && p[4] != ' ' && p[4] != '\r' && p[4] != '\n' {
		return false, false
	}
	for _, c := range p[:4] {
		if c|0x20 < 'a' || c|0x20 > 'z' {
			return false, false
		}
	}
	w := p[:4]
	auth = bfFoldPrefix(w, "USER") || bfFoldPrefix(w, "PASS") ||
		bfFoldPrefix(w, "APOP") || bfFoldPrefix(w, "AUTH")
	return auth, true
}

// bfIMAPCommand says whether a client line ("a001 LOGIN ...") is a login
// command (LOGIN, AUTHENTICATE) and whether it is a tagged command at all.
func bfIMAPCommand(p []byte) (auth, known bool) {
	sp := bytes.IndexByte(p, ' ')
	if sp <= 0 || sp+1 >= len(p) {
		return false, false
	}
	rest := p[sp+1:]
	word := rest
	if end := bytes.IndexAny(rest, " \r\n"); end >= 0 {
		word = rest[:end]
	}
	if len(word) == 0 {
		return false, false
	}
	auth = (len(word) == 5 && bfFoldPrefix(word, "LOGIN")) ||
		(len(word) == 12 && bfFoldPrefix(word, "AUTHENTICATE"))
	return auth, true
}

// bfIMAPTaggedNO matches "<tag> NO ...", leaving out untagged "* NO"
// warnings and "+" continuations.
func bfIMAPTaggedNO(p []byte) bool {
	sp := bytes.IndexByte(p, ' ')
	if sp <= 0 || (sp == 1 && (p[0] == '*' || p[0] == '+')) {
		return false
	}
	return bfFoldPrefix(p[sp+1:], "NO ")
}

// bfFoldPrefix is an ASCII case-insensitive HasPrefix; s must be upper case
// letters, digits or punctuation.
func bfFoldPrefix(p []byte, s string) bool {
	if len(p) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// bfSpan renders a packet-time span the way people read it ("2m10s").
func bfSpan(ns int64) string {
	d := time.Duration(ns)
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
