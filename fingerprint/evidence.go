package fingerprint

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// nmap OS-detection probe kinds (nmap.org/book/osdetect-methods.html).
const (
	osSEQ = iota // six SYNs, windows 1, 63, 4, 4, 16, 512, TSval 0xFFFFFFFF
	osECN        // SYN|ECE|CWR, window 3
	osT2         // no flags, window 128
	osT3         // SYN|FIN|PSH|URG, window 256
	osT4         // ACK, window 1024
	osT5         // SYN, window 31337
	osT6         // ACK, window 32768
	osT7         // FIN|PSH|URG, window 65535
	osIE1        // echo request, code 9
	osIE2        // echo request, seq 296, 150 zero bytes
	osU1         // UDP, 300 bytes of 'C'
	osKinds
)

var osNames = [osKinds]string{
	osSEQ: "SEQ SYNs (windows 1-512, TSval 0xFFFFFFFF)",
	osECN: "ECN (SYN|ECE|CWR, window 3)",
	osT2:  "T2 (no flags, window 128)",
	osT3:  "T3 (SYN|FIN|PSH|URG, window 256)",
	osT4:  "T4 (ACK, window 1024)",
	osT5:  "T5 (SYN, window 31337)",
	osT6:  "T6 (ACK, window 32768)",
	osT7:  "T7 (FIN|PSH|URG, window 65535)",
	osIE1: "IE (echo request, code 9)",
	osIE2: "IE (echo request, seq 296)",
	osU1:  "U1 (UDP, 300 bytes of 'C')",
}

// source is what one host's scanner-shaped packets showed.
type source struct {
	// nmap's raw SYN probes
	syn      uint64
	synWin   [4]uint64 // windows 1024, 2048, 3072, 4096
	mss      uint16    // the latest probe's MSS
	mssMixed bool      // probes carried different MSS values
	ports    top[uint16]
	seqs     top[uint32]
	rsts     uint64 // bare RSTs inside connections it opened

	// nmap's service probes
	probes    [len(serviceProbes)]uint32
	nulls     uint64
	nullPorts portSet

	// nmap's OS-detection probes
	os   [osKinds]uint32
	u1ID uint32 // U1 probes with IP ID 0x1042

	masscan, masscanTTL255, masscanWin1024 uint64
	zmap, zmapTTL255, zmapWin65535         uint64
}

// evidence appends the classes s reaches to out.
func (s *source) evidence(host netip.Addr, minPackets int, out []Evidence) []Evidence {
	least := uint64(minPackets)
	if s.syn >= least {
		out = append(out, Evidence{Host: host, Tool: ToolNmap, Class: ClassNmapSYN, Count: s.syn, Detail: s.synLine()})
	}
	var payloads uint64
	for _, n := range s.probes {
		payloads += uint64(n)
	}
	if payloads >= 1 && payloads+s.nulls >= least || s.nullPorts.n >= 4 {
		out = append(out, Evidence{Host: host, Tool: ToolNmap, Class: ClassNmapService, Count: payloads + s.nulls,
			Detail: s.serviceLine(payloads)})
	}
	kinds, probes := 0, uint64(0)
	for _, n := range s.os {
		if n > 0 {
			kinds++
			probes += uint64(n)
		}
	}
	if kinds >= 2 {
		out = append(out, Evidence{Host: host, Tool: ToolNmap, Class: ClassNmapOS, Count: probes, Detail: s.osLine(kinds, probes)})
	}
	if s.masscan >= least {
		out = append(out, Evidence{Host: host, Tool: ToolMasscan, Class: ClassStatelessSYN, Count: s.masscan,
			Detail: fmt.Sprintf("masscan SYNs: %s without options whose IP ID is (destination address ^ port ^ sequence) & 0xffff%s%s",
				plural(s.masscan, "SYN"), onOf(", TTL 255", s.masscanTTL255, s.masscan), onOf(", window 1024", s.masscanWin1024, s.masscan))})
	}
	if s.zmap >= least {
		out = append(out, Evidence{Host: host, Tool: ToolZMap, Class: ClassStatelessSYN, Count: s.zmap,
			Detail: fmt.Sprintf("ZMap SYNs: %s without options with IP ID 54321%s%s",
				plural(s.zmap, "SYN"), onOf(", TTL 255", s.zmapTTL255, s.zmap), onOf(", window 65535", s.zmapWin65535, s.zmap))})
	}
	return out
}

// synLine: "nmap SYN probes: 400 SYNs with window 1024 and a lone MSS
// option (1460), source port 51256 on 400 of them, sequence number
// 1726353092 on 400, 3 RSTs (no ACK) after the SYN-ACK".
func (s *source) synLine() string {
	var wins []string
	for i, n := range s.synWin {
		if n > 0 {
			wins = append(wins, strconv.Itoa(1024*(i+1)))
			if n != s.syn {
				wins[len(wins)-1] += fmt.Sprintf(" (%d)", n)
			}
		}
	}
	mss := fmt.Sprintf("(%d)", s.mss)
	if s.mssMixed {
		mss = "(values differ)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "nmap SYN probes: %s with window %s and a lone MSS option %s", plural(s.syn, "SYN"), strings.Join(wins, " or "), mss)
	if port, n := s.ports.best(); n >= 2 {
		fmt.Fprintf(&b, ", source port %d on %d of them", port, n)
	}
	if seq, n := s.seqs.best(); n >= 2 {
		fmt.Fprintf(&b, ", sequence number %d on %d", seq, n)
	}
	if s.rsts > 0 {
		fmt.Fprintf(&b, ", %s (no ACK) after the SYN-ACK", plural(s.rsts, "RST"))
	}
	return b.String()
}

// serviceLine: "nmap service probes: 56 probes sent byte for byte as in
// nmap-service-probes (GenericLines 8, GetRequest 16, ...), 12 NULL
// probes (took the banner, sent nothing) on ports 21, 22, 25". A TCP
// probe counts only as the first payload of its connection.
func (s *source) serviceLine(payloads uint64) string {
	var b strings.Builder
	b.WriteString("nmap service probes: ")
	if payloads > 0 {
		var names []string
		for i, n := range s.probes {
			if n > 0 {
				names = append(names, fmt.Sprintf("%s %d", serviceProbes[i].name, n))
			}
		}
		if len(names) > 8 {
			names = append(names[:8], fmt.Sprintf("+%d more", len(names)-8))
		}
		fmt.Fprintf(&b, "%s sent byte for byte as in nmap-service-probes (%s)", plural(payloads, "probe"), strings.Join(names, ", "))
	}
	if s.nulls > 0 {
		if payloads > 0 {
			b.WriteString(", ")
		}
		ports := "ports "
		if s.nullPorts.n == 1 {
			ports = "port "
		}
		fmt.Fprintf(&b, "%s (took the banner, sent nothing) on %s%s", plural(s.nulls, "NULL probe"), ports, s.nullPorts.String())
	}
	return b.String()
}

// osLine: "nmap OS-detection probes: 46 probes of 11 kinds: 12 SEQ SYNs
// (...), 2 ECN (...), ...".
func (s *source) osLine(kinds int, probes uint64) string {
	parts := make([]string, 0, kinds)
	for k, n := range s.os {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, osNames[k]))
		}
	}
	line := fmt.Sprintf("nmap OS-detection probes: %s of %d kinds: %s", plural(probes, "probe"), kinds, strings.Join(parts, ", "))
	if s.u1ID > 0 {
		line += fmt.Sprintf("; IP ID 0x1042 on %d of the U1 probes", s.u1ID)
	}
	return line
}

// onOf is ", TTL 255" when all n have it, ", TTL 255 on k" when some do,
// "" when none do.
func onOf(what string, k, n uint64) string {
	switch {
	case k == 0:
		return ""
	case k == n:
		return what
	}
	return fmt.Sprintf("%s on %d", what, k)
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// top keeps the most frequent values of a stream in four slots
// (space-saving, Metwally et al. 2005): a value is counted exactly from
// when it took its slot; over is how much its count may exceed the truth,
// so n-over is a count it surely reached.
type top[T comparable] struct {
	val  [4]T
	n    [4]uint32
	over [4]uint32
}

func (t *top[T]) add(v T) {
	low := 0
	for i := range t.val {
		if t.n[i] == 0 {
			t.val[i], t.n[i] = v, 1
			return
		}
		if t.val[i] == v {
			t.n[i]++
			return
		}
		if t.n[i] < t.n[low] {
			low = i
		}
	}
	t.val[low], t.over[low] = v, t.n[low]
	t.n[low]++
}

// best returns the value counted most often and how often it surely was.
func (t *top[T]) best() (T, uint32) {
	b := 0
	for i := range t.val {
		if t.n[i]-t.over[i] > t.n[b]-t.over[b] {
			b = i
		}
	}
	return t.val[b], t.n[b] - t.over[b]
}

// portSet holds up to eight distinct ports and notes that there were more.
type portSet struct {
	p    [8]uint16
	n    int // ports held
	more bool
}

func (s *portSet) add(port uint16) {
	for _, q := range s.p[:s.n] {
		if q == port {
			return
		}
	}
	if s.n < len(s.p) {
		s.p[s.n] = port
		s.n++
		return
	}
	s.more = true
}

// String lists the ports in ascending order, "and more" when some did not
// fit.
func (s *portSet) String() string {
	ps := slices.Clone(s.p[:s.n])
	slices.Sort(ps)
	parts := make([]string, len(ps), len(ps)+1)
	for i, p := range ps {
		parts[i] = strconv.Itoa(int(p))
	}
	if s.more {
		parts = append(parts, "and more")
	}
	return strings.Join(parts, ", ")
}
