package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// eveSchemaPath is Suricata 7.0.10's EVE schema in the shared reference
// files (../shared/suricata/README.md).
const eveSchemaPath = "../../shared/suricata/eve-schema-7.0.10.json"

// TestEVEMatchesSuricataSchema validates every record, less our own
// "ipsreplay" object, against Suricata's EVE schema: whatever ipsreplay
// writes in Suricata's fields (src_ip, proto, ether, alert, ...) has the
// shape Suricata gives them, and nothing else is added beside them.
func TestEVEMatchesSuricataSchema(t *testing.T) {
	raw, err := os.ReadFile(eveSchemaPath)
	if err != nil {
		t.Skipf("needs Suricata's EVE schema ../shared/suricata/eve-schema-7.0.10.json (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it): %v", err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	results := map[string]*analyzer.Result{"events": eveResult(), "rich": richResult()}
	for _, name := range []string{"events", "rich", "flows"} {
		var buf bytes.Buffer
		if name == "flows" {
			// alert flow fields, flow and stats records (eveflow_test.go)
			buf.Write(eveFlowOutput(t))
		} else if err := WriteEVE(&buf, results[name]); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s line %d: %v", name, i+1, err)
			}
			delete(rec, "ipsreplay") // ours, documented in docs/eve.md
			if err := validateSchema(schema, rec, ""); err != nil {
				t.Errorf("%s line %d: %v\n%s", name, i+1, err, line)
			}
		}
	}
}

// validateSchema checks v against the JSON Schema keywords Suricata's EVE
// schema uses for the fields ipsreplay writes: type, properties,
// additionalProperties, required, items, minItems and pattern. Anything
// else in the schema is ignored.
func validateSchema(s map[string]any, v any, path string) error {
	if typ, ok := s["type"].(string); ok && !jsonType(typ, v) {
		return fmt.Errorf("%s: %v is not of type %s", pathOr(path), v, typ)
	}
	if pat, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(pat).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", pathOr(path), str, pat)
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := val[r.(string)]; !ok {
					return fmt.Errorf("%s: required %q missing", pathOr(path), r)
				}
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, known := props[k].(map[string]any)
			if !known {
				if extra, ok := s["additionalProperties"].(bool); ok && !extra {
					return fmt.Errorf("%s: %q is not a property Suricata defines", pathOr(path), k)
				}
				continue
			}
			if err := validateSchema(sub, val[k], path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if n, ok := s["minItems"].(float64); ok && len(val) < int(n) {
			return fmt.Errorf("%s: %d items, want at least %v", pathOr(path), len(val), n)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, item := range val {
				if err := validateSchema(items, item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jsonType(typ string, v any) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return true
}

func pathOr(p string) string {
	if p == "" {
		return "record"
	}
	return p[1:]
}

// The validator itself rejects what the schema forbids.
func TestValidateSchema(t *testing.T) {
	raw, err := os.ReadFile(eveSchemaPath)
	if err != nil {
		t.Skipf("no Suricata EVE schema at %s: %v", eveSchemaPath, err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	ok := `{"timestamp":"2026-03-02T09:00:00.000000+0000","event_type":"alert","src_ip":"10.0.0.1","proto":"ARP","ether":{"src_mac":"3c:97:0e:aa:bb:cc","dest_mac":"ff:ff:ff:ff:ff:ff"}}`
	for _, tt := range []struct{ rec, want string }{
		{ok, ""},
		{`{"timestamp":"2026-03-02T09:00:00Z","event_type":"alert"}`, "does not match"},
		{`{"timestamp":"2026-03-02T09:00:00.000000+0000"}`, `required "event_type"`},
		{strings.Replace(ok, `"src_mac"`, `"mac"`, 1), `ether: "mac" is not a property`},
		{strings.Replace(ok, `"dest_mac":"ff:ff:ff:ff:ff:ff"`, `"dest_mac":1`, 1), "ether.dest_mac: 1 is not of type string"},
		{strings.Replace(ok, `"proto":"ARP"`, `"arp":{}`, 1), `"arp" is not a property`},
	} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(tt.rec), &rec); err != nil {
			t.Fatal(err)
		}
		err := validateSchema(schema, rec, "")
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.rec, err, tt.want)
		}
	}
}
