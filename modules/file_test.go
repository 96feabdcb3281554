package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type fileCase struct {
	name  string
	root  bool // needs root (chown)
	setup func(t *testing.T, dir, p string)
	args  func(dir, p string) map[string]any
	diffs []string // the Diff attributes Plan reports, in order
	check func(t *testing.T, dir, p string, res Result)
}

func mkdir(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func wantMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	if got := perm(t, p); got != want {
		t.Errorf("%q: mode %v, want %v", p, got, want)
	}
}

var fileCases = []fileCase{
	{
		name: "directory created with parents",
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p + "/a b/c", "state": "directory", "mode": "0750"}
		},
		diffs: []string{"state", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			for _, x := range []string{p, p + "/a b", p + "/a b/c"} {
				wantMode(t, x, os.ModeDir|0o750)
			}
			if res["state"] != "directory" || res["mode"] != "0750" || res["path"] != p+"/a b/c" {
				t.Errorf("result %v", res)
			}
		},
	},
	{
		name:  "directory symbolic mode",
		setup: func(t *testing.T, d, p string) { mkdir(t, p, 0o755) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "directory", "mode": "u=rwx,g=rX,o="}
		},
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) { wantMode(t, p, os.ModeDir|0o750) },
	},
	{
		name:  "file mode, state from the file",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "mode": 0o600} },
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) {
			wantMode(t, p, 0o600)
			if res["mode"] != "0600" || res["state"] != "file" || res["size"] != int64(1) {
				t.Errorf("result %v", res)
			}
		},
	},
	{
		name:  "file symbolic a+x",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o640) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "file", "mode": "a+x"} },
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) { wantMode(t, p, 0o751) },
	},
	{
		name:  "file setuid and sticky",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o755) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "file", "mode": "u+s,o+t"} },
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) {
			wantMode(t, p, 0o755|os.ModeSetuid|os.ModeSticky)
		},
	},
	{
		name:  "file through a link",
		setup: func(t *testing.T, d, p string) { writeFile(t, d+"/target", "x", 0o644); os.Symlink(d+"/target", p) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "file", "mode": "0640"} },
		diffs: []string{"mode"},
		check: func(t *testing.T, d, p string, res Result) { wantMode(t, d+"/target", 0o640) },
	},
	{
		name:  "absent file",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "absent"} },
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Errorf("still there: %v", err)
			}
			if res["state"] != "absent" {
				t.Errorf("result %v", res)
			}
		},
	},
	{
		name: "absent tree",
		setup: func(t *testing.T, d, p string) {
			mkdir(t, p+"/x/y", 0o755)
			writeFile(t, p+"/x/y/-f", "x", 0o400)
			mkdir(t, p+"/ro", 0o500)
		},
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "absent"} },
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Errorf("still there: %v", err)
			}
		},
	},
	{
		name:  "link created",
		setup: func(t *testing.T, d, p string) { writeFile(t, d+"/src file", "x", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "link", "src": d + "/src file"}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if got, _ := os.Readlink(p); got != d+"/src file" {
				t.Errorf("link to %q", got)
			}
			if res["state"] != "link" || res["dest"] != p {
				t.Errorf("result %v", res)
			}
		},
	},
	{
		name: "link retargeted, relative",
		setup: func(t *testing.T, d, p string) {
			writeFile(t, d+"/-new", "x", 0o644)
			os.Symlink("old", p)
		},
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "state": "link", "src": "-new"} },
		diffs: []string{"target"},
		check: func(t *testing.T, d, p string, res Result) {
			if got, _ := os.Readlink(p); got != "-new" {
				t.Errorf("link to %q", got)
			}
		},
	},
	{
		name: "link replacing a link to a directory",
		setup: func(t *testing.T, d, p string) {
			mkdir(t, d+"/dir1", 0o755)
			mkdir(t, d+"/dir2", 0o755)
			os.Symlink(d+"/dir1", p)
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "link", "src": d + "/dir2"}
		},
		diffs: []string{"target"},
		check: func(t *testing.T, d, p string, res Result) {
			if got, _ := os.Readlink(p); got != d+"/dir2" {
				t.Errorf("link to %q", got)
			}
			if ents, _ := os.ReadDir(d + "/dir1"); len(ents) != 0 {
				t.Errorf("something went into dir1: %v", ents)
			}
		},
	},
	{
		name:  "link over a file with force, to a missing src",
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "link", "src": "/nonexistent\n$x", "force": true}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if got, _ := os.Readlink(p); got != "/nonexistent\n$x" {
				t.Errorf("link to %q", got)
			}
		},
	},
	{
		name:  "link over an empty directory with force",
		setup: func(t *testing.T, d, p string) { mkdir(t, p, 0o755) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "link", "src": d, "force": "yes"}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if got, _ := os.Readlink(p); got != d {
				t.Errorf("link to %q", got)
			}
		},
	},
	{
		name:  "hard link",
		setup: func(t *testing.T, d, p string) { writeFile(t, d+"/orig", "x", 0o644) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "hard", "src": d + "/orig", "mode": "0600"}
		},
		diffs: []string{"state", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			if os.SameFile(stat(t, p), stat(t, d+"/orig")) == false {
				t.Error("not the same file")
			}
			wantMode(t, d+"/orig", 0o600)
		},
	},
	{
		name: "hard link over a file with force",
		setup: func(t *testing.T, d, p string) {
			writeFile(t, d+"/orig", "x", 0o644)
			writeFile(t, p, "other", 0o644)
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "hard", "src": d + "/orig", "force": true}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if readFile(t, p) != "x" {
				t.Error("not linked")
			}
		},
	},
	{
		name: "hard link replacing a symbolic link to src",
		setup: func(t *testing.T, d, p string) {
			writeFile(t, d+"/orig", "x", 0o644)
			os.Symlink(d+"/orig", p)
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "hard", "src": d + "/orig"}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink != 0 {
				t.Errorf("still a symbolic link: %v", err)
			}
			if !os.SameFile(stat(t, p), stat(t, d+"/orig")) {
				t.Error("not the same file")
			}
		},
	},
	{
		name: "hard link to what a symbolic link leads to",
		setup: func(t *testing.T, d, p string) {
			writeFile(t, d+"/orig", "x", 0o640)
			os.Symlink("orig", d+"/sl")
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "hard", "src": d + "/sl"}
		},
		diffs: []string{"state"},
		check: func(t *testing.T, d, p string, res Result) {
			if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink != 0 || !os.SameFile(fi, stat(t, d+"/orig")) {
				t.Errorf("not a hard link of orig: %v %v", fi, err)
			}
		},
	},
	{
		name: "recurse octal",
		setup: func(t *testing.T, d, p string) {
			mkdir(t, p+"/sub\ndir", 0o700)
			writeFile(t, p+"/sub\ndir/f", "x", 0o600)
			writeFile(t, p+"/g", "x", 0o755)
			os.Symlink("/etc/passwd", p+"/link")
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "directory", "recurse": true, "mode": "0755"}
		},
		diffs: []string{"mode", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			wantMode(t, p+"/sub\ndir", os.ModeDir|0o755)
			wantMode(t, p+"/sub\ndir/f", 0o755)
			wantMode(t, "/etc/passwd", 0o644)
		},
	},
	{
		name: "recurse symbolic",
		setup: func(t *testing.T, d, p string) {
			mkdir(t, p, 0o700)
			mkdir(t, p+"/sub\ndir", 0o700)
			writeFile(t, p+"/sub\ndir/f", "x", 0o600)
			writeFile(t, p+"/x", "x", 0o700)
			writeFile(t, p+"/ok", "x", 0o644)
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "directory", "recurse": true, "mode": "u=rwX,g=rX,o=rX"}
		},
		diffs: []string{"mode", "mode"},
		check: func(t *testing.T, d, p string, res Result) {
			wantMode(t, p, os.ModeDir|0o755)
			wantMode(t, p+"/sub\ndir", os.ModeDir|0o755)
			wantMode(t, p+"/sub\ndir/f", 0o644)
			wantMode(t, p+"/x", 0o755)
			wantMode(t, p+"/ok", 0o644)
		},
	},
	{
		name: "recurse owner and group",
		root: true,
		setup: func(t *testing.T, d, p string) {
			mkdir(t, p+"/a/b", 0o755)
			writeFile(t, p+"/a/b/f", "x", 0o644)
			os.Symlink("/etc/passwd", p+"/a/l")
		},
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "directory", "recurse": true, "owner": "nobody", "group": "65534"}
		},
		diffs: []string{"owner", "group", "owner", "group"},
		check: func(t *testing.T, d, p string, res Result) {
			for _, x := range []string{p, p + "/a/b", p + "/a/b/f", p + "/a/l"} {
				if u, g := owner(t, x); u != 65534 || g != 65534 {
					t.Errorf("%q: %d:%d", x, u, g)
				}
			}
			if u, _ := owner(t, "/etc/passwd"); u != 0 {
				t.Error("followed a link")
			}
		},
	},
	{
		name:  "owner and group by name and number",
		root:  true,
		setup: func(t *testing.T, d, p string) { writeFile(t, p, "x", 0o644) },
		args:  func(d, p string) map[string]any { return map[string]any{"path": p, "owner": 65534, "group": "nogroup"} },
		diffs: []string{"owner", "group"},
		check: func(t *testing.T, d, p string, res Result) {
			if u, g := owner(t, p); u != 65534 || g != 65534 {
				t.Errorf("%d:%d", u, g)
			}
			if res["uid"] != 65534 || res["gid"] != 65534 {
				t.Errorf("result %v", res)
			}
		},
	},
	{
		name:  "link owner",
		root:  true,
		setup: func(t *testing.T, d, p string) { os.Symlink("/etc/passwd", p) },
		args: func(d, p string) map[string]any {
			return map[string]any{"path": p, "state": "link", "src": "/etc/passwd", "owner": "nobody"}
		},
		diffs: []string{"owner"},
		check: func(t *testing.T, d, p string, res Result) {
			if u, _ := owner(t, p); u != 65534 {
				t.Errorf("link owner %d", u)
			}
			if u, _ := owner(t, "/etc/passwd"); u != 0 {
				t.Error("changed the target")
			}
		},
	},
}

func stat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func TestFileConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range fileCases {
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
						m, task := mkTask(t, "file", c.args(dir, p))
						if qs, _ := m.(Asker).Questions(task); qs != nil {
							// The runner asks questions for these arguments:
							// TestFileAskConverges converges them, and checks
							// that this probe plans the same.
							return
						}
						ch, res := converge(t, sh, m, task)
						if got := diffAttrs(ch); !reflect.DeepEqual(got, c.diffs) {
							t.Errorf("%q: diffs %v, want %v (%v)", name, got, c.diffs, ch.Diffs)
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

func TestFileDiffs(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	writeFile(t, p, "x", 0o644)
	m, task := mkTask(t, "file", map[string]any{"path": p, "mode": "0600"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if !hasDiff(ch, "mode", "0644", "0600") || ch.Diffs[0].Path != p {
		t.Errorf("diffs %v", ch.Diffs)
	}
	m, task = mkTask(t, "file", map[string]any{"path": p + "2", "state": "directory"})
	if ch, _, _ = probePlan(t, sh, m, task); ch == nil || !hasDiff(ch, "state", "absent", "directory") {
		t.Errorf("diffs %v", ch)
	}
}

func TestFileTouchAlwaysChanges(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		for _, name := range sh.names() {
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			m, task := mkTask(t, "file", map[string]any{"path": p, "state": "touch", "mode": "u=rw,g=r,o="})
			for i := 0; i < 2; i++ {
				ch, _, err := probePlan(t, sh, m, task)
				if err != nil || ch == nil {
					t.Fatalf("%s: touch %d: %v %v", sh.name, i, ch, err)
				}
				if i == 0 && !hasDiff(ch, "state", "absent", "file") {
					t.Errorf("diffs %v", ch.Diffs)
				}
				if i == 1 && !hasDiff(ch, "state", "file", "touch") {
					t.Errorf("diffs %v", ch.Diffs)
				}
				out := sh.run(t, ch.Apply)
				if out.ExitCode != 0 {
					t.Fatalf("%s: %s", sh.name, out.Stderr)
				}
				res, err := ch.Result(out)
				if err != nil || res["changed"] != true || res["dest"] != p {
					t.Fatalf("result %v %v", res, err)
				}
			}
			wantMode(t, p, 0o640)
			if readFile(t, p) != "" {
				t.Error("touch wrote something")
			}
			noPwned(t)
		}
	}
}

func TestFileErrors(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		file := filepath.Join(dir, "file")
		writeFile(t, file, "x", 0o644)
		sub := filepath.Join(dir, "sub")
		mkdir(t, sub+"/x", 0o755)
		missing := filepath.Join(dir, "missing")
		cases := []struct {
			args map[string]any
			want string
		}{
			{map[string]any{"path": missing}, "file (" + missing + ") is absent, cannot continue"},
			{map[string]any{"path": missing, "state": "file"}, "is absent, cannot continue"},
			{map[string]any{"path": sub, "state": "file"}, "is directory, cannot continue"},
			{map[string]any{"path": file, "state": "directory"}, "already exists as a file"},
			{map[string]any{"path": file, "state": "link", "src": "/etc/passwd"}, "refusing to convert from file to symlink"},
			{map[string]any{"path": sub, "state": "link", "src": "/etc/passwd"}, "refusing to convert from directory to symlink"},
			{map[string]any{"path": sub, "state": "link", "src": "/etc/passwd", "force": true}, "is not empty, refusing to convert it"},
			{map[string]any{"path": missing, "state": "link", "src": "nope"}, `src file does not exist, use "force=yes"`},
			{map[string]any{"path": missing, "state": "link"}, "src is required for creating new symlinks"},
			{map[string]any{"path": missing, "state": "hard"}, "src is required for creating new hardlinks"},
			{map[string]any{"path": missing, "state": "hard", "src": "/nope"}, "src does not exist"},
			{map[string]any{"path": file, "state": "hard", "src": "/etc/passwd"}, "Cannot link, file exists at destination"},
			// The probe's (recurse) find fails at once on an unknown owner;
			// from answers that is a change (TestFileAskUnknownOwner).
			{map[string]any{"path": sub, "state": "directory", "recurse": true, "owner": "no-such-user-xyz"}, "failed to look up user no-such-user-xyz"},
			{map[string]any{"path": sub, "state": "directory", "recurse": true, "group": "no-such-group-xyz"}, "failed to look up group no-such-group-xyz"},
			{map[string]any{"path": "relative/path"}, "must be an absolute path"},
			{map[string]any{"path": file, "recurse": true, "state": "file"}, "recurse option requires state to be 'directory'"},
			{map[string]any{"path": file, "src": "/x"}, "src option requires state to be 'link' or 'hard'"},
		}
		for _, c := range cases {
			m, task := mkTask(t, "file", c.args)
			planErr(t, sh, m, task, c.want)
		}
		noPwned(t)
	}
}

func TestFileNothingToDo(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	writeFile(t, p, "x", 0o644)
	for _, args := range []map[string]any{
		{"path": p},
		{"path": p, "mode": "0644"},
		{"path": p, "mode": "u=rw,g=r,o=r"},
		{"path": p, "mode": "a-x"},
		{"path": p, "mode": "a+X"}, // X: not a directory, no x bit
		{"path": p + "x", "state": "absent"},
		{"path": dir, "state": "directory"},
	} {
		m, task := mkTask(t, "file", args)
		res := settled(t, sh, m, task)
		if strings.HasSuffix(args["path"].(string), "x") {
			continue
		}
		if res["path"] != args["path"] || res["mode"] == nil {
			t.Errorf("%v: read %v", args, res)
		}
	}
}
