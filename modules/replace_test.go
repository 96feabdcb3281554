package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pySubnCases are Python's re.subn(re.compile(PATTERN, re.M), REPL, TEXT),
// as Python 3.11 computed them.
var pySubnCases = []struct {
	pattern, repl, text, want string
	n                         int
}{
	{`^(\w+)=(.*)$`, "\\2=\\1", "a=1\nb=2\n", "1=a\n2=b\n", 2},
	{`(?P<k>\w+) = (?P<v>\w+)`, "\\g<v> := \\g<k>", "x = y\n", "y := x\n", 1},
	{`\s+$`, "", "trailing \t\nkeep\n", "trailing\nkeep", 2},
	{`\d+`, "N", "a1 b22 c٣\n", "aN bN cN\n", 3},
	{`\w+`, "W", "héllo wörld\n", "W W\n", 2},
	{`foo\Z`, "bar", "foo\nfoo", "foo\nbar", 1},
	{`\u00e9`, "e", "café\n", "cafe\n", 1},
	{`\x41\101\0`, "z", "AA\u0000B", "zB", 1},
	{`a{,2}b`, "X", "aaab b\n", "aX X\n", 2},
	{`(?i)HELLO`, "bye", "hello Hello\n", "bye bye\n", 2},
	{`(?#comment)x`, "y", "xx\n", "yy\n", 2},
	{`[\w.]+@`, "", "joe.x@host\n", "host\n", 1},
	{`[\b]`, "<BS>", "a\bb\n", "a<BS>b\n", 1},
	{`^#?\s*PermitRootLogin.*$`, "PermitRootLogin no", "# PermitRootLogin yes\nPermitRootLogin yes\n", "PermitRootLogin no\nPermitRootLogin no\n", 2},
	{`(a)|(b)`, "[\\1\\2]", "ab\n", "[a][b]\n", 2},
	{`\bport\b`, "PORT", "port sport port\n", "PORT sport PORT\n", 2},
	{`(?a)\w+`, "W", "héllo\n", "WéW\n", 2},
	{`\S+`, "S", "a b c\n", "S S S\n", 3},
	{`x`, "\\n\\t\\\\", "x\n", "\n\t\\\n", 1},
	{`$`, ";", "a\nb\n", "a;\nb;\n;", 3}}

func TestReplacePythonRegexps(t *testing.T) {
	t.Parallel()
	for _, c := range pySubnCases {
		re, err := compilePy("regexp", c.pattern, "(?m)")
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		got, n, err := pySubn(re, c.repl, c.text)
		if err != nil || got != c.want || n != c.n {
			t.Errorf("%q → %q on %q: %q %d %v, want %q %d", c.pattern, c.repl, c.text, got, n, err, c.want, c.n)
		}
	}
}

func TestReplaceRefusesWhatRE2CannotDo(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]string{
		`foo(?=bar)`:     "lookahead",
		`foo(?!bar)`:     "lookahead",
		`(?<=a)b`:        "lookbehind",
		`(?<!a)b`:        "lookbehind",
		`(a)\1`:          `backreference \1`,
		`(?P<x>a)(?P=x)`: "backreference (?P=...)",
		`(?(1)a|b)`:      "conditional",
		`(?>a)`:          "atomic group",
		`a*+`:            "possessive",
		`(?x) a b`:       "verbose",
		`\N{DIGIT ONE}`:  `\N{...}`,
		`\u12`:           "incomplete escape",
		`(unclosed`:      "missing closing )",
		`\777`:           "outside of range",
	} {
		_, err := compilePy("regexp", expr, "(?m)")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", expr, err, want)
		}
	}
}

func TestReplaceAlgorithm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file string
		args       map[string]any
		want, msg  string // want "" : no change
		err        string
	}{
		{name: "all matches", file: "a=1\na=2\n", args: map[string]any{"regexp": `^a=(\d)`, "replace": `b=\1`}, want: "b=1\nb=2\n", msg: "2 replacements made"},
		{name: "no match", file: "a\n", args: map[string]any{"regexp": "x"}, msg: ""},
		{name: "same text", file: "a\n", args: map[string]any{"regexp": "a", "replace": "a"}, msg: ""},
		{name: "delete", file: "# c\nx\n", args: map[string]any{"regexp": `^#.*\n`}, want: "x\n", msg: "1 replacements made"},
		{name: "after", file: "x\n[s]\nx\n", args: map[string]any{"regexp": "x", "replace": "y", "after": `\[s\]`}, want: "x\n[s]\ny\n", msg: "1 replacements made"},
		{name: "before", file: "x\n[s]\nx\n", args: map[string]any{"regexp": "x", "replace": "y", "before": `\[s\]`}, want: "y\n[s]\nx\n", msg: "1 replacements made"},
		{name: "after and before", file: "x<a>x x</a>x\n<a>x</a>", args: map[string]any{"regexp": "x", "replace": "y", "after": "<a>", "before": "</a>"}, want: "x<a>y y</a>x\n<a>x</a>", msg: "2 replacements made"},
		{name: "section missing", file: "x\n", args: map[string]any{"regexp": "x", "after": "nope"}, msg: "Pattern for before/after params did not match the given file: nope(?P<subsection>.*)"},
		{name: "bad template", file: "x\n", args: map[string]any{"regexp": "x", "replace": `\3`}, err: "invalid group reference"},
		{name: "encoding", file: "x\n", args: map[string]any{"regexp": "x", "encoding": "latin-1"}, err: "encoding latin-1 is not supported"},
		{name: "missing file", args: map[string]any{"regexp": "x"}, err: "Path /etc/x does not exist !"},
	}
	for _, c := range cases {
		args := map[string]any{"path": "/etc/x"}
		for k, v := range c.args {
			args[k] = v
		}
		m, task := mkTask(t, "replace", args)
		var probe Output
		if c.name == "missing file" {
			probe = fakeProbe(nil)
		} else {
			probe = fakeProbe(&c.file)
		}
		ch, err := m.Plan(task, probe)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.want == "" {
			if ch != nil {
				t.Errorf("%s: change %v", c.name, ch.Diffs)
			}
			res, err := m.(Reporter).Report(task, probe)
			if err != nil || res["msg"] != c.msg || res["changed"] != false {
				t.Errorf("%s: report %v %v", c.name, res, err)
			}
			continue
		}
		if ch == nil || ch.Diffs[0].Attr != "content" || ch.Diffs[0].After != c.want || ch.Diffs[0].Before != c.file {
			t.Errorf("%s: change %v, want %q", c.name, ch, c.want)
			continue
		}
		if res, _ := ch.Result(Output{}); res["msg"] != c.msg || res["changed"] != true {
			t.Errorf("%s: result %v", c.name, res)
		}
	}
}

func TestReplaceConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			// A few hostile names: lineinfile_test tries them all on the same write path.
			for _, name := range []string{"-rf", "it's", "new\nline"} {
				dir := hostileDir(t)
				p := filepath.Join(dir, name)
				writeFile(t, p, "PermitRootLogin yes\n#PermitRootLogin no\nPort 22\n", 0o600)
				m, task := mkTask(t, "replace", map[string]any{"dest": p, "regexp": `^#?PermitRootLogin .*$`, "replace": "PermitRootLogin no", "backup": true, "mode": "0640"})
				ch, res := converge(t, sh, m, task)
				if got := readFile(t, p); got != "PermitRootLogin no\nPermitRootLogin no\nPort 22\n" {
					t.Errorf("%q: %q", name, got)
				}
				wantMode(t, p, 0o640)
				if res["msg"] != "2 replacements made and ownership, perms or SE linux context changed" {
					t.Errorf("result %v", res)
				}
				if b, _ := res["backup_file"].(string); b == "" || !strings.HasPrefix(readFile(t, b), "PermitRootLogin yes") {
					t.Errorf("backup %v", res)
				} else {
					os.Remove(b)
				}
				if !hasDiff(ch, "mode", "0600", "0640") {
					t.Errorf("diffs %v", ch.Diffs)
				}
				noLeftovers(t, dir)
				noPwned(t)
			}
			// Check mode: the plan says what would change, and nothing did.
			dir := hostileDir(t)
			writeFile(t, dir+"/f", "a\n", 0o644)
			m, task := mkTask(t, "replace", map[string]any{"path": dir + "/f", "regexp": "a", "replace": "b"})
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil || ch.Diffs[0].Before != "a\n" || ch.Diffs[0].After != "b\n" || readFile(t, dir+"/f") != "a\n" {
				t.Errorf("check: %v %v", ch, err)
			}
			planErr(t, sh, m, &Task{Args: Args{"path": dir, "regexp": "a"}}, "is a directory !")
		})
	}
}
