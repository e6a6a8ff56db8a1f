package analyzer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/fingerprint"
	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/internal/jsonfile"
	"github.com/ipsreplay/ipsreplay/rulematch"
)

// Tunables are the detection parameters a config file or --set changes.
// The JSON keys are the config file's sections: syn_flood, port_scan,
// arp_poisoning, brute_force, flows, rules, network,
// scanner_fingerprints, capture, report and autoblock.
type Tunables struct {
	detectors.Config
	Flows       FlowConfig         `json:"flows"`
	Rules       rulematch.Config   `json:"rules"`
	Network     NetworkConfig      `json:"network"`
	Fingerprint fingerprint.Config `json:"scanner_fingerprints"`
	Capture     CaptureConfig      `json:"capture"`
	Report      ReportConfig       `json:"report"`
	Autoblock   AutoblockConfig    `json:"autoblock"`
	EVE         EVEConfig          `json:"eve"`
}

// DefaultTunables returns every documented default.
func DefaultTunables() Tunables {
	return Tunables{
		Config:      detectors.DefaultConfig(),
		Flows:       DefaultFlowConfig(),
		Rules:       rulematch.DefaultConfig(),
		Fingerprint: fingerprint.DefaultConfig(),
		Capture:     DefaultCaptureConfig(),
		Report:      DefaultReportConfig(),
		Autoblock:   DefaultAutoblockConfig(),
		EVE:         DefaultEVEConfig(),
	}
}

// Apply sets the engine settings t holds in cfg.
func (t Tunables) Apply(cfg *Config) {
	cfg.Detectors, cfg.Flows, cfg.Rules = t.Config, t.Flows, t.Rules
	cfg.HomeNet, cfg.Fingerprint = t.Network.HomeNet, t.Fingerprint
	cfg.Capture, cfg.Report, cfg.BlockTable = t.Capture, t.Report, t.Autoblock
	cfg.EVE = t.EVE
}

// TunablesOf returns the settings cfg holds, the inverse of Apply: a
// zero section NewEngine would read as its defaults comes back as them.
func TunablesOf(cfg Config) Tunables {
	t := Tunables{Config: cfg.Detectors, Flows: cfg.Flows, Rules: cfg.Rules,
		Network: NetworkConfig{HomeNet: cfg.HomeNet}, Fingerprint: cfg.Fingerprint,
		Capture: cfg.Capture, Report: cfg.Report, Autoblock: cfg.BlockTable, EVE: cfg.EVE}
	if t.EVE == (EVEConfig{}) {
		t.EVE = DefaultEVEConfig()
	}
	if t.Capture == (CaptureConfig{}) {
		t.Capture = DefaultCaptureConfig()
	}
	if t.Report == (ReportConfig{}) {
		t.Report = DefaultReportConfig()
	}
	if t.Autoblock == (AutoblockConfig{}) {
		t.Autoblock = DefaultAutoblockConfig()
	}
	return t
}

// Validate checks the detectors and flow settings.
func (t Tunables) Validate() error {
	if err := t.Config.Validate(); err != nil {
		return err
	}
	if err := t.Rules.Validate(); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	if err := t.Fingerprint.Validate(); err != nil {
		return fmt.Errorf("scanner_fingerprints: %w", err)
	}
	if err := t.Capture.Validate(); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	if err := t.Report.Validate(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := t.Autoblock.Validate(); err != nil {
		return fmt.Errorf("autoblock: %w", err)
	}
	if err := t.EVE.Validate(); err != nil {
		return fmt.Errorf("eve: %w", err)
	}
	f := t.Flows
	switch {
	case f.HalfOpenTimeout <= 0:
		return fmt.Errorf("flows: half_open_timeout %s: must be positive", f.HalfOpenTimeout)
	case f.IdleTimeout <= 0:
		return fmt.Errorf("flows: idle_timeout %s: must be positive", f.IdleTimeout)
	case f.MaxHalfOpen < 1 || f.MaxHalfOpen > 1<<24:
		return fmt.Errorf("flows: max_half_open %d: want 1 to %d", f.MaxHalfOpen, 1<<24)
	case f.MaxEstablished < 1 || f.MaxEstablished > 1<<24:
		return fmt.Errorf("flows: max_established %d: want 1 to %d", f.MaxEstablished, 1<<24)
	case f.StreamWindow < 0 || f.StreamWindow > 4096:
		return fmt.Errorf("flows: stream_window %d: want 0 (no stream matching) to 4096", f.StreamWindow)
	case f.MaxStreams < 1 || f.MaxStreams > 1<<24:
		return fmt.Errorf("flows: max_streams %d: want 1 to %d", f.MaxStreams, 1<<24)
	case f.HoldSegments < 0 || f.HoldSegments > 1<<16:
		return fmt.Errorf("flows: hold_segments %d: want 0 (no reordering) to %d", f.HoldSegments, 1<<16)
	case f.HoldBytes < 0 || f.HoldBytes > 1<<30:
		return fmt.Errorf("flows: hold_bytes %d: want 0 to %d", f.HoldBytes, 1<<30)
	case f.HoldMemcap < 0 || f.HoldMemcap > 1<<34:
		return fmt.Errorf("flows: hold_memcap %d: want 0 to %d", f.HoldMemcap, int64(1)<<34)
	}
	return nil
}

// LoadTunables reads a JSON config file over the defaults: sections and keys
// left out keep their defaults, unknown keys are errors. The file is
// capped at capped.ConfigBytes (--config /dev/zero is an error, not GBs).
func LoadTunables(path string) (Tunables, error) {
	data, err := capped.ReadFile(path, "a config file", capped.ConfigBytes)
	if err != nil {
		return DefaultTunables(), fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	return ParseTunables(path, data)
}

// ParseTunables reads the config file path holds data over the defaults,
// as LoadTunables does.
func ParseTunables(path string, data []byte) (Tunables, error) {
	t := DefaultTunables()
	if err := jsonfile.Decode(data, &t); err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Set applies one "section.key=value" override, as Suricata's --set does.
// The value is JSON when it parses as JSON (numbers, true, lists) and a
// string otherwise ("90s").
func (t *Tunables) Set(assignment string) error {
	path, value, ok := strings.Cut(assignment, "=")
	if !ok || path == "" {
		return fmt.Errorf("--set %q: want section.key=value", assignment)
	}
	keys := strings.Split(path, ".")
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return err
	}
	node := tree
	for i, k := range keys {
		v, exists := node[k]
		if !exists {
			return fmt.Errorf("--set %s: unknown key %q; known here: %s", path, k, strings.Join(sortedKeys(node), ", "))
		}
		if i == len(keys)-1 {
			if _, isSection := v.(map[string]any); isSection {
				return fmt.Errorf("--set %s: is a section; name one of its keys: %s", path, strings.Join(sortedKeys(v.(map[string]any)), ", "))
			}
			var parsed any
			if json.Unmarshal([]byte(value), &parsed) != nil {
				parsed = value
			}
			node[k] = parsed
			break
		}
		sub, isSection := v.(map[string]any)
		if !isSection {
			return fmt.Errorf("--set %s: %q is not a section", path, k)
		}
		node = sub
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return err
	}
	next := DefaultTunables()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("--set %s=%s: want %s", path, value, jsonKind(te.Type.Kind()))
		}
		return fmt.Errorf("--set %s=%s: %w", path, value, err)
	}
	if err := next.Validate(); err != nil {
		return fmt.Errorf("--set %s=%s: %w", path, value, err)
	}
	*t = next
	return nil
}

// jsonKind names what a setting holds for people, not Go types.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a JSON list like [\"10.0.0.1\"]"
	}
	return "a string"
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
