package modules

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func statOf(t *testing.T, sh testShell, args map[string]any) map[string]any {
	t.Helper()
	m, task := mkTask(t, "stat", args)
	res := settled(t, sh, m, task)
	if res["changed"] != false {
		t.Fatalf("stat changed: %v", res)
	}
	st, ok := res["stat"].(map[string]any)
	if !ok {
		t.Fatalf("no stat: %v", res)
	}
	return st
}

func TestStat(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		for _, name := range sh.names() {
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			content := "hello " + name
			writeFile(t, p, content, 0o751)
			if err := syscall.Chmod(p, 0o4751); err != nil {
				t.Fatal(err)
			}
			st := statOf(t, sh, map[string]any{"path": p})
			sum := sha1.Sum([]byte(content))
			fi, _ := os.Stat(p)
			sys := fi.Sys().(*syscall.Stat_t)
			want := map[string]any{
				"exists": true, "path": p, "mode": "4751", "isreg": true, "isdir": false, "islnk": false,
				"uid": int(sys.Uid), "gid": int(sys.Gid), "size": int64(len(content)), "nlink": int64(1),
				"inode": int64(sys.Ino), "checksum": hex.EncodeToString(sum[:]),
				"isuid": true, "isgid": false, "rusr": true, "wusr": true, "xusr": true, "rgrp": true, "wgrp": false,
				"xgrp": true, "roth": false, "xoth": true, "readable": true, "executable": true,
			}
			if isRoot() {
				want["pw_name"], want["gr_name"] = "root", "root"
			}
			for k, v := range want {
				if st[k] != v {
					t.Errorf("%s %q: stat[%s] = %#v, want %#v", sh.name, name, k, st[k], v)
				}
			}
			if mt, ok := st["mtime"].(float64); !ok || int64(mt) != fi.ModTime().Unix() {
				t.Errorf("%s: mtime %v, want %d", sh.name, st["mtime"], fi.ModTime().Unix())
			}
			noPwned(t)
		}
	}
}

func TestStatKinds(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		f := filepath.Join(dir, "file")
		writeFile(t, f, "1234", 0o644)
		l := filepath.Join(dir, "link\nx")
		os.Symlink("file", l)

		st := statOf(t, sh, map[string]any{"path": dir})
		if st["isdir"] != true || st["mode"] != "0755" {
			t.Errorf("%s: dir %v", sh.name, st)
		}
		if _, ok := st["checksum"]; ok {
			t.Errorf("%s: checksum of a directory", sh.name)
		}
		st = statOf(t, sh, map[string]any{"path": l})
		if st["islnk"] != true || st["lnk_target"] != "file" || st["lnk_source"] != f || st["isreg"] != false {
			t.Errorf("%s: link %v", sh.name, st)
		}
		st = statOf(t, sh, map[string]any{"path": l, "follow": true, "checksum_algorithm": "sha256"})
		sum := sha256.Sum256([]byte("1234"))
		if st["islnk"] != false || st["isreg"] != true || st["size"] != int64(4) || st["checksum"] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: followed link %v", sh.name, st)
		}
		st = statOf(t, sh, map[string]any{"path": dir + "/nope"})
		if len(st) != 1 || st["exists"] != false {
			t.Errorf("%s: absent %v", sh.name, st)
		}
		st = statOf(t, sh, map[string]any{"path": f, "get_checksum": false})
		if _, ok := st["checksum"]; ok {
			t.Errorf("%s: checksum not asked for", sh.name)
		}
		st = statOf(t, sh, map[string]any{"path": "/dev/null"})
		if st["ischr"] != true {
			t.Errorf("%s: /dev/null %v", sh.name, st)
		}
	}
}

// tend_stat reads a file with one stat -c where the host has one, else with
// ls. Both ways must print the same records: for every kind of file, through
// links and not, for ids with and without names, and for the owner and
// group matches (by name, by id, mismatched, unknown).
func TestStatHelperSameWithAndWithoutStat(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	p := func(n string) string { return filepath.Join(dir, n) }
	writeFile(t, p("file"), "data", 0o4751)
	if err := os.Mkdir(p("dir"), 0o1777); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("file", p("link")))
	must(os.Symlink("nowhere", p("dangling")))
	must(syscall.Mkfifo(p("fifo"), 0o640))
	writeFile(t, p("nameless"), "x", 0o600)
	if isRoot() {
		must(os.Lchown(p("nameless"), 54321, 54322)) // ids no user or group has
	}
	s := newScript()
	owners := [][2]string{{"", ""}, {"root", "root"}, {"0", "0"}, {"nobody", "nogroup"}, {"54321", "54322"}, {"nosuchuser", "nosuchgroup"}}
	k := 0
	for _, f := range []string{"file", "dir", "link", "dangling", "fifo", "nameless", "absent"} {
		for _, follow := range []bool{false, true} {
			// Every owner with every kind and follow in the full matrix;
			// else two owners each, in turn (each owner meets most kinds).
			k++
			for j, own := range owners {
				if !fullMatrix && j != k%6 && j != (k+3)%6 {
					continue
				}
				key := fmt.Sprintf("%s.%v.%s", f, follow, own[0])
				s.add("(")
				s.stat(key, q(p(f)), follow, own[0], own[1])
				s.add(") || echo ", q(key+" failed"))
			}
		}
	}
	script := s.String()

	// A folder with ls, find and head but no stat.
	bin := t.TempDir()
	for _, tool := range []string{"ls", "find", "head"} {
		path, err := exec.LookPath(tool)
		must(err)
		must(os.Symlink(path, filepath.Join(bin, tool)))
	}
	var outs, names []string
	for _, sh := range append(shells(t), testShell{name: "dash without stat", argv: []string{"dash"}, env: []string{"PATH=" + bin}}) {
		outs = append(outs, string(sh.run(t, script).Stdout))
		names = append(names, sh.name)
	}
	if !strings.Contains(outs[0], ".type=present") || !strings.Contains(outs[0], ".type=absent") {
		t.Fatalf("no records:\n%s", outs[0])
	}
	for i := 1; i < len(outs); i++ {
		if outs[i] != outs[0] {
			t.Errorf("%s and %s differ:\n%s", names[0], names[i], lineDiff(outs[0], outs[i]))
		}
	}
}

// lineDiff lists the lines that differ between a and b.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "- %q\n+ %q\n", x, y)
		}
	}
	return out.String()
}
