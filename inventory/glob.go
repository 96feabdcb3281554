package inventory

import (
	"fmt"
	"regexp"
	"strings"
)

// matcher reports whether a group or host name matches one pattern part.
type matcher func(string) bool

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// compileGlob follows Python's fnmatch.translate, which Ansible uses for
// patterns: '*', '?', '[seq]' and '[!seq]', case-sensitive, matching the
// whole name. A '[' without a closing ']' is a literal.
func compileGlob(pat string) matcher {
	if !strings.ContainsAny(pat, "?[") {
		// The common "web*" / "*.example.com" shapes need no regexp.
		parts := strings.Split(pat, "*")
		return func(s string) bool { return starMatch(parts, s) }
	}
	var re strings.Builder
	re.WriteString(`(?s)^`)
	r := []rune(pat)
	for i := 0; i < len(r); {
		c := r[i]
		i++
		switch c {
		case '*':
			re.WriteString(`.*`)
		case '?':
			re.WriteString(`.`)
		case '[':
			j := i
			if j < len(r) && r[j] == '!' {
				j++
			}
			if j < len(r) && r[j] == ']' {
				j++
			}
			for j < len(r) && r[j] != ']' {
				j++
			}
			if j >= len(r) {
				re.WriteString(`\[`)
				continue
			}
			re.WriteString(charClass(r[i:j]))
			i = j + 1
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(`$`)
	compiled := regexp.MustCompile(re.String()) // every piece is escaped
	return compiled.MatchString
}

// charClass renders the inside of an fnmatch [..] as an RE2 class, with
// every character escaped so nothing in a host pattern can break the regexp.
func charClass(set []rune) string {
	negate := len(set) > 0 && set[0] == '!'
	if negate {
		set = set[1:]
	}
	var items strings.Builder
	for k := 0; k < len(set); {
		if k+2 < len(set) && set[k+1] == '-' {
			if set[k] <= set[k+2] { // Python drops reversed ranges
				fmt.Fprintf(&items, `\x{%x}-\x{%x}`, set[k], set[k+2])
			}
			k += 3
			continue
		}
		fmt.Fprintf(&items, `\x{%x}`, set[k])
		k++
	}
	switch {
	case items.Len() == 0 && negate:
		return `.`
	case items.Len() == 0:
		return `[^\x00-\x{10FFFF}]` // matches nothing
	case negate:
		return `[^` + items.String() + `]`
	}
	return `[` + items.String() + `]`
}

// starMatch matches s against a pattern split on '*'.
func starMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
