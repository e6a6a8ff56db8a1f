package packet

import "testing"

func TestDecodeEventNames(t *testing.T) {
	seen := map[string]bool{}
	for i, name := range decodeEventNames {
		if name == "" || seen[name] {
			t.Fatalf("event %d: name %q empty or given twice", i, name)
		}
		seen[name] = true
		ev, ok := LookupDecodeEvent(name)
		if !ok || ev != 1<<i || ev.String() != name {
			t.Errorf("%s: looked up to %b (%v), names %q", name, ev, ok, ev.String())
		}
	}
	if _, ok := LookupDecodeEvent("ipv4.no_such_event"); ok {
		t.Error("an unknown event looked up")
	}
	if s := (EvIPv6ExthdrUselessFH | EvIPv4OptInvalidLen).String(); s != "ipv4.opt_invalid_len,ipv6.exthdr_useless_fh" {
		t.Errorf("two events: %q", s)
	}
}
