package rulematch

// dataset: and datarep: in a buffer's chain, as Suricata's
// DetectDatasetBufferMatch and DetectDatarepBufferMatch: the whole buffer
// (never a part after the previous match) is looked up in its set. The
// sets are the run's, shared by every rule and flow: a set done on one
// packet is seen by an isset on any later one. Lookups do not allocate:
// a key is the buffer's bytes, and indexing a map with string(b) does not
// copy them; only an entry added by set is copied into the set.

import (
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// dataset is one set with its entries and their reputation values.
type dataset struct {
	typ     rules.DatasetType
	entries map[string]uint16
	// memuse counts datasetEntryCost per entry against memcap; refused
	// counts the sets refused at the cap, which Evicted reports.
	memuse, memcap int64
	refused        uint64
}

// datasetEntryCost is what an entry is charged beyond its key's bytes:
// Suricata's per-entry cost on 64-bit Linux (its THashData, 72 bytes, and
// a string entry's 16), so a rule's memcap means about what it does there.
// Suricata also charges the hash table and 1000 preallocated entries up
// front, so it refuses memcaps below about 90 KB (350 KB with the default
// hashsize) that load here.
const datasetEntryCost = 88

func newDataset(sp *datasetSpec, defaultMemcap int64) *dataset {
	d := &dataset{typ: sp.typ, entries: map[string]uint16{}, memcap: defaultMemcap}
	if sp.memcap > 0 {
		d.memcap = int64(min(sp.memcap, 1<<62))
	}
	return d
}

// add adds key: 1 when added, 0 when it was there, -1 at the memcap.
func (d *dataset) add(key []byte, rep uint16) int {
	if _, ok := d.entries[string(key)]; ok {
		return 0
	}
	cost := int64(datasetEntryCost + len(key))
	if d.memuse+cost > d.memcap {
		d.refused++
		return -1
	}
	d.memuse += cost
	d.entries[string(key)] = rep
	return 1
}

// remove removes key, reporting whether it was there.
func (d *dataset) remove(key []byte) bool {
	if _, ok := d.entries[string(key)]; !ok {
		return false
	}
	delete(d.entries, string(key))
	d.memuse -= int64(datasetEntryCost + len(key))
	return true
}

// datasetCheck is a compiled dataset: or datarep:.
type datasetCheck struct {
	kw  *rules.Dataset
	set int // index in Matcher.sets, from compileDatasets
}

// lookupKey is the key b stands for in a set of d's type, and whether b
// can be one, as Suricata's DatasetLookup*: hashes and IPv4 addresses
// must have their size; an ipv6 (ip) set takes 16 bytes or, for lookups,
// an IPv4 address's 4 (stored with zeros after them).
func (s *scratch) lookupKey(d *dataset, b []byte) ([]byte, bool) {
	switch d.typ {
	case rules.DatasetMD5:
		return b, len(b) == 16
	case rules.DatasetSHA256:
		return b, len(b) == 32
	case rules.DatasetIPv4:
		return b, len(b) == 4
	case rules.DatasetIPv6:
		if len(b) == 4 {
			s.ipKey = [16]byte{}
			copy(s.ipKey[:4], b)
			return s.ipKey[:], true
		}
		return b, len(b) == 16
	}
	return b, true
}

// addKey is the key set adds for b, as Suricata's DatasetAdd*: an ipv4
// set takes the first 4 bytes of any buffer that long, an ipv6 set
// only 16 bytes (an IPv4 packet's ip.src is not added to it).
func addKey(d *dataset, b []byte) ([]byte, bool) {
	switch d.typ {
	case rules.DatasetMD5:
		return b, len(b) == 16
	case rules.DatasetSHA256:
		return b, len(b) == 32
	case rules.DatasetIPv4:
		if len(b) < 4 {
			return nil, false
		}
		return b[:4], true
	case rules.DatasetIPv6:
		return b, len(b) == 16
	}
	return b, true
}

// datasetMatch runs one dataset: or datarep: on a buffer.
func (s *scratch) datasetMatch(c *datasetCheck, b []byte) bool {
	if len(b) == 0 {
		return false // Suricata: no buffer, no match, whatever the command
	}
	d := s.sets[c.set]
	kw := c.kw
	if kw.Rep {
		key, ok := s.lookupKey(d, b)
		if !ok {
			return false
		}
		v, found := d.entries[string(key)]
		if !found {
			return false
		}
		switch kw.RepOp {
		case rules.RepGt:
			return v > kw.RepValue
		case rules.RepLt:
			return v < kw.RepValue
		case rules.RepEq:
			return v == kw.RepValue
		}
		return false
	}
	switch kw.Cmd {
	case rules.DatasetIsSet, rules.DatasetIsNotSet:
		key, ok := s.lookupKey(d, b)
		found := false
		if ok {
			_, found = d.entries[string(key)]
		}
		// a buffer of the wrong size is not in the set: isnotset matches
		return found == (kw.Cmd == rules.DatasetIsSet)
	case rules.DatasetSet:
		key, ok := addKey(d, b)
		return ok && d.add(key, 0) == 1
	case rules.DatasetUnset:
		key, ok := addKey(d, b)
		return ok && d.remove(key)
	}
	return false
}

// inspectDataset is a dataset item in a chain: it looks at the whole
// buffer, and a failed one ends the chain (Suricata's
// no_match_discontinue: retrying an earlier item cannot change it).
func (s *scratch) inspectDataset(items []item, i int, raw, low []byte, prevEnd int) int {
	if !s.datasetMatch(items[i].d, raw) {
		return -1
	}
	return s.next(items, i, raw, low, prevEnd)
}

// compileDatasets gives each dataset item of cr its set, declaring the
// sets in g, as Suricata sets them up while it parses the rules.
func compileDatasets(r *rules.Rule, cr *rule, g *datasetRegistry) error {
	for bi := range cr.bufs {
		for ii := range cr.bufs[bi].items {
			c := cr.bufs[bi].items[ii].d
			if c == nil {
				continue
			}
			idx, _, err := g.declare(r, c.kw)
			if err != nil {
				return err
			}
			c.set = idx
		}
	}
	return nil
}

// datasetKeyword is the keyword d was written with.
func datasetKeyword(d *rules.Dataset) string {
	if d.Rep {
		return "datarep"
	}
	return "dataset"
}
