package modules

import (
	"regexp"
	"strings"

	"tend/internal/fnmatch"
)

// fnmatchAll compiles each of patterns.
func fnmatchAll(pats []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(pats))
	for _, p := range pats {
		re, err := fnmatch.Compile(p)
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
		re, err := fnmatch.Compile(f)
		if err != nil {
			return nil, err
		}
		var pre *regexp.Regexp
		if !strings.HasPrefix(f, "ansible_") && !strings.HasPrefix(f, "facter") && !strings.HasPrefix(f, "ohai") && f != "" {
			if pre, err = fnmatch.Compile("ansible_" + f); err != nil {
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
