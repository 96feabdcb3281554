// Package fnmatch is Python's fnmatch: the shell-style patterns of
// Ansible's host patterns, find's patterns and setup's filter.
package fnmatch

import (
	"fmt"
	"regexp"
	"strings"
)

// HasMeta says whether s holds a character special in patterns.
func HasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// Matcher is Compile's MatchString, without a regexp for the common
// "web*" and "*.example.com" shapes (a host pattern is tried on every
// group and host name).
func Matcher(pat string) (func(string) bool, error) {
	if !strings.ContainsAny(pat, "?[") {
		parts := strings.Split(pat, "*")
		return func(s string) bool { return starMatch(parts, s) }, nil
	}
	re, err := Compile(pat)
	if err != nil {
		return nil, err
	}
	return re.MatchString, nil
}

// Compile compiles a shell-style pattern as Python's fnmatch does: '*'
// and '?' match any character, '/' and newlines included; "[...]" and
// "[!...]" are sets, with ranges; a '[' with no closing ']' is literal;
// nothing is special after a backslash. The pattern matches the whole
// name.
func Compile(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	r := []rune(pat)
	for i := 0; i < len(r); {
		c := r[i]
		i++
		switch c {
		case '*':
			for i < len(r) && r[i] == '*' {
				i++
			}
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
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
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(set(r[i:j]))
			i = j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", pat, err)
	}
	return re, nil
}

// set is the regexp for the inside of a "[...]" set: a leading '!'
// negates; "a-z" is a range (a reversed one matches nothing); everything
// else is literal.
func set(s []rune) string {
	neg := false
	if len(s) > 0 && s[0] == '!' {
		neg, s = true, s[1:]
	}
	var items []string
	for k := 0; k < len(s); k++ {
		if k+2 < len(s) && s[k+1] == '-' {
			if s[k] <= s[k+2] {
				items = append(items, fmt.Sprintf(`\x{%x}-\x{%x}`, s[k], s[k+2]))
			}
			k += 2
			continue
		}
		items = append(items, fmt.Sprintf(`\x{%x}`, s[k]))
	}
	switch {
	case len(items) == 0 && neg:
		return `.`
	case len(items) == 0:
		return `[^\x00-\x{10FFFF}]` // matches nothing
	case neg:
		return `[^` + strings.Join(items, "") + `]`
	}
	return `[` + strings.Join(items, "") + `]`
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
