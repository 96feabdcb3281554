package modules

import (
	"crypto/sha1"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func findPaths(t *testing.T, res Result) []string {
	t.Helper()
	var out []string
	for _, f := range res["files"].([]any) {
		out = append(out, f.(map[string]any)["path"].(string))
	}
	sort.Strings(out)
	return out
}

func runFind(t *testing.T, sh testShell, args map[string]any) Result {
	t.Helper()
	m, task := mkTask(t, "find", args)
	return settled(t, sh, m, task)
}

func TestFind(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		// Hostile, but without $: Ansible would expand $VARIABLES.
		dir := filepath.Join(t.TempDir(), "we ird `id` 'q' \"d\" \\ \n nl *?[a] -x")
		p := func(n string) string { return filepath.Join(dir, n) }
		mustMkdir := func(n string) {
			if err := os.MkdirAll(p(n), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		mustMkdir("sub/deeper")
		mustMkdir(".hid")
		writeFile(t, p("a.conf"), "key = 1\nfoo bar\n", 0o644)
		writeFile(t, p("b.txt"), strings.Repeat("x", 2000), 0o600)
		writeFile(t, p(".hidden.conf"), "foo\n", 0o644)
		writeFile(t, p("sub/c.conf"), "nothing\r\nfoo\r\n", 0o644)
		writeFile(t, p("sub/deeper/d.conf"), "foo\n", 0o644)
		writeFile(t, p(".hid/e.conf"), "foo\n", 0o644)
		writeFile(t, p("new\nline.conf"), "foo\n", 0o644)
		os.Symlink("a.conf", p("link.conf"))
		old := time.Now().Add(-48 * time.Hour)
		os.Chtimes(p("b.txt"), old, old)

		res := runFind(t, sh, map[string]any{"paths": dir})
		if got, want := findPaths(t, res), []string{p("a.conf"), p("b.txt"), p("new\nline.conf")}; !equal(got, want) {
			t.Errorf("%s: plain: %q, want %q", sh.name, got, want)
		}
		if res["examined"] != 7 || res["matched"] != 3 || res["msg"] != "All paths examined" {
			t.Errorf("%s: counts %v %v %v", sh.name, res["examined"], res["matched"], res["msg"])
		}
		var f map[string]any
		for _, x := range res["files"].([]any) {
			if x.(map[string]any)["path"] == p("a.conf") {
				f = x.(map[string]any)
			}
		}
		if f["path"] != p("a.conf") || f["mode"] != "0644" || f["isreg"] != true || f["size"] != int64(16) || f["roth"] != true {
			t.Errorf("%s: entry %v", sh.name, f)
		}
		if isRoot() && (f["pw_name"] != "root" || f["gr_name"] != "root") {
			t.Errorf("%s: names %v %v", sh.name, f["pw_name"], f["gr_name"])
		}

		res = runFind(t, sh, map[string]any{"paths": dir, "patterns": "*.conf", "recurse": true, "contains": "foo$"})
		want := []string{p(".hid/e.conf"), p("new\nline.conf"), p("sub/c.conf"), p("sub/deeper/d.conf")}
		if got := findPaths(t, res); !equal(got, want) {
			t.Errorf("%s: contains: %q, want %q", sh.name, got, want)
		}
		res = runFind(t, sh, map[string]any{"paths": dir, "patterns": "*.conf", "recurse": true, "depth": 1, "hidden": true})
		want = []string{p(".hidden.conf"), p("a.conf"), p("new\nline.conf")}
		if got := findPaths(t, res); !equal(got, want) {
			t.Errorf("%s: depth: %q, want %q", sh.name, got, want)
		}
		if res["examined"] != 7+3 { // and the entries of sub and .hid
			t.Errorf("%s: depth examined %v", sh.name, res["examined"])
		}
		res = runFind(t, sh, map[string]any{"paths": dir, "file_type": "any", "excludes": "*.conf,s*", "get_checksum": true})
		want = []string{p("b.txt")}
		if got := findPaths(t, res); !equal(got, want) {
			t.Errorf("%s: any: %q, want %q", sh.name, got, want)
		}
		sum := sha1.Sum([]byte(strings.Repeat("x", 2000)))
		if f := res["files"].([]any)[0].(map[string]any); f["checksum"] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: checksum %v", sh.name, f["checksum"])
		}
		if sh.name == "bash" {
			continue // slow to start; dash and busybox run the table
		}
		for _, c := range []struct {
			args map[string]any
			want []string
		}{
			{map[string]any{"file_type": "directory", "recurse": true}, []string{p("sub"), p("sub/deeper")}},
			{map[string]any{"file_type": "link"}, []string{p("link.conf")}},
			{map[string]any{"age": "1d"}, []string{p("b.txt")}},
			{map[string]any{"age": "-1d"}, []string{p("a.conf"), p("new\nline.conf")}},
			{map[string]any{"size": "1k"}, []string{p("b.txt")}},
			{map[string]any{"size": "-1k"}, []string{p("a.conf"), p("new\nline.conf")}},
			{map[string]any{"patterns": `^[ab]\.`, "use_regex": true}, []string{p("a.conf"), p("b.txt")}},
			{map[string]any{"patterns": "[!a]*"}, []string{p("b.txt"), p("new\nline.conf")}},
			{map[string]any{"contains": "^key", "read_whole_file": true}, []string{p("a.conf")}},
		} {
			c.args["paths"] = dir
			if got := findPaths(t, runFind(t, sh, c.args)); !equal(got, c.want) {
				t.Errorf("%s: %v: %q, want %q", sh.name, c.args, got, c.want)
			}
		}
		res = runFind(t, sh, map[string]any{"paths": []any{p("a.conf"), p("nope")}})
		sk := res["skipped_paths"].(map[string]any)
		if len(sk) != 2 || sk[p("a.conf")] != "'"+p("a.conf")+"' is not a directory" || res["msg"] != "Not all paths examined, check warnings for details" {
			t.Errorf("%s: skipped %v", sh.name, res)
		}
		noPwned(t)
	}
}

func TestFindHome(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	home := t.TempDir()
	writeFile(t, filepath.Join(home, "x"), "", 0o644)
	sh.env = append(sh.env, "HOME="+home)
	res := runFind(t, sh, map[string]any{"paths": "~"})
	if got := findPaths(t, res); !equal(got, []string{filepath.Join(home, "x")}) {
		t.Errorf("%q", got)
	}
}

func TestFindArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"paths": "rel"}, "must be absolute"},
		{map[string]any{"paths": "/x/$HOME"}, "$VARIABLES"},
		{map[string]any{"paths": "/x", "age": "3y"}, "failed to process age"},
		{map[string]any{"paths": "/x", "size": "big"}, "failed to process size"},
		{map[string]any{"paths": "/x", "use_regex": true, "patterns": "(?=x)"}, "not supported"},
	} {
		m, task := mkTask(t, "find", c.args)
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	m, task := mkTask(t, "find", map[string]any{"paths": "/x"})
	if _, err := m.(Reader).Read(task, Output{Stdout: []byte("M stat\n")}); err == nil || !strings.Contains(err.Error(), "find needs stat on the host") {
		t.Errorf("missing tool: %v", err)
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

func FuzzParseFindListing(f *testing.F) {
	f.Add([]byte("T 5\nP 0\nB 2\n./a\x00./b\x0081a4 1 0 0 3 9 2 1 2 3 root root\ngone\nC 1 " + strings.Repeat("a", 40) + "\nD 1 3\nabc\nX 0\nerr\x00N 1\n"))
	f.Add([]byte("H\n/root\x00M find\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		l, err := parseFindListing(out)
		if err != nil {
			return
		}
		m, task := mkTask(t, "find", map[string]any{"paths": []any{"/a", "~/b"}, "contains": "a", "file_type": "any", "age": "1"})
		if len(l.paths) > 0 {
			m.(Reader).Read(task, Output{Stdout: out})
		}
	})
}

// The same tree and tasks as `ansible localhost -m find` was run with
// (ansible-core 2.14): the paths, examined, matched and skipped_paths it
// returned.
func TestFindMatchesAnsible(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := filepath.Join(t.TempDir(), "t")
	for _, d := range []string{"sub/deep", ".h"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for n, c := range map[string]string{"a.conf": "foo\n", "b.txt": "bar\n", ".x.conf": "foo\n", "sub/c.conf": "x\r\nfoo\r\n",
		"sub/deep/d.conf": "foo\n", ".h/e.conf": "foo\n"} {
		writeFile(t, filepath.Join(root, n), c, 0o644)
	}
	os.Symlink("a.conf", filepath.Join(root, "l.conf"))
	for _, c := range []struct {
		args              map[string]any
		paths             string
		examined, matched int
		skipped           []string
	}{
		{map[string]any{}, "a.conf b.txt", 6, 2, nil},
		{map[string]any{"patterns": "*.conf", "recurse": true, "contains": "foo$"}, ".h/e.conf a.conf sub/c.conf sub/deep/d.conf", 10, 4, nil},
		{map[string]any{"recurse": true, "depth": 1, "hidden": true, "file_type": "any"}, ".h .x.conf a.conf b.txt l.conf sub", 9, 6, nil},
		{map[string]any{"paths": []any{root, root + "/a.conf", "/nope"}, "file_type": "link"}, "l.conf", 6, 1, []string{"/nope", root + "/a.conf"}},
		{map[string]any{"recurse": true, "file_type": "directory", "use_regex": true, "patterns": "^s"}, "sub", 10, 1, nil},
	} {
		if c.args["paths"] == nil {
			c.args["paths"] = root
		}
		res := runFind(t, sh, c.args)
		var rel []string
		for _, p := range findPaths(t, res) {
			rel = append(rel, strings.TrimPrefix(p, root+"/"))
		}
		var sk []string
		for k := range res["skipped_paths"].(map[string]any) {
			sk = append(sk, k)
		}
		sort.Strings(sk)
		if strings.Join(rel, " ") != c.paths || res["examined"] != c.examined || res["matched"] != c.matched || !equal(sk, c.skipped) {
			t.Errorf("%v: %q %v %v %q", c.args, rel, res["examined"], res["matched"], sk)
		}
	}
}

// Whatever the patterns, the probe is POSIX sh in which they are data.
func FuzzFindProbe(f *testing.F) {
	f.Add("*.conf", "a'b*[x]?", true)
	f.Fuzz(func(t *testing.T, pat, excl string, sum bool) {
		m, task := mkTask(t, "find", map[string]any{"paths": "/x", "patterns": []any{pat}, "excludes": []any{excl},
			"get_checksum": sum, "contains": "x"})
		s, err := m.Probe(task)
		if err != nil {
			return
		}
		mustParse(t, s)
		ft, _ := readFindTask(task)
		mustParse(t, ft.inner())
	})
}

// Folders this user cannot enter: the path itself, and one inside.
func TestFindUnreadable(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := t.TempDir()
	if isRoot() {
		// As nobody: root enters every folder.
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("no setpriv to drop root")
		}
		sh.argv = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, sh.argv...)
		// Only the test's own folders: t.TempDir() is ROOT/NNN, both made
		// for this test.
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o000)
	defer os.Chmod(locked, 0o755)
	res := runFind(t, sh, map[string]any{"paths": []any{locked, dir}, "recurse": true, "file_type": "directory"})
	sk := res["skipped_paths"].(map[string]any)
	if sk[locked] != "[Errno 13] Permission denied: '"+locked+"'" || sk[dir] == nil || len(findPaths(t, res)) != 1 {
		t.Errorf("%v", res)
	}
}
