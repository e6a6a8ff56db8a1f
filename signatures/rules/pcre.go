package rules

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
)

// The pcre: keyword: its quoted value, its flags (the HTTP buffer flags
// among them) and the conversion of the pattern to RE2 (re2.go).

// pcreBufferFlag maps Suricata's HTTP pcre flags to the buffer they
// search. Flags for buffers the matcher does not have are in
// pcreUnsupportedFlag.
func pcreBufferFlag(f byte) (Buffer, bool) {
	switch f {
	case 'U':
		return BufferHTTPURI, true
	case 'H':
		return BufferHTTPHeader, true
	case 'M':
		return BufferHTTPMethod, true
	case 'C':
		return BufferHTTPCookie, true
	case 'P':
		return BufferHTTPBody, true
	case 'V':
		return BufferHTTPUserAgent, true
	case 'W':
		return BufferHTTPHost, true
	case 'I':
		return BufferHTTPRawURI, true
	case 'D':
		return BufferHTTPRawHeader, true
	case 'Q':
		return BufferFileData, true // http.response_body is file_data's buffer
	case 'S':
		return BufferHTTPStatCode, true
	case 'Y':
		return BufferHTTPStatMsg, true
	}
	return BufferPayload, false
}

func pcreUnsupportedFlag(f byte) (string, bool) {
	switch f {
	case 'K':
		return "http.cookie.raw", true
	case 'Z':
		return "http.host.raw", true
	}
	return "", false
}

// pcreValue is a parsed pcre: value.
type pcreValue struct {
	pcre      *PCRE
	buffer    Buffer // from an HTTP flag, with hasBuffer
	hasBuffer bool
	bufFlag   byte
}

// parsePCRE parses `"/re/flags"` or `!"/re/flags"` and compiles it.
func parsePCRE(val string) (pcreValue, error) {
	var out pcreValue
	raw := val
	negated := false
	if strings.HasPrefix(val, "!") {
		negated = true
		val = strings.TrimSpace(val[1:])
	}
	body := val
	switch {
	case len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"':
		body = val[1 : len(val)-1]
	case strings.HasPrefix(val, "/"):
		// Suricata takes the quotes as optional: older ET rules write
		// pcre:/.../Vi.
	default:
		return out, fmt.Errorf("value must be quoted: %q", raw)
	}
	if !strings.HasPrefix(body, "/") {
		return out, fmt.Errorf("regular expression must start with /: %q", body)
	}
	end := strings.LastIndexByte(body, '/')
	if end == 0 {
		return out, fmt.Errorf("missing closing / in %q", body)
	}
	pattern, flags := body[1:end], body[end+1:]
	if _, vars, ok := strings.Cut(flags, ","); ok && strings.Contains(vars, ":") {
		// Suricata 7's "/re/flags, pkt:name, flow:name" stores the
		// captures in variables; a valid rule this matcher cannot run.
		return out, skipf("pcre", "pcre capture into variables (%s) is not supported", strings.TrimSpace(vars))
	}

	var o pcreOpts
	var bo pcrebt.Options // the same flags for the backtracking matcher
	prefix := ""
	for i := 0; i < len(flags); i++ {
		f := flags[i]
		switch f {
		case 'i', 's', 'm':
			if !strings.ContainsRune(prefix, rune(f)) {
				prefix += string(f)
			}
			switch f {
			case 'i':
				bo.Caseless = true
			case 's':
				bo.DotAll = true
			case 'm':
				o.multiline, bo.Multiline = true, true
			}
		case 'G':
			if !strings.ContainsRune(prefix, 'U') {
				prefix += "U"
			}
			bo.Ungreedy = true
		case 'x':
			o.extended, bo.Extended = true, true
		case 'A':
			o.anchored, bo.Anchored = true, true
		case 'E':
			o.dollarEndOnly, bo.DollarEndOnly = true, true
		case 'R':
			out.pcre = &PCRE{Relative: true}
		case 'B', 'O':
			// rawbytes (no effect: there is no normalized payload) and
			// "use the configured pcre.match-limit", which is Suricata's
			// default 3500 anyway (pcrebt.DefaultMatchLimit).
		default:
			if b, ok := pcreBufferFlag(f); ok {
				if out.hasBuffer && out.bufFlag != f {
					return out, fmt.Errorf("flags %c and %c name different buffers in %q", out.bufFlag, f, body)
				}
				out.buffer, out.hasBuffer, out.bufFlag = b, true, f
				continue
			}
			if name, ok := pcreUnsupportedFlag(f); ok {
				return out, skipf("pcre", "pcre flag %c (the %s buffer) is not supported", f, name)
			}
			return out, fmt.Errorf("unknown flag %q in %q", f, body)
		}
	}
	if out.pcre == nil {
		out.pcre = &PCRE{}
	}
	out.pcre.Source = body
	out.pcre.Negated = negated
	re, err := convertPCRE(pattern, o)
	var skip *skipError
	if errors.As(err, &skip) {
		return out, compileBacktracking(out.pcre, pattern, bo)
	}
	if err != nil {
		return out, err
	}
	if o.anchored {
		re = `\A(?:` + re + `)`
	}
	if prefix != "" {
		re = "(?" + prefix + ")" + re
	}
	// parsed as regexp.Compile parses, which is where it fails; the
	// compiling waits for the first use (PCRE.Regexp)
	_, err = syntax.Parse(re, syntax.Perl)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			switch se.Code {
			case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
				syntax.ErrMissingRepeatArgument, syntax.ErrInvalidCharRange, syntax.ErrTrailingBackslash:
				return out, fmt.Errorf("bad regular expression %q: %s", body, se.Code)
			}
		}
		if bterr := compileBacktracking(out.pcre, pattern, bo); bterr != nil {
			return out, skipf("pcre", "pcre %q cannot be compiled as RE2: %v", body, err)
		}
		return out, nil
	}
	out.pcre.Expr = re
	return out, nil
}

// compileBacktracking compiles a pattern RE2 cannot run (back-references,
// lookaround, atomic groups, possessive quantifiers...) for the bounded
// backtracking matcher. A pattern that matcher cannot run either is
// skipped with its reason; one it finds malformed is skipped too, not
// failed, so a gap in its parser cannot turn a valid rule into an error.
func compileBacktracking(p *PCRE, pattern string, o pcrebt.Options) error {
	bt, err := pcrebt.Compile(pattern, o)
	if err != nil {
		if errors.Is(err, pcrebt.ErrUnsupported) {
			return skipf("pcre", "%v", err)
		}
		return skipf("pcre", "pcre %s does not compile: %v", p.Source, err)
	}
	p.BT = bt
	return nil
}

func parsePCREKeyword(st *ruleState, val string) error {
	pv, err := parsePCRE(val)
	if err != nil {
		return err
	}
	buf := st.sticky
	if pv.hasBuffer {
		if st.hasSticky && st.sticky != pv.buffer {
			return fmt.Errorf("flag %c names the %s buffer, but the sticky buffer is %s", pv.bufFlag, pv.buffer, st.sticky)
		}
		if len(st.pending) > 0 || len(st.xforms) > 0 {
			return fmt.Errorf("flag %c cannot be used on the transformed %s buffer", pv.bufFlag, pv.buffer)
		}
		buf = pv.buffer
	}
	xf, err := st.takeTransforms(buf)
	if err != nil {
		return err
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, Transforms: xf, PCRE: pv.pcre})
	st.mods = append(st.mods, contentMods{})
	return nil
}
