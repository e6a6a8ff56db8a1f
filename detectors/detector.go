// Package detectors holds the built-in detections of ipsreplay, one file
// each, behind the small Detector interface. A detector sees decoded packet
// Facts (and, optionally, finished TCP connections) in capture order and
// emits Events; it never reads packets, clocks or configuration files itself.
package detectors

// Built-in signature ids. Their names, severities and descriptions live in
// signatures/builtin.json; these constants only tie a detector to its entry.
const (
	SIDSynFlood   uint32 = 9000001
	SIDPortScan   uint32 = 9000002
	SIDARPPoison  uint32 = 9000003
	SIDBruteForce uint32 = 9000004
)
