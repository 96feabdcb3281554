package inventory

import (
	"strings"
	"testing"
)

// Expected values are what Ansible's expand_hostname_range returns.
func TestExpandRanges(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"web", []string{"web"}, ""},
		{"web[1:3]", []string{"web1", "web2", "web3"}, ""},
		{"web[01:03].example.com", []string{"web01.example.com", "web02.example.com", "web03.example.com"}, ""},
		{"web[08:11]", []string{"web08", "web09", "web10", "web11"}, ""},
		{"web[9:11]", []string{"web9", "web10", "web11"}, ""},
		{"web[:2]", []string{"web0", "web1", "web2"}, ""},
		{"db-[a:c].x", []string{"db-a.x", "db-b.x", "db-c.x"}, ""},
		{"h[x:B]", []string{"hx", "hy", "hz", "hA", "hB"}, ""},
		{"n[1:10:3]", []string{"n1", "n4", "n7", "n10"}, ""},
		{"n[a:g:3]", []string{"na", "nd", "ng"}, ""},
		{"r[1:2]c[a:b]", []string{"r1ca", "r1cb", "r2ca", "r2cb"}, ""},
		{"10.0.0.[1:3]", []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}, ""},
		{"web[1]", nil, "begin:end"},
		{"web[1:2:3:4]", nil, "begin:end"},
		{"web[1:]", nil, "no end"},
		{"web[a:1]", nil, "numbers or single letters"},
		{"web[ab:cd]", nil, "numbers or single letters"},
		{"web[c:a]", nil, "begins after it ends"},
		{"web[3:1]", nil, "begins after it ends"},
		{"web[001:10]", nil, "same length"},
		{"web[1:3:x]", nil, "step"},
		{"web[1:3:-1]", nil, "step"},
		{"web[1:3", nil, "unterminated"},
		{"web]1:3[", nil, "before"},
		{"web[0:99999999999999999999]", nil, "too large"},
		{"web[0:100000]", nil, "too many"},
		{"a[0:999]b[0:999]", nil, "too many"},
	}
	for _, tt := range tests {
		got, err := expandRanges(tt.in, maxRangeHosts)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expandRanges(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("expandRanges(%q): %v", tt.in, err)
			continue
		}
		equal(t, "expandRanges("+tt.in+")", got, tt.want)
	}
}

// Expected values follow Ansible's parse_address(…, allow_ranges=True).
func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, host, port string
		ok             bool
	}{
		{"web1", "web1", "", true},
		{"web1:22", "web1", "22", true},
		{"web1.example.com:2222", "web1.example.com", "2222", true},
		{"10.0.0.1", "10.0.0.1", "", true},
		{"10.0.0.1:22", "10.0.0.1", "22", true},
		{"10.0.0.[1:9]:22", "10.0.0.[1:9]", "22", true},
		{"fe80::1", "fe80::1", "", true},
		{"[fe80::1]:22", "fe80::1", "22", true},
		{"[web1]:22", "web1", "22", true},
		{"web[01:10]:22", "web[01:10]", "22", true},
		{"db-[a:f]", "db-[a:f]", "", true},
		{"web_1", "web_1", "", true},
		{"web-", "", "", false},
		{"web_", "", "", false},
		{"-web", "", "", false},
		{"web:abc", "", "", false},
		{"web*", "", "", false},
		{"a b", "", "", false},
		{"tëst.example", "tëst.example", "", true},
	}
	for _, tt := range tests {
		host, port, ok := parseAddress(tt.in, true)
		if ok != tt.ok || host != tt.host || port != tt.port {
			t.Errorf("parseAddress(%q) = %q, %q, %v; want %q, %q, %v", tt.in, host, port, ok, tt.host, tt.port, tt.ok)
		}
	}
	if _, _, ok := parseAddress("web[1:3]", false); ok {
		t.Error("ranges must be refused when not allowed")
	}
}

func TestPyLiteralEdges(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"  7", 7}, // Python strips leading blanks before literal_eval
		{"-0.5", -0.5},
		{"+3", 3},
		{"--3", "--3"},
		{"-True", "-True"},
		{"00", 0},
		{"0o17", 15},
		{"0b101", 5},
		{"1__0", "1__0"},
		{"1e999", nil}, // checked below: +Inf
		{"99999999999999999999", 1e20},
		{"'''tri'ple'''", "tri'ple"},
		{`'\x41\u00e9\101'`, "AéA"},
		{`b'bytes'`, "bytes"},
		{"{'a': {'b': (1,)}}", map[string]any{"a": map[string]any{"b": []any{1}}}},
		{"{[1]: 2}", "{[1]: 2}"},
		{"[" + strings.Repeat("[", 70) + strings.Repeat("]", 71), "[" + strings.Repeat("[", 70) + strings.Repeat("]", 71)},
		{"(1)", 1},
		{"()", []any{}},
		{"[1, 2,]", []any{1, 2}},
		{"True # c", true},
		{"Truex", "Truex"},
	}
	for _, tt := range tests {
		got := parseINIValue(tt.in)
		if tt.in == "1e999" {
			if f, ok := got.(float64); !ok || f < 1e308 {
				t.Errorf("parseINIValue(1e999) = %#v, want +Inf", got)
			}
			continue
		}
		equal(t, "parseINIValue("+tt.in+")", got, tt.want)
	}
}
