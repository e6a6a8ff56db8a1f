package rules

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/capped"
)

// Parsing follows Suricata's detect-parse.c: the header (action, protocol,
// addresses, ports, direction), then the options in order, each handed to
// its keyword's parse function (keywords.go), then checks that need the
// whole rule. Three outcomes:
//
//   - a Rule, when every keyword is supported;
//   - a Skipped, for a well-formed rule using something the matcher does
//     not have (a keyword, a protocol, a pcre construct RE2 cannot run).
//     Keywords after the first unsupported one are not checked, as their
//     meaning may depend on it (byte_extract variables);
//   - an *Error, for a malformed rule: what Suricata would refuse to load,
//     plus a few rules that could never match (depth shorter than the
//     content, an unknown classtype).

// Error is a malformed rule. Its message names the place, the keyword and
// the bad value: `local.rules:12: content: unterminated hex "|41 4"`.
type Error struct {
	File    string
	Line    int
	SID     uint32 // 0 when the rule has none or it was not read yet
	Keyword string // the keyword or header field at fault
	Msg     string // "keyword: what is wrong"
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// skipError says a well-formed rule uses something unsupported.
type skipError struct{ keyword, reason string }

func (e *skipError) Error() string { return e.reason }

func skipf(keyword, format string, args ...any) error {
	return &skipError{keyword: keyword, reason: fmt.Sprintf(format, args...)}
}

// Parse parses one rule. file and line only label messages. It returns
// the rule, or why it was skipped, or an *Error for a malformed rule.
func Parse(file string, line int, text string, vars Vars) (*Rule, *Skipped, error) {
	r, s, _, err := newParser(vars).parse(file, line, text)
	return r, s, err
}

// ParseFile parses a rules file: one rule a line, "#" comments and blank
// lines ignored, a line ending in "\" continued on the next (the rule's
// Line is its first). It returns every good rule and every skipped one;
// the error joins one *Error per malformed rule, so all can be fixed at
// once. A sid used twice (with the same gid) is an error naming both
// lines; the later rule is dropped. ReadFile is the same without refusing
// the file for its malformed rules.
func ParseFile(name string, r io.Reader, vars Vars) (rules []*Rule, skipped []Skipped, err error) {
	f, err := ReadFile(name, r, vars)
	errs := make([]error, 0, len(f.Failed)+1)
	for _, e := range f.Failed {
		errs = append(errs, e)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return f.Rules, f.Skipped, errors.Join(errs...)
}

// File is what a rules file holds: the rules that load, the well-formed
// ones left out (Skipped), the malformed ones (Failed) and warnings about
// rules that load anyway (an unknown classtype), each "file:line: ...".
type File struct {
	Rules    []*Rule
	Skipped  []Skipped
	Failed   []*Error
	Warnings []string
}

// Read counts the rules read: loaded, skipped and failed.
func (f *File) Read() int { return len(f.Rules) + len(f.Skipped) + len(f.Failed) }

// ReadFile parses a rules file as ParseFile does but, as Suricata does,
// a malformed rule is only left out (in Failed) and the rest load. The
// error is for the reader alone, or for a file past capped.RulesBytes
// (a /dev/zero); f holds what was read before it.
func ReadFile(name string, r io.Reader, vars Vars) (*File, error) {
	return readFile(name, r, vars, capped.RulesBytes)
}

// readFile is ReadFile with the cap as a parameter, for tests.
func readFile(name string, r io.Reader, vars Vars, maxBytes int64) (*File, error) {
	f := &File{}
	p := newParser(vars)
	type ruleID struct{ gid, sid uint32 }
	seen := map[ruleID]int{}
	add := func(text string, line int) {
		rule, skip, gid, err := p.parse(name, line, text)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{File: name, Line: line, Msg: err.Error()}
			}
			f.Failed = append(f.Failed, e)
			return
		}
		id := ruleID{gid, 0}
		if rule != nil {
			id.sid = rule.SID
		} else {
			id.sid = skip.SID
		}
		if first, dup := seen[id]; dup {
			f.Failed = append(f.Failed, &Error{File: name, Line: line, SID: id.sid, Keyword: "sid",
				Msg: fmt.Sprintf("sid: duplicate sid %d (gid %d), first used at %s:%d", id.sid, id.gid, name, first)})
			return
		}
		seen[id] = line
		if rule != nil {
			f.Rules = append(f.Rules, rule)
			for _, w := range p.warnings {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s:%d: rule sid %d: %s", name, line, rule.SID, w))
			}
		} else {
			f.Skipped = append(f.Skipped, *skip)
		}
	}

	br := bufio.NewReader(capped.NewReader(r, rulesFileKind, maxBytes))
	var pending strings.Builder // a rule continued with "\"
	var long []byte             // a line longer than br's buffer
	continued, start, lineNo := false, 0, 0
	var rerr error
	for {
		// Lines are read in place and copied only when they are rules:
		// ReadString copied every line (ET Open's files are half comments),
		// and a rule once more into pending; the two were a fifth of what
		// loading ET Open allocated.
		var line []byte
		line, rerr = br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for rerr == bufio.ErrBufferFull {
				line, rerr = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if rerr != nil && rerr != io.EOF {
			break // the line was cut short by a read error or the cap
		}
		if len(line) > 0 {
			lineNo++
			line = bytes.TrimRight(line, "\r\n")
			if lineNo == 1 {
				line = bytes.TrimPrefix(line, []byte("\uFEFF"))
			}
			if !continued {
				t := bytes.TrimSpace(line)
				if len(t) == 0 || t[0] == '#' {
					goto next
				}
				start = lineNo
			}
			if t := bytes.TrimRight(line, " \t"); bytes.HasSuffix(t, []byte(`\`)) {
				pending.Write(t[:len(t)-1])
				continued = true
				goto next
			}
			if continued {
				pending.Write(line)
				add(pending.String(), start)
				pending.Reset()
				continued = false
			} else {
				add(string(line), start)
			}
		}
	next:
		if rerr != nil {
			break
		}
	}
	if rerr != nil && rerr != io.EOF {
		return f, fmt.Errorf("%s: %w", name, rerr)
	}
	if continued && strings.TrimSpace(pending.String()) != "" {
		add(pending.String(), start)
	}
	return f, nil
}

// rulesFileKind names a rules file in cap errors.
const rulesFileKind = "a rules file"

// parser holds what is shared by the rules of one file: the keyword table
// and the resolved variables.
type parser struct {
	res      *resolver
	keywords map[string]*keyword
	warnings []string // about the rule parsed last, which loads anyway
	// scratch of each parse, reused: the options slice grown anew for
	// every rule was a sixth of what loading ET Open allocated
	opts []option
	once map[string]bool
}

func newParser(vars Vars) *parser {
	p := &parser{res: newResolver(vars), keywords: map[string]*keyword{}}
	for _, kw := range keywordTable() {
		p.keywords[kw.name] = &kw
	}
	return p
}

// option is one "name:value;" or "name;" of a rule, the value trimmed and
// still escaped.
type option struct {
	name     string
	value    string
	hasValue bool
}

// ruleState is the rule being built and what the keywords track as they
// go: the sticky buffer and the modifiers each content has had.
type ruleState struct {
	r         *Rule
	res       *resolver
	sticky    Buffer // where the next content looks
	hasSticky bool   // a sticky buffer or pkt_data was given
	mods      []contentMods
	once      map[string]bool // keywords seen that may appear once
	fastPat   bool
	warnings  []string

	// Transforms (transform.go): listSet says the sticky buffer was named
	// and no match has taken up transforms since (Suricata's list_set),
	// so a transform may follow; pending are transforms no match has
	// taken up yet; xforms are those of the sticky buffer's matches.
	listSet bool
	pending []Transform
	xforms  []Transform
}

// contentMods is what a content had that Content does not record.
type contentMods struct {
	rawbytes bool
}

// kwError is a problem found by a check that names its own keyword.
type kwError struct{ kw, msg string }

func (e *kwError) Error() string { return e.msg }

func kwErrorf(kw, format string, args ...any) error {
	return &kwError{kw: kw, msg: kw + ": " + fmt.Sprintf(format, args...)}
}

// parse parses one rule and also returns its gid (for duplicate checks
// on skipped rules).
func (p *parser) parse(file string, line int, text string) (*Rule, *Skipped, uint32, error) {
	text = strings.TrimSpace(text)
	p.warnings = nil
	if p.once == nil {
		p.once = map[string]bool{}
	}
	clear(p.once)
	st := &ruleState{r: &Rule{File: file, Line: line, Raw: text, GID: 1}, res: p.res, once: p.once}
	fail := func(err error) (*Rule, *Skipped, uint32, error) {
		e := &Error{File: file, Line: line, SID: st.r.SID, Msg: err.Error()}
		var ke *kwError
		if errors.As(err, &ke) {
			e.Keyword = ke.kw
		}
		return nil, nil, 0, e
	}

	open := strings.IndexByte(text, '(')
	if open < 0 {
		return fail(kwErrorf("rule", "missing ( before the options in %q", clip(text)))
	}
	end := strings.LastIndexByte(text, ')')
	if end < open {
		return fail(kwErrorf("rule", "missing ) after the options in %q", clip(text)))
	}
	if rest := strings.TrimSpace(text[end+1:]); rest != "" {
		return fail(kwErrorf("rule", "text after the closing ): %q", clip(rest)))
	}
	opts, err := splitOptions(p.opts[:0], text[open+1:end])
	p.opts = opts[:0]
	if err != nil {
		return fail(err)
	}
	// sid and gid first, so a skipped rule is still reported by its sid.
	for _, o := range opts {
		if o.name == "sid" || o.name == "gid" {
			if err := st.ruleID(o); err != nil {
				return fail(err)
			}
		}
	}

	var skip *skipError
	if err := st.header(text[:open]); err != nil {
		if !errors.As(err, &skip) {
			return fail(err)
		}
	}
	for _, o := range opts {
		kw := p.keywords[o.name]
		if kw == nil {
			if skip == nil {
				skip = &skipError{keyword: o.name, reason: fmt.Sprintf("keyword %q is not supported", o.name)}
			}
			break
		}
		switch {
		case kw.value == valueRequired && !o.hasValue:
			return fail(kwErrorf(kw.name, "needs a value"))
		case kw.value == valueNone && o.hasValue:
			return fail(kwErrorf(kw.name, "takes no value, got %q", clip(o.value)))
		}
		if err := kw.parse(st, o.value); err != nil {
			var se *skipError
			if errors.As(err, &se) {
				if skip == nil {
					skip = se
				}
				break
			}
			var ke *kwError
			if !errors.As(err, &ke) {
				err = kwErrorf(kw.name, "%v", err)
			}
			return fail(err)
		}
	}
	if skip == nil {
		if err := st.validate(); err != nil {
			return fail(err)
		}
	}
	if st.r.SID == 0 {
		return fail(kwErrorf("sid", "missing sid"))
	}
	if skip != nil {
		return nil, &Skipped{File: file, Line: line, SID: st.r.SID, Keyword: skip.keyword, Reason: skip.reason}, st.r.GID, nil
	}
	p.warnings = st.warnings
	return st.r, nil, st.r.GID, nil
}

// clip shortens text quoted in a message.
func clip(s string) string {
	const limit = 80
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}

// splitOptions splits the text between the parentheses at each ";" not
// escaped with "\" (as Suricata does: a ";" inside quotes must be escaped
// too). The last ";" may be left out. The options are appended to opts.
func splitOptions(opts []option, body string) ([]option, error) {
	i := 0
	for i < len(body) {
		start := i
		for i < len(body) && body[i] != ';' {
			if body[i] == '\\' {
				i++
			}
			i++
		}
		item := strings.TrimSpace(body[start:min(i, len(body))])
		i++
		if item == "" {
			continue
		}
		name, value, hasValue := strings.Cut(item, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !validKeywordName(name) {
			return nil, kwErrorf("rule", "bad option %q (want keyword or keyword:value)", clip(item))
		}
		opts = append(opts, option{name: name, value: strings.TrimSpace(value), hasValue: hasValue})
	}
	return opts, nil
}

func validKeywordName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// header parses "action protocol source port direction destination port".
func (st *ruleState) header(text string) error {
	f := headerFields(text)
	if len(f) != 7 {
		return kwErrorf("header", "want \"action protocol source port direction destination port\", got %d fields in %q", len(f), clip(strings.TrimSpace(text)))
	}
	var skip error
	note := func(err error) {
		if skip == nil {
			skip = err
		}
	}
	r := st.r
	action := strings.ToLower(f[0])
	var ok bool
	switch r.Action, ok = lookup(action, ActionAlert, ActionPass); {
	case ok:
	case action == "config":
		note(skipf(action, "action %q is not supported", action))
	default:
		return kwErrorf("action", "unknown action %q (want alert, drop, reject, rejectsrc, rejectdst, rejectboth or pass)", f[0])
	}
	proto := strings.ToLower(f[1])
	if r.Proto, ok = LookupProtocol(proto); !ok {
		note(skipf(proto, "protocol %q is not supported", proto))
	}
	var err error
	if r.Src, err = st.res.addrSpec(f[2]); err != nil {
		return kwErrorf("source", "%v", err)
	}
	if r.SrcPorts, err = st.res.portSpec(f[3]); err != nil {
		return kwErrorf("source port", "%v", err)
	}
	switch f[4] {
	case "->":
	case "<>":
		r.Bidirectional = true
	case "<-":
		return kwErrorf("direction", `"<-" is not valid; write "->" and swap source and destination`)
	case "=>":
		note(skipf("=>", `direction "=>" (transactional rules) is not supported`))
	default:
		return kwErrorf("direction", "bad direction %q (want -> or <>)", f[4])
	}
	if r.Dst, err = st.res.addrSpec(f[5]); err != nil {
		return kwErrorf("destination", "%v", err)
	}
	if r.DstPorts, err = st.res.portSpec(f[6]); err != nil {
		return kwErrorf("destination port", "%v", err)
	}
	return skip
}

// headerFields splits the header on whitespace, keeping [lists] whole
// (spaces inside a list are dropped).
func headerFields(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if depth <= 0 && cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteByte(c)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// validate runs the checks that need the whole rule.
func (st *ruleState) validate() error {
	r := st.r
	if len(st.pending) > 0 {
		return kwErrorf(st.pending[0].Kind.String(), "no match follows the transforms of %s", st.sticky)
	}
	for i := range r.Matches {
		m := &r.Matches[i]
		if m.Buffer == BufferDNSQuery && !r.Proto.dnsBuffers() {
			return kwErrorf(m.Buffer.String(), "a dns buffer needs a dns, udp, tcp or ip rule, but the protocol is %s", r.Proto)
		}
		if m.Buffer == BufferTLSSNI && !r.Proto.tlsBuffers() {
			return kwErrorf(m.Buffer.String(), "a tls buffer needs a tls, tcp or ip rule, but the protocol is %s", r.Proto)
		}
		if m.Buffer.Header() {
			if err := headerBufferProto(m.Buffer, r.Proto); err != nil {
				return err
			}
			continue
		}
		if m.Buffer.TLSHandshake() && !r.Proto.tlsBuffers() && !(m.Buffer.JA3() && r.Proto == ProtoQUIC) {
			return kwErrorf(m.Buffer.String(), "a tls buffer needs a tls, tcp or ip rule, but the protocol is %s", r.Proto)
		}
		if m.Buffer.SSH() && !r.Proto.sshBuffers() {
			return kwErrorf(m.Buffer.String(), "an ssh buffer needs an ssh, tcp or ip rule, but the protocol is %s", r.Proto)
		}
		// file.data names files of any protocol: the matcher says which it reads
		if m.Buffer.HTTP() && m.Buffer != BufferFileData && !r.Proto.httpBuffers() {
			return kwErrorf(m.Buffer.String(), "an http buffer needs an http, tcp or ip rule, but the protocol is %s", r.Proto)
		}
		c := m.Content
		if c == nil {
			continue
		}
		switch {
		case c.Negated && c.FastPattern && (c.HasOffset || c.HasDepth || c.HasDistance || c.HasWithin):
			return kwErrorf("fast_pattern", "cannot be used on a negated content with offset, depth, distance or within (%q)", clip(string(c.Pattern)))
		case c.StartsWith && (c.HasOffset || c.HasDepth || c.HasDistance || c.HasWithin):
			return kwErrorf("startswith", "cannot be combined with offset, depth, distance or within (content %q)", clip(string(c.Pattern)))
		case c.HasDepth && c.DepthVar == 0 && c.Depth < len(c.Pattern):
			return kwErrorf("depth", "%d is less than the content length %d, so %q can never match", c.Depth, len(c.Pattern), clip(string(c.Pattern)))
		case c.HasWithin && c.WithinVar == 0 && c.Within < len(c.Pattern):
			return kwErrorf("within", "%d is less than the content length %d, so %q can never match", c.Within, len(c.Pattern), clip(string(c.Pattern)))
		case m.Buffer == BufferHTTPHost && len(m.Transforms) == 0 && !c.NoCase && hasUpper(c.Pattern):
			return kwErrorf("http.host", "the host buffer is lowercase but content %q has uppercase letters; write it in lowercase or add nocase", clip(string(c.Pattern)))
		}
	}
	return nil
}

func hasUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// Group is what a malformed rule is counted under in summaries: the
// keyword or header field at fault, e.g. "invalid content".
func (e *Error) Group() string {
	switch {
	case e.Keyword == "sid" && strings.Contains(e.Msg, "duplicate sid"):
		return "duplicate sid"
	case e.Keyword == "":
		return "invalid rule"
	}
	return "invalid " + e.Keyword
}
