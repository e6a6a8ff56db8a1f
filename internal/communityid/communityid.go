// Package communityid computes Community ID flow hashes (version 1 of
// the spec at github.com/corelight/community-id-spec), the identifier
// Suricata writes as community_id with `community-id: yes`, so one flow
// carries the same string in Suricata, Zeek and ipsreplay records.
package communityid

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
)

// ID is the version 1 Community ID of a flow: "1:" and the base64 of the
// SHA-1 of the seed, both addresses, the protocol, a zero byte and, when
// withPorts (TCP, UDP, SCTP), both ports, the lower endpoint first so
// either direction gives the same ID. An IPv4-mapped IPv6 address counts
// as IPv4.
func ID(seed uint16, src netip.Addr, sport uint16, dst netip.Addr, dport uint16, proto uint8, withPorts bool) string {
	src, dst = src.Unmap(), dst.Unmap()
	if c := src.Compare(dst); c > 0 || c == 0 && withPorts && sport > dport {
		src, dst, sport, dport = dst, src, dport, sport
	}
	var buf [2 + 16 + 16 + 2 + 4]byte
	binary.BigEndian.PutUint16(buf[:], seed)
	n := 2
	n += copy(buf[n:], src.AsSlice())
	n += copy(buf[n:], dst.AsSlice())
	buf[n], buf[n+1] = proto, 0
	n += 2
	if withPorts {
		binary.BigEndian.PutUint16(buf[n:], sport)
		binary.BigEndian.PutUint16(buf[n+2:], dport)
		n += 4
	}
	sum := sha1.Sum(buf[:n])
	return "1:" + base64.StdEncoding.EncodeToString(sum[:])
}
