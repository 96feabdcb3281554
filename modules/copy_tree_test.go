package modules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopyTree(t *testing.T) {
	t.Parallel()
	ctl := t.TempDir()
	site := filepath.Join(ctl, "site")
	os.MkdirAll(filepath.Join(site, "sub", "it's deeper"), 0o755)
	os.Mkdir(filepath.Join(site, "empty"), 0o755)
	writeFile(t, filepath.Join(site, "a.conf"), "a\n", 0o644)
	writeFile(t, filepath.Join(site, "sub", "$(touch pwned)"), "b", 0o644)
	writeFile(t, filepath.Join(site, "sub", "it's deeper", "c"), "c\n", 0o644)
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		// "site/": what the folder holds goes into dest, made if missing.
		dest := filepath.Join(dir, "etc")
		m, task := mkTask(t, "copy", map[string]any{"src": "site/", "dest": dest, "mode": "0640", "directory_mode": "0750"})
		task.Files = dirFiles(ctl)
		_, res := converge(t, sh, m, task)
		if res["changed"] != true || readFile(t, filepath.Join(dest, "sub", "it's deeper", "c")) != "c\n" {
			t.Fatalf("%s: %v", sh.name, res)
		}
		if perm(t, filepath.Join(dest, "sub")).Perm() != 0o750 || perm(t, filepath.Join(dest, "a.conf")).Perm() != 0o640 {
			t.Fatalf("%s: modes %v %v", sh.name, perm(t, filepath.Join(dest, "sub")), perm(t, filepath.Join(dest, "a.conf")))
		}
		if _, err := os.Stat(filepath.Join(dest, "empty")); err != nil {
			t.Fatalf("%s: empty folder not made", sh.name)
		}
		// One file differs: only it is written.
		writeFile(t, filepath.Join(dest, "a.conf"), "changed\n", 0o640)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || len(ch.Diffs) != 1 || ch.Diffs[0].Path != filepath.Join(dest, "a.conf") {
			t.Fatalf("%s: %v %v", sh.name, ch, err)
		}
		converge(t, sh, m, task)
		// "site": the folder itself, into an existing dest.
		m, task = mkTask(t, "copy", map[string]any{"src": "site", "dest": dir})
		task.Files = dirFiles(ctl)
		converge(t, sh, m, task)
		if readFile(t, filepath.Join(dir, "site", "sub", "$(touch pwned)")) != "b" {
			t.Fatalf("%s: site not copied", sh.name)
		}
		noPwned(t)
		noLeftovers(t, dest)
		// A file where a folder goes.
		writeFile(t, filepath.Join(dir, "x"), "", 0o644)
		m, task = mkTask(t, "copy", map[string]any{"src": "site/", "dest": filepath.Join(dir, "x")})
		task.Files = dirFiles(ctl)
		planErr(t, sh, m, task, "exists and is not a directory")
	}
}
