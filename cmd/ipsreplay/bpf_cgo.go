//go:build cgo

package main

import (
	"fmt"
	"strings"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcap"
	"golang.org/x/net/bpf"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// bpfSnaplen is the snapshot length filters are compiled for: whole
// packets, as tcpdump reads files.
const bpfSnaplen = 262144

// compileFilter compiles a tcpdump filter expression with libpcap's own
// compiler, so it means what it means to tcpdump, and runs the program in
// a pure-Go BPF machine. It is compiled for Ethernet at once, so a bad
// expression is a usage error before the run, and for any other link type
// when its first packet comes. A link type the expression cannot apply to
// (arp on raw IP, or a type libpcap's 8-bit interface in gopacket cannot
// name) passes no packets and is reported through warn, once.
func compileFilter(expr string, warn func(string)) (analyzer.PacketFilter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	vms := map[analyzer.LinkType]*bpf.VM{}
	compile := func(link analyzer.LinkType) (*bpf.VM, error) {
		if link > 0xff {
			return nil, fmt.Errorf("link type %s: libpcap's compiler is not reachable for it here", link)
		}
		prog, err := pcap.CompileBPFFilter(layers.LinkType(link), bpfSnaplen, expr)
		if err != nil {
			return nil, fmt.Errorf("%s", lowerFirst(err.Error()))
		}
		raw := make([]bpf.Instruction, len(prog))
		for i, in := range prog {
			raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}.Disassemble()
		}
		return bpf.NewVM(raw)
	}
	vm, err := compile(analyzer.LinkEthernet)
	if err != nil {
		return nil, usagef("--bpf %q: %v", expr, err)
	}
	vms[analyzer.LinkEthernet] = vm
	return func(link analyzer.LinkType, data []byte, _ int) bool {
		vm, ok := vms[link]
		if !ok {
			var err error
			if vm, err = compile(link); err != nil {
				warn(fmt.Sprintf("--bpf %q: %v; its packets are left out", expr, err))
			}
			vms[link] = vm // nil: none pass
		}
		if vm == nil {
			return false
		}
		n, err := vm.Run(data)
		return err == nil && n > 0
	}, nil
}

// lowerFirst lowercases the first letter of libpcap's messages so they
// read as ours do.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
