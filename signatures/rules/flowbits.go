package rules

import (
	"fmt"
	"strings"
)

// parseFlowbits reads one flowbits: option; a rule may have several.
func parseFlowbits(st *ruleState, val string) error {
	cmd, names, hasNames := strings.Cut(val, ",")
	cmd = strings.ToLower(strings.TrimSpace(cmd))
	if cmd == "noalert" {
		if hasNames {
			return fmt.Errorf("noalert takes no name in %q", clip(val))
		}
		st.r.NoAlert = true
		return nil
	}
	c, ok := lookup(cmd, FlowbitSet, FlowbitIsNotSet)
	if !ok {
		return fmt.Errorf("unknown command %q (want set, unset, toggle, isset, isnotset or noalert)", cmd)
	}
	names = strings.TrimSpace(names)
	if !hasNames || names == "" {
		return fmt.Errorf("%s needs a name", cmd)
	}
	fb := Flowbit{Cmd: c}
	sep := "&"
	if strings.Contains(names, "|") {
		if strings.Contains(names, "&") {
			return fmt.Errorf("%q mixes & and |", clip(names))
		}
		if !c.Condition() {
			return fmt.Errorf("%s takes names joined with &, not |", cmd)
		}
		sep, fb.Any = "|", true
	}
	for _, n := range strings.Split(names, sep) {
		n = strings.TrimSpace(n)
		if n == "" || strings.IndexFunc(n, func(r rune) bool {
			// "/" because ET names bits like paths (traffic/id/curl).
			return !(r == '_' || r == '.' || r == '-' || r == '/' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
		}) >= 0 {
			return fmt.Errorf("bad flowbit name %q (letters, digits, _ . - /)", clip(n))
		}
		fb.Names = append(fb.Names, n)
	}
	st.r.Flowbits = append(st.r.Flowbits, fb)
	return nil
}

func parseNoAlert(st *ruleState, _ string) error {
	st.r.NoAlert = true
	return nil
}

// parseAlert is alert;, which makes a pass rule alert (Suricata 7.0.10:
// suricata-verify bug-8021-alert-max-verdict-02). On other rules, which
// alert anyway, Suricata 7.0.10 still changes something: such a rule's
// alert comes after the others' when packet-alert-max bites
// (alert-max-append-higher-priority-drop-5180-01, -03), which is not
// modelled, so those rules are skipped.
func parseAlert(st *ruleState, _ string) error {
	if st.r.Action != ActionPass {
		return skipf("alert", "alert; is not supported on %s rules: Suricata 7.0.10 orders such a rule's alert apart, which is not modelled", st.r.Action)
	}
	st.r.Alert = true
	return nil
}
