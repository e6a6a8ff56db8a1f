package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/ipsreplay/ipsreplay/signatures"
)

// version, when set at build time with -ldflags "-X main.version=...",
// replaces the module version the build info carries ("(devel)" for a
// build from a checkout, the tag for go install ...@vX).
var version = ""

// cgoBuild is whether this binary was built with cgo, which live capture
// needs (the "CGO_ENABLED" build setting).
func cgoBuild(info *debug.BuildInfo) bool {
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value == "1"
		}
	}
	return false
}

// versionText is what --version prints after "ipsreplay version ": the
// module version, then the VCS revision and time, the Go version and
// platform, and the built-in signature pack, one per line, so that a bug
// report names exactly what was run. info is nil when the binary carries
// no build information.
func versionText(override string, info *debug.BuildInfo, pack signatures.Manifest, packErr error) string {
	v := override
	if v == "" && info != nil {
		v = info.Main.Version
	}
	if v == "" { // a test binary
		v = "(devel)"
	}
	lines := []string{v}
	if info != nil {
		rev, at, modified := "", "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		switch {
		case rev == "":
			lines = append(lines, "revision: unknown (built without VCS information)")
		default:
			line := "revision: " + rev
			if at != "" {
				line += " (" + at + ")"
			}
			if modified {
				line += ", with uncommitted changes"
			}
			lines = append(lines, line)
		}
		live := "live capture: yes (cgo, libpcap)"
		if !cgoBuild(info) {
			live = "live capture: no (built with CGO_ENABLED=0)"
		}
		lines = append(lines, fmt.Sprintf("go: %s %s/%s", info.GoVersion, runtime.GOOS, runtime.GOARCH), live)
	}
	if packErr != nil {
		lines = append(lines, "default signature pack: "+packErr.Error())
	} else {
		lines = append(lines, fmt.Sprintf("default signature pack: %s %s (released %s)", pack.Name, pack.Version, pack.Released))
	}
	return strings.Join(lines, "\n")
}

// buildVersion is versionText for this binary.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	pack, err := signatures.EmbeddedDefaultManifest()
	return versionText(version, info, pack, err)
}
