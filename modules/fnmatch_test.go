package modules

import (
	"reflect"
	"testing"
)

// Answers of Python 3.11's fnmatch.fnmatch for the same pairs.
func TestFnmatchAsPython(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"*.conf", "a.conf", true}, {"*.conf", "a.conf.bak", false}, {"a?c", "abc", true}, {"a?c", "a/c", true},
		{"[a-c]x", "bx", true}, {"[!a-c]x", "bx", false}, {"[!a-c]x", "dx", true}, {"[]]", "]", true},
		{"[!]]", "a", true}, {"[z-a]", "z", false}, {"[z-a]x", "-x", false}, {"[a-]", "-", true}, {"[", "[", true},
		{"[!]", "a", false}, {"[!]", "[!]", true}, {"a[b", "a[b", true}, {"*", "\n", true}, {`\*`, `\x`, true}, {`[\]`, `\`, true},
		{"x[--/]", "x.", true}, {"ansible_*", "ansible_eth0", true}, {"[a-c-e]", "d", false}, {"[a-c-e]", "-", true},
		{"[^a]", "^", true}, {"[^a]", "b", false}, {"a.b", "axb", false}, {"(x)+", "(x)+", true},
	} {
		re, err := fnmatchRE(c.pat)
		if err != nil {
			t.Fatalf("%q: %v", c.pat, err)
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", c.s, c.pat, got, c.want)
		}
	}
}

func TestFilterFacts(t *testing.T) {
	facts := map[string]any{"ansible_eth0": 1, "ansible_eth1": 2, "ansible_lo": 3, "gather_subset": []any{"all"}, "facter_x": 4}
	for _, c := range []struct {
		filter []string
		want   []string
	}{
		{nil, []string{"ansible_eth0", "ansible_eth1", "ansible_lo", "facter_x", "gather_subset"}},
		{[]string{"*"}, []string{"ansible_eth0", "ansible_eth1", "ansible_lo", "facter_x", "gather_subset"}},
		{[]string{"eth[0-0]"}, []string{"ansible_eth0"}},
		{[]string{"ansible_e*", "lo"}, []string{"ansible_eth0", "ansible_eth1", "ansible_lo"}},
		{[]string{"facter_*"}, []string{"facter_x"}},
	} {
		got, err := FilterFacts(facts, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		for _, k := range c.want {
			want[k] = facts[k]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v", c.filter, got)
		}
	}
}

func FuzzFnmatch(f *testing.F) {
	f.Add("[!a-]x*?[", "bx")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if re, err := fnmatchRE(pat); err == nil {
			re.MatchString(s)
		}
	})
}
