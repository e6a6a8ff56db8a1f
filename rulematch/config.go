package rulematch

import (
	"github.com/ipsreplay/ipsreplay/internal/settings"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Config tunes the rule matcher. The zero value is not useful; start
// from DefaultConfig.
type Config struct {
	// MaxThresholdEntries caps the threshold: and detection_filter: state
	// kept at once: one entry per rule and tracked address (by_src,
	// by_dst), address pair (by_both), connection (by_flow) or rule
	// (by_rule). When full the
	// least recently matched entry is evicted and counted in Evicted; that
	// key's next match starts a fresh count, so a limit rule may alert
	// again early and a detection_filter rule late. Entries expire on
	// packet time once the longest window of any threshold rule has
	// passed. About 200 bytes an entry: the default 65536 is about 13 MB
	// when full, in line with Suricata's 16 MiB threshold memcap. A
	// unique_on detection_filter adds 2 bytes per distinct port it keeps,
	// count+1 at most.
	MaxThresholdEntries int `json:"max_threshold_entries"`

	// InspectionRecursionLimit caps the content and pcre steps one rule may
	// take on one buffer of one packet while it retries later occurrences
	// of a pattern for a relative match (distance, within, a relative
	// pcre, byte check or isdataat after it). Without it a payload
	// with many occurrences of a pattern makes a chained rule cost time
	// quadratic in the payload. When the cap bites the rule does not match
	// that packet. Lower bounds the worst packet's cost harder and may miss
	// a match in a long repetitive payload. Default 3000, Suricata's
	// detect.inspection-recursion-limit.
	InspectionRecursionLimit int `json:"inspection_recursion_limit"`

	// HTTPRequestBytes is how much of an HTTP request whose header block
	// spans TCP segments is kept, in bytes, so the http buffers see the
	// whole request once its headers end (http.go). A longer header
	// block is inspected as far as it was kept. Higher: larger headers
	// (long cookies) inspected whole, more memory per pending request.
	// Default 8192, the header limit of most web servers.
	HTTPRequestBytes int `json:"http_request_bytes"`

	// MaxHTTPRequests caps the requests kept at once while their headers
	// are incomplete; at the cap the least recently continued one is
	// dropped (its rest is then inspected per segment) and counted in
	// Evicted. Most requests fit one segment, so few are pending at a time;
	// the default 4096 bounds the worst case at 32 MiB with 8 KiB requests.
	MaxHTTPRequests int `json:"max_http_requests"`

	// HTTPResponseBodyBytes caps the body kept of one HTTP response, in
	// bytes, after de-chunking and again after decompression: file_data
	// and http.response_body see at most this much, from the start (a
	// longer body is inspected once this much has come). It also caps
	// decompression output, so a small compressed body cannot expand
	// without bound. Higher: later bytes of large files inspected, more
	// memory per response being received. Default 102400, Suricata's
	// libhtp response-body-limit (100kb).
	HTTPResponseBodyBytes int `json:"http_response_body_bytes"`

	// HTTPDecompressLayers is how many Content-Encoding layers (gzip,
	// deflate) of a response body are undone; a body with more is
	// inspected as decoded so far. 0 inspects bodies as sent. Default 2,
	// Suricata's libhtp response-body-decompress-layer-limit.
	HTTPDecompressLayers int `json:"http_decompress_layers"`

	// MaxHTTPResponses caps the HTTP responses followed at once (one per
	// connection, the one being received); at the cap the least recently
	// continued one is dropped and counted in Evicted, and its connection
	// is followed again from its next response. Each holds its header
	// block (up to HTTPRequestBytes) and body (up to
	// HTTPResponseBodyBytes): the default 1024 bounds the worst case at
	// about 110 MiB.
	MaxHTTPResponses int `json:"max_http_responses"`

	// MaxFlowbitFlows caps the flows whose flowbits are kept at once; at
	// the cap the least recently touched flow's bits are dropped (a later
	// isset on it fails) and counted in Evicted. Bits also go after an
	// hour of packet time untouched. The default 65536 is about 5 MB with
	// up to 64 names, plus 8 bytes a flow per further 64.
	MaxFlowbitFlows int `json:"max_flowbit_flows"`

	// MaxRuleFlows caps the flows followed for IP-only rules (which
	// Suricata runs on the first packet of each direction of a flow) and
	// for protocol-only http rules (which match once a flow has carried
	// an HTTP request). At the cap the least recently seen flow is
	// dropped and counted in Evicted: its next packet counts as a new
	// flow's, so an IP-only rule may alert on it again. Flows also end
	// after Suricata's default flow timeouts. About 80 bytes a flow: the
	// default 65536 is about 5 MB. Only used when such rules are loaded.
	// It caps, apart, the TCP connections whose TLS and SSH handshakes
	// are read for the handshake buffers and tls.sni (handshake.go):
	// about 600 bytes a connection plus its values (at most 8 KiB a
	// side, typically under 1 KiB), and at most 1024 reassembly buffers
	// of 16 KiB in use at once.
	MaxRuleFlows int `json:"max_rule_flows"`

	// ActionOrder is the order rules are run and their alerts applied in,
	// by action, as Suricata's action-order: every one of pass, drop,
	// reject and alert once (reject stands for rejectsrc, rejectdst and
	// rejectboth too). A matching pass rule silences the rules after it on
	// that packet, so putting alert before pass lets alerts through.
	// Default pass, drop, reject, alert, Suricata's. A config file gives
	// a list; --set also takes the names in one string, space-separated
	// (rules.action_order="alert pass drop reject"), as --set splits its
	// values at commas.
	ActionOrder ActionOrder `json:"action_order"`

	// PacketAlertMax is how many alerts one packet may raise: past it the
	// lowest in rule order (ActionOrder, then priority) are discarded,
	// their actions still done. Default 15, Suricata's packet-alert-max.
	PacketAlertMax int `json:"packet_alert_max"`

	// Inline says the analysis runs as an inline IPS (--simulate-ips, set
	// by the analyzer, not a setting): a TCP request's application-layer
	// alerts (http buffers, tls.sni) count against the packet-alert-max
	// of the packet that completes the request, with its packet alerts.
	// In IDS mode Suricata inspects the request on a later packet (the
	// server's acknowledgement, or the flow's end), so they count apart.
	Inline bool `json:"-"`
	// ThresholdFile holds the entries of a Suricata threshold file
	// (--threshold-file), applied to the rules as Suricata applies
	// threshold.config (globalthreshold.go); nil for none. It is not a
	// parameter of the config file: it comes from its own file.
	ThresholdFile []rules.GlobalEntry `json:"-"`
	// DatasetMemcap caps the memory of each dataset (dataset:, datarep:)
	// whose rules give no memcap, in bytes: an entry counts its bytes plus
	// 88, Suricata's per-entry cost. A load or state file over it refuses
	// the rules naming the set; at the cap, set stops adding (the rule does
	// not match) and each refusal counts in Evicted. Rule files are
	// checked against the default (signatures.LoadSet leaves such rules
	// out); with a lower value, a file over it makes New fail, naming the
	// file and line. Suricata 7 gives sets
	// loaded from a file no cap and others 16 MiB; the default 64 MiB holds
	// about 600,000 host names.
	DatasetMemcap int `json:"dataset_memcap"`

	// MaxRules caps the rules loaded from all signature packs and --rules
	// files together (signatures.LoadSet): every rule costs memory and
	// time on each packet its prefilter does not rule out, so a wrong or
	// generated input is refused, naming the file and line where the cap
	// is passed, rather than slowing a run to a crawl. ET Open is some
	// 50,000 rules; the default is ten times that.
	MaxRules int `json:"max_rules"`

	// Threads is how many threads compile the rules (--threads, set by
	// the analyzer, not a setting); the analyzer's lookahead runs its
	// workers' Matchers on as many (ahead.go). Results do not depend on
	// it.
	Threads int `json:"-"`

	// LookaheadMinRules is how many rules make the analyzer's lookahead
	// worth its cost with more than one thread (analyzer/lookahead.go):
	// handing a packet to another thread costs some 200 ns, more than a
	// small set's rules take on it. With the default pack alone (12
	// rules) two threads took 1.6x one thread's time on the 60 MB
	// capture; with ET Open they saved a third or more. 0 uses it
	// whenever there are rules.
	LookaheadMinRules int `json:"lookahead_min_rules"`
}

// DefaultMaxRules is Config.MaxRules's default.
const DefaultMaxRules = 500_000

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		MaxThresholdEntries:      65536,
		InspectionRecursionLimit: 3000,
		HTTPRequestBytes:         8192,
		MaxHTTPRequests:          4096,
		HTTPResponseBodyBytes:    102400,
		HTTPDecompressLayers:     2,
		MaxHTTPResponses:         1024,
		MaxFlowbitFlows:          65536,
		MaxRuleFlows:             65536,
		ActionOrder:              []string{"pass", "drop", "reject", "alert"},
		PacketAlertMax:           15,
		DatasetMemcap:            64 << 20,
		MaxRules:                 DefaultMaxRules,
		LookaheadMinRules:        1000,
	}
}

// Validate reports every field out of range, naming its json key.
func (c Config) Validate() error {
	var ck settings.Check
	ck.Int("max_threshold_entries", c.MaxThresholdEntries, 1, 1<<24)
	ck.Int("inspection_recursion_limit", c.InspectionRecursionLimit, 10, 1<<20)
	ck.Int("http_request_bytes", c.HTTPRequestBytes, 256, 1<<20)
	ck.Int("max_http_requests", c.MaxHTTPRequests, 1, 1<<20)
	ck.Int("http_response_body_bytes", c.HTTPResponseBodyBytes, 256, 1<<26)
	ck.Int("http_decompress_layers", c.HTTPDecompressLayers, 0, 8)
	ck.Int("max_http_responses", c.MaxHTTPResponses, 1, 1<<20)
	ck.Int("max_flowbit_flows", c.MaxFlowbitFlows, 1, 1<<24)
	ck.Int("max_rule_flows", c.MaxRuleFlows, 1, 1<<24)
	ck.Int("packet_alert_max", c.PacketAlertMax, 1, 255)
	if _, err := actionRanks(c.ActionOrder); err != nil {
		ck.Fail("action_order: %v", err)
	}
	ck.Int("dataset_memcap", c.DatasetMemcap, 1<<10, 1<<40)
	ck.Int("max_rules", c.MaxRules, 1, 1<<24)
	ck.Int("lookahead_min_rules", c.LookaheadMinRules, 0, 1<<24)
	return ck.Err()
}
