package analyzer

import (
	"strings"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// defaultPriority is the priority of a rule with neither priority: nor a
// classtype, as Suricata gives it.
const defaultPriority = 3

// ruleInfos describes each SID's rule, the first of a SID that two rules
// (of different generators) share. The values are shared by every alert
// of the rule: read-only.
func ruleInfos(rs []*rules.Rule) map[uint32]*RuleInfo {
	out := make(map[uint32]*RuleInfo, len(rs))
	for _, r := range rs {
		if out[r.SID] != nil {
			continue
		}
		info := &RuleInfo{GID: r.GID, Rev: r.Rev, Classtype: r.Classtype, Priority: r.Priority}
		if info.GID == 0 {
			info.GID = 1
		}
		if r.Classtype != "" {
			info.ClassDescription, _ = rules.ClasstypeDescription(r.Classtype)
		}
		if info.Priority == 0 {
			if p, ok := rules.ClasstypePriority(r.Classtype); ok && r.Classtype != "" {
				info.Priority = p
			} else {
				info.Priority = defaultPriority
			}
		}
		for _, kv := range r.Metadata {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), " ")
			if k == "" {
				continue
			}
			if info.Metadata == nil {
				info.Metadata = map[string][]string{}
			}
			info.Metadata[k] = append(info.Metadata[k], strings.TrimSpace(v))
		}
		out[r.SID] = info
	}
	return out
}
