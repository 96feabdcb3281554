package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// pam_limits through questions converges, and its effects say what the
// host holds.
func TestPamLimitsAsked(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		f := filepath.Join(dir, "limits.conf")
		writeFile(t, f, pamConf, 0o640)
		m, task := mkTask(t, "pam_limits", map[string]any{"dest": f, "domain": "@staff", "limit_type": "hard", "limit_item": "nofile", "value": 4096, "backup": true})
		ch, res := convergeAsked(t, sh, m, task)
		if got := readFile(t, f); !strings.Contains(got, "@staff\thard\tnofile\t4096\t# indented note\n") {
			t.Errorf("%s: %q", sh.name, got)
		}
		wantMode(t, f, 0o640)
		if b, _ := res["backup_file"].(string); b == "" || readFile(t, b) != pamConf {
			t.Errorf("%s: result %v", sh.name, res)
		} else {
			os.Remove(b)
		}
		if len(ch.Diffs) != 1 || ch.Diffs[0].Before != pamConf {
			t.Errorf("%s: diffs %+v", sh.name, ch.Diffs)
		}
		// A new file in an existing folder; none in a missing one.
		nf := filepath.Join(dir, "new.conf")
		m, task = mkTask(t, "pam_limits", map[string]any{"dest": nf, "domain": "*", "limit_type": "soft", "limit_item": "core", "value": "0"})
		convergeAsked(t, sh, m, task)
		if got := readFile(t, nf); got != "*\tsoft\tcore\t0\n" {
			t.Errorf("%s: new file %q", sh.name, got)
		}
		wantMode(t, nf, 0o644)
		m, task = mkTask(t, "pam_limits", map[string]any{"dest": filepath.Join(dir, "no/such.conf"), "domain": "*", "limit_type": "soft", "limit_item": "core", "value": "0"})
		if _, err := bothWays(t, sh, m, task); err == nil || !strings.Contains(err.Error(), "is not writable (check presence") {
			t.Errorf("%s: missing folder: %v", sh.name, err)
		}
		// A folder, and a line that is not valid, fail alike.
		m, task = mkTask(t, "pam_limits", map[string]any{"dest": dir, "domain": "*", "limit_type": "soft", "limit_item": "core", "value": "0"})
		if _, err := bothWays(t, sh, m, task); err == nil {
			t.Errorf("%s: a folder as dest planned", sh.name)
		}
		bad := filepath.Join(dir, "bad.conf")
		writeFile(t, bad, "* soft nofile lots\n", 0o644)
		m, task = mkTask(t, "pam_limits", map[string]any{"dest": bad, "domain": "a", "limit_type": "-", "limit_item": "core", "value": "1"})
		if _, err := bothWays(t, sh, m, task); err == nil {
			t.Errorf("%s: an invalid line planned", sh.name)
		}
		// Through a link: the write goes to its target, the link stays.
		mkdir(t, filepath.Join(dir, "real dir"), 0o755)
		target := filepath.Join(dir, "real dir", "l.conf")
		writeFile(t, target, "* hard core 1\n", 0o600)
		link := filepath.Join(dir, "link.conf")
		if err := os.Symlink("real dir/l.conf", link); err != nil {
			t.Fatal(err)
		}
		m, task = mkTask(t, "pam_limits", map[string]any{"dest": link, "domain": "*", "limit_type": "hard", "limit_item": "core", "value": "0"})
		ch, _ = convergeAsked(t, sh, m, task)
		if w, ok := ch.Effects[0].(hostq.WriteFile); !ok || w.Path != target || w.Perm != 0o600 {
			t.Errorf("%s: effects %#v", sh.name, ch.Effects)
		}
		if got, _ := os.Readlink(link); got != "real dir/l.conf" || readFile(t, target) != "*\thard\tcore\t0\n" {
			t.Errorf("%s: link %q, target %q", sh.name, got, readFile(t, target))
		}
		wantMode(t, target, 0o600)
		noLeftovers(t, dir)
	}
}

// A file that already holds the limit: nothing to plan, and Report says
// the line.
func TestPamLimitsAskedReport(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1] // busybox
	f := filepath.Join(hostileDir(t), "limits.conf")
	writeFile(t, f, pamConf, 0o644)
	m, task := mkTask(t, "pam_limits", map[string]any{"dest": f, "domain": "joe", "limit_type": "-", "limit_item": "nproc", "value": "10", "use_max": true})
	if ch, err := bothWays(t, sh, m, task); ch != nil || err != nil {
		t.Fatalf("plan %v %v", ch, err)
	}
	if res := settledAsked(t, sh, m, task); res["msg"] != "joe - nproc 50\n" {
		t.Errorf("report %v", res)
	}
}
