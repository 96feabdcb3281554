package jinja

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"tend/modules/shell"
)

// Text filters. Like Jinja's, they print a non-string input first.

func textFilter(f func(string) string) fn {
	return func(_ *fcall, in any) (any, error) { return f(pyStr(in)), nil }
}

// jinjaTitle is Jinja's title filter, which (unlike str.title) starts
// words only after spaces, '-' and opening brackets: 'a_b c' is 'A_b C'.
func jinjaTitle(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune("-({[<", r):
			b.WriteRune(r)
			start = true
		case start:
			b.WriteRune(unicode.ToTitle(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func filterTrim(c *fcall, in any) (any, error) {
	m := strMethods["strip"]
	var args []any
	if chars := c.get("chars", nil); chars != nil {
		args = []any{chars}
	}
	out, _, err := m(pyStr(in), args, nil)
	return out, err
}

func filterReplace(c *fcall, in any) (any, error) {
	args := []any{c.get("old", nil), c.get("new", nil)}
	if n := c.get("count", nil); n != nil {
		args = append(args, n)
	}
	out, _, err := strReplace(pyStr(in), args, nil)
	return out, err
}

// filterFormat is `"%s-%d" | format(a, b)`, or with keywords
// `"%(x)s" | format(x=1)`.
func filterFormat(c *fcall, in any) (any, error) {
	if len(c.extra) > 0 {
		if len(c.rest) > 0 {
			return nil, c.errorf("can't handle positional and keyword arguments at the same time")
		}
		return percentFormat(pyStr(in), c.extra, false)
	}
	return percentFormat(pyStr(in), c.rest, true)
}

func filterSplit(c *fcall, in any) (any, error) {
	max, err := c.int("maxsplit", -1)
	if err != nil {
		return nil, err
	}
	return pySplit(pyStr(in), c.get("sep", nil), max, false)
}

func filterCenter(c *fcall, in any) (any, error) {
	out, _, err := padMethod(center)(pyStr(in), []any{c.get("width", 80)}, nil)
	return out, err
}

// filterIndent is Jinja's indent: lines after the first (and with first,
// the first too) get width spaces, or the width text; empty lines only
// with blank.
func filterIndent(c *fcall, in any) (any, error) {
	indent := "    "
	switch w := c.get("width", 4).(type) {
	case string:
		indent = w
	default:
		n, ok := integer(w)
		if !ok || n > maxText {
			return nil, c.errorf("width must be an integer or a string")
		}
		indent = strings.Repeat(" ", max(n, 0))
	}
	lines, _, _ := strSplitlines(pyStr(in)+"\n", nil, nil)
	if len(lines.([]any))*len(indent) > maxText {
		return nil, c.errorf("result too large")
	}
	var b strings.Builder
	for i, l := range lines.([]any) {
		line := l.(string)
		if i > 0 {
			b.WriteByte('\n')
			if line != "" || c.bool("blank", false) {
				b.WriteString(indent)
			}
		}
		b.WriteString(line)
	}
	out := b.String()
	if c.bool("first", false) {
		out = indent + out
	}
	return out, nil
}

// compileRegex compiles a Python pattern for Go's RE2, which has the same
// syntax except backreferences and lookaround (refused with a clear error)
// and \Z.
func compileRegex(pattern string, ignorecase, multiline bool) (*regexp.Regexp, error) {
	flags := ""
	if ignorecase {
		flags += "i"
	}
	if multiline {
		flags += "m"
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(strings.ReplaceAll(pattern, `\Z`, `\z`))
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression (Go RE2 syntax: no backreferences or lookaround): %w", err)
	}
	return re, nil
}

func (c *fcall) regex() (*regexp.Regexp, error) {
	pattern, err := c.str("regex", "")
	if err != nil {
		return nil, err
	}
	return compileRegex(pattern, c.bool("ignorecase", false), c.bool("multiline", false))
}

// goReplacement turns a Python replacement (\1, \g<1>, \g<name>, \\) into
// Go's ($ escaped).
func goReplacement(repl string) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '$':
			b.WriteString("$$")
		case ch == '\\' && i+1 < len(repl):
			next := repl[i+1]
			switch {
			case next >= '0' && next <= '9':
				j := i + 1
				for j < len(repl) && j < i+3 && repl[j] >= '0' && repl[j] <= '9' {
					j++
				}
				b.WriteString("${" + repl[i+1:j] + "}")
				i = j - 1
			case next == 'g' && i+2 < len(repl) && repl[i+2] == '<':
				end := strings.IndexByte(repl[i+3:], '>')
				if end < 0 {
					b.WriteByte(ch)
					continue
				}
				b.WriteString("${" + repl[i+3:i+3+end] + "}")
				i += 3 + end
			case next == 'n':
				b.WriteByte('\n')
				i++
			case next == 't':
				b.WriteByte('\t')
				i++
			case next == '\\':
				b.WriteByte('\\')
				i++
			default:
				b.WriteByte(ch)
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func filterRegexReplace(c *fcall, in any) (any, error) {
	re, err := c.regex()
	if err != nil {
		return nil, err
	}
	repl, err := c.str("replace", "")
	if err != nil {
		return nil, err
	}
	count, err := c.int("count", 0)
	if err != nil {
		return nil, err
	}
	mandatory, err := c.int("mandatory_count", 0)
	if err != nil {
		return nil, err
	}
	s := pyStr(in)
	n := -1
	if count > 0 {
		n = count
	}
	matches := re.FindAllStringSubmatchIndex(s, n)
	if mandatory > 0 && len(matches) != mandatory {
		return nil, c.errorf("'%s' should match %d times, but matches %d times", re.String(), mandatory, len(matches))
	}
	template := goReplacement(repl)
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		b.Write(re.ExpandString(nil, template, s, m))
		last = m[1]
		if b.Len() > maxText {
			return nil, c.errorf("result too large")
		}
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// filterRegexSearch is Ansible's regex_search: the match, or with group
// arguments ('\\1', '\\g<name>') a list of those groups; None when
// nothing matches.
func filterRegexSearch(c *fcall, in any) (any, error) {
	re, err := compileRegex(fmt.Sprint(c.get("regex", "")), truthy(c.extra["ignorecase"]), truthy(c.extra["multiline"]))
	if err != nil {
		return nil, err
	}
	var groups []string
	for _, a := range c.rest {
		s, _ := a.(string)
		switch {
		case strings.HasPrefix(s, `\g<`) && strings.HasSuffix(s, ">"):
			groups = append(groups, s[3:len(s)-1])
		case strings.HasPrefix(s, `\`):
			if _, err := strconv.Atoi(s[1:]); err != nil {
				return nil, c.errorf("unknown argument %s", quoteString(s))
			}
			groups = append(groups, s[1:])
		default:
			return nil, c.errorf("unknown argument %s", pyRepr(a))
		}
	}
	s := pyStr(in)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	if len(groups) == 0 {
		return s[m[0]:m[1]], nil
	}
	out := make([]any, len(groups))
	for i, g := range groups {
		out[i] = string(re.ExpandString(nil, "${"+g+"}", s, m))
	}
	return out, nil
}

// filterRegexFindall is Python's re.findall: matches, or the group, or
// lists of the groups.
func filterRegexFindall(c *fcall, in any) (any, error) {
	re, err := c.regex()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, m := range re.FindAllStringSubmatch(pyStr(in), -1) {
		switch len(m) {
		case 1:
			out = append(out, m[0])
		case 2:
			out = append(out, m[1])
		default:
			groups := make([]any, len(m)-1)
			for i, g := range m[1:] {
				groups[i] = g
			}
			out = append(out, groups)
		}
	}
	return out, nil
}

// filterRegexEscape is Python's re.escape.
func filterRegexEscape(c *fcall, in any) (any, error) {
	special := "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"
	if t, _ := c.str("re_type", "python"); t == "posix_basic" {
		special = `\[]$^.*`
	}
	var b strings.Builder
	for _, r := range pyStr(in) {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// basename is Python's os.path.basename: "/a/b/" gives "".
func basename(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// dirname is Python's os.path.dirname.
func dirname(p string) string {
	head := p[:strings.LastIndexByte(p, '/')+1]
	if trimmed := strings.TrimRight(head, "/"); trimmed != "" {
		return trimmed
	}
	return head
}

// filterSplitext is os.path.splitext, as a [root, ext] list.
func filterSplitext(_ *fcall, in any) (any, error) {
	p := pyStr(in)
	sep := strings.LastIndexByte(p, '/')
	dot := strings.LastIndexByte(p, '.')
	if dot > sep {
		for i := sep + 1; i < dot; i++ {
			if p[i] != '.' { // leading dots (.bashrc) are not an extension
				return []any{p[:dot], p[dot:]}, nil
			}
		}
	}
	return []any{p, ""}, nil
}

func filterQuote(_ *fcall, in any) (any, error) {
	return shell.Quote(pyStr(in)), nil
}

func filterB64encode(c *fcall, in any) (any, error) {
	return base64.StdEncoding.EncodeToString([]byte(pyStr(in))), nil
}

func filterB64decode(c *fcall, in any) (any, error) {
	s := strings.TrimSpace(pyStr(in))
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, c.errorf("invalid base64 text: %v", err)
		}
	}
	return string(b), nil
}

var hashes = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha224": sha256.New224,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

func hashText(kind, s string) (any, error) {
	h, ok := hashes[kind]
	if !ok {
		return nil, fmt.Errorf("hash: unsupported hash type %s", quoteString(kind))
	}
	sum := h()
	sum.Write([]byte(s))
	return hex.EncodeToString(sum.Sum(nil)), nil
}

func filterHash(c *fcall, in any) (any, error) {
	kind, err := c.str("hashtype", "sha1")
	if err != nil {
		return nil, err
	}
	return hashText(kind, pyStr(in))
}

// filterURLEncode is Jinja's urlencode: text percent-encoded ('/' kept), a
// mapping or a list of pairs as a query string.
func filterURLEncode(_ *fcall, in any) (any, error) {
	var pairs []any
	switch t := in.(type) {
	case map[string]any:
		items, _ := mappingItems(t)
		pairs = items.([]any)
	case []any:
		pairs = t
	default:
		return urlQuote(pyStr(in), "/", false), nil
	}
	parts := make([]string, 0, len(pairs))
	for _, p := range pairs {
		kv, ok := p.([]any)
		if !ok || len(kv) != 2 {
			return nil, fmt.Errorf("urlencode: expected pairs")
		}
		parts = append(parts, urlQuote(pyStr(kv[0]), "", true)+"="+urlQuote(pyStr(kv[1]), "", true))
	}
	return strings.Join(parts, "&"), nil
}

func urlQuote(s, safe string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', strings.IndexByte("_.-~", ch) >= 0, strings.IndexByte(safe, ch) >= 0:
			b.WriteByte(ch)
		case ch == ' ' && plus:
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// htmlEscape is markupsafe's escape.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace
