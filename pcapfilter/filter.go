// Package pcapfilter compiles tcpdump filter expressions (pcap-filter(7))
// into classic BPF in pure Go, so captures can be filtered as tcpdump,
// Suricata's -F and Zeek's -f filter them on any build, cgo or not.
//
// It covers what filters on captures use: host, net, port, portrange with
// src/dst and a protocol (ether, ip, ip6, arp, rarp, tcp, udp, sctp, icmp,
// icmp6), protocol names, ip/ip6/ether proto, vlan, greater, less,
// broadcast and multicast, and relations over packet bytes
// (tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn, ip[8] < 64, len > 100),
// joined with and, or, not and parentheses, with tcpdump's abbreviations
// (host a or b). The programs follow libpcap's for the same expression
// (its tests compare both on the bundled captures); what it does not
// cover (host names, gateway, protochain, other link layers) is an error
// naming the word.
package pcapfilter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// Filter is a compiled expression for one link type.
type Filter struct {
	expr string
	prog []bpf.Instruction
	vm   *bpf.VM
}

// Compile compiles expr for captures of linkType (a LINKTYPE_ value).
// snaplen is what a matching packet's program returns, as libpcap's does.
func Compile(expr string, linkType uint32, snaplen int) (*Filter, error) {
	prog, err := compile(expr, linkType, uint32(snaplen))
	if err != nil {
		return nil, err
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %v", expr, err)
	}
	return &Filter{expr: expr, prog: prog, vm: vm}, nil
}

// Check reports whether expr is a valid expression, for any link type it
// can be compiled for: a usage error before any capture is opened.
func Check(expr string) error {
	_, err := compile(expr, linkEthernet, 262144)
	return err
}

// Match reports whether the filter accepts a packet's captured bytes.
func (f *Filter) Match(data []byte) bool {
	n, err := f.vm.Run(data)
	return err == nil && n > 0
}

// Program returns the BPF program, as for a socket filter.
func (f *Filter) Program() []bpf.Instruction { return f.prog }

// String returns the expression.
func (f *Filter) String() string { return f.expr }
