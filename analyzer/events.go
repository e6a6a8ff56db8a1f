package analyzer

// Event types in the event stream.
const (
	EventAlert   = "alert"   // a signature fired
	EventBlock   = "block"   // a host was blocked, or its block extended
	EventUnblock = "unblock" // a block ran out, on capture time
)

// Event is one entry of the event stream: what a streaming mode prints the
// moment it happens, and what the JSON report lists in order. Batch
// analysis and paced replay of the same capture give the same events.
type Event struct {
	Type  string `json:"type"`
	Time  Time   `json:"time"`
	Alert *Alert `json:"alert,omitempty"` // for alerts
	// For blocks and unblocks: the host, and for blocks when the block
	// ends, the signature that caused it and whether it extended one.
	Host     Host   `json:"host,omitzero"`
	Until    Time   `json:"until,omitzero"`
	SID      uint32 `json:"sid,omitempty"`
	Extended bool   `json:"extended,omitempty"`
}
