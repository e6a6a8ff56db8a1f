package pktsel

import (
	"os"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// writeEmptyPcap writes an Ethernet pcap with no packets.
func writeEmptyPcap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pcapgo.NewWriter(f).WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
