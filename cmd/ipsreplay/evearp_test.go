package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// ARP-poisoning alerts in EVE carry proto "ARP" and their frame's MACs in
// Suricata's ether object; one whose attacker is known only by its MAC
// is addressed as its packet was, from the ARP sender address (the
// address claimed) to the target address. Replay streams the same lines.
func TestEVEARPAlerts(t *testing.T) {
	type arpLine struct {
		EventType string `json:"event_type"`
		SrcIP     string `json:"src_ip"`
		DestIP    string `json:"dest_ip"`
		Proto     string `json:"proto"`
		Ether     *struct {
			SrcMAC  string `json:"src_mac"`
			DestMAC string `json:"dest_mac"`
		} `json:"ether"`
		Alert *struct {
			SignatureID uint32 `json:"signature_id"`
		} `json:"alert"`
		IPSReplay map[string]any `json:"ipsreplay"`
	}
	tests := []struct {
		capture string
		want    []string // "src dest proto ether.src_mac ether.dest_mac attacker_mac", one per ARP alert
	}{
		// the poisoner's own address is known: it is src_ip, the address
		// it claimed dest_ip
		{"arp-poison.pcap", []string{
			"192.168.1.66 192.168.1.1 ARP 3c:97:0e:aa:bb:cc 8c:ec:4b:30:1e:30 3c:97:0e:aa:bb:cc",
			"192.168.1.66 192.168.1.30 ARP 3c:97:0e:aa:bb:cc 00:1a:2b:3c:4d:01 3c:97:0e:aa:bb:cc",
		}},
		// known only by its MAC: a gratuitous announcement, sender and
		// target both the address it claimed, sent to everyone
		{"guest-vm.pcap", []string{
			"192.168.1.41 192.168.1.41 ARP 00:0c:29:c4:19:3b ff:ff:ff:ff:ff:ff 00:0c:29:c4:19:3b",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			r := runArgs(t, "analyze", "-f", "eve", capture(tt.capture))
			r.wantCode(t, exitOK)
			var got, lines []string
			for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				var rec arpLine
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				if rec.EventType != "alert" || rec.Alert == nil || rec.Alert.SignatureID != 9000003 {
					continue
				}
				lines = append(lines, l)
				if rec.Ether == nil {
					t.Fatalf("no ether object: %s", l)
				}
				mac, _ := rec.IPSReplay["attacker_mac"].(string)
				got = append(got, strings.Join([]string{rec.SrcIP, rec.DestIP, rec.Proto, rec.Ether.SrcMAC, rec.Ether.DestMAC, mac}, " "))
				if _, ok := rec.IPSReplay["attacker"]; ok {
					t.Errorf("ipsreplay.attacker set: %s", l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ARP alerts:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// streamed alerts are the same lines but for alert.category
			s := runArgs(t, "replay", "--speed", "max", "-f", "eve", capture(tt.capture))
			s.wantCode(t, exitOK)
			for _, l := range lines {
				if !strings.Contains(s.stdout, strings.Replace(l, `,"category":"spoofing"`, "", 1)) {
					t.Errorf("replay did not stream %s\n%s", l, s.stdout)
				}
			}
		})
	}
}
