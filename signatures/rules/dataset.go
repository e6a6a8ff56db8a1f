package rules

// dataset: and datarep: (Suricata's detect-dataset.c, detect-datarep.c):
// the sticky buffer before them is looked up in a named set that all
// rules share. The parser checks the keyword as Suricata's does; the sets
// themselves (their files, types shared by name) are rulematch's.

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Dataset is a dataset: or datarep: keyword on the buffer of its Match.
type Dataset struct {
	// Rep is datarep: compare the entry's reputation value with RepOp and
	// RepValue; otherwise Cmd says what dataset: does.
	Rep      bool
	Cmd      DatasetCmd
	RepOp    RepOp
	RepValue uint16

	Name string      // as written; set names compare without case, as Suricata's
	Type DatasetType // 0 when not given (the set must be declared by another rule)
	// Load is the file to fill the set from, as written (relative to the
	// rule file's directory). State is a file loaded the same way and, in
	// Suricata, written back at exit; Save is written only. ipsreplay
	// never writes: Save is kept only to check that rules naming one set
	// agree.
	Load, Save string
	State      bool
	// Memcap caps the set's memory in bytes, 0 for the default; Hashsize
	// is Suricata's hash table size, checked and otherwise unused.
	Memcap   uint64
	Hashsize uint32
}

// DatasetCmd is what dataset: does with the buffer.
type DatasetCmd uint8

// Dataset commands; the zero value is none.
const (
	DatasetSet      DatasetCmd = iota + 1 // add it: matches when it was not there yet
	DatasetUnset                          // remove it: matches when it was there
	DatasetIsSet                          // matches when it is there
	DatasetIsNotSet                       // matches when it is not
)

// String returns the command as a rule writes it.
func (c DatasetCmd) String() string {
	return enumName("DatasetCmd", uint8(c), "", "set", "unset", "isset", "isnotset")
}

// DatasetType is what a set holds.
type DatasetType uint8

// Set types; the zero value is none given. Suricata's "ip" is its ipv6
// type (IPv4 addresses stored in the first 4 of 16 bytes), so ip and ipv6
// are one type here too: a set declared with one may be named with the other.
const (
	DatasetString DatasetType = iota + 1
	DatasetMD5
	DatasetSHA256
	DatasetIPv4
	DatasetIPv6
)

// String returns the type as a rule writes it.
func (t DatasetType) String() string {
	return enumName("DatasetType", uint8(t), "", "string", "md5", "sha256", "ipv4", "ipv6")
}

// RepOp is datarep:'s comparison.
type RepOp uint8

// Comparisons; the zero value is none.
const (
	RepGt RepOp = iota + 1 // >
	RepLt                  // <
	RepEq                  // ==
)

// String returns the operator as a rule writes it.
func (o RepOp) String() string { return enumName("RepOp", uint8(o), "", ">", "<", "==") }

// stopWarning says the parse of a dataset or datarep value stopped early.
// Suricata 7's parsers give up at the first malformed part (a value
// after the command or name, an option with no value, a bad type, a file
// given twice) with an answer its caller takes for success: the rule
// loads with what was read before (suricata-verify datajson-06, whose
// "remove_key" has no value). The rule loads here too, with this warning.
func (st *ruleState) stopWarning(kw, why string) {
	st.warnings = append(st.warnings, fmt.Sprintf("%s: %s: Suricata 7 stops reading the options there and ignores the rest", kw, why))
}

// datasetNameMax is Suricata's DATASET_NAME_MAX_LEN.
const datasetNameMax = 63

// datasetOption is one "key value" after the command and name, split as
// Suricata does: at the first space, the value's leading blanks dropped.
func datasetOption(part string) (key, val string, hasVal bool) {
	part = strings.TrimLeft(part, " \t")
	key, val, hasVal = strings.Cut(part, " ")
	return key, strings.TrimLeft(val, " \t"), hasVal
}

// datasetTypeOf reads "type X".
func datasetTypeOf(val string) (DatasetType, error) {
	switch val {
	case "string":
		return DatasetString, nil
	case "md5":
		return DatasetMD5, nil
	case "sha256":
		return DatasetSHA256, nil
	case "ipv4":
		return DatasetIPv4, nil
	case "ipv6", "ip":
		return DatasetIPv6, nil
	}
	return 0, fmt.Errorf("bad type %q (want string, md5, sha256, ipv4, ipv6 or ip)", clip(val))
}

// sizeOption reads memcap or hashsize as Suricata's ParseSizeString: a
// number with an optional kb, mb or gb (powers of 1024). A bad value is a
// warning and the default, as in Suricata.
func (st *ruleState) sizeOption(key, val string, max uint64) uint64 {
	s := strings.ToLower(strings.TrimSpace(val))
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max/mult {
		st.warnings = append(st.warnings, fmt.Sprintf("invalid %s %q: the default is used, as Suricata does", key, clip(val)))
		return 0
	}
	return n * mult
}

// datasetBuffer checks that a sticky buffer is in effect: Suricata's
// datasets read one, never the packet payload.
func (st *ruleState) datasetBuffer(kw string) error {
	if !st.hasSticky || st.sticky == BufferPayload {
		return fmt.Errorf("%s needs a sticky buffer before it (http.host, dns.query, ip.src, ...)", kw)
	}
	return nil
}

// checkDatasetName applies Suricata's rules for names.
func checkDatasetName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("missing set name")
	case len(name) > datasetNameMax:
		return fmt.Errorf("set name %q is longer than %d characters", clip(name), datasetNameMax)
	case strings.ContainsAny(name, " \t"):
		return fmt.Errorf("spaces are not allowed in set names (%q)", clip(name))
	}
	return nil
}

// checkWritePath refuses what Suricata refuses for save and state files:
// absolute paths and "../" (datasets.rules.allow-absolute-filenames is
// off by default).
func checkWritePath(kw, path string) error {
	switch {
	case filepath.IsAbs(path):
		return fmt.Errorf("%s %q: absolute paths are not allowed", kw, clip(path))
	case strings.Contains(path, "../"):
		return fmt.Errorf("%s %q: directory traversals are not allowed", kw, clip(path))
	}
	return nil
}

// parseDataset reads dataset:cmd,name[, type T][, load F][, state F]
// [, save F][, memcap N][, hashsize N].
func parseDataset(st *ruleState, val string) error {
	if err := st.datasetBuffer("dataset"); err != nil {
		return err
	}
	d := &Dataset{}
	var cmd string
	nameSet, loadSet, saveSet, stateSet := false, false, false, false
	var stop string // why Suricata stopped reading the options
	for _, part := range strings.Split(val, ",") {
		key, v, hasVal := datasetOption(part)
		if key == "" {
			continue
		}
		switch {
		case cmd == "":
			if hasVal && v != "" {
				stop = fmt.Sprintf("command %q has a value", clip(strings.TrimSpace(part)))
				break
			}
			cmd = key
			continue
		case !nameSet:
			if hasVal && v != "" {
				stop = fmt.Sprintf("set name %q has a value", clip(strings.TrimSpace(part)))
				break
			}
			d.Name, nameSet = key, true
			continue
		case !hasVal:
			stop = fmt.Sprintf("option %q has no value", clip(key))
		}
		if stop != "" {
			break
		}
		switch key {
		case "type":
			t, err := datasetTypeOf(v)
			if err != nil {
				stop = err.Error()
			}
			d.Type = t
		case "load", "save", "state":
			if key == "load" && loadSet || key == "save" && saveSet || key == "state" && stateSet {
				stop = key + " given twice"
				break
			}
			switch key {
			case "load":
				d.Load, loadSet = v, true
			case "save":
				d.Save, saveSet = v, true
			default:
				d.Load, d.Save, d.State, stateSet = v, v, true, true
			}
		case "memcap":
			d.Memcap = st.sizeOption("memcap", v, 1<<63)
		case "hashsize":
			d.Hashsize = uint32(st.sizeOption("hashsize", v, 1<<32-1))
		default:
			// Suricata 7 passes over options it does not know (the
			// format, context_key ... of Suricata 8's JSON sets)
			st.warnings = append(st.warnings, fmt.Sprintf("dataset option %q is not known to Suricata 7 and is ignored", clip(key)))
		}
		if stop != "" {
			break
		}
	}
	if stop != "" {
		st.stopWarning("dataset", stop)
	}
	if stateSet && (loadSet || saveSet) {
		return fmt.Errorf("state cannot be mixed with load and save")
	}
	c, ok := lookup(cmd, DatasetSet, DatasetIsNotSet)
	if !ok {
		return fmt.Errorf("unknown command %q (want set, unset, isset or isnotset)", clip(cmd))
	}
	d.Cmd = c
	if err := checkDatasetName(d.Name); err != nil {
		return err
	}
	if d.Save != "" {
		kw := "save"
		if d.State {
			kw = "state"
		}
		if err := checkWritePath(kw, d.Save); err != nil {
			return err
		}
	}
	return st.addDatasetMatch(d)
}

// parseDatarep reads datarep:name, op, value[, type T][, load F]
// [, memcap N][, hashsize N].
func parseDatarep(st *ruleState, val string) error {
	if err := st.datasetBuffer("datarep"); err != nil {
		return err
	}
	d := &Dataset{Rep: true}
	var op, stop string
	nameSet, valueSet := false, false
	for _, part := range strings.Split(val, ",") {
		key, v, hasVal := datasetOption(part)
		if key == "" {
			continue
		}
		switch {
		case !valueSet && hasVal:
			stop = fmt.Sprintf("%q has a space: want name, operator, value before the options", clip(strings.TrimSpace(part)))
		case !nameSet:
			d.Name, nameSet = key, true
			continue
		case op == "":
			op = key
			continue
		case !valueSet:
			n, err := strconv.ParseUint(key, 10, 16)
			if err != nil {
				stop = fmt.Sprintf("bad reputation value %q (want 0 to 65535)", clip(key))
				break
			}
			d.RepValue, valueSet = uint16(n), true
			continue
		case !hasVal:
			stop = fmt.Sprintf("option %q has no value", clip(key))
		}
		if stop != "" {
			break
		}
		switch key {
		case "type":
			t, err := datasetTypeOf(v)
			if err != nil {
				stop = err.Error()
			}
			d.Type = t
		case "load":
			d.Load = v
		case "memcap":
			d.Memcap = st.sizeOption("memcap", v, 1<<63)
		case "hashsize":
			d.Hashsize = uint32(st.sizeOption("hashsize", v, 1<<32-1))
		default:
			st.warnings = append(st.warnings, fmt.Sprintf("datarep option %q is not known to Suricata 7 and is ignored", clip(key)))
		}
		if stop != "" {
			break
		}
	}
	if stop != "" {
		st.stopWarning("datarep", stop)
	}
	if !valueSet {
		return fmt.Errorf("want name, operator and value in %q", clip(val))
	}
	if d.Load != "" && d.Type == 0 {
		return fmt.Errorf("load needs a type")
	}
	var ok bool
	if d.RepOp, ok = lookup(op, RepGt, RepEq); !ok {
		return fmt.Errorf("unknown operator %q (want >, < or ==)", clip(op))
	}
	if err := checkDatasetName(d.Name); err != nil {
		return err
	}
	return st.addDatasetMatch(d)
}

// addDatasetMatch adds the lookup as a match in the sticky buffer, which
// takes up the transforms before it as a content would: the set is looked
// up with the transformed buffer (to_md5; dataset:isset,hashes,type md5).
func (st *ruleState) addDatasetMatch(d *Dataset) error {
	xf, err := st.takeTransforms(st.sticky)
	if err != nil {
		return err
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: st.sticky, Dataset: d, Transforms: xf})
	st.mods = append(st.mods, contentMods{})
	return nil
}
