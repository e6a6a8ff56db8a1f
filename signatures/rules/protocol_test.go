package rules

import "testing"

func TestProtocolTable(t *testing.T) {
	for p := ProtoIP; p < numProtocols; p++ {
		name := p.String()
		if got, ok := LookupProtocol(name); !ok || got != p {
			t.Errorf("%d: %q looks up to %d, %v", p, name, got, ok)
		}
		if p.Transports() == 0 || p.IPVersions() == 0 {
			t.Errorf("%s: transports %b, IP versions %b", name, p.Transports(), p.IPVersions())
		}
	}
	for _, name := range []string{"", "sctp", "TCP", "Protocol(0)"} {
		if p, ok := LookupProtocol(name); ok {
			t.Errorf("%q: looked up to %s", name, p)
		}
	}
	var zero Protocol
	if zero.Transports() != 0 || !zero.carries(TransportTCP) || !zero.httpBuffers() {
		t.Errorf("the zero protocol selects packets or is refused before its rule is skipped")
	}
	if numProtocols.Transports() != 0 || numProtocols.String() != "Protocol(50)" {
		t.Errorf("out of range: %s, transports %b", numProtocols, numProtocols.Transports())
	}
}

// TestEnumNames: each enum's names read back through lookup, as the
// parser reads them.
func TestEnumNames(t *testing.T) {
	check := func(name string, got, want uint8, ok bool) {
		t.Helper()
		if !ok || got != want {
			t.Errorf("%q: got %d, %v; want %d", name, got, ok, want)
		}
	}
	for v := ThresholdLimit; v <= DetectionFilter; v++ {
		got, ok := lookup(v.String(), ThresholdLimit, DetectionFilter)
		check(v.String(), uint8(got), uint8(v), ok)
	}
	for v := TrackBySrc; v <= TrackByFlow; v++ {
		got, ok := lookup(v.String(), TrackBySrc, TrackByFlow)
		check(v.String(), uint8(got), uint8(v), ok)
	}
	for v := FlowbitSet; v <= FlowbitIsNotSet; v++ {
		got, ok := lookup(v.String(), FlowbitSet, FlowbitIsNotSet)
		check(v.String(), uint8(got), uint8(v), ok)
	}
	for v := BufferPayload; v < NumBuffers; v++ {
		got, ok := lookup(v.String(), BufferPayload, NumBuffers-1)
		check(v.String(), uint8(got), uint8(v), ok)
	}
	if _, ok := lookup("backoff", ThresholdLimit, DetectionFilter); ok {
		t.Error("backoff looked up")
	}
}
