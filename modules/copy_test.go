package modules

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

type copyCase struct {
	name  string
	root  bool
	setup func(t *testing.T, d, p string)
	args  func(d, p string) map[string]any
	files mapFiles
	diffs []string
	check func(t *testing.T, d, p string, res Result)
}

func allBytes() string {
	var b []byte
	for i := 0; i < 256; i++ {
		b = append(b, byte(i))
	}
	return string(b) + "\x00\n%s%%\\"
}

func bigText(n int, c byte) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString("line of a big file ")
		b.WriteByte(c)
		b.WriteByte('\n')
	}
	return b.String()
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	return stat(t, p).Sys().(*syscall.Stat_t).Ino
}

var copyCases = []copyCase{
	{
		name: "new file from content",
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p, "content": "hello\n$HOME `id`\n", "mode": "0640"}
		},
		diffs: []string{"state", "content", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			if got := readFile(t, p); got != "hello\n$HOME `id`\n" {
				t.Errorf("content %q", got)
			}
			wantMode(t, p, 0o640)
			sum := sha1.Sum([]byte("hello\n$HOME `id`\n"))
			if res["checksum"] != hex.EncodeToString(sum[:]) || res["dest"] != p || res["size"] != int64(17) || res["mode"] != "0640" || res["changed"] != true {
				t.Errorf("result %v", res)
			}
			if _, ok := res["backup_file"]; ok {
				t.Errorf("backup without asking: %v", res)
			}
		},
	},
	{
		name:  "changed content with backup keeps mode",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "old\n", 0o600) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": "new\n", "backup": true} },
		diffs: []string{"content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != "new\n" {
				t.Error("not written")
			}
			wantMode(t, p, 0o600)
			b, _ := res["backup_file"].(string)
			if !strings.HasPrefix(b, p+".") || !regexp.MustCompile(`\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$`).MatchString(b) {
				t.Fatalf("backup_file %q", b)
			}
			if readFile(t, b) != "old\n" {
				t.Error("backup content")
			}
			wantMode(t, b, 0o600)
			os.Remove(b) // so that noLeftovers and later runs see a clean folder
		},
	},
	{
		name:  "mode only: no rewrite",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "same", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p, "content": "same", "mode": "u=rw,go="}
		},
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) { wantMode(t, p, 0o600) },
	},
	{
		name:  "owner and group",
		root:  true,
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "old", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p, "content": "new", "owner": "nobody", "group": 65534, "mode": "0600"}
		},
		diffs: []string{"content", "owner", "group", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			if u, g := owner(t, p); u != 65534 || g != 65534 {
				t.Errorf("%d:%d", u, g)
			}
			wantMode(t, p, 0o600)
		},
	},
	{
		name:  "binary content",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "text", 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": allBytes()} },
		diffs: []string{"content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != allBytes() {
				t.Error("bytes differ")
			}
		},
	},
	{
		name:  "empty content",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "text", 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": ""} },
		diffs: []string{"content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != "" {
				t.Error("not emptied")
			}
		},
	},
	{
		name:  "big file, same size",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, bigText(200<<10, 'a'), 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": bigText(200<<10, 'b')} },
		diffs: []string{"checksum"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != bigText(200<<10, 'b') {
				t.Error("not written")
			}
		},
	},
	{
		name:  "big file, other size",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, bigText(100<<10, 'a'), 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": bigText(300<<10, 'a')} },
		diffs: []string{"checksum"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != bigText(300<<10, 'a') {
				t.Error("not written")
			}
		},
	},
	{
		name:  "src into an existing directory",
		setup: func(t *testing.T, d, p string) { mkdir(t, p, 0o755) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "src": "files/motd"} },
		files: mapFiles{"files/motd": []byte("welcome\n")},
		diffs: []string{"state", "content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p+"/motd") != "welcome\n" {
				t.Error("not written")
			}
			if res["dest"] != p+"/motd" || res["src"] != "files/motd" {
				t.Errorf("result %v", res)
			}
			noLeftovers(t, p)
		},
	},
	{
		name: "dest ending in / makes folders",
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p + "/a/b/", "src": "motd", "directory_mode": "0700"}
		},
		files: mapFiles{"motd": []byte("welcome\n")},
		diffs: []string{"state", "content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p+"/a/b/motd") != "welcome\n" {
				t.Error("not written")
			}
			wantMode(t, p+"/a", os.ModeDir|0o700)
			wantMode(t, p+"/a/b", os.ModeDir|0o700)
		},
	},
	{
		name: "dict content is JSON",
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p, "content": map[string]any{"b": []any{1, "é"}, "a": true}}
		},
		diffs: []string{"state", "content"},
		check: func(t *testing.T, d, p string, res Result) {
			if got := readFile(t, p); got != `{"a": true, "b": [1, "\u00e9"]}` {
				t.Errorf("content %q", got)
			}
		},
	},
	{
		name:  "validate passes",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "old", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"dest": p, "content": "good\n", "validate": "grep -q 'go''od' %s"}
		},
		diffs: []string{"content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != "good\n" {
				t.Error("not written")
			}
		},
	},
	{
		name:  "replaces a link to a file",
		setup: func(t *testing.T, d, p string) { writeFile(t, d+"/target", "old", 0o640); os.Symlink(d+"/target", p) },
		args:  func(d, p string) map[string]any { return map[string]any{"dest": p, "content": "new"} },
		diffs: []string{"content"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != "new" || readFile(t, d+"/target") != "old" {
				t.Error("wrong file written")
			}
			wantMode(t, p, 0o640)
		},
	},
}

func TestCopyConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range copyCases {
				if !sh.turn(t, i) {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					if c.root {
						needRoot(t)
					}
					for _, name := range sh.caseNames(t, i) {
						dir := hostileDir(t)
						p := filepath.Join(dir, name)
						if c.setup != nil {
							c.setup(t, dir, p)
						}
						m, task := mkTask(t, "copy", c.args(dir, p))
						if c.files != nil {
							task.Files = c.files
						}
						// The way the runner plans it: through questions
						// where it asks them (a file), else through the
						// probe (a folder).
						var ch *Change
						var res Result
						if qs, _ := m.(Asker).Questions(task); qs != nil {
							ch, res = convergeAsked(t, sh, m, task)
						} else {
							ch, res = converge(t, sh, m, task)
						}
						if got := diffAttrs(ch); !reflect.DeepEqual(got, c.diffs) {
							t.Errorf("%q: diffs %v, want %v", name, got, c.diffs)
						}
						if c.check != nil {
							c.check(t, dir, p, res)
						}
						noLeftovers(t, dir)
						noPwned(t)
					}
				})
			}
		})
	}
}

func TestCopyContentDiff(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	writeFile(t, p, "a\nb\n", 0o644)
	m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "a\nc\n"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if !hasDiff(ch, "content", "a\nb\n", "a\nc\n") {
		t.Errorf("diffs %v", ch.Diffs)
	}
	d := ch.Diffs[0]
	if got := UnifiedDiff(d.Path, d.Before, d.After); !strings.Contains(got, "-b\n+c\n") {
		t.Errorf("unified diff %q", got)
	}
}

func TestCopyModeOnlyKeepsInode(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, "same", 0o644)
		before := inode(t, p)
		m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "same", "mode": "0600"})
		converge(t, sh, m, task)
		if inode(t, p) != before {
			t.Errorf("%s: the file was rewritten for a mode change", sh.name)
		}
	}
}

func TestCopyForceNo(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, "mine", 0o644)
		m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "theirs", "force": false, "mode": "0600"})
		res := settled(t, sh, m, task)
		if res["msg"] != "file already exists" {
			t.Errorf("read %v", res)
		}
		if readFile(t, p) != "mine" {
			t.Error("overwritten")
		}
		os.Remove(p)
		converge(t, sh, m, task)
		if readFile(t, p) != "theirs" {
			t.Error("not written when absent")
		}
	}
}

func TestCopyValidateFails(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "it's")
		writeFile(t, p, "old", 0o644)
		m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "bad", "validate": "grep -q good %s"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatal(ch, err)
		}
		out := sh.run(t, ch.Apply)
		if out.ExitCode == 0 || !strings.Contains(string(out.Stderr), "failed to validate") {
			t.Errorf("%s: apply: %d %q", sh.name, out.ExitCode, out.Stderr)
		}
		res, err := ch.Result(out)
		if err != nil || res["failed"] != true || !strings.Contains(res["msg"].(string), "failed to validate") {
			t.Errorf("result %v %v", res, err)
		}
		if readFile(t, p) != "old" {
			t.Error("written despite validation")
		}
		noLeftovers(t, dir)
	}
}

func TestCopyValidateSeesTheNewFile(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	log := filepath.Join(dir, "log")
	// The checker copies what it was given: the temporary file with the new content.
	m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "new", "validate": "cp %s '" + strings.ReplaceAll(log, "'", `'"'"'`) + "'"})
	converge(t, sh, m, task)
	if readFile(t, log) != "new" {
		t.Error("validate did not see the new content")
	}
}

func TestCopyErrors(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	sub := filepath.Join(dir, "sub")
	mkdir(t, sub, 0o755)
	mkdir(t, sub+"/motd", 0o755)
	cases := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"dest": sub, "content": "x"}, "can not use content with a dir as dest"},
		{map[string]any{"dest": sub + "/", "content": "x"}, "can not use content with a dir as dest"},
		{map[string]any{"dest": dir + "/no/such/file", "content": "x"}, "Destination directory " + dir + "/no/such does not exist"},
		{map[string]any{"dest": dir + "/f", "src": "adir"}, "is a directory: copying directories is not supported yet"},
		{map[string]any{"dest": dir + "/f", "src": "dir/"}, "is a directory"},
		{map[string]any{"dest": dir + "/f", "src": "missing"}, "could not find or access 'missing'"},
		{map[string]any{"dest": dir + "/f", "content": "x", "validate": "visudo -c"}, "validate must contain %s"},
		{map[string]any{"dest": dir + "/f", "content": "x", "remote_src": true}, "remote_src=yes is not supported"},
		{map[string]any{"dest": sub, "src": "motd"}, "dest " + sub + "/motd is a directory"},
		{map[string]any{"dest": "rel/f", "content": "x"}, "must be an absolute path"},
	}
	for _, c := range cases {
		m, task := mkTask(t, "copy", c.args)
		task.Files = mapFiles{"motd": []byte("x")}
		planErr(t, sh, m, task, c.want)
	}
}

func TestCopyCheckModeDiffForNewFile(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	m, task := mkTask(t, "copy", map[string]any{"dest": dir + "/new", "content": "x\n"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if !hasDiff(ch, "state", "absent", "file") || !hasDiff(ch, "content", "", "x\n") {
		t.Errorf("diffs %v", ch.Diffs)
	}
	if _, err := os.Stat(dir + "/new"); err == nil {
		t.Error("plan touched the host")
	}
}

func TestSumsMatchTools(t *testing.T) {
	t.Parallel()
	// tend_sum under each shell (and so each tool set) prints one of the
	// sums Go computes.
	data := []byte(allBytes() + bigText(3000, 'x'))
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sh := range shells(t) {
		s := newScript()
		s.use("tend_sum")
		s.add("tend_sum < ", q(f))
		out := sh.run(t, s.String())
		if !sumsOf(data).has(strings.TrimSpace(string(out.Stdout))) {
			t.Errorf("%s: tend_sum printed %q", sh.name, out.Stdout)
		}
	}
	// cksum's CRC, checked against the tool where there is one.
	if _, err := os.Stat("/usr/bin/cksum"); err == nil {
		for _, d := range [][]byte{nil, []byte("a"), data} {
			g := filepath.Join(t.TempDir(), "g")
			os.WriteFile(g, d, 0o644)
			out := shells(t)[0].run(t, "cksum < "+q(g))
			f := strings.Fields(string(out.Stdout))
			want := "cksum:" + f[0] + "." + f[1]
			if sumsOf(d)[3] != want {
				t.Errorf("cksum of %d bytes: %s, want %s", len(d), sumsOf(d)[3], want)
			}
		}
	}
	if !bytes.Equal([]byte(allBytes())[:3], []byte{0, 1, 2}) {
		t.Fatal("allBytes")
	}
}
