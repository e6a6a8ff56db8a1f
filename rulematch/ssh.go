package rulematch

// A side's SSH banner and KEXINIT (handshake.go), as Suricata's SSH parser
// reads them: the banner line "SSH-protoversion-softwareversion comments"
// gives ssh.proto (protoversion) and ssh.software (softwareversion, up to
// the first space); the first binary packet, when it is a KEXINIT, gives
// hassh: "kex;ciphers;macs;compression" with the client-to-server lists
// (ssh.hassh.string, read on to_server packets) or the server-to-client
// ones (ssh.hassh.server.string, to_client packets), and the MD5 of each.
// A side whose first line does not start with "SSH-" is not read further
// (RFC 4253 lets a server send other lines first; Suricata 7 takes them
// as a banner error too).

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

const (
	// sshMaxBanner bounds the banner line; RFC 4253 allows 255 bytes.
	sshMaxBanner = 512
	// sshMaxPacket is RFC 4253's bound on a packet every implementation
	// takes.
	sshMaxPacket    = 35000
	sshMsgKexInit   = 20
	sshKexNameLists = 10
)

// readSSH reads the banner, then the first binary packet.
func (h *handshakeSide) readSSH(data []byte) []byte {
	if h.state == sideSSH {
		i := bytes.IndexByte(data, '\n')
		line := data
		if i >= 0 {
			line = data[:i]
		}
		if len(h.buf)+len(line) > sshMaxBanner {
			h.state = sideDone
			return nil
		}
		h.buf = append(h.buf, line...)
		if i < 0 {
			return nil
		}
		if !bytes.HasPrefix(h.buf, []byte("SSH-")) {
			h.state = sideDone // another protocol's line
			return nil
		}
		h.proto = protoSSH
		h.sshBanner(bytes.TrimSuffix(h.buf, []byte{'\r'}))
		h.buf = h.buf[:0]
		h.state = sideSSHKex
		return data[i+1:]
	}
	n := min(handshakeBufBytes-len(h.buf), len(data))
	h.buf = append(h.buf, data[:n]...)
	if len(h.buf) < 5 {
		return nil
	}
	plen := int(h.buf[0])<<24 | int(h.buf[1])<<16 | int(h.buf[2])<<8 | int(h.buf[3])
	if plen < 2 || plen > sshMaxPacket || 4+plen > handshakeBufBytes {
		h.state = sideDone
		return nil
	}
	if len(h.buf) < 4+plen {
		return nil
	}
	pad := int(h.buf[4])
	if 1+pad < plen && h.buf[5] == sshMsgKexInit {
		h.kexInit(h.buf[6 : 4+plen-pad])
	}
	h.state = sideDone
	return nil
}

// sshBanner sets ssh.proto and ssh.software from a banner line without
// its line end.
func (h *handshakeSide) sshBanner(line []byte) {
	rest, ok := bytes.CutPrefix(line, []byte("SSH-"))
	if !ok {
		return
	}
	proto, sw, ok := bytes.Cut(rest, []byte{'-'})
	if !ok || len(proto) == 0 {
		return
	}
	if i := bytes.IndexByte(sw, ' '); i >= 0 {
		sw = sw[:i]
	}
	start := len(h.vals)
	h.vals = append(h.vals, proto...)
	h.endValue(rules.BufferSSHProto, start)
	start = len(h.vals)
	h.vals = append(h.vals, sw...)
	h.endValue(rules.BufferSSHSoftware, start)
}

// kexInit sets the hassh buffers from a KEXINIT's payload after its type:
// a 16-byte cookie, then name-lists (kex, host key, ciphers c2s and s2c,
// macs c2s and s2c, compression c2s and s2c, languages).
func (h *handshakeSide) kexInit(b []byte) {
	if len(b) < 16 {
		return
	}
	b = b[16:]
	var lists [sshKexNameLists][]byte
	for i := range lists {
		if len(b) < 4 {
			return
		}
		n := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		if n > len(b)-4 {
			return
		}
		lists[i] = b[4 : 4+n]
		b = b[4+n:]
	}
	h.hassh(rules.BufferSSHHasshString, rules.BufferSSHHassh, lists[0], lists[2], lists[4], lists[6])
	h.hassh(rules.BufferSSHHasshServerString, rules.BufferSSHHasshServer, lists[0], lists[3], lists[5], lists[7])
}

// hassh sets one hassh string and its MD5.
func (h *handshakeSide) hassh(strID, hashID rules.Buffer, kex, enc, mac, comp []byte) {
	start := len(h.vals)
	h.vals = append(h.vals, kex...)
	h.vals = append(h.vals, ';')
	h.vals = append(h.vals, enc...)
	h.vals = append(h.vals, ';')
	h.vals = append(h.vals, mac...)
	h.vals = append(h.vals, ';')
	h.vals = append(h.vals, comp...)
	sum := md5.Sum(h.vals[start:])
	h.endValue(strID, start)
	start = len(h.vals)
	h.vals = hex.AppendEncode(h.vals, sum[:])
	h.endValue(hashID, start)
}
