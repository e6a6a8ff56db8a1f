package bounded

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"net/netip"
)

// seed keys every Hash of the process: a capture crafted so that its keys
// collide would have to guess it. Results never depend on it, since
// entries are ordered by their list, not by where the index puts them.
var seed = func() uint64 {
	var h maphash.Hash
	return h.Sum64() | 1
}()

// Hash folds a key's fields, one word at a time, into a hash for a table
// built with NewHashed. Start from Seed. Keys that compare equal must fold
// the same words.
type Hash uint64

// Seed is the hash of no words.
func Seed() Hash { return Hash(seed) }

// Word folds in w.
func (h Hash) Word(w uint64) Hash {
	// one 128-bit multiply mixes every bit of w into both halves
	hi, lo := bits.Mul64(uint64(h)^w, 0x9e3779b97f4a7c15)
	return Hash(hi ^ lo)
}

// Addr folds in a. The zone is left out: addresses differing only in zone
// collide and their keys' comparison tells them apart.
func (h Hash) Addr(a netip.Addr) Hash {
	if a.Is4() {
		// most traffic: one word, without As16's byte shuffling
		b := a.As4()
		return h.Word(uint64(binary.LittleEndian.Uint32(b[:])) | 4<<32)
	}
	b := a.As16()
	return h.Word(binary.LittleEndian.Uint64(b[:8])).Word(binary.LittleEndian.Uint64(b[8:]) ^ uint64(a.BitLen()))
}
