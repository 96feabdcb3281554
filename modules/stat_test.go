package modules

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
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
	for _, sh := range shells(t) {
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
	for _, sh := range shells(t) {
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
