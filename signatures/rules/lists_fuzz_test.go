package rules

import (
	"testing"
)

// FuzzParseLists: address and port expressions as rule headers and
// --address-group write them (variables, negation, nesting, ranges).
func FuzzParseLists(f *testing.F) {
	for _, s := range []string{"any", "$HOME_NET", "!$HOME_NET", "[10.0.0.0/8,!10.1.0.0/16]", "[1:1024,!80,8080:]",
		"[[80,443],![1,2]]", "$HTTP_PORTS", "2001:db8::/32", "[!any]", "[1.2.3.4-1.2.3.9]", "65535:", "!0"} {
		f.Add(s)
	}
	vars := DefaultVars()
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseAddr(s, vars)
		_, _ = ParsePort(s, vars)
	})
}
