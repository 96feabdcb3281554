package modules

// Tests of the processes a change costs the host: what it leaves out when
// nothing reads it, and what it runs as one command.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// shimmed returns dash with the programs named (stat, date and env when
// none are) on its PATH replaced by shims that log their name before
// running the real program, and the log.
func shimmed(t *testing.T, names ...string) (testShell, string) {
	t.Helper()
	if len(names) == 0 {
		names = []string{"stat", "date", "env"}
	}
	shim, log := t.TempDir(), filepath.Join(t.TempDir(), "exec.log")
	for _, name := range names {
		real, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		script := "#!/bin/sh\necho " + name + " >> " + q(log) + "\nexec " + q(real) + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(shim, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sh := shells(t)[0] // dash: the scripts are the same for every shell
	sh.env = append(append([]string(nil), sh.env...), "PATH="+shim+":"+os.Getenv("PATH"))
	return sh, log
}

// A result that nothing reads (Task.Unread) costs the host no process of
// its own: no stat of the path a change leaves, no date for a command's
// start and end. What the task does is the same, and so is its status. The
// same tasks read (Unread unset) run the stat or date, which shows that the
// shims see them.
func TestUnreadResultsCostNoProcess(t *testing.T) {
	sh, log := shimmed(t)
	cases := []struct {
		module string
		args   func(dir string) map[string]any
		read   string // what the read result's apply runs
		check  func(t *testing.T, dir string, res Result, unread bool)
	}{
		{"file", func(dir string) map[string]any {
			return map[string]any{"path": dir + "/d", "state": "directory", "mode": "0750"}
		}, "stat", func(t *testing.T, dir string, res Result, unread bool) {
			if fi, err := os.Stat(dir + "/d"); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o750 {
				t.Errorf("file: the folder is %v, %v", fi, err)
			}
			if _, ok := res["mode"]; ok == unread {
				t.Errorf("file (unread %v): result %v", unread, res)
			}
		}},
		{"copy", func(dir string) map[string]any {
			return map[string]any{"content": "x=1\n", "dest": dir + "/c.conf", "mode": "0640"}
		}, "stat", func(t *testing.T, dir string, res Result, unread bool) {
			if got := readFile(t, dir+"/c.conf"); got != "x=1\n" {
				t.Errorf("copy: content %q", got)
			}
			if fi, err := os.Stat(dir + "/c.conf"); err != nil || fi.Mode().Perm() != 0o640 {
				t.Errorf("copy: the file is %v, %v", fi, err)
			}
			if res["checksum"] == nil || res["dest"] != dir+"/c.conf" {
				t.Errorf("copy: result %v", res)
			}
			if _, ok := res["size"]; ok == unread {
				t.Errorf("copy (unread %v): result %v", unread, res)
			}
		}},
		{"command", func(dir string) map[string]any {
			return map[string]any{"argv": []any{"touch", dir + "/once"}}
		}, "date\ndate", func(t *testing.T, dir string, res Result, unread bool) {
			if _, err := os.Stat(dir + "/once"); err != nil {
				t.Errorf("command: %v", err)
			}
			if res["rc"] != 0 || res["changed"] != true || res["failed"] != nil {
				t.Errorf("command: result %v", res)
			}
			if _, isTime := res["start"].(string); isTime == unread {
				t.Errorf("command (unread %v): start %v", unread, res["start"])
			}
		}},
	}
	for _, c := range cases {
		for _, unread := range []bool{false, true} {
			dir := t.TempDir()
			if err := os.WriteFile(log, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			m, task := mkTask(t, c.module, c.args(dir))
			task.Unread = unread
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil {
				t.Fatalf("%s: plan: %v, %v", c.module, ch, err)
			}
			if err := os.WriteFile(log, nil, 0o644); err != nil { // the probe's own stat
				t.Fatal(err)
			}
			res, err := ch.Result(sh.run(t, ch.Apply))
			if err != nil {
				t.Fatalf("%s: result: %v", c.module, err)
			}
			want := c.read
			if unread {
				want = ""
			}
			if got := strings.TrimSpace(readFile(t, log)); got != want {
				t.Errorf("%s (unread %v): the apply ran %q, want %q", c.module, unread, got, want)
			}
			if unread && ch.Later != nil {
				t.Errorf("%s: an unread result has no later probe: %+v", c.module, ch.Later)
			}
			c.check(t, dir, res, unread)
		}
	}
}

// A command's program runs by exec in its subshell, with no env in front
// (an exec less), unless its first word could be taken for one of exec's
// options; it is never a builtin or a function either way.
func TestCommandRunsItsProgramByExec(t *testing.T) {
	sh, log := shimmed(t)
	cases := []struct {
		argv    []any
		env     bool
		wantOut string
		wantRC  int
	}{
		{[]any{"printf", "%s", "a b"}, false, "a b", 0},
		{[]any{"echo", "-n", "x"}, false, "x", 0}, // /bin/echo, not the builtin
		{[]any{"exit", "3"}, false, "", 127},
		{[]any{"-no-such-program"}, true, "", 127},
		{[]any{"$HOME"}, true, "", 126}, // expanded on the host: a folder
	}
	for _, c := range cases {
		if err := os.WriteFile(log, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		m, task := mkTask(t, "command", map[string]any{"argv": c.argv})
		task.Unread = true
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%v: plan: %v, %v", c.argv, ch, err)
		}
		res, err := ch.Result(sh.run(t, ch.Apply))
		if err != nil {
			t.Fatalf("%v: result: %v", c.argv, err)
		}
		if res["rc"] != c.wantRC || (c.wantRC == 0 && res["stdout"] != c.wantOut) {
			t.Errorf("%v: %v", c.argv, res)
		}
		if got := strings.TrimSpace(readFile(t, log)) == "env"; got != c.env {
			t.Errorf("%v: env ran: %v, want %v", c.argv, got, c.env)
		}
	}
}

// An owner and a group asked together are one chown. When it fails, the
// two are set one after the other, so the error names the one that failed
// and the owner is set when only the group cannot be, as Ansible leaves it.
func TestOwnerAndGroupInOneChown(t *testing.T) {
	needRoot(t)
	sh, log := shimmed(t, "chown", "chgrp")
	dir := t.TempDir()
	cases := []struct {
		owner, group string
		calls        string // the programs run, in order
		fails        string // in the message; "" for success
		uid, gid     uint32
	}{
		{"daemon", "daemon", "chown", "", 1, 1},
		{"daemon", "no-such-group-x", "chown\nchown\nchgrp", "could not set group no-such-group-x", 1, 0},
		{"no-such-user-x", "daemon", "chown\nchown", "could not set owner no-such-user-x", 0, 0},
	}
	for i, c := range cases {
		p := filepath.Join(dir, strconv.Itoa(i))
		writeFile(t, p, "x\n", 0o644)
		if err := os.WriteFile(log, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmds := ownership{c.owner, c.group}.cmds(q(p), false)
		out := sh.run(t, "tend_die() { printf '%s\\n' \"$1\" >&2; exit 1; }\n"+strings.Join(cmds, "\n"))
		if got := strings.TrimSpace(readFile(t, log)); got != c.calls {
			t.Errorf("%v: ran %q, want %q", c, got, c.calls)
		}
		if msg := string(out.Stderr); (c.fails == "") != (out.ExitCode == 0) || !strings.Contains(msg, c.fails) {
			t.Errorf("%v: exit %d, %q", c, out.ExitCode, msg)
		}
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil || st.Uid != c.uid || st.Gid != c.gid {
			t.Errorf("%v: the file is %d:%d, want %d:%d (%v)", c, st.Uid, st.Gid, c.uid, c.gid, err)
		}
	}
}
