package analyzer

import (
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	"github.com/ipsreplay/ipsreplay/detectors"
)

// hypervisorOUIs are the MAC prefixes hypervisors give guest NICs.
var hypervisorOUIs = []struct {
	prefix [3]byte
	vendor string
}{
	{[3]byte{0x00, 0x05, 0x69}, "VMware"},
	{[3]byte{0x00, 0x0c, 0x29}, "VMware"},
	{[3]byte{0x00, 0x1c, 0x14}, "VMware"},
	{[3]byte{0x00, 0x50, 0x56}, "VMware"},
	{[3]byte{0x08, 0x00, 0x27}, "VirtualBox"},
	{[3]byte{0x0a, 0x00, 0x27}, "VirtualBox"},
	{[3]byte{0x00, 0x1c, 0x42}, "Parallels"},
	{[3]byte{0x52, 0x54, 0x00}, "QEMU/KVM"},
	{[3]byte{0x00, 0x15, 0x5d}, "Hyper-V"},
	{[3]byte{0x00, 0x03, 0xff}, "Microsoft Virtual PC"},
	{[3]byte{0x00, 0x16, 0x3e}, "Xen"},
}

// HypervisorVendor names the hypervisor whose OUI mac carries, or "".
func HypervisorVendor(mac [6]byte) string {
	for _, o := range hypervisorOUIs {
		if [3]byte(mac[:3]) == o.prefix {
			return o.vendor
		}
	}
	return ""
}

// guestVMARPKind reports the ARP alert kinds a guest VM produces when it is
// re-created or migrated: its address moves to a new MAC. Claiming the
// gateway, forging Ethernet sources or answering unasked are what poisoning
// tools do.
func guestVMARPKind(kind string) bool {
	switch kind {
	case "binding-change", "gratuitous", "many-ips":
		return true
	}
	return false
}

// hostKey identifies an alerting host: by address when known, else by MAC.
type hostKey struct {
	addr netip.Addr
	mac  [6]byte
}

type hostEvidence struct {
	key      hostKey
	mac      [6]byte
	hasMAC   bool
	alerts   uint64
	sids     map[uint32]uint64
	scanKind map[string]int
	victims  map[netip.Addr]bool
	ports    map[uint16]bool
	probes   uint64
	arpKinds map[string]int
	flood    bool
}

// classifyFalsePositives looks at which hosts caused which alerts and
// flags the ones that look like internal scanners or guest VMs. A host that
// floods or poisons ARP caches like an attacker is never flagged.
func classifyFalsePositives(events []detectors.Event) []FalsePositive {
	hosts := map[hostKey]*hostEvidence{}
	var order []*hostEvidence
	for i := range events {
		ev := &events[i]
		if ev.Spoofed {
			continue
		}
		k := hostKey{addr: ev.Attacker.Unmap()}
		if !k.addr.IsValid() {
			if !ev.HasMAC {
				continue
			}
			k.mac = ev.AttackerMAC
		}
		h := hosts[k]
		if h == nil {
			h = &hostEvidence{key: k, sids: map[uint32]uint64{}, scanKind: map[string]int{},
				victims: map[netip.Addr]bool{}, ports: map[uint16]bool{}, arpKinds: map[string]int{}}
			hosts[k] = h
			order = append(order, h)
		}
		if ev.HasMAC && !h.hasMAC {
			h.mac, h.hasMAC = ev.AttackerMAC, true
		}
		h.alerts++
		h.sids[ev.SID]++
		switch ev.SID {
		case detectors.SIDPortScan:
			h.scanKind[ev.Kind]++
			h.probes += ev.Count
			if ev.Victim.IsValid() {
				h.victims[ev.Victim] = true
			}
			if ev.VictimPort != 0 {
				h.ports[ev.VictimPort] = true
			}
		case detectors.SIDARPPoison:
			h.arpKinds[ev.Kind]++
		case detectors.SIDSynFlood:
			h.flood = true
		}
	}
	var out []FalsePositive
	for _, h := range order {
		if fp, ok := guestVMVerdict(h); ok {
			out = append(out, fp)
		} else if fp, ok := scannerVerdict(h); ok {
			out = append(out, fp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessHost(out[i].Host, out[j].Host) })
	return out
}

func guestVMVerdict(h *hostEvidence) (FalsePositive, bool) {
	if !h.hasMAC {
		return FalsePositive{}, false
	}
	vendor := HypervisorVendor(h.mac)
	if vendor == "" || h.flood || h.sids[detectors.SIDARPPoison] == 0 {
		return FalsePositive{}, false
	}
	for kind := range h.arpKinds {
		if !guestVMARPKind(kind) {
			return FalsePositive{}, false // e.g. claims the gateway
		}
	}
	mac := net.HardwareAddr(h.mac[:]).String()
	evidence := []string{
		fmt.Sprintf("MAC %s has a %s OUI (%02X:%02X:%02X)", mac, vendor, h.mac[0], h.mac[1], h.mac[2]),
		fmt.Sprintf("ARP alerts only of kinds a re-created or bridged VM causes: %s", kindList(h.arpKinds)),
	}
	confidence := "high"
	if len(h.sids) > 1 {
		confidence = "medium"
		evidence = append(evidence, fmt.Sprintf("also fired %d other signature kinds", len(h.sids)-1))
	}
	return FalsePositive{
		Host:       hostName(h),
		MAC:        mac,
		Verdict:    "guest-vm",
		Confidence: confidence,
		Reason:     vendor + " guest VM bridged on the LAN: its address moved between virtual NICs",
		Evidence:   evidence,
		Alerts:     h.alerts,
		Exclusion:  fmt.Sprintf("%s # guest VM (%s), %s", mac, vendor, hostName(h)),
	}, true
}

func scannerVerdict(h *hostEvidence) (FalsePositive, bool) {
	if !h.key.addr.IsValid() || !isInternal(h.key.addr) {
		return FalsePositive{}, false // outside hosts need investigation
	}
	if h.flood || h.sids[detectors.SIDARPPoison] > 0 || h.sids[detectors.SIDPortScan] == 0 {
		return FalsePositive{}, false
	}
	sweeps := h.scanKind["sweep"] + h.scanKind["arp-sweep"] + h.scanKind["icmp-sweep"]
	breadth := len(h.victims)
	if sweeps == 0 && breadth < 2 {
		return FalsePositive{}, false // one host probed: could be lateral recon
	}
	evidence := []string{fmt.Sprintf("internal address %s", h.key.addr)}
	if sweeps > 0 {
		evidence = append(evidence, fmt.Sprintf("%d sweep alerts (%s)", sweeps, kindList(h.scanKind)))
	}
	if breadth > 0 {
		evidence = append(evidence, fmt.Sprintf("vertical scans of %d hosts", breadth))
	}
	if len(h.ports) > 0 {
		evidence = append(evidence, fmt.Sprintf("swept ports %s", portList(h.ports)))
	}
	evidence = append(evidence, fmt.Sprintf("%d probes in all; no flooding or ARP poisoning", h.probes))
	confidence := "medium"
	if sweeps > 0 && breadth >= 2 || len(h.scanKind) >= 2 {
		confidence = "high"
	}
	if h.sids[detectors.SIDBruteForce] > 0 {
		evidence = append(evidence, "also tried logins (vulnerability scanners test default credentials)")
	}
	return FalsePositive{
		Host:       h.key.addr.String(),
		MAC:        macString(h),
		Verdict:    "scanner",
		Confidence: confidence,
		Reason:     "internal host probing many hosts and ports, as vulnerability scanners do",
		Evidence:   evidence,
		Alerts:     h.alerts,
		Exclusion:  fmt.Sprintf("%s # internal scanner: %d alerts", h.key.addr, h.alerts),
	}, true
}

// isInternal reports private, unique-local and link-local addresses.
func isInternal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLoopback()
}

func hostName(h *hostEvidence) string {
	if h.key.addr.IsValid() {
		return h.key.addr.String()
	}
	return net.HardwareAddr(h.mac[:]).String()
}

func macString(h *hostEvidence) string {
	if !h.hasMAC {
		return ""
	}
	return net.HardwareAddr(h.mac[:]).String()
}

func kindList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d)", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func portList(m map[uint16]bool) string {
	ports := make([]int, 0, len(m))
	for p := range m {
		ports = append(ports, int(p))
	}
	sort.Ints(ports)
	parts := make([]string, 0, len(ports))
	for i, p := range ports {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("+%d more", len(ports)-10))
			break
		}
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ", ")
}
