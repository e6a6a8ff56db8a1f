package main

import (
	"errors"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/signatures"
)

func TestVersionText(t *testing.T) {
	pack := signatures.Manifest{Name: "default", Version: "1.0.0", Released: "2026-11-23"}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/ipsreplay/ipsreplay", Version: "v0.9.0"},
		Settings: []debug.BuildSetting{
			{Key: "CGO_ENABLED", Value: "1"},
			{Key: "vcs.revision", Value: "6fa2500abc"},
			{Key: "vcs.time", Value: "2026-12-05T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name     string
		override string
		info     *debug.BuildInfo
		packErr  error
		want     string
	}{
		{
			name: "go install of a tag with VCS stamp", info: stamped,
			want: "v0.9.0\nrevision: 6fa2500abc (2026-12-05T10:00:00Z), with uncommitted changes\ngo: go1.26.8 " + platform +
				"\nlive capture: yes (cgo, libpcap)\ndefault signature pack: default 1.0.0 (released 2026-11-23)",
		},
		{
			name: "-ldflags override, no VCS, no cgo", override: "1.2.3",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "0"}}},
			want: "1.2.3\nrevision: unknown (built without VCS information)\ngo: go1.26.8 " + platform +
				"\nlive capture: no (built with CGO_ENABLED=0)\ndefault signature pack: default 1.0.0 (released 2026-11-23)",
		},
		{
			name: "no build info, broken pack", packErr: errors.New("built-in signature pack: manifest.json: unexpected EOF"),
			want: "(devel)\ndefault signature pack: built-in signature pack: manifest.json: unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.override, tt.info, pack, tt.packErr); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// The manifest --version reads is the one the embedded pack loads with.
func TestVersionPackMatchesEmbedded(t *testing.T) {
	m, err := signatures.EmbeddedDefaultManifest()
	if err != nil {
		t.Fatal(err)
	}
	p, err := signatures.EmbeddedDefault()
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != p.Name || m.Version != p.Version || m.Released != p.Released {
		t.Errorf("manifest %s %s %s, loaded pack %s %s %s", m.Name, m.Version, m.Released, p.Name, p.Version, p.Released)
	}
	if !strings.Contains(buildVersion(), "default signature pack: "+m.Name+" "+m.Version) {
		t.Errorf("buildVersion() = %q", buildVersion())
	}
}
