package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// stat through questions says what the probe says: every key, every value.
func TestStatAskMatchesProbe(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, n := range sh.names() {
		writeFile(t, p(n), "hello "+n, 0o751)
	}
	if err := syscall.Chmod(p("plain"), 0o4751); err != nil {
		t.Fatal(err)
	}
	mkdir(t, p("dir"), 0o1777)
	for _, l := range [][2]string{{"link", "plain"}, {"abs", p("dir")}, {"dangling", "nowhere"}, {"loop", "loop"}} {
		if err := os.Symlink(l[1], p(l[0])); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(p("fifo"), 0o640); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p("nameless"), "x", 0o600)
	if isRoot() {
		if err := os.Lchown(p("nameless"), 54321, 54322); err != nil {
			t.Fatal(err)
		}
	}
	// Reading a file or a link sets its access time (relatime: once after
	// a change); an access time after the change time stays, so the probe
	// and the answers read the same.
	all := append(sh.names(), "dir", "link", "abs", "dangling", "loop", "fifo", "nameless")
	for _, n := range all {
		if out, err := exec.Command("touch", "-h", "-a", "-d", "@4000000000", "--", p(n)).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
	}
	// Every hostile name in the full matrix, else plain and two in turn.
	asked := all
	if !fullMatrix {
		asked = []string{"plain"}
		for _, n := range append(sh.caseNames(t, 0), sh.caseNames(t, 1)...) {
			if n != "plain" {
				asked = append(asked, n)
			}
		}
		asked = append(asked, all[len(sh.names()):]...)
	}
	var cases []map[string]any
	for _, n := range append(asked, "absent") {
		for _, follow := range []bool{false, true} {
			cases = append(cases, map[string]any{"path": p(n), "follow": follow})
		}
	}
	// A slash at the end goes through a link, and only a directory has one.
	for _, n := range []string{"abs", "link", "plain", "dangling", "dir"} {
		cases = append(cases, map[string]any{"path": p(n) + "/"})
	}
	cases = append(cases,
		map[string]any{"path": p("plain"), "get_checksum": false},
		map[string]any{"path": p("link"), "follow": true, "get_checksum": false},
		map[string]any{"path": p("plain"), "checksum_algorithm": "sha1", "get_mime": true},
		map[string]any{"path": "/dev/null"},
		map[string]any{"path": dir + "/"},
	)
	for _, args := range cases {
		m, task := mkTask(t, "stat", args)
		_, pout, err := legacyPlan(t, sh, m, task)
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.(Reader).Read(task, pout)
		if err != nil {
			t.Fatal(err)
		}
		_, aout, ok, err := askPlan(t, m, task)
		if !ok || err != nil {
			t.Fatalf("%v: asked %v, %v", args, ok, err)
		}
		got, err := m.(Reader).Read(task, aout)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		ws, gs := want["stat"].(map[string]any), got["stat"].(map[string]any)
		for k, v := range ws {
			if g, ok := gs[k]; !ok {
				t.Errorf("%v: %s missing from answers", args, k)
			} else if !reflect.DeepEqual(g, v) {
				t.Errorf("%v: %s is %#v from answers, %#v from the probe", args, k, g, v)
			}
		}
		for k := range gs {
			if _, ok := ws[k]; !ok {
				t.Errorf("%v: %s only from answers", args, k)
			}
		}
		if got["changed"] != false {
			t.Errorf("%v: %v", args, got)
		}
	}
}

func TestStatAskKeepsProbe(t *testing.T) {
	t.Parallel()
	for _, args := range []map[string]any{
		{"path": "/x", "checksum_algorithm": "sha256"},
		{"path": "/x", "checksum_algorithm": "md5"},
	} {
		m, task := mkTask(t, "stat", args)
		if qs, err := m.(Asker).Questions(task); qs != nil || err != nil {
			t.Errorf("%v: %v %v", args, qs, err)
		}
	}
	m, task := mkTask(t, "stat", map[string]any{"path": "/x", "checksum_algorithm": "md5", "get_checksum": false})
	if qs, _ := m.(Asker).Questions(task); qs == nil {
		t.Error("no checksum: no probe needed")
	}
}
