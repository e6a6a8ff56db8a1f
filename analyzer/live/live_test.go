//go:build cgo

package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// openAsEnv turns the test binary into a child that opens the interface
// named in it ("capture:lo" or "send:lo") and prints the error: the
// permission test runs it as an unprivileged user.
const openAsEnv = "IPSREPLAY_LIVE_TEST_OPEN"

func TestMain(m *testing.M) {
	if v := os.Getenv(openAsEnv); v != "" {
		what, iface, _ := strings.Cut(v, ":")
		var err error
		if what == "send" {
			var t *Transmitter
			if t, err = OpenTransmitter(iface); err == nil {
				t.Close()
			}
		} else {
			var c *Capture
			if c, err = Open(iface, DefaultCaptureOptions()); err == nil {
				c.Close()
			}
		}
		fmt.Print(err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// needRoot skips tests that open a real interface: capturing and sending
// need root or CAP_NET_RAW. They only ever use the loopback interface.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_NET_RAW) to capture on lo")
	}
}

func newEngine(t *testing.T) *analyzer.Engine {
	t.Helper()
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	e, err := analyzer.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// udpPort reserves a loopback UDP port for the test's packets, so the
// capture filter matches nothing else on the host.
func udpPort(t *testing.T) int {
	t.Helper()
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.LocalAddr().(*net.UDPAddr).Port
}

func sendUDP(t *testing.T, port int, payloads ...string) {
	t.Helper()
	conn, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, p := range payloads {
		if _, err := conn.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCaptureLoopback(t *testing.T) {
	needRoot(t)
	port := udpPort(t)
	out := filepath.Join(t.TempDir(), "lo.pcap")
	opts := DefaultCaptureOptions()
	opts.BPF = fmt.Sprintf("udp and dst port %d", port)
	opts.Count, opts.Duration, opts.Write = 3, 10*time.Second, out
	c, err := Open("lo", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.LinkType() != analyzer.LinkEthernet {
		t.Errorf("lo link type %s, want ETHERNET(1)", c.LinkType())
	}
	before := time.Now()
	payloads := []string{"ipsreplay live test 1", "ipsreplay live test 2", "ipsreplay live test 3"}
	sendUDP(t, port, payloads...)

	e := newEngine(t)
	sum, err := c.Run(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stop != StopCount {
		t.Errorf("stop %q, want %q", sum.Stop, StopCount)
	}
	f := sum.File
	if f.Path != "live:lo" || f.Format != "live" || f.Packets != 3 || !slices.Equal(f.LinkTypes, []string{"ETHERNET(1)"}) {
		t.Errorf("summary %+v, want live:lo, live, 3 packets, ETHERNET(1)", f)
	}
	// 14 Ethernet + 20 IPv4 + 8 UDP + payload
	if want := uint64(3 * (42 + len(payloads[0]))); f.Bytes != want {
		t.Errorf("bytes %d, want %d", f.Bytes, want)
	}
	if f.First.Before(before.Add(-time.Second)) || f.Last.Before(f.First.Time) || f.Last.After(time.Now()) {
		t.Errorf("first %s last %s: not the kernel's time of the packets sent at %s", f.First, f.Last, before)
	}
	if sum.Received < 3 || sum.Dropped != 0 || len(sum.Warnings) != 0 {
		t.Errorf("received %d dropped %d warnings %q", sum.Received, sum.Dropped, sum.Warnings)
	}
	e.Finish()
	res := e.Result([]analyzer.FileSummary{sum.File}, sum.Warnings)
	if res.Summary.Packets != 3 || res.Summary.Undecoded != 0 {
		t.Errorf("engine saw %d packets, %d undecoded; want 3, 0", res.Summary.Packets, res.Summary.Undecoded)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// --write saved the same packets, with the same (nanosecond) times.
	s, err := analyzer.OpenSource(out, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	for s.Next() {
		if s.Link != analyzer.LinkEthernet {
			t.Errorf("written link type %s", s.Link)
		}
		if n < len(payloads) && !bytes.HasSuffix(s.Data, []byte(payloads[n])) {
			t.Errorf("written packet %d does not end in %q", n+1, payloads[n])
		}
		if n == 0 && s.Time != f.First.Time.UnixNano() {
			t.Errorf("written time %s, captured %s", time.Unix(0, s.Time).UTC(), f.First)
		}
		n++
	}
	if err := s.Err(); err != nil || n != 3 {
		t.Errorf("written file: %d packets, err %v; want 3", n, err)
	}
}

func TestCaptureStops(t *testing.T) {
	needRoot(t)
	port := udpPort(t) // nothing is sent to it: the captures stay idle
	open := func(t *testing.T, d time.Duration) *Capture {
		t.Helper()
		opts := DefaultCaptureOptions()
		opts.BPF = fmt.Sprintf("udp and dst port %d", port)
		opts.Duration = d
		c, err := Open("lo", opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("duration", func(t *testing.T) {
		c := open(t, 300*time.Millisecond)
		start := time.Now()
		sum, err := c.Run(context.Background(), newEngine(t))
		took := time.Since(start)
		if err != nil || sum.Stop != StopDuration {
			t.Fatalf("stop %q err %v, want %q", sum.Stop, err, StopDuration)
		}
		if took < 300*time.Millisecond || took > 2*time.Second {
			t.Errorf("a 300ms capture took %s", took)
		}
		if sum.File.Packets != 0 || !sum.File.First.IsZero() {
			t.Errorf("idle capture summary %+v", sum.File)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		c := open(t, 10*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		sum, err := c.Run(ctx, newEngine(t))
		if err != nil || sum.Stop != StopCancelled {
			t.Fatalf("stop %q err %v, want %q", sum.Stop, err, StopCancelled)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("cancel noticed after %s", took)
		}
	})
	t.Run("run twice", func(t *testing.T) {
		c := open(t, time.Millisecond)
		e := newEngine(t)
		if _, err := c.Run(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background(), e); err == nil {
			t.Error("second Run: no error")
		}
	})
}

func TestTransmitLoopback(t *testing.T) {
	needRoot(t)
	port := udpPort(t)
	opts := DefaultCaptureOptions()
	opts.BPF = fmt.Sprintf("udp and dst port %d", port)
	opts.Count, opts.Duration = 1, 10*time.Second
	c, err := Open("lo", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	tx, err := OpenTransmitter("lo")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if tx.Interface() != "lo" || tx.LinkType() != analyzer.LinkEthernet {
		t.Errorf("transmitter on %s, link %s", tx.Interface(), tx.LinkType())
	}
	frame := udpFrame(t, port, "ipsreplay transmit test")
	if err := tx.Send(frame); err != nil {
		t.Fatal(err)
	}
	// Failures are counted and kept, and the transmitter goes on.
	if err := tx.Send(nil); err == nil {
		t.Error("empty packet sent")
	}
	if err := tx.Send(make([]byte, 70000)); err == nil { // over lo's MTU
		t.Error("70000-byte packet sent on lo")
	}
	st := tx.Stats()
	if st.Packets != 1 || st.Bytes != uint64(len(frame)) || st.Errors != 2 {
		t.Errorf("stats %+v, want 1 packet of %d bytes, 2 errors", st, len(frame))
	}
	if st.First == nil || !strings.Contains(st.First.Error(), "send on lo: packet 2 (0 bytes): empty packet") {
		t.Errorf("first error %v", st.First)
	}
	if errs := tx.Errs(); len(errs) != 2 || !strings.Contains(errs[1].Error(), "packet 3 (70000 bytes)") {
		t.Errorf("kept errors %v", errs)
	}

	sum, err := c.Run(context.Background(), newEngine(t))
	if err != nil || sum.Stop != StopCount || sum.File.Packets != 1 || sum.File.Bytes != uint64(len(frame)) {
		t.Errorf("capture of the sent frame: %+v, err %v", sum, err)
	}
}

// udpFrame is an Ethernet frame, as lo carries, of a UDP datagram to
// 127.0.0.1:port.
func udpFrame(t *testing.T, port int, payload string) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: make(net.HardwareAddr, 6), DstMAC: make(net.HardwareAddr, 6), EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IPv4(127, 0, 0, 1), DstIP: net.IPv4(127, 0, 0, 1)}
	udp := &layers.UDP{SrcPort: 40000, DstPort: layers.UDPPort(port)}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip, udp, gopacket.Payload(payload))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenErrors(t *testing.T) {
	const missing = "ipsr-nosuch0"
	_, err := Open(missing, DefaultCaptureOptions())
	want := `capture: no interface "ipsr-nosuch0" (available: `
	if !errors.Is(err, ErrNoInterface) || err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "lo") {
		t.Errorf("Open(%q): %v, want %s...lo...)", missing, err, want)
	}
	_, err = OpenTransmitter(missing)
	if !errors.Is(err, ErrNoInterface) || err == nil || !strings.HasPrefix(err.Error(), `send: no interface "ipsr-nosuch0" (available: `) {
		t.Errorf("OpenTransmitter(%q): %v", missing, err)
	}
	if _, err := OpenTransmitter("any"); err == nil || !strings.Contains(err.Error(), "real interface") {
		t.Errorf("OpenTransmitter(any): %v", err)
	}
	if _, err := Open("lo", CaptureOptions{Duration: -time.Second}); err == nil {
		t.Error("negative duration accepted")
	}

	// These get as far as opening lo.
	t.Run("bpf and write", func(t *testing.T) {
		needRoot(t)
		_, err := Open("lo", CaptureOptions{BPF: "tcp port"})
		var fe *FilterError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), `--bpf "tcp port": `) || len(fe.Msg) < 5 || strings.Contains(err.Error(), "\n") {
			t.Errorf("bad filter: %v", err)
		}
		_, err = Open("lo", CaptureOptions{Write: "/nonexistent-ipsr/x.pcap"})
		if err == nil || err.Error() != "--write /nonexistent-ipsr/x.pcap: directory /nonexistent-ipsr does not exist" {
			t.Errorf("bad --write: %v", err)
		}
	})
}

// TestPermissionDenied opens lo as an unprivileged user, in a child: the
// message must say what privilege is missing.
func TestPermissionDenied(t *testing.T) {
	needRoot(t)
	// a copy of the test binary that user "nobody" can run
	dir, err := os.MkdirTemp("", "ipsr-live-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "live.test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"capture", "send"} {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), openAsEnv+"="+what+":lo")
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Skipf("cannot run the test binary as nobody: %v: %s", err, out)
		}
		want := what + " on lo: permission denied: run as root or give the binary CAP_NET_RAW"
		if string(out) != want {
			t.Errorf("unprivileged %s: %q, want %q", what, out, want)
		}
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func TestOpenErrorMessages(t *testing.T) {
	tests := []struct {
		libpcap string
		want    string
		is      error
	}{
		{"Permission Denied", "capture on eth0: permission denied: run as root or give the binary CAP_NET_RAW", ErrPermission},
		{"Error: eth0: You don't have permission to perform this capture on that device (socket: Operation not permitted)",
			"capture on eth0: permission denied: run as root or give the binary CAP_NET_RAW", ErrPermission},
		{"Interface Not Up", "capture on eth0: interface is down (bring it up: ip link set eth0 up)", ErrInterfaceDown},
		{"Error: Something odd", "capture on eth0: something odd", nil},
	}
	for _, tt := range tests {
		err := openError("capture", "eth0", errors.New(tt.libpcap))
		if err.Error() != tt.want {
			t.Errorf("%q: %q, want %q", tt.libpcap, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%q: not %v", tt.libpcap, tt.is)
		}
	}
	if err := openError("capture", "eth9", errors.New("No Such Device")); !errors.Is(err, ErrNoInterface) {
		t.Errorf("No Such Device: %v", err)
	}
	fe := &FilterError{Expr: "tcp port", Msg: "syntax error"}
	if got := fe.Error(); got != `--bpf "tcp port": syntax error` {
		t.Errorf("FilterError: %q", got)
	}
}
