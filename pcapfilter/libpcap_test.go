//go:build cgo

package pcapfilter

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcap"
	"github.com/google/gopacket/pcapgo"
	"golang.org/x/net/bpf"
)

// compareExprs are the expressions checked against libpcap: every kind of
// primitive, abbreviations, and the relations tcpdump users write.
var compareExprs = []string{
	"tcp", "udp", "icmp", "icmp6", "ip", "ip6", "arp", "sctp", "igmp",
	"host 10.77.0.25", "src host 10.77.0.25", "dst host 10.77.0.5", "host 10.77.0.25 or 10.77.0.5",
	"ip host 10.77.0.1", "arp host 10.77.0.1", "src or dst host 10.77.0.6", "src and dst net 10.77.0.0/24",
	"net 10.77.0.0/24", "src net 10.0.0.0/8", "dst net 192.168", "net 10.77.0.0 mask 255.255.255.0",
	"port 80", "tcp port 22", "udp port 53", "dst port 443", "src port 22 or 21", "port http", "tcp dst 80",
	"portrange 1-1024", "tcp dst portrange 20-25", "udp src portrange 1024-65535",
	"not tcp", "tcp and not port 22", "(tcp or udp) and not host 10.77.0.5", "! arp && ! ip6",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", "tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-rst != 0",
	"ip[8] < 64", "ip[6:2] & 0x1fff != 0", "len > 100", "len <= 60", "greater 200", "less 60",
	"ether broadcast", "multicast", "ether multicast", "ip multicast", "ip6 multicast", "broadcast",
	"vlan", "vlan 100", "vlan and tcp", "not vlan",
	"ip proto 17", "ip proto \\udp", "ip6 proto 58", "proto 6", "ether proto 0x0806", "ether proto \\arp",
	"ether host 52:54:00:4c:ab:26", "ether src 52:54:00:4c:ab:26", "ether dst ff:ff:ff:ff:ff:ff",
	"icmp[icmptype] == icmp-echo", "icmp[0] = 8 or icmp[0] = 0", "udp[8:2] > 0", "icmp6[icmp6type] == icmp6-echo",
	"tcp src port 80 or tcp dst port 80", "udp and (dst port 53 or src port 53)",
	"ip and ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0",
	"tcp[(tcp[12]>>2):4] = 0x47455420", "ether[0] & 1 = 0", "ip[0] & 0xf > 5", "len - 14 > 40 * 2",
	"ip6 host fe80::5054:ff:fe4c:ab26", "ip6 net fe80::/10", "arp[6:2] = 2", "ip[1] % 4 = 0", "ip[9] ^ 6 = 0",
	"udp[0:2] / 2 > 100", "-ip[8] != 0", "ip[8] >> 1 = 32",
}

// TestMatchesLibpcap runs each expression compiled by us and by libpcap
// over every packet of the bundled and lab captures (and the shared
// corpus's where present): both must accept the same packets.
func TestMatchesLibpcap(t *testing.T) {
	files, _ := filepath.Glob("../pcaps/*.pcap")
	lab, _ := filepath.Glob("../pcaps/lab/*.pcap")
	shared, _ := filepath.Glob("../../shared/corpus/*/*/*.pcap")
	files = append(append(files, lab...), shared...)
	if len(files) == 0 {
		t.Fatal("no captures in ../pcaps")
	}
	type progs struct{ ours, theirs *bpf.VM }
	compiled := map[uint32]map[string]progs{}
	compared := 0
	for _, file := range files {
		link, pkts := readCapture(t, file)
		if _, ok := layoutOf(link); !ok {
			continue
		}
		if compiled[link] == nil {
			compiled[link] = map[string]progs{}
			for _, expr := range compareExprs {
				ours, err := compile(expr, link, 262144)
				if err != nil {
					if _, lerr := pcap.CompileBPFFilter(linkTypeOf(link), 262144, expr); lerr == nil {
						t.Errorf("link %d %q: we refuse what libpcap compiles: %v", link, expr, err)
					}
					continue
				}
				raw, err := pcap.CompileBPFFilter(linkTypeOf(link), 262144, expr)
				if err != nil {
					continue // e.g. vlan on a cooked capture: libpcap's own choice
				}
				theirs := make([]bpf.Instruction, len(raw))
				for i, r := range raw {
					theirs[i] = bpf.RawInstruction{Op: r.Code, Jt: r.Jt, Jf: r.Jf, K: r.K}.Disassemble()
				}
				vo, err := bpf.NewVM(ours)
				if err != nil {
					t.Fatalf("%q: our program: %v", expr, err)
				}
				vt, err := bpf.NewVM(theirs)
				if err != nil {
					t.Fatalf("%q: libpcap's program: %v", expr, err)
				}
				compiled[link][expr] = progs{vo, vt}
			}
		}
		for expr, pr := range compiled[link] {
			for i, pkt := range pkts {
				a, errA := pr.ours.Run(pkt)
				b, errB := pr.theirs.Run(pkt)
				if (a > 0 && errA == nil) != (b > 0 && errB == nil) {
					t.Errorf("%s#%d, %q: ours %v, libpcap %v", file, i+1, expr, a > 0, b > 0)
				}
				compared++
			}
		}
	}
	links := make([]uint32, 0, len(compiled))
	for l := range compiled {
		links = append(links, l)
	}
	slices.Sort(links)
	t.Logf("%d packet and expression pairs compared, link types %v", compared, links)
}

func readCapture(t *testing.T, file string) (uint32, [][]byte) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return 0xffffffff, nil // pcapng or broken: covered elsewhere
	}
	var pkts [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF || err != nil {
			break
		}
		pkts = append(pkts, data)
	}
	return uint32(r.LinkType()), pkts
}

func linkTypeOf(link uint32) layers.LinkType { return layers.LinkType(link) }
