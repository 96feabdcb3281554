package inventory

import (
	"strings"
	"testing"
)

func TestINIStructure(t *testing.T) {
	inv := mustParse(t, "hosts", `
# comment
; also a comment
top1

[web]
web1   # trailing comment
web2

[db]
db1

[prod:children]   # comment after a header
web
db

[web:vars]
http_port=8080
`)
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"top1", "web1", "web2", "db1"})
	ung, _ := inv.Group("ungrouped")
	equal(t, "ungrouped: top1 is only outside sections", ung.Hosts, []string{"top1"})
	prod, _ := inv.Group("prod")
	equal(t, "prod children", prod.Children, []string{"web", "db"})
	web, _ := inv.Group("web")
	equal(t, "web parents", web.Parents, []string{"prod"})
	h, _ := inv.Host("web1")
	equal(t, "web1 groups", h.Groups, []string{"all", "prod", "web"})
	equal(t, "web1 http_port", h.Vars["http_port"], 8080)
	all, _ := inv.Group("all")
	equal(t, "all children", all.Children, []string{"ungrouped", "prod"})
}

func TestINIHostBeforeSectionLeavesUngrouped(t *testing.T) {
	// A host listed at the top and later in a group is not ungrouped.
	inv := mustParse(t, "hosts", "a\nb\n[g]\na\n")
	ung, _ := inv.Group("ungrouped")
	equal(t, "ungrouped", ung.Hosts, []string{"b"})
	h, _ := inv.Host("a")
	equal(t, "a groups", h.Groups, []string{"all", "g"})
	h, _ = inv.Host("b")
	equal(t, "b groups", h.Groups, []string{"all", "ungrouped"})
}

// Values are typed like Python's ast.literal_eval, which Ansible uses. Host
// lines are shell-split first, so their quotes are consumed before typing.
func TestINIValues(t *testing.T) {
	tests := []struct {
		hostLine, varsLine string // value as written on a host line / in [g:vars]
		want               any
	}{
		{"22", "22", 22},
		{"-5", "-5", -5},
		{"1.5", "1.5", 1.5},
		{"1e3", "1e3", 1000.0},
		{"0x1f", "0x1f", 31},
		{"1_000", "1_000", 1000},
		{"True", "True", true},
		{"False", "False", false},
		{"None", "None", nil},
		{"true", "true", "true"}, // not Python: stays a string
		{"yes", "yes", "yes"},
		{"01", "01", "01"}, // leading zero: Python syntax error, string
		{"10.0.0.1", "10.0.0.1", "10.0.0.1"},
		{`"'22'"`, "'22'", "22"},
		{`'"a b"'`, `"a b"`, "a b"},
		{`"[1, 'x']"`, "[1, 'x']", []any{1, "x"}},
		{`"(1, 2)"`, "(1, 2)", []any{1, 2}},
		{"1,2", "1, 2", []any{1, 2}},
		{`"{'a': 1, 'b': [True]}"`, "{'a': 1, 'b': [True]}", map[string]any{"a": 1, "b": []any{true}}},
		{`"{1, 2, 2}"`, "{1, 2, 2}", []any{1, 2}},
		{`"'a' 'b'"`, "'a' 'b'", "ab"},
		{`"r'\d'"`, `r'\d'`, `\d`},
		{`"'tab\\there'"`, `'tab\there'`, "tab\there"},
		{"a=b", "a=b", "a=b"},
		{"1j", "1j", "1j"},
		{`"f'x'"`, "f'x'", "f'x'"},
		{"[1,", "[1,", "[1,"},
		{`""`, "", ""},
	}
	for _, tt := range tests {
		inv := mustParse(t, "hosts", "[g]\nh1 v="+tt.hostLine+"\n[g:vars]\nw = "+tt.varsLine+"\n")
		equal(t, "host line v="+tt.hostLine, hostVar(t, inv, "h1", "v"), tt.want)
		equal(t, "vars line w = "+tt.varsLine, hostVar(t, inv, "h1", "w"), tt.want)
	}
}

func TestINIVarsLineKeepsSpacesAndComments(t *testing.T) {
	inv := mustParse(t, "hosts", `[g]
h
[g:vars]
motd = hello world
n = 42 # a Python comment after a literal is fine
s = text # but kept when the value is not a literal
eq = a=b=c
`)
	equal(t, "motd", hostVar(t, inv, "h", "motd"), "hello world")
	equal(t, "n", hostVar(t, inv, "h", "n"), 42)
	equal(t, "s", hostVar(t, inv, "h", "s"), "text # but kept when the value is not a literal")
	equal(t, "eq", hostVar(t, inv, "h", "eq"), "a=b=c")
}

func TestINIHostLineShellSplitting(t *testing.T) {
	inv := mustParse(t, "hosts", `h1 a="x y" b='p q' c=ab#cd d=\"e e=x\ y`+"\n")
	equal(t, "a", hostVar(t, inv, "h1", "a"), "x y")
	equal(t, "b", hostVar(t, inv, "h1", "b"), "p q")
	equal(t, "c cut at #, as shlex does", hostVar(t, inv, "h1", "c"), "ab")
	equal(t, "d not set: after the comment", hostVar(t, inv, "h1", "d"), nil)
}

func TestINIHostPort(t *testing.T) {
	inv := mustParse(t, "hosts", `
web1:2222
10.0.0.1:22
[::1]:2200
fe80::1
[g]
web1:3333
web[01:02]:2020
`)
	equal(t, "web1 port", hostVar(t, inv, "web1", VarPort), 2222)
	equal(t, "ipv4 port", hostVar(t, inv, "10.0.0.1", VarPort), 22)
	equal(t, "bracketed ipv6 port", hostVar(t, inv, "::1", VarPort), 2200)
	equal(t, "bare ipv6 has no port", hostVar(t, inv, "fe80::1", VarPort), nil)
	equal(t, "range port", hostVar(t, inv, "web02", VarPort), 2020)
	if w := inv.Warnings(); len(w) != 1 || !strings.Contains(w[0], "port 3333") {
		t.Errorf("want one warning about the ignored port, got %q", w)
	}
}

func TestINIRangesInHostLines(t *testing.T) {
	inv := mustParse(t, "hosts", "[web]\nweb[01:03].example.com role=web\n[db]\ndb-[a:c].x\n[odd]\nn[1:9:4]\n")
	equal(t, "hosts", hostNames(inv.Hosts()), []string{
		"web01.example.com", "web02.example.com", "web03.example.com",
		"db-a.x", "db-b.x", "db-c.x", "n1", "n5", "n9",
	})
	equal(t, "vars reach every host of the range", hostVar(t, inv, "web03.example.com", "role"), "web")
}

func TestINIChildrenDefinedLaterOrNowhere(t *testing.T) {
	inv := mustParse(t, "hosts", "[parent:children]\nlater\nnowhere\n[later]\nh1\n")
	parent, _ := inv.Group("parent")
	equal(t, "children", parent.Children, []string{"later", "nowhere"})
	nowhere, ok := inv.Group("nowhere")
	if !ok || len(nowhere.Hosts) != 0 {
		t.Fatalf("group nowhere should exist, empty: %+v", nowhere)
	}
	w := inv.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], `hosts:3: group "nowhere"`) {
		t.Errorf("want a warning for nowhere at line 3, got %q", w)
	}
	h, _ := inv.Host("h1")
	equal(t, "h1 groups", h.Groups, []string{"all", "later", "parent"})
}

func TestINIErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown suffix", "[web]\na\n[web:var]\n",
			[]string{`hosts:3: unknown section suffix ":var" in "[web:var]" (did you mean ":vars"?)`}},
		{"unknown suffix no hint", "[web:stuff]\n", []string{`unknown section suffix ":stuff"`, "valid suffixes"}},
		{"spaces in header", "[web servers]\n", []string{"hosts:1:", "invalid section header", "spaces"}},
		{"vars without =", "[g:vars]\njust_a_word\n", []string{"hosts:2:", "expected key=value in [g:vars]"}},
		{"host var without =", "h1 a=1 b\n", []string{"hosts:1:8:", `got "b"`, "quote values"}},
		{"two hosts on a line", "h1 h2\n", []string{"hosts:1:4:", "one host per line"}},
		{"unclosed quote", `h1 a="x`, []string{"hosts:1:", "no closing quotation"}},
		{"bad child line", "[g:children]\na b\n", []string{"hosts:2:", "expected a group name"}},
		{"bad range", "[g]\n  web[1:x]\n", []string{"hosts:2:3:", "bad host range", "web[01:20]"}},
		{"unterminated range", "web[1:3\n", []string{"hosts:1:1:", "unterminated"}},
		{"range step zero", "web[1:3:0]\n", []string{"step"}},
		{"range reversed", "web[5:1]\n", []string{"begins after it ends"}},
		{"range padding", "web[01:100]\n", []string{"same length"}},
		{"range too big", "web[0:99999999]\n", []string{"too many hosts"}},
		{"trailing colon", "[g]\nweb1:\n", []string{"hosts:2:1:", "ends with ':'"}},
		{"yaml in ini", "[g]\n---\n", []string{"YAML"}},
		{"port too big", "web1:99999\n", []string{"out of range"}},
		{"empty host", `"" a=1`, []string{"empty host name"}},
		{"self child", "[g:children]\ng\n", []string{"hosts:2:", "child of itself"}},
		{"cycle", "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n", []string{"hosts:6:", "cycle (a -> b -> c -> a)"}},
		{"all as child", "[g:children]\nall\n", []string{"cycle"}},
		{"bad priority", "[g]\nh\n[g:vars]\nansible_group_priority=high\n", []string{"hosts:4:", "must be an integer"}},
		{"not utf8", "[g]\nh\xff\n", []string{"hosts:2:", "UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("hosts", []byte(tt.src))
			wantError(t, err, tt.want...)
		})
	}
}
