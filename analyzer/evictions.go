package analyzer

import (
	"fmt"
	"strings"
)

// evictionKeys are the --set keys whose caps the tables of each eviction
// reason (Engine.evictions) are full at. A reason missing here has a fixed
// cap, and its warning advises no key: advice naming a key --set does not
// know would only earn an error. TestEvictionKeysExist checks each key.
var evictionKeys = map[string][]string{
	"half-open TCP connections":      {"flows.max_half_open"},
	"established TCP connections":    {"flows.max_established"},
	"TCP stream state":               {"flows.max_streams"},
	"held out-of-order TCP segments": {"flows.hold_segments", "flows.hold_bytes"},
	"synflood state":                 {"syn_flood.max_tracked_victims", "syn_flood.max_tracked_pairs"},
	"portscan state":                 {"port_scan.max_tracked_pairs", "port_scan.max_tracked_sweeps", "port_scan.max_tracked_probes"},
	"arpspoof state":                 {"arp_poisoning.max_bindings", "arp_poisoning.max_macs", "arp_poisoning.max_pairs", "arp_poisoning.max_requests"},
	"bruteforce state":               {"brute_force.max_tracked", "brute_force.max_conns"},
	"rules state": {"rules.max_threshold_entries", "rules.max_http_requests", "rules.max_http_responses",
		"rules.max_flowbit_flows", "rules.max_rule_flows", "rules.dataset_memcap"},
	"scanner fingerprint state": {"scanner_fingerprints.max_sources", "scanner_fingerprints.max_conns"},
}

// evictionWarning is the report's warning for one eviction count.
func evictionWarning(ev ReasonCount) string {
	msg := fmt.Sprintf("%s: %d entries evicted at the table cap; detections may be undercounted", ev.Reason, ev.Count)
	keys := evictionKeys[ev.Reason]
	switch len(keys) {
	case 0:
		return msg + " (the cap is fixed)"
	case 1:
		return msg + " (raise it with --set " + keys[0] + "=N)"
	}
	return msg + " (raise them with --set: " + strings.Join(keys, ", ") + ")"
}
