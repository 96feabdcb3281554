package modules

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testTar is a tar with a folder, two files (one with a hostile name) and
// a symbolic link.
func testTar(t *testing.T) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	mt := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	add := func(h *tar.Header, body string) {
		h.ModTime = mt
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	add(&tar.Header{Name: "./app/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "./app/bin $(id)", Typeflag: tar.TypeReg, Mode: 0o755}, "#!/bin/sh\n")
	add(&tar.Header{Name: "./app/conf.txt", Typeflag: tar.TypeReg, Mode: 0o644}, "a=1\n")
	add(&tar.Header{Name: "./app/link", Typeflag: tar.TypeSymlink, Linkname: "conf.txt", Mode: 0o777}, "")
	tw.Close()
	return b.Bytes()
}

func gz(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func compressWith(t *testing.T, tool string, b []byte) []byte {
	cmd := exec.Command(tool, "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v (apt-get install %s)", tool, err, tool)
	}
	return out
}

func testZip(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.Create("app/")
	w, _ := zw.Create("app/conf.txt")
	w.Write([]byte("a=1\n"))
	w, _ = zw.Create("app/it's")
	w.Write([]byte("x\n"))
	zw.Close()
	return b.Bytes()
}

func TestUnarchiveFromController(t *testing.T) {
	t.Parallel()
	tarb := testTar(t)
	archives := map[string][]byte{"a.tgz": gz(t, tarb), "a.tar": tarb, "a.tbz": compressWith(t, "bzip2", tarb), "a.zip": testZip(t)}
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for name, data := range archives {
				dir := hostileDir(t)
				m, task := mkTask(t, "unarchive", map[string]any{"src": name, "dest": dir, "list_files": true, "mode": "u+rwx,g=rx,o="})
				task.Files = mapFiles{name: data}
				_, res := converge(t, sh, m, task)
				if got := readFile(t, dir+"/app/conf.txt"); got != "a=1\n" {
					t.Errorf("%s %s: %q", sh.name, name, got)
				}
				if res["changed"] != true || res["dest"] != dir || len(res["files"].([]string)) < 3 {
					t.Errorf("%s %s: result %v", sh.name, name, res)
				}
				wantPathInfo(t, res, dir)
				wantMode(t, dir+"/app/conf.txt", 0o750)
				if strings.HasSuffix(name, ".zip") {
					continue
				}
				if l, _ := os.Readlink(dir + "/app/link"); l != "conf.txt" {
					t.Errorf("%s %s: link %q", sh.name, name, l)
				}
				// A member changed in size is noticed; a missing one too.
				writeFile(t, dir+"/app/conf.txt", "a=22\n", 0o644)
				converge(t, sh, m, task)
				os.Remove(dir + "/app/bin $(id)")
				converge(t, sh, m, task)
				noLeftovers(t, dir)
				noPwned(t)
			}
		})
	}
}

func TestUnarchiveOnHost(t *testing.T) {
	t.Parallel()
	tarb := testTar(t)
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for name, data := range map[string][]byte{"a.tar.xz": compressWith(t, "xz", tarb), "a.zip": testZip(t), "a.tgz": gz(t, tarb)} {
				dir := hostileDir(t)
				src := filepath.Join(dir, name)
				os.WriteFile(src, data, 0o644)
				dest := filepath.Join(dir, "out")
				mkdir(t, dest, 0o755)
				args := map[string]any{"src": src, "dest": dest, "remote_src": true, "list_files": true}
				if sh.name == "dash" {
					args["exclude"] = []any{"*conf.txt"}
				}
				m, task := mkTask(t, "unarchive", args)
				_, res := converge(t, sh, m, task)
				if _, err := os.Stat(dest + "/app/conf.txt"); (err == nil) == (sh.name == "dash") {
					t.Errorf("%s %s: exclude: %v", sh.name, name, err)
				}
				if readFile(t, dest+"/app/"+map[bool]string{true: "it's", false: "bin $(id)"}[name == "a.zip"]) == "" {
					t.Errorf("%s %s: not unpacked", sh.name, name)
				}
				if files, _ := res["files"].([]string); len(files) < 3 {
					t.Errorf("%s %s: files %v", sh.name, name, res)
				}
				r := settled(t, sh, m, task)
				if r["handler"] == "" || r["files"] == nil {
					t.Errorf("%s %s: report %v", sh.name, name, r)
				}
				wantPathInfo(t, r, dest)
			}
		})
	}
}

// TestUnarchiveResultPathInfo: dest's path information is lstat's, as
// Ansible's: a dest that links to a folder is state=link.
func TestUnarchiveResultPathInfo(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		dir := hostileDir(t)
		mkdir(t, dir+"/real", 0o750)
		if err := os.Symlink("real", dir+"/dest"); err != nil {
			t.Fatal(err)
		}
		m, task := mkTask(t, "unarchive", map[string]any{"src": "a.zip", "dest": dir + "/dest"})
		task.Files = mapFiles{"a.zip": testZip(t)}
		_, res := converge(t, sh, m, task)
		wantPathInfo(t, res, dir+"/dest")
		r := settled(t, sh, m, task)
		wantPathInfo(t, r, dir+"/dest")
		if r["state"] != "link" || r["mode"] != "0777" {
			t.Errorf("%s: report %v", sh.name, r)
		}
		if readFile(t, dir+"/real/app/conf.txt") != "a=1\n" {
			t.Errorf("%s: not unpacked through the link", sh.name)
		}
	}
}

func TestUnarchiveXzFromControllerIsComparedOnTheHost(t *testing.T) {
	t.Parallel()
	data := compressWith(t, "xz", testTar(t))
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		dir := hostileDir(t)
		m, task := mkTask(t, "unarchive", map[string]any{"src": "a.txz", "dest": dir})
		task.Files = mapFiles{"a.txz": data}
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || !ch.CheckUnknown {
			t.Fatalf("%s: %v %v", sh.name, ch, err)
		}
		for i, want := range []bool{true, false} {
			out := sh.run(t, ch.Apply)
			res, err := ch.Result(out)
			if err != nil || res["changed"] != want {
				t.Errorf("%s: apply %d: %v %v %s", sh.name, i, res, err, out.Stderr)
			}
		}
		noLeftovers(t, dir)
	}
}

func TestUnarchiveErrors(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	files := mapFiles{"a.tgz": gz(t, testTar(t)), "empty.tgz": {}, "junk.tgz": []byte("not an archive at all")}
	check := func(args map[string]any, want string) {
		t.Helper()
		m, task := mkTask(t, "unarchive", args)
		task.Files = files
		planErr(t, sh, m, task, want)
	}
	check(map[string]any{"src": "a.tgz", "dest": dir + "/nope"}, "Destination '"+dir+"/nope' is not a directory")
	check(map[string]any{"src": "missing.tgz", "dest": dir}, "Could not find or access 'missing.tgz'")
	check(map[string]any{"src": "empty.tgz", "dest": dir}, "the file is 0 bytes")
	check(map[string]any{"src": "junk.tgz", "dest": dir}, "Failed to find handler")
	check(map[string]any{"src": dir + "/none.tgz", "dest": dir, "remote_src": true}, "does not exist")
	check(map[string]any{"src": "https://x/y.tgz", "dest": dir, "remote_src": true}, "get_url first")

	// busybox tar has no --exclude: the error says what is needed.
	bb := shells(t)[1]
	m, task := mkTask(t, "unarchive", map[string]any{"src": "a.tgz", "dest": dir, "exclude": "x"})
	task.Files = files
	ch, _, err := probePlan(t, bb, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if res, _ := ch.Result(bb.run(t, ch.Apply)); res["failed"] != true || !strings.Contains(res["msg"].(string), "need GNU tar on the host") {
		t.Errorf("busybox exclude: %v", res)
	}

	// creates: nothing to do, and says why.
	m, task = mkTask(t, "unarchive", map[string]any{"src": "a.tgz", "dest": dir, "creates": dir})
	task.Files = files
	if res := settled(t, sh, m, task); res["msg"] != "skipped, since "+dir+" exists" {
		t.Errorf("creates: %v", res)
	}
}

func TestUnarchiveSelection(t *testing.T) {
	t.Parallel()
	ut := unarchiveTask{exclude: []string{"*.txt", "skip"}, format: fmtTgz}
	for name, want := range map[string]bool{"a.txt": false, "d/a.txt": false, "skip": false, "skip/x": false, "d/skip/x": false, "keep": true, "skipper": true} {
		if ut.selected(name) != want {
			t.Errorf("exclude %s: %v", name, !want)
		}
	}
	if (unarchiveTask{exclude: []string{"a.txt"}, format: fmtZip}).selected("d/a.txt") != true {
		t.Error("zip: exclude matched a suffix")
	}
	ut = unarchiveTask{include: []string{"app/c*"}, format: fmtTar}
	got := []bool{ut.selected("app/conf.txt"), ut.selected("app"), ut.selected("x/app/conf")}
	if !reflect.DeepEqual(got, []bool{true, false, false}) {
		t.Errorf("include: %v", got)
	}
}
