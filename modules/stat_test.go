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
// group matches (by name, by id, mismatched, unknown). The ls way runs
// every case (under dash); the stat way runs them under every shell in the
// full matrix, else under one shell each, the shells taking turns.
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
	type statCase struct {
		key, file  string
		follow     bool
		owner, grp string
	}
	var cases []statCase
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
				cases = append(cases, statCase{fmt.Sprintf("%s.%v.%s", f, follow, own[0]), f, follow, own[0], own[1]})
			}
		}
	}
	// script reads the cases, each after a line naming it.
	script := func(cs []statCase) string {
		s := newScript()
		for _, c := range cs {
			s.add("echo ", q("== "+c.key))
			s.add("(")
			s.stat(c.key, q(p(c.file)), c.follow, c.owner, c.grp)
			s.add(") || echo ", q(c.key+" failed"))
		}
		return s.String()
	}
	// records are a script's output by case.
	records := func(out string) map[string]string {
		recs := map[string]string{}
		key := ""
		for _, l := range strings.SplitAfter(out, "\n") {
			if k, ok := strings.CutPrefix(l, "== "); ok {
				key = strings.TrimSuffix(k, "\n")
				recs[key] = ""
				continue
			}
			recs[key] += l
		}
		return recs
	}

	// A folder with ls, find and head but no stat.
	bin := t.TempDir()
	for _, tool := range []string{"ls", "find", "head"} {
		path, err := exec.LookPath(tool)
		must(err)
		must(os.Symlink(path, filepath.Join(bin, tool)))
	}
	noStat := testShell{name: "dash without stat", argv: []string{"dash"}, env: []string{"PATH=" + bin}}
	out := string(noStat.run(t, script(cases)).Stdout)
	if !strings.Contains(out, ".type=present") || !strings.Contains(out, ".type=absent") {
		t.Fatalf("no records:\n%s", out)
	}
	want := records(out)
	if len(want) != len(cases) || want[""] != "" {
		t.Fatalf("%d cases, %d records:\n%s", len(cases), len(want), out)
	}
	for _, sh := range shells(t) {
		var mine []statCase
		for i, c := range cases {
			if sh.turn(t, i) {
				mine = append(mine, c)
			}
		}
		got := records(string(sh.run(t, script(mine)).Stdout))
		if len(got) != len(mine) {
			t.Errorf("%s: %d cases, %d records", sh.name, len(mine), len(got))
		}
		for _, c := range mine {
			if got[c.key] != want[c.key] {
				t.Errorf("%s and %s differ on %s:\n%s", sh.name, noStat.name, c.key, lineDiff(got[c.key], want[c.key]))
			}
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
