package rules

import "strings"

// The default classifications: the names rule sets use with classtype:,
// each with a description and a priority (1 is the most severe), as the
// classification.config shipped with Suricata and Snort defines them. A
// rule's priority: keyword overrides the classtype's.

// ClasstypePriority returns a classtype's default priority.
func ClasstypePriority(name string) (int, bool) {
	_, prio, ok := classtype(name)
	return prio, ok
}

// ClasstypeDescription returns a classtype's description, e.g. "Attempted
// Administrator Privilege Gain" for attempted-admin.
func ClasstypeDescription(name string) (string, bool) {
	desc, _, ok := classtype(name)
	return desc, ok
}

// classtype looks a classtype up, ignoring case as Suricata does.
func classtype(name string) (desc string, priority int, ok bool) {
	switch strings.ToLower(name) {
	// Priority 1: privilege gain, trojans, attacks on applications.
	case "attempted-user":
		return "Attempted User Privilege Gain", 1, true
	case "unsuccessful-user":
		return "Unsuccessful User Privilege Gain", 1, true
	case "successful-user":
		return "Successful User Privilege Gain", 1, true
	case "attempted-admin":
		return "Attempted Administrator Privilege Gain", 1, true
	case "successful-admin":
		return "Successful Administrator Privilege Gain", 1, true
	case "shellcode-detect":
		return "Executable code was detected", 1, true
	case "trojan-activity":
		return "A Network Trojan was detected", 1, true
	case "web-application-attack":
		return "Web Application Attack", 1, true
	case "inappropriate-content":
		return "Inappropriate Content was Detected", 1, true
	case "policy-violation":
		return "Potential Corporate Privacy Violation", 1, true
	case "targeted-activity":
		return "Targeted Malicious Activity was Detected", 1, true
	case "exploit-kit":
		return "Exploit Kit Activity Detected", 1, true
	case "domain-c2":
		return "Domain Observed Used for C2 Detected", 1, true
	case "credential-theft":
		return "Successful Credential Theft Detected", 1, true
	case "command-and-control":
		return "Malware Command and Control Activity Detected", 1, true
	case "malware-cnc":
		return "Known malware command and control traffic", 1, true
	case "file-format":
		return "Known malicious file or file based exploit", 1, true
	case "client-side-exploit":
		return "Known client side exploit attempt", 1, true

	// Priority 2: reconnaissance, denial of service, suspicious traffic.
	case "bad-unknown":
		return "Potentially Bad Traffic", 2, true
	case "attempted-recon":
		return "Attempted Information Leak", 2, true
	case "successful-recon-limited":
		return "Information Leak", 2, true
	case "successful-recon-largescale":
		return "Large Scale Information Leak", 2, true
	case "attempted-dos":
		return "Attempted Denial of Service", 2, true
	case "successful-dos":
		return "Denial of Service", 2, true
	case "denial-of-service":
		return "Detection of a Denial of Service Attack", 2, true
	case "rpc-portmap-decode":
		return "Decode of an RPC Query", 2, true
	case "suspicious-filename-detect":
		return "A suspicious filename was detected", 2, true
	case "suspicious-login":
		return "An attempted login using a suspicious username was detected", 2, true
	case "system-call-detect":
		return "A system call was detected", 2, true
	case "unusual-client-port-connection":
		return "A client was using an unusual port", 2, true
	case "non-standard-protocol":
		return "Detection of a non-standard protocol or event", 2, true
	case "web-application-activity":
		return "access to a potentially vulnerable web application", 2, true
	case "misc-attack":
		return "Misc Attack", 2, true
	case "default-login-attempt":
		return "Attempt to login by a default username and password", 2, true
	case "external-ip-check":
		return "Device Retrieving External IP Address Detected", 2, true
	case "pup-activity":
		return "Possibly Unwanted Program Detected", 2, true
	case "social-engineering":
		return "Possible Social Engineering Attempted", 2, true
	case "coin-mining":
		return "Crypto Currency Mining Activity Detected", 2, true
	case "sdf":
		return "Sensitive Data was Transmitted Across the Network", 2, true

	// Priority 3: informational.
	case "not-suspicious":
		return "Not Suspicious Traffic", 3, true
	case "unknown":
		return "Unknown Traffic", 3, true
	case "string-detect":
		return "A suspicious string was detected", 3, true
	case "network-scan":
		return "Detection of a Network Scan", 3, true
	case "protocol-command-decode":
		return "Generic Protocol Command Decode", 3, true
	case "misc-activity":
		return "Misc activity", 3, true
	case "icmp-event":
		return "Generic ICMP event", 3, true

	// Priority 4.
	case "tcp-connection":
		return "A TCP connection was detected", 4, true
	}
	return "", 0, false
}
