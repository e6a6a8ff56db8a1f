package live

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
)

// Errors opening an interface can wrap, to branch on with errors.Is.
var (
	// ErrNoInterface: the interface does not exist (in this network
	// namespace). The message lists the ones that do.
	ErrNoInterface = errors.New("no interface")
	// ErrPermission: capturing or sending needs root or CAP_NET_RAW.
	ErrPermission = errors.New("permission denied")
	// ErrInterfaceDown: the interface exists but is not up.
	ErrInterfaceDown = errors.New("interface is down")
)

// FilterError is a BPF expression libpcap would not compile. Its message
// names the flag it came from: `--bpf "tcp port": <libpcap's message>`.
type FilterError struct {
	Expr string
	Msg  string // libpcap's message
}

func (e *FilterError) Error() string { return fmt.Sprintf("--bpf %q: %s", e.Expr, e.Msg) }

// Interfaces lists the interfaces of this network namespace in index
// order, then the "any" pseudo-device when withAny and libpcap offers it.
func Interfaces(withAny bool) []string {
	var names []string
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	if withAny && pcapDevice("any") {
		names = append(names, "any")
	}
	return names
}

// checkInterface fails with ErrNoInterface, listing the interfaces there
// are, when iface does not exist. Checking first gives that message
// whatever libpcap would have said (it says "No Such Device", or, to a
// user without privileges, only that permission is denied).
func checkInterface(what, iface string, pseudo bool) error {
	if iface != "" {
		if _, err := net.InterfaceByName(iface); err == nil {
			return nil
		}
		if pseudo && pcapDevice(iface) {
			return nil
		}
	}
	return noInterface(what, iface, pseudo)
}

func noInterface(what, iface string, pseudo bool) error {
	return fmt.Errorf("%s: %w %q (available: %s)", what, ErrNoInterface, iface, available(pseudo))
}

// available lists the interfaces for a message.
func available(pseudo bool) string {
	if names := Interfaces(pseudo); len(names) > 0 {
		return strings.Join(names, ", ")
	}
	return "none"
}

// openError turns what pcap_activate said into one line that says what to
// do. gopacket reports activation failures as fixed strings.
func openError(what, iface string, err error) error {
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case msg == "No Such Device":
		return noInterface(what, iface, what == "capture")
	case msg == "Permission Denied" || strings.Contains(lower, "operation not permitted") ||
		strings.Contains(lower, "permission denied"):
		return fmt.Errorf("%s on %s: %w: run as root or give the binary CAP_NET_RAW", what, iface, ErrPermission)
	case msg == "Interface Not Up":
		return fmt.Errorf("%s on %s: %w (bring it up: ip link set %s up)", what, iface, ErrInterfaceDown, iface)
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "Error: "), "Warning: ")
	return fmt.Errorf("%s on %s: %s", what, iface, lowerFirst(msg))
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// lowerFirst lowercases a message's first letter, unless it starts an
// acronym, so libpcap's messages read as ours do.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
