package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// runChange plans and applies a task with no probe, and returns its result.
func runChange(t *testing.T, sh testShell, m Module, task *Task) (*Change, Result) {
	t.Helper()
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	if ch == nil {
		t.Fatalf("%s: nothing to do", sh.name)
	}
	res, err := ch.Result(sh.run(t, ch.Apply))
	if err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	return ch, res
}

func TestRaw(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		m, task := mkTask(t, "raw", map[string]any{"free_form": "echo out; echo err >&2; printf 'x\\n\\n'"})
		ch, res := runChange(t, sh, m, task)
		if !ch.CheckUnknown {
			t.Errorf("raw must be skipped in check mode")
		}
		want := Result{"changed": true, "rc": 0, "stdout": "out\nx\n\n", "stdout_lines": []string{"out", "x", ""},
			"stderr": "err\n", "stderr_lines": []string{"err"}}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("%s: %v", sh.name, res)
		}
		m, task = mkTask(t, "raw", map[string]any{"free_form": "exit 3"})
		if _, res = runChange(t, sh, m, task); res["failed"] != true || res["rc"] != 3 || res["msg"] != "non-zero return code" {
			t.Errorf("%s: %v", sh.name, res)
		}
	}
	sh := shells(t)[0]
	m, task := mkTask(t, "raw", map[string]any{"free_form": "echo \"$0\" 'it''s'", "executable": "/bin/sh"})
	if _, res := runChange(t, sh, m, task); res["stdout"] != "/bin/sh its\n" {
		t.Errorf("executable: %q", res["stdout"])
	}
}

func TestScript(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		dir := hostileDir(t)
		out := filepath.Join(dir, "ran")
		body := "#!/bin/sh\necho \"args: $*\"\npwd\necho hi > " + q(out) + "\nexit 0\n"
		args := map[string]any{"cmd": "my.sh 'a b' c", "chdir": dir}
		m, task := mkTask(t, "script", args)
		task.Files = mapFiles{"my.sh": []byte(body)}
		ch, res := runChange(t, sh, m, task)
		if !ch.CheckUnknown || res["rc"] != 0 || res["stdout"] != "args: a b c\n"+dir+"\n" || res["changed"] != true {
			t.Errorf("%s: %v", sh.name, res)
		}
		if readFile(t, out) != "hi\n" {
			t.Errorf("%s: the script did not run", sh.name)
		}
		// creates: skipped once the file exists.
		args = map[string]any{"cmd": "my.sh", "creates": out}
		m, task = mkTask(t, "script", args)
		task.Files = mapFiles{"my.sh": []byte(body)}
		res = settled(t, sh, m, task)
		if res["skipped"] != true || res["msg"] != out+" exists, matching creates option" {
			t.Errorf("%s: %v", sh.name, res)
		}
		args = map[string]any{"cmd": "my.sh", "removes": out, "executable": "sh"}
		m, task = mkTask(t, "script", args)
		task.Files = mapFiles{"my.sh": []byte("echo $0; exit 4\n")}
		ch, res = runChange(t, sh, m, task)
		if ch.CheckUnknown || res["rc"] != 4 || res["failed"] != true || !strings.HasPrefix(res["stdout"].(string), "/tmp/.tend-") {
			t.Errorf("%s: %v", sh.name, res)
		}
		// The temporary folder is gone.
		if d := filepath.Dir(strings.TrimSpace(res["stdout"].(string))); d != "/tmp" {
			if _, err := os.Stat(d); err == nil {
				t.Errorf("%s: %s left behind", sh.name, d)
			}
		}
		noPwned(t)
	}
	m, task := mkTask(t, "script", map[string]any{"cmd": "nope.sh"})
	if _, _, err := probePlan(t, shells(t)[0], m, task); err == nil || !strings.Contains(err.Error(), "Could not find or access 'nope.sh'") {
		t.Errorf("%v", err)
	}
	m, task = mkTask(t, "script", map[string]any{"cmd": "x.sh", "chdir": "rel"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "must be an absolute path") {
		t.Errorf("%v", err)
	}
}
