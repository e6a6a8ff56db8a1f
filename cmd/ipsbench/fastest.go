package main

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// fastestLoop is the honest floor analyze is measured against: the
// fastest loop Go can write over the same capture, with gopacket's own
// zero-copy reader and one DecodingLayerParser, doing one map insert per
// SYN (a count per victim and port, as a SYN-flood detector keeps) and
// nothing else. ipsreplay's own bare loop (analyzer.ReadAndDecode)
// is measured too, but it is ours: a slower floor would flatter us.
func fastestLoop(path string) (packets, bytes uint64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, 0, err
	}
	var (
		eth  layers.Ethernet
		ip4  layers.IPv4
		ip6  layers.IPv6
		tcp  layers.TCP
		udp  layers.UDP
		arp  layers.ARP
		pay  gopacket.Payload
		kind []gopacket.LayerType
	)
	p := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &tcp, &udp, &arp, &pay)
	p.IgnoreUnsupported = true
	type synKey struct {
		dst  netip.Addr
		port uint16
	}
	syns := map[synKey]uint32{}
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if err != nil {
			break
		}
		packets++
		bytes += uint64(ci.Length)
		_ = p.DecodeLayers(data, &kind)
		if len(kind) < 3 || kind[2] != layers.LayerTypeTCP || !tcp.SYN || tcp.ACK {
			continue
		}
		var k synKey
		if kind[1] == layers.LayerTypeIPv4 {
			k.dst, _ = netip.AddrFromSlice(ip4.DstIP)
		} else {
			k.dst, _ = netip.AddrFromSlice(ip6.DstIP)
		}
		k.port = uint16(tcp.DstPort)
		syns[k]++
	}
	if len(syns) == 0 && packets > 0 {
		fmt.Fprintln(os.Stderr, "ipsbench: no SYN in the capture")
	}
	return packets, bytes, nil
}
