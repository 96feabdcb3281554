package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// fnmatchRE compiles a shell-style pattern as Python's fnmatch does (find's
// patterns, setup's filter): '*' and '?' match any character, '/' and
// newlines included; "[...]" and "[!...]" are sets, with ranges; a '[' with
// no closing ']' is literal; nothing is special after a backslash. The
// pattern matches the whole name.
func fnmatchRE(pat string) (*regexp.Regexp, error) {
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
			b.WriteString(fnmatchSet(r[i:j]))
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

// fnmatchSet is the regexp for the inside of a "[...]" set: a leading '!'
// negates; "a-z" is a range (a reversed one matches nothing); everything
// else is literal.
func fnmatchSet(s []rune) string {
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

// fnmatchAll compiles each of patterns.
func fnmatchAll(pats []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(pats))
	for _, p := range pats {
		re, err := fnmatchRE(p)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// FilterFacts keeps the facts (ansible_* names, as setup returns them)
// that match any of Ansible's setup filter patterns; a pattern without the
// ansible_ prefix is also tried with it. No pattern, or "*", keeps all.
func FilterFacts(facts map[string]any, filter []string) (map[string]any, error) {
	if len(filter) == 0 || len(filter) == 1 && filter[0] == "*" {
		return facts, nil
	}
	out := map[string]any{}
	for _, f := range filter {
		re, err := fnmatchRE(f)
		if err != nil {
			return nil, err
		}
		var pre *regexp.Regexp
		if !strings.HasPrefix(f, "ansible_") && !strings.HasPrefix(f, "facter") && !strings.HasPrefix(f, "ohai") && f != "" {
			if pre, err = fnmatchRE("ansible_" + f); err != nil {
				return nil, err
			}
		}
		for k, v := range facts {
			if f == "" || re.MatchString(k) || pre != nil && pre.MatchString(k) {
				out[k] = v
			}
		}
	}
	return out, nil
}
