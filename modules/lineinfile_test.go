package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeProbe is what textProbe prints for a file with content (nil:
// absent).
func fakeProbe(content *string) Output {
	var b strings.Builder
	if content == nil {
		b.WriteString("p.type=absent\n")
	} else {
		fmt.Fprintf(&b, "p.type=present\np.mode=-rw-r--r--\np.nlink=1\np.uid=0\np.gid=0\np.size=%d\np.owner=root\np.group=root\n", len(*content))
		fmt.Fprintf(&b, "c:%d\n%s\n", len(*content), *content)
	}
	b.WriteString("umask=0022\n")
	return Output{Stdout: []byte(b.String())}
}

func sp(s string) *string { return &s }

// Ansible's behaviour, case by case (lib/ansible/modules/lineinfile.py).
var lineCases = []struct {
	name    string
	file    *string
	args    map[string]any
	want    string // the content after; "" with nochange means the same
	msg     string
	nochg   bool
	wantErr string
}{
	{name: "append", file: sp("a\nb\nc\n"), args: map[string]any{"line": "d"}, want: "a\nb\nc\nd\n", msg: "line added"},
	{name: "present already", file: sp("a\nb\nc\n"), args: map[string]any{"line": "b"}, nochg: true},
	{name: "replace", file: sp("a\nb\nc\n"), args: map[string]any{"regexp": "^b", "line": "B"}, want: "a\nB\nc\n", msg: "line replaced"},
	{name: "regexp dollar before newline", file: sp("a\nb\nc\n"), args: map[string]any{"regexp": "^b$", "line": "B"}, want: "a\nB\nc\n", msg: "line replaced"},
	{name: "replace last match", file: sp("x=1\nx=2\n"), args: map[string]any{"regexp": "^x=", "line": "x=3"}, want: "x=1\nx=3\n", msg: "line replaced"},
	{name: "replace first match", file: sp("x=1\nx=2\n"), args: map[string]any{"regexp": "^x=", "line": "x=3", "firstmatch": true}, want: "x=3\nx=2\n", msg: "line replaced"},
	{name: "no match appends", file: sp("a\nb\n"), args: map[string]any{"regexp": "^x", "line": "X"}, want: "a\nb\nX\n", msg: "line added"},
	{name: "no match but the line is there", file: sp("a\nb\n"), args: map[string]any{"regexp": "^x", "line": "b"}, nochg: true},
	{name: "insertafter", file: sp("a\nb\nc\n"), args: map[string]any{"line": "z", "insertafter": "^a"}, want: "a\nz\nb\nc\n", msg: "line added"},
	{name: "insertafter last match", file: sp("a\na\nb\n"), args: map[string]any{"line": "z", "insertafter": "^a"}, want: "a\na\nz\nb\n", msg: "line added"},
	{name: "insertafter first match", file: sp("a\na\nb\n"), args: map[string]any{"line": "z", "insertafter": "^a", "firstmatch": true}, want: "a\nz\na\nb\n", msg: "line added"},
	{name: "insertafter the last line without newline", file: sp("a\nb"), args: map[string]any{"line": "z", "insertafter": "^b"}, want: "a\nb\nz\n", msg: "line added"},
	{name: "insertafter no match goes to the end", file: sp("a\n"), args: map[string]any{"line": "z", "insertafter": "^nope"}, want: "a\nz\n", msg: "line added"},
	{name: "insertafter EOF", file: sp("a\n"), args: map[string]any{"line": "z", "insertafter": "EOF"}, want: "a\nz\n", msg: "line added"},
	{name: "insertafter BOF", file: sp("a\n"), args: map[string]any{"line": "z", "insertafter": "BOF"}, want: "z\na\n", msg: "line added"},
	{name: "insertbefore", file: sp("a\nb\nc\n"), args: map[string]any{"line": "z", "insertbefore": "^c"}, want: "a\nb\nz\nc\n", msg: "line added"},
	{name: "insertbefore last match", file: sp("c\nc\n"), args: map[string]any{"line": "z", "insertbefore": "^c"}, want: "c\nz\nc\n", msg: "line added"},
	{name: "insertbefore first match", file: sp("c\nc\n"), args: map[string]any{"line": "z", "insertbefore": "^c", "firstmatch": true}, want: "z\nc\nc\n", msg: "line added"},
	{name: "insertbefore BOF", file: sp("a\n"), args: map[string]any{"line": "z", "insertbefore": "BOF"}, want: "z\na\n", msg: "line added"},
	{name: "insertbefore no match goes to the end", file: sp("a\n"), args: map[string]any{"line": "z", "insertbefore": "^nope"}, want: "a\nz\n", msg: "line added"},
	{name: "regexp wins over insertafter", file: sp("a\nb\n"), args: map[string]any{"line": "B", "regexp": "^b", "insertafter": "^a"}, want: "a\nB\n", msg: "line replaced"},
	{name: "no trailing newline", file: sp("a\nb"), args: map[string]any{"line": "c"}, want: "a\nb\nc\n", msg: "line added"},
	{name: "empty file", file: sp(""), args: map[string]any{"line": "x"}, want: "x\n", msg: "line added"},
	{name: "crlf line is rewritten", file: sp("a\r\nb\r\n"), args: map[string]any{"line": "a"}, want: "a\nb\r\n", msg: "line replaced"},
	{name: "backrefs", file: sp("a\nport=80\n"), args: map[string]any{"regexp": `^port=(\d+)$`, "line": `port=\1\1 # was \1`, "backrefs": true}, want: "a\nport=8080 # was 80\n", msg: "line replaced"},
	{name: "backrefs named", file: sp("k = v\n"), args: map[string]any{"regexp": `^(?P<k>\w+) = (?P<v>\w+)`, "line": `\g<v> = \g<k>\t\g<0>`, "backrefs": true}, want: "v = k\tk = v\n", msg: "line replaced"},
	{name: "backrefs no match changes nothing", file: sp("a\n"), args: map[string]any{"regexp": "^x(.*)", "line": `\1`, "backrefs": true}, nochg: true},
	{name: "backrefs unmatched group is empty", file: sp("ab\n"), args: map[string]any{"regexp": "^a(x)?(b)", "line": `[\1][\2]`, "backrefs": true}, want: "[][b]\n", msg: "line replaced"},
	{name: "search_string", file: sp("a foo b\nc\n"), args: map[string]any{"search_string": "foo", "line": "FOO"}, want: "FOO\nc\n", msg: "line replaced"},
	{name: "search_string is not a regexp", file: sp("a.b\naxb\n"), args: map[string]any{"search_string": "a.b", "line": "z"}, want: "z\naxb\n", msg: "line replaced"},
	{name: "absent line", file: sp("a\nb\na\n"), args: map[string]any{"line": "a", "state": "absent"}, want: "b\n", msg: "2 line(s) removed"},
	{name: "absent regexp", file: sp("# x\ny\n#z"), args: map[string]any{"regexp": "^#", "state": "absent"}, want: "y\n", msg: "2 line(s) removed"},
	{name: "absent search_string", file: sp("a.b\naxb\n"), args: map[string]any{"search_string": "a.b", "state": "absent"}, want: "axb\n", msg: "1 line(s) removed"},
	{name: "absent nothing", file: sp("a\n"), args: map[string]any{"line": "b", "state": "absent"}, nochg: true},
	{name: "absent file", file: nil, args: map[string]any{"line": "b", "state": "absent"}, nochg: true},
	{name: "create", file: nil, args: map[string]any{"line": "x", "create": true}, want: "x\n", msg: "line added"},
	{name: "missing without create", file: nil, args: map[string]any{"line": "x"}, wantErr: "does not exist !"},
	{name: "backrefs need regexp", file: sp(""), args: map[string]any{"line": "x", "backrefs": true}, wantErr: "regexp is required with backrefs=true"},
	{name: "line needed", file: sp(""), args: map[string]any{"regexp": "x"}, wantErr: "line is required with state=present"},
	{name: "absent needs something", file: sp(""), args: map[string]any{"state": "absent"}, wantErr: "one of line, search_string, or regexp is required"},
	{name: "lookahead", file: sp(""), args: map[string]any{"regexp": "a(?=b)", "line": "x"}, wantErr: "lookarounds"},
	{name: "bad backref template", file: sp("a\n"), args: map[string]any{"regexp": "(a)", "line": `\5`, "backrefs": true}, wantErr: "invalid group reference"},
}

func TestLineinfileAlgorithm(t *testing.T) {
	t.Parallel()
	for _, c := range lineCases {
		t.Run(c.name, func(t *testing.T) {
			args := map[string]any{"path": "/etc/x"}
			for k, v := range c.args {
				args[k] = v
			}
			m, task := mkTask(t, "lineinfile", args)
			ch, _, err := planText(t, m, task, c.file)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.nochg {
				if ch != nil {
					t.Fatalf("change %v", ch.Diffs)
				}
				return
			}
			if ch == nil {
				t.Fatal("no change")
			}
			var got *Diff
			for i := range ch.Diffs {
				if ch.Diffs[i].Attr == "content" {
					got = &ch.Diffs[i]
				}
			}
			if got == nil || got.After != c.want {
				t.Fatalf("after %q, want %q", got, c.want)
			}
			res, err := ch.Result(Output{})
			if err != nil || res["msg"] != c.msg {
				t.Errorf("result %v %v, want msg %q", res, err, c.msg)
			}
		})
	}
}

func TestPyExpand(t *testing.T) {
	t.Parallel()
	re, _ := pyRegexp("r", `(a)(b)?(?P<n>c)`)
	s := "ac"
	m := re.FindStringSubmatchIndex(s)
	for tmpl, want := range map[string]string{
		`\1\2\3`:         "ac",
		`\g<n>\g<1>`:     "ca",
		`\\1`:            `\1`,
		`\n\t`:           "\n\t",
		`\.`:             `\.`,
		`\0101`:          "\b1",
		`\101`:           "A",
		`x\g<0>`:         "xac",
		`$1 ${n}`:        "$1 ${n}",
		`\11`:            "ERR",
		`\q`:             "ERR",
		`\g<missing>`:    "ERR",
		"trailing \\":    "trailing \\",
		`\g<3>\g<03>end`: "ccend",
	} {
		got, err := pyExpand(tmpl, s, m, re)
		if want == "ERR" {
			if err == nil {
				t.Errorf("%q: no error, got %q", tmpl, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", tmpl, got, err, want)
		}
	}
}

func TestLineinfileConverges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup string // content; "" means absent
		mode  os.FileMode
		args  map[string]any
		want  string
		wmode os.FileMode
		msg   string
		root  bool
	}{
		{name: "append keeps mode", setup: "a\n", mode: 0o600, args: map[string]any{"line": "b $x `id`"}, want: "a\nb $x `id`\n", wmode: 0o600, msg: "line added"},
		{name: "replace with backup", setup: "a=1\n", mode: 0o644, args: map[string]any{"regexp": "^a=", "line": "a=2", "backup": true}, want: "a=2\n", wmode: 0o644, msg: "line replaced"},
		{name: "create with mode", args: map[string]any{"line": "x", "create": true, "mode": "0640"}, want: "x\n", wmode: 0o640, msg: "line added"},
		{name: "absent", setup: "a\nb\na\n", mode: 0o644, args: map[string]any{"line": "a", "state": "absent"}, want: "b\n", wmode: 0o644, msg: "2 line(s) removed"},
		{name: "mode only", setup: "a\n", mode: 0o644, args: map[string]any{"line": "a", "mode": "0600"}, want: "a\n", wmode: 0o600, msg: "ownership, perms or SE linux context changed"},
		{name: "line and owner", setup: "a\n", mode: 0o644, root: true, args: map[string]any{"line": "b", "owner": "nobody"}, want: "a\nb\n", wmode: 0o644, msg: "line added and ownership, perms or SE linux context changed"},
		{name: "validate", setup: "a\n", mode: 0o644, args: map[string]any{"line": "b", "validate": "grep -q b %s"}, want: "a\nb\n", wmode: 0o644, msg: "line added"},
	}
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range cases {
				if c.root && !isRoot() || !sh.turn(t, i) {
					continue
				}
				for _, name := range sh.caseNames(t, i) {
					dir := hostileDir(t)
					p := filepath.Join(dir, name)
					if c.setup != "" {
						writeFile(t, p, c.setup, c.mode)
					}
					args := map[string]any{"path": p}
					for k, v := range c.args {
						args[k] = v
					}
					m, task := mkTask(t, "lineinfile", args)
					_, res := converge(t, sh, m, task)
					if got := readFile(t, p); got != c.want {
						t.Errorf("%s %q: content %q, want %q", c.name, name, got, c.want)
					}
					wantMode(t, p, c.wmode)
					if res["msg"] != c.msg {
						t.Errorf("%s: msg %q, want %q", c.name, res["msg"], c.msg)
					}
					if b, _ := res["backup"].(string); (b != "") != (c.args["backup"] == true) {
						t.Errorf("%s: backup %q", c.name, b)
					} else if b != "" {
						if readFile(t, b) != c.setup {
							t.Errorf("%s: backup holds %q", c.name, readFile(t, b))
						}
						os.Remove(b)
					}
					noLeftovers(t, dir)
					noPwned(t)
				}
			}
		})
	}
}

func TestLineinfileRefusesAChangedFile(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, "a\n", 0o644)
		m, task := mkTask(t, "lineinfile", map[string]any{"path": p, "line": "b"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatal(ch, err)
		}
		writeFile(t, p, "someone else\n", 0o644)
		out := sh.run(t, ch.Apply)
		if out.ExitCode == 0 || !strings.Contains(string(out.Stderr), "changed since it was read") {
			t.Errorf("%s: apply: %d %s", sh.name, out.ExitCode, out.Stderr)
		}
		if readFile(t, p) != "someone else\n" {
			t.Error("overwrote the other change")
		}
		noLeftovers(t, dir)
	}
}

func TestLineinfileErrorsOnHost(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	m, task := mkTask(t, "lineinfile", map[string]any{"path": dir, "line": "x"})
	planErr(t, sh, m, task, "is a directory !")
	m, task = mkTask(t, "lineinfile", map[string]any{"path": dir + "/nope", "line": "x"})
	planErr(t, sh, m, task, "Destination "+dir+"/nope does not exist !")
	// state=absent on a missing file: nothing to do, and says so.
	m, task = mkTask(t, "lineinfile", map[string]any{"path": dir + "/nope", "line": "x", "state": "absent"})
	if res := settled(t, sh, m, task); res["msg"] != "file not present" {
		t.Errorf("read %v", res)
	}
}

func TestLineinfileCreatesParents(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1]
	dir := hostileDir(t)
	p := filepath.Join(dir, "a b", "c", "f")
	m, task := mkTask(t, "lineinfile", map[string]any{"path": p, "line": "x", "create": true})
	converge(t, sh, m, task)
	if readFile(t, p) != "x\n" {
		t.Error("not created")
	}
}

func TestLineinfileWritesThroughLinks(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		mkdir(t, dir+"/real dir", 0o755)
		writeFile(t, dir+"/real dir/conf", "a\n", 0o640)
		os.Symlink("real dir/conf", dir+"/link")
		os.Symlink("link", dir+"/link2")
		m, task := mkTask(t, "lineinfile", map[string]any{"path": dir + "/link2", "line": "b"})
		converge(t, sh, m, task)
		if got, _ := os.Readlink(dir + "/link2"); got != "link" {
			t.Errorf("%s: the link was replaced", sh.name)
		}
		if readFile(t, dir+"/real dir/conf") != "a\nb\n" {
			t.Errorf("%s: target %q", sh.name, readFile(t, dir+"/real dir/conf"))
		}
		wantMode(t, dir+"/real dir/conf", 0o640)
		noLeftovers(t, dir)
		noLeftovers(t, dir+"/real dir")
	}
}
