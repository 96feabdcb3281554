package fnmatch

import (
	"testing"
	"unicode/utf8"
)

// Answers of Python 3.11's fnmatch.fnmatch for the same pairs.
func TestCompileAsPython(t *testing.T) {
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
		re, err := Compile(c.pat)
		if err != nil {
			t.Fatalf("%q: %v", c.pat, err)
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", c.s, c.pat, got, c.want)
		}
	}
}

// Host patterns, as Ansible matches them.
func TestMatcher(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"web*", "web01", true},
		{"web*", "xweb", false},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "a.example.org", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "acb", false},
		{"*ab*ab", "xabab", true},
		{"w?b", "web", true},
		{"w?b", "weeb", false},
		{"web[0-2]", "web1", true},
		{"web[0-2]", "web3", false},
		{"web[!0-2]", "web3", true},
		{"web[z-a]x", "webx", false},
		{"web[", "web[", true},
		{"a.b", "aXb", false}, // '.' is literal
		{"[]]", "]", true},
		{"[!]]", "a", true},
		{"[\\]", "\\", true},
		{"é?", "éa", true},
	}
	for _, tt := range tests {
		m, err := Matcher(tt.pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := m(tt.name); got != tt.want {
			t.Errorf("glob %q on %q = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

// Matcher's shortcut for '*' patterns answers as the regexp does, on
// text (the regexp reads a stray byte as U+FFFD, the shortcut as a byte).
func FuzzFnmatch(f *testing.F) {
	f.Add("[!a-]x*?[", "bx")
	f.Add("*ab*ab", "xabab")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if !utf8.ValidString(pat) || !utf8.ValidString(s) {
			return
		}
		re, err := Compile(pat)
		if err != nil {
			return
		}
		m, err := Matcher(pat)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m(s), re.MatchString(s); got != want {
			t.Fatalf("Matcher(%q)(%q) = %v, the regexp says %v", pat, s, got, want)
		}
	})
}
