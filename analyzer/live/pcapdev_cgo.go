//go:build cgo

package live

import "github.com/google/gopacket/pcap"

// pcapDevice reports whether libpcap lists name among its devices (which
// include pseudo-devices such as "any" that net.Interfaces does not).
func pcapDevice(name string) bool {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return false
	}
	for _, d := range devs {
		if d.Name == name {
			return true
		}
	}
	return false
}
