// Package signatures holds signature metadata: the built-in pack embedded in
// the binary and the loader that turns a pack file into a Catalog.
package signatures

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/jsonfile"
)

//go:embed builtin.json
var builtinPack []byte

// Severity ranks how serious a signature is.
type Severity string

// Severities, from most to least serious.
const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
	SeverityInfo   Severity = "info"
)

// Signature is one signature's metadata.
type Signature struct {
	SID         uint32   `json:"sid"`
	Name        string   `json:"name"`
	Severity    Severity `json:"severity"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	CVEs        []string `json:"cve,omitempty"`
}

// PatchAdvice is the advice given for a signature that names a CVE.
const PatchAdvice = "patch the affected application first"

var cvePattern = regexp.MustCompile(`(?i)\bCVE-\d{4}-\d{4,}\b`)

// AllCVEs returns the CVE ids the signature names, in its references or in
// its name, upper-cased, sorted and without duplicates.
func (s Signature) AllCVEs() []string {
	seen := map[string]bool{}
	var out []string
	add := func(c string) {
		c = strings.ToUpper(c)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range s.CVEs {
		add(c)
	}
	for _, c := range cvePattern.FindAllString(s.Name, -1) {
		add(c)
	}
	sort.Strings(out)
	return out
}

// Pack is a set of signatures with a version and release date.
type Pack struct {
	Name       string      `json:"pack"`
	Version    string      `json:"version"`
	Released   string      `json:"released"`
	Signatures []Signature `json:"signatures"`
}

// ReleaseDate parses Released (YYYY-MM-DD).
func (p *Pack) ReleaseDate() (time.Time, error) {
	return time.Parse("2006-01-02", p.Released)
}

// Catalog finds signature metadata by id.
type Catalog struct {
	Packs []*Pack
	bySID map[uint32]Signature
}

// Lookup returns the signature with id sid.
func (c *Catalog) Lookup(sid uint32) (Signature, bool) {
	s, ok := c.bySID[sid]
	return s, ok
}

// Builtin returns the catalog of the built-in pack embedded in the binary.
func Builtin() (*Catalog, error) {
	p, err := ParsePack("builtin.json", builtinPack)
	if err != nil {
		return nil, err
	}
	return NewCatalog(p)
}

// ErrDuplicateSID is returned when two signatures share an id.
var ErrDuplicateSID = errors.New("duplicate signature id")

// NewCatalog indexes packs; later packs may not redefine an id.
func NewCatalog(packs ...*Pack) (*Catalog, error) {
	c := &Catalog{Packs: packs, bySID: map[uint32]Signature{}}
	for _, p := range packs {
		for _, s := range p.Signatures {
			if _, dup := c.bySID[s.SID]; dup {
				return nil, fmt.Errorf("pack %s: sid %d: %w", p.Name, s.SID, ErrDuplicateSID)
			}
			c.bySID[s.SID] = s
		}
	}
	return c, nil
}

// ParsePack decodes and checks a pack file; name is used in errors.
func ParsePack(name string, data []byte) (*Pack, error) {
	var p Pack
	if err := jsonfile.Decode(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.Name == "" || p.Version == "" {
		return nil, fmt.Errorf("%s: pack name and version are required", name)
	}
	if _, err := p.ReleaseDate(); err != nil {
		return nil, fmt.Errorf("%s: released %q: want YYYY-MM-DD", name, p.Released)
	}
	for i, s := range p.Signatures {
		where := fmt.Sprintf("%s: signature %d (sid %d)", name, i+1, s.SID)
		switch {
		case s.SID == 0:
			return nil, fmt.Errorf("%s: sid is required", where)
		case s.Name == "":
			return nil, fmt.Errorf("%s: name is required", where)
		}
		switch s.Severity {
		case SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo:
		default:
			return nil, fmt.Errorf("%s: severity %q: want high, medium, low or info", where, s.Severity)
		}
		for _, c := range s.CVEs {
			if !cvePattern.MatchString(c) {
				return nil, fmt.Errorf("%s: cve %q: want CVE-YYYY-NNNN", where, c)
			}
		}
	}
	return &p, nil
}
