package detectors

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

const bfSec = int64(time.Second)

// bfT0 is an arbitrary capture start; offsets in tests are from it.
const bfT0 = int64(1_700_000_000) * bfSec

var (
	bfClient    = netip.MustParseAddr("203.0.113.9")
	bfServer    = netip.MustParseAddr("10.0.0.5")
	bfClientMAC = [6]byte{0x02, 0, 0, 0, 0, 0x09}
)

func bfAt(sec float64) int64 { return bfT0 + int64(sec*float64(bfSec)) }

// bfStep is a packet or a finished connection, in capture order.
type bfStep struct {
	f *packet.Facts
	c *packet.Conn
}

// bfReply is a server-to-client segment from service port sport.
func bfReply(t float64, sport uint16, payload []byte) bfStep {
	return bfStep{f: &packet.Facts{
		Time: bfAt(t), HasEth: true, DstMAC: bfClientMAC,
		L3: packet.L3IPv4, Src: bfServer, Dst: bfClient, Proto: packet.ProtoTCP,
		SrcPort: sport, DstPort: 40000, TCPFlags: packet.TCPAck | packet.TCPPsh,
		Dir: packet.DirToClient, Payload: payload,
	}}
}

// bfCmd is a client-to-server segment to service port dport.
func bfCmd(t float64, dport uint16, payload string) bfStep {
	return bfStep{f: &packet.Facts{
		Time: bfAt(t), HasEth: true, SrcMAC: bfClientMAC,
		L3: packet.L3IPv4, Src: bfClient, Dst: bfServer, Proto: packet.ProtoTCP,
		SrcPort: 40000, DstPort: dport, TCPFlags: packet.TCPAck | packet.TCPPsh,
		Dir: packet.DirToServer, Payload: []byte(payload),
	}}
}

// bfConn is an established connection from the client to port, starting at
// offset start; its packets are numbered 1000*n+1 to 1000*n+pkts for
// connection number n so that First and Last can be checked.
func bfConn(n int, start, dur float64, port uint16, cb, sb uint64, by packet.CloseReason) bfStep {
	return bfStep{c: &packet.Conn{
		Client: bfClient, Server: bfServer, ClientMAC: bfClientMAC,
		ClientPort: uint16(40000 + n), ServerPort: port,
		Start: bfAt(start), End: bfAt(start + dur),
		First:       packet.PacketRef{Num: uint64(1000*n + 1)},
		Last:        packet.PacketRef{Num: uint64(1000*n + 20)},
		Established: true, ClientBytes: cb, ServerBytes: sb,
		ClientPkts: 10, ServerPkts: 10, ClosedBy: by,
	}}
}

// bfRepeat makes n steps, the i-th at offset start+i*every.
func bfRepeat(n int, start, every float64, mk func(i int, t float64) []bfStep) []bfStep {
	var out []bfStep
	for i := range n {
		out = append(out, mk(i, start+float64(i)*every)...)
	}
	return out
}

// bfRun feeds steps in order, numbering packets from 1 and expiring once a
// second of packet time as the analyzer does.
func bfRun(t *testing.T, cfg BruteForceConfig, steps []bfStep) ([]packet.Event, *BruteForce) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	d := NewBruteForce(cfg)
	var evs []packet.Event
	emit := func(e packet.Event) { evs = append(evs, e) }
	var lastExpire, now int64
	num := uint64(0)
	for _, s := range steps {
		if s.f != nil {
			now = s.f.Time
		} else {
			now = s.c.End
		}
		if now-lastExpire >= bfSec {
			d.Expire(now, emit)
			lastExpire = now
		}
		if s.f != nil {
			num++
			s.f.Packet = packet.PacketRef{Num: num}
			d.Observe(s.f, emit)
		} else {
			d.ConnEnded(s.c, emit)
		}
	}
	d.Expire(now, emit)
	return evs, d
}

func bfFTP530(n int, start, every float64) []bfStep {
	return bfRepeat(n, start, every, func(_ int, t float64) []bfStep {
		return []bfStep{bfReply(t, 21, []byte("530 Login incorrect.\r\n"))}
	})
}

// bfSMB2 is a Session Setup (or other command) response with status.
func bfSMB2(cmd uint16, status uint32) []byte {
	p := make([]byte, 4+64+9)
	binary.BigEndian.PutUint32(p[0:4], uint32(len(p)-4))
	h := p[4:]
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:6], 64)
	binary.LittleEndian.PutUint32(h[8:12], status)
	binary.LittleEndian.PutUint16(h[12:14], cmd)
	binary.LittleEndian.PutUint32(h[16:20], 1) // SMB2_FLAGS_SERVER_TO_REDIR
	return p
}

// bfSMB1 is an SMB1 response to command cmd with status.
func bfSMB1(cmd byte, status uint32) []byte {
	p := make([]byte, 4+32+3)
	binary.BigEndian.PutUint32(p[0:4], uint32(len(p)-4))
	h := p[4:]
	copy(h, "\xffSMB")
	h[4] = cmd
	binary.LittleEndian.PutUint32(h[5:9], status)
	return p
}

type bfWant struct {
	kind        string
	port        uint16
	count       uint64
	first, last uint64 // packet numbers; 0 skips the check
	firstTime   float64
	lastTime    float64
	detail      string
}

func TestBruteForce(t *testing.T) {
	const (
		short = 3.0 // seconds a refused SSH connection lasts
		cb    = 2800
		sb    = 2400
	)
	tests := []struct {
		name  string
		cfg   func(*BruteForceConfig)
		steps []bfStep
		want  []bfWant
	}{
		{
			name:  "25 ftp 530s fire once",
			steps: bfFTP530(25, 0, 2),
			want: []bfWant{{
				kind: "ftp", port: 21, count: 20, first: 1, last: 20, firstTime: 0, lastTime: 38,
				detail: "20 failed logins (FTP 530) in 38s",
			}},
		},
		{
			name: "ssh session after the guessing is reported",
			steps: append(bfRepeat(8, 0, 4, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 22, cb, sb, packet.CloseServerFin)}
			}), bfConn(9, 40, 125, 22, 9000, 48000, packet.CloseClientFin)),
			want: []bfWant{
				{kind: "ssh", port: 22, count: 8, detail: "8 failed-looking SSH connections"},
				{kind: KindLoginAfterGuessing, port: 22, count: 8, first: 1001, last: 9020, firstTime: 0, lastTime: 165,
					detail: "SSH session of 2m5s, the server sent 48000 bytes after 8 failed SSH logins: the guessing may have succeeded"},
			},
		},
		{
			// pcaps/lab/hydra-ssh-success: failures 1.2-2.1 KB, then
			// sshpass runs id; uname; ls and leaves: 4.1 KB, under 5500.
			name: "short ssh login, twice the size of the failures, after the report",
			steps: append(bfRepeat(9, 0, 0.5, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, 0.2, 22, 1600, uint64(1195+(i%2)*922), packet.CloseServerFin)}
			}), bfConn(10, 8, 0.33, 22, 3477, 4141, packet.CloseClientFin)),
			want: []bfWant{
				{kind: "ssh", port: 22, count: 8, detail: "8 failed-looking SSH connections"},
				{kind: KindLoginAfterGuessing, port: 22, count: 9,
					detail: "SSH connection of 330ms, the server sent 4141 bytes where its failed-looking ones got at most 2117 after 9 failed SSH logins: the guessing may have succeeded"},
			},
		},
		{
			// hydra spends its first connections on one try each, later
			// ones on six: 1.77 times the size, but only 922 bytes more
			name: "a failure with more tries than the first ones is not a login",
			steps: append(bfRepeat(8, 0, 0.5, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, 0.2, 22, 1600, 1195, packet.CloseServerFin)}
			}), bfConn(9, 8, 0.2, 22, 2100, 2117, packet.CloseServerFin)),
			want: []bfWant{{kind: "ssh", port: 22, count: 8, detail: "8 failed-looking SSH connections"}},
		},
		{
			name: "a session before any report, or after the window, is not reported",
			steps: append(append([]bfStep{bfConn(1, 0, 60, 22, 9000, 48000, packet.CloseClientFin)},
				bfRepeat(8, 100, 4, func(i int, t float64) []bfStep {
					return []bfStep{bfConn(i+2, t, short, 22, cb, sb, packet.CloseServerFin)}
				})...), bfConn(20, 1100, 60, 22, 9000, 48000, packet.CloseClientFin)),
			want: []bfWant{{kind: "ssh", port: 22, count: 8, detail: "8 failed-looking SSH connections"}},
		},
		{
			name: "ftp 230 after the guessing is reported",
			steps: append(bfFTP530(20, 0, 2), bfReply(41, 21, []byte("230 Login successful.\r\n")),
				bfReply(42, 21, []byte("230 Login successful.\r\n"))),
			want: []bfWant{
				{kind: "ftp", port: 21, count: 20, detail: "20 failed logins (FTP 530)"},
				{kind: KindLoginAfterGuessing, port: 21, count: 20, detail: "FTP 230: logged in after 20 failed FTP logins"},
			},
		},
		{
			name:  "5 ftp failures do not fire",
			steps: bfFTP530(5, 0, 2),
		},
		{
			name: "ftp successful logins do not fire",
			steps: bfRepeat(30, 0, 5, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfReply(t, 21, []byte("220 (vsFTPd 3.0.5)\r\n")),
					bfCmd(t+0.1, 21, "USER alice\r\n"),
					bfReply(t+0.2, 21, []byte("331 Please specify the password.\r\n")),
					bfCmd(t+0.3, 21, "PASS right\r\n"),
					bfReply(t+0.4, 21, []byte("230 Login successful.\r\n")),
					bfReply(t+0.5, 21, []byte("150 Here comes the directory listing.\r\n")),
				}
			}),
		},
		{
			name: "ssh hydra-like short server-closed connections",
			steps: bfRepeat(10, 0, 4, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 22, cb, sb, packet.CloseServerFin)}
			}),
			want: []bfWant{{
				kind: "ssh", port: 22, count: 8, first: 1001, last: 8020, firstTime: 0, lastTime: 31,
				detail: "8 failed-looking SSH connections in 31s (each under 30s, server under 5500 bytes",
			}},
		},
		{
			name: "ssh resets count too",
			steps: bfRepeat(8, 0, 4, func(i int, t float64) []bfStep {
				by := packet.CloseServerRst
				if i%2 == 1 {
					by = packet.CloseClientRst
				}
				return []bfStep{bfConn(i+1, t, short, 22, cb, sb, by)}
			}),
			want: []bfWant{{kind: "ssh", port: 22, count: 8}},
		},
		{
			name: "rdp on a custom port",
			cfg: func(c *BruteForceConfig) {
				c.Services = append(c.Services, BruteForceService{Port: 13389, Service: "rdp"})
			},
			steps: bfRepeat(8, 0, 4, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 13389, 3500, 4000, packet.CloseServerFin)}
			}),
			want: []bfWant{{kind: "rdp", port: 13389, count: 8}},
		},
		{
			name: "three successful ssh sessions",
			steps: []bfStep{
				bfConn(1, 0, 600, 22, 40_000, 900_000, packet.CloseClientFin),
				bfConn(2, 700, 5, 22, 4000, 9000, packet.CloseClientFin),  // "ssh host uptime"
				bfConn(3, 800, 20, 22, 3000, 5000, packet.CloseClientFin), // quick login and exit
			},
		},
		{
			name: "short ssh logins the client closes are not failures",
			// a login's server side carries host keys, channel replies
			// and output: past the authentication-size ceiling
			steps: bfRepeat(20, 0, 4, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 22, cb+900, 7400, packet.CloseClientFin)}
			}),
		},
		{
			name: "openssh client giving up after each refusal (zeek sshguess shape)",
			steps: bfRepeat(11, 0, 6, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, 4.5, 22, 2581, 2336, packet.CloseClientFin)}
			}),
			want: []bfWant{{kind: "ssh", port: 22, count: 8}},
		},
		{
			name: "long interactive ssh",
			steps: []bfStep{
				bfConn(1, 0, 7200, 22, 2_000_000, 30_000_000, packet.CloseServerFin),
				bfConn(2, 7300, 300, 22, 9000, 5000, packet.CloseServerFin), // long but small
			},
		},
		{
			name: "refused and silent connections are not logins",
			steps: bfRepeat(20, 0, 1, func(i int, t float64) []bfStep {
				s := bfConn(i+1, t, 0.01, 22, 0, 0, packet.CloseServerRst)
				if i%2 == 0 {
					s.c.Established = false
				}
				return []bfStep{s}
			}),
		},
		{
			name: "connections at the end of the capture say nothing",
			steps: bfRepeat(10, 0, 1, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 22, cb, sb, packet.CloseTimeout)}
			}),
		},
		{
			name: "pop3 failed logins",
			steps: bfRepeat(20, 0, 3, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfCmd(t, 110, "USER bob\r\n"),
					bfReply(t+0.1, 110, []byte("+OK\r\n")),
					bfCmd(t+0.2, 110, "PASS guess\r\n"),
					bfReply(t+0.3, 110, []byte("-ERR [AUTH] Authentication failed.\r\n")),
				}
			}),
			want: []bfWant{{kind: "pop3", port: 110, count: 20, first: 4, last: 80, firstTime: 0.3, lastTime: 57.3, detail: "(POP3 -ERR)"}},
		},
		{
			name: "pop3 errors after login do not count",
			steps: append([]bfStep{
				bfCmd(0, 110, "USER bob\r\n"),
				bfReply(0.1, 110, []byte("+OK\r\n")),
				bfCmd(0.2, 110, "PASS right\r\n"),
				bfReply(0.3, 110, []byte("+OK Logged in.\r\n")),
			}, bfRepeat(25, 1, 1, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfCmd(t, 110, "RETR 99\r\n"),
					bfReply(t+0.1, 110, []byte("-ERR There's no message 99.\r\n")),
				}
			})...),
		},
		{
			name: "imap failed logins",
			steps: bfRepeat(20, 0, 3, func(i int, t float64) []bfStep {
				reply := "a001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
				if i%2 == 1 {
					reply = "a001 no Login failed\r\n"
				}
				return []bfStep{
					bfCmd(t, 143, "a001 LOGIN bob guess\r\n"),
					bfReply(t+0.1, 143, []byte(reply)),
				}
			}),
			want: []bfWant{{kind: "imap", port: 143, count: 20, detail: "(IMAP NO)"}},
		},
		{
			name: "imap sasl failure",
			steps: bfRepeat(20, 0, 3, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfCmd(t, 143, "A1 AUTHENTICATE PLAIN\r\n"),
					bfReply(t+0.1, 143, []byte("+ \r\n")),
					bfCmd(t+0.2, 143, "AGJvYgBndWVzcw==\r\n"),
					bfReply(t+0.3, 143, []byte("A1 NO Authentication failed\r\n")),
				}
			}),
			want: []bfWant{{kind: "imap", port: 143, count: 20}},
		},
		{
			name: "imap NO to other commands does not count",
			steps: append([]bfStep{
				bfCmd(0, 143, "a1 LOGIN bob right\r\n"),
				bfReply(0.1, 143, []byte("a1 OK Logged in\r\n")),
			}, bfRepeat(25, 1, 1, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfCmd(t, 143, "a2 SELECT Nope\r\n"),
					bfReply(t+0.1, 143, []byte("a2 NO [NONEXISTENT] Mailbox doesn't exist: Nope\r\n")),
					bfReply(t+0.2, 143, []byte("* NO [ALERT] quota nearly full\r\n")),
				}
			})...),
		},
		{
			name: "telnet failed logins",
			steps: bfRepeat(20, 0, 4, func(i int, t float64) []bfStep {
				msg := "\r\nLogin incorrect\r\nlogin: "
				if i%2 == 1 {
					msg = "\r\n% Login failed\r\n"
				}
				return []bfStep{
					bfReply(t, 23, []byte("Password: ")),
					bfReply(t+1, 23, []byte(msg)),
				}
			}),
			want: []bfWant{{kind: "telnet", port: 23, count: 20, detail: "(Telnet login failure)"}},
		},
		{
			name: "smb logon failures, smb2 and smb1",
			steps: bfRepeat(20, 0, 1, func(i int, t float64) []bfStep {
				p := bfSMB2(1, bfStatusLogonFailure)
				if i%2 == 1 {
					p = bfSMB1(0x73, bfStatusLogonFailure)
				}
				return []bfStep{bfReply(t, 445, p)}
			}),
			want: []bfWant{{kind: "smb", port: 445, count: 20, detail: "(SMB STATUS_LOGON_FAILURE)"}},
		},
		{
			name: "smb other statuses do not count",
			steps: bfRepeat(25, 0, 1, func(_ int, t float64) []bfStep {
				return []bfStep{
					bfReply(t, 445, bfSMB2(1, 0xC0000016)), // MORE_PROCESSING_REQUIRED
					bfReply(t, 445, bfSMB2(1, 0)),
					bfReply(t, 445, bfSMB2(5, bfStatusLogonFailure)), // not a session setup
				}
			}),
		},
		{
			name: "vnc failed security results",
			steps: bfRepeat(20, 0, 1, func(i int, t float64) []bfStep {
				p := []byte{0, 0, 0, 1}
				if i%2 == 1 {
					p = append([]byte{0, 0, 0, 1, 0, 0, 0, 21}, "Authentication failed"...)
				}
				return []bfStep{bfReply(t, 5900, p)}
			}),
			want: []bfWant{{kind: "vnc", port: 5900, count: 20}},
		},
		{
			name:  "a window that expires starts over",
			steps: append(bfFTP530(15, 0, 10), bfFTP530(15, 1000, 10)...),
		},
		{
			name: "a later window fires again",
			// Fires at 190s, 10 more in the window, a new window from 1000s.
			steps: append(bfFTP530(30, 0, 10), bfFTP530(20, 1000, 1)...),
			want: []bfWant{
				{kind: "ftp", port: 21, count: 20, first: 1, last: 20, firstTime: 0, lastTime: 190},
				{kind: "ftp", port: 21, count: 20, first: 31, last: 50, firstTime: 1000, lastTime: 1019},
			},
		},
		{
			name: "conn threshold off",
			cfg:  func(c *BruteForceConfig) { c.ConnThreshold = 0 },
			steps: bfRepeat(10, 0, 4, func(i int, t float64) []bfStep {
				return []bfStep{bfConn(i+1, t, short, 22, cb, sb, packet.CloseServerFin)}
			}),
		},
		{
			name:  "ports not configured are ignored",
			cfg:   func(c *BruteForceConfig) { c.Services = c.Services[:1] }, // ftp only
			steps: bfRepeat(25, 0, 1, func(_ int, t float64) []bfStep { return []bfStep{bfReply(t, 5900, []byte{0, 0, 0, 1})} }),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultBruteForceConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			evs, _ := bfRun(t, cfg, tc.steps)
			if len(evs) != len(tc.want) {
				for _, e := range evs {
					t.Logf("got %s count=%d: %s", e.Kind, e.Count, e.Detail)
				}
				t.Fatalf("got %d events, want %d", len(evs), len(tc.want))
			}
			for i, w := range tc.want {
				bfCheck(t, evs[i], w)
			}
		})
	}
}

func bfCheck(t *testing.T, e packet.Event, w bfWant) {
	t.Helper()
	if e.SID != SIDBruteForce || e.Proto != packet.ProtoTCP {
		t.Errorf("sid %d proto %d", e.SID, e.Proto)
	}
	if e.Kind != w.kind || e.VictimPort != w.port {
		t.Errorf("kind %q port %d, want %q %d", e.Kind, e.VictimPort, w.kind, w.port)
	}
	if e.Attacker != bfClient || e.Victim != bfServer {
		t.Errorf("attacker %v victim %v, want %v %v", e.Attacker, e.Victim, bfClient, bfServer)
	}
	if !e.HasMAC || e.AttackerMAC != bfClientMAC {
		t.Errorf("attacker mac %v (has %v)", e.AttackerMAC, e.HasMAC)
	}
	if e.Count != w.count {
		t.Errorf("count %d, want %d", e.Count, w.count)
	}
	if w.first != 0 && (e.First.Num != w.first || e.Last.Num != w.last) {
		t.Errorf("packets %d-%d, want %d-%d", e.First.Num, e.Last.Num, w.first, w.last)
	}
	if w.first != 0 && (e.FirstTime != bfAt(w.firstTime) || e.LastTime != bfAt(w.lastTime)) {
		t.Errorf("times %d-%d, want %d-%d", e.FirstTime-bfT0, e.LastTime-bfT0, bfAt(w.firstTime)-bfT0, bfAt(w.lastTime)-bfT0)
	}
	if e.Time != e.LastTime {
		t.Errorf("fired at %d, last %d", e.Time, e.LastTime)
	}
	if !strings.Contains(e.Detail, w.detail) {
		t.Errorf("detail %q lacks %q", e.Detail, w.detail)
	}
}

func TestBruteForceRecognisers(t *testing.T) {
	tests := []struct {
		name string
		fn   func([]byte) bool
		in   string
		want bool
	}{
		{"ftp 530", bfFTPFailed, "530 Login incorrect.\r\n", true},
		{"ftp 530 multiline", bfFTPFailed, "530-Sorry\r\n530 Bye\r\n", true},
		{"ftp 230", bfFTPFailed, "230 Login successful.\r\n", false},
		{"ftp 5300", bfFTPFailed, "5300 odd\r\n", false},
		{"ftp short", bfFTPFailed, "530", false},
		{"telnet linux", bfTelnetFailed, "\r\nLogin incorrect\r\n", true},
		{"telnet cisco", bfTelnetFailed, "% Authentication failed\r\n", true},
		{"telnet prompt", bfTelnetFailed, "Password: ", false},
		{"telnet shell", bfTelnetFailed, "Last login: Mon\r\n$ ", false},
		{"smb2 logon failure", bfSMBLogonFailure, string(bfSMB2(1, bfStatusLogonFailure)), true},
		{"smb2 wrong password", bfSMBLogonFailure, string(bfSMB2(1, bfStatusWrongPassword)), true},
		{"smb2 success", bfSMBLogonFailure, string(bfSMB2(1, 0)), false},
		{"smb2 tree connect failure", bfSMBLogonFailure, string(bfSMB2(3, bfStatusLogonFailure)), false},
		{"smb1 logon failure", bfSMBLogonFailure, string(bfSMB1(0x73, bfStatusLogonFailure)), true},
		{"smb1 negotiate", bfSMBLogonFailure, string(bfSMB1(0x72, bfStatusLogonFailure)), false},
		{"smb truncated", bfSMBLogonFailure, string(bfSMB2(1, bfStatusLogonFailure)[:12]), false},
		{"smb not netbios", bfSMBLogonFailure, "\x85" + string(bfSMB2(1, bfStatusLogonFailure)[1:]), false},
		{"vnc 3.3 failed", bfVNCFailed, "\x00\x00\x00\x01", true},
		{"vnc 3.8 failed", bfVNCFailed, "\x00\x00\x00\x01\x00\x00\x00\x04nope", true},
		{"vnc ok", bfVNCFailed, "\x00\x00\x00\x00", false},
		{"vnc update", bfVNCFailed, "\x00\x00\x00\x01\x00\x10\x00\x20\x03\x00\x02\x00\x00\x00\x00\x00", false},
		{"imap tagged no", bfIMAPTaggedNO, "a001 NO [AUTHENTICATIONFAILED] x\r\n", true},
		{"imap untagged no", bfIMAPTaggedNO, "* NO warning\r\n", false},
		{"imap ok", bfIMAPTaggedNO, "a001 OK done\r\n", false},
		{"imap notice", bfIMAPTaggedNO, "a001 NOTICE\r\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fn([]byte(tc.in)); got != tc.want {
				t.Fatalf("%q: got %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestBruteForceCommands(t *testing.T) {
	tests := []struct {
		name        string
		fn          func([]byte) (bool, bool)
		in          string
		auth, known bool
	}{
		{"pop3 user", bfPOP3Command, "USER bob\r\n", true, true},
		{"pop3 pass lower", bfPOP3Command, "pass x\r\n", true, true},
		{"pop3 auth bare", bfPOP3Command, "AUTH\r\n", true, true},
		{"pop3 stat", bfPOP3Command, "STAT\r\n", false, true},
		{"pop3 sasl line", bfPOP3Command, "AGJvYgBndWVzcw==\r\n", false, false},
		{"imap login", bfIMAPCommand, "a1 login bob x\r\n", true, true},
		{"imap authenticate", bfIMAPCommand, "A2 AUTHENTICATE PLAIN\r\n", true, true},
		{"imap select", bfIMAPCommand, "a3 SELECT INBOX\r\n", false, true},
		{"imap logout", bfIMAPCommand, "a4 LOGOUT\r\n", false, true},
		{"imap sasl line", bfIMAPCommand, "AGJvYgBndWVzcw==\r\n", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth, known := tc.fn([]byte(tc.in))
			if auth != tc.auth || known != tc.known {
				t.Fatalf("%q: got auth=%v known=%v, want %v %v", tc.in, auth, known, tc.auth, tc.known)
			}
		})
	}
}

func TestBruteForceEvictionCounted(t *testing.T) {
	cfg := DefaultBruteForceConfig()
	cfg.MaxTracked = 2
	d := NewBruteForce(cfg)
	emit := func(e packet.Event) { t.Fatalf("unexpected event %s", e.Detail) }
	for i := range 5 {
		s := bfReply(float64(i), 21, []byte("530 Login incorrect.\r\n"))
		s.f.Dst = netip.AddrFrom4([4]byte{198, 51, 100, byte(i)})
		d.Observe(s.f, emit)
	}
	if got := d.Evicted(); got != 3 {
		t.Fatalf("evicted %d, want 3", got)
	}
	d.Expire(bfAt(3600), emit)
	if got := d.counters.Len(); got != 0 {
		t.Fatalf("counters after an hour %d, want 0", got)
	}
}

func TestBruteForceConfigValidate(t *testing.T) {
	if err := DefaultBruteForceConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*BruteForceConfig)
		want string
	}{
		{"unknown service", func(c *BruteForceConfig) { c.Services[1].Service = "sshd" },
			`services[1].service: "sshd" is not one of ssh, rdp, ftp, telnet, smb, vnc, pop3, imap`},
		{"port zero", func(c *BruteForceConfig) { c.Services[0].Port = 0 }, "services[0].port: 0 is out of range, want 1 to 65535"},
		{"duplicate port", func(c *BruteForceConfig) { c.Services[2].Port = 21 }, "services[2].port: 21 is already services[0].port"},
		{"zero window", func(c *BruteForceConfig) { c.Window = 0 }, "window: 0s is out of range, want 1s to 24h0m0s"},
		{"zero threshold", func(c *BruteForceConfig) { c.Threshold = 0 }, "threshold: 0 is out of range, want 1 to 1048576"},
		{"negative conn threshold", func(c *BruteForceConfig) { c.ConnThreshold = -1 }, "conn_threshold: -1 is out of range"},
		{"tiny duration", func(c *BruteForceConfig) { c.MaxConnDuration = packet.Duration(time.Millisecond) }, "max_conn_duration: 1ms is out of range"},
		{"zero server bytes", func(c *BruteForceConfig) { c.MaxServerBytes = 0 }, "max_server_bytes: 0 is out of range"},
		{"zero tracked", func(c *BruteForceConfig) { c.MaxTracked = 0 }, "max_tracked: 0 is out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultBruteForceConfig()
			tc.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkBruteForceBenign runs ordinary sessions on login and other ports:
// web traffic, a successful FTP, POP3 and IMAP login, SSH and Telnet output
// and finished successful SSH connections; steady state must not allocate.
func BenchmarkBruteForceBenign(b *testing.B) {
	var steps []bfStep
	steps = append(steps,
		bfCmd(0, 80, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		bfReply(0, 80, []byte("HTTP/1.1 200 OK\r\n\r\n")),
		bfReply(0, 21, []byte("220 (vsFTPd 3.0.5)\r\n")),
		bfCmd(0, 21, "USER alice\r\n"),
		bfReply(0, 21, []byte("331 Please specify the password.\r\n")),
		bfReply(0, 21, []byte("230 Login successful.\r\n")),
		bfCmd(0, 110, "USER bob\r\n"),
		bfReply(0, 110, []byte("+OK\r\n")),
		bfCmd(0, 110, "PASS right\r\n"),
		bfReply(0, 110, []byte("+OK Logged in.\r\n")),
		bfCmd(0, 110, "STAT\r\n"),
		bfReply(0, 110, []byte("-ERR odd\r\n")),
		bfCmd(0, 143, "a1 LOGIN bob right\r\n"),
		bfReply(0, 143, []byte("a1 OK Logged in\r\n")),
		bfCmd(0, 143, "a2 SELECT Nope\r\n"),
		bfReply(0, 143, []byte("a2 NO [NONEXISTENT] no\r\n")),
		bfReply(0, 22, make([]byte, 1200)),
		bfReply(0, 23, []byte("Last login: Mon Jan 1\r\n$ ")),
		bfReply(0, 445, bfSMB2(1, 0)),
		bfReply(0, 5900, []byte{0, 0, 0, 0}),
		bfConn(1, 0, 600, 22, 40_000, 900_000, packet.CloseClientFin),
		// The POP3 and IMAP sessions end, dropping their command state.
		bfStep{c: &packet.Conn{Client: bfClient, Server: bfServer, ClientPort: 40000, ServerPort: 110, Established: true}},
		bfStep{c: &packet.Conn{Client: bfClient, Server: bfServer, ClientPort: 40000, ServerPort: 143, Established: true}},
	)
	d := NewBruteForce(DefaultBruteForceConfig())
	emit := func(e packet.Event) { b.Fatalf("benign traffic fired: %s", e.Detail) }
	now := bfT0
	step := func(i int) {
		s := steps[i%len(steps)]
		now += int64(time.Millisecond)
		if s.f != nil {
			s.f.Time = now
			d.Observe(s.f, emit)
		} else {
			s.c.Start, s.c.End = now-int64(10*time.Minute), now
			d.ConnEnded(s.c, emit)
		}
		if i%1000 == 0 {
			d.Expire(now, emit)
		}
	}
	for i := range 4 * len(steps) {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		step(i)
	}
}
