package rules

import "fmt"

// Target is the target: keyword: which end of the alerting packet is the
// target of the attack, so the other end is the attacker. Suricata adds
// "source" and "target" to the alert from it; ipsreplay also decides from
// it whom the autoblock blocks.
type Target uint8

// Targets; the zero value is none (the rule does not say).
const (
	TargetNone Target = iota
	TargetSrc         // target:src_ip: the packet's source is attacked
	TargetDst         // target:dest_ip: the packet's destination is attacked
)

// String returns the value as a rule writes it ("" for none).
func (t Target) String() string {
	if t == TargetNone {
		return ""
	}
	return enumName("Target", uint8(t), "", "src_ip", "dest_ip")
}

// parseTarget parses target:src_ip|dest_ip (detect-target.c).
func parseTarget(st *ruleState, val string) error {
	if err := st.onlyOnce("target"); err != nil {
		return err
	}
	t, ok := lookup(val, TargetSrc, TargetDst)
	if !ok {
		return fmt.Errorf("bad value %q (want src_ip or dest_ip)", clip(val))
	}
	st.r.Target = t
	return nil
}
