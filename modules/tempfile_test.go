package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTempfile(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		for _, c := range []struct {
			state, prefix, suffix string
		}{
			{"file", "", ""}, {"file", "it's ", ".conf"}, {"directory", "d.", ""}, {"directory", "$(x)", "`s`"},
		} {
			raw := map[string]any{"state": c.state, "path": dir, "suffix": c.suffix}
			if c.prefix != "" {
				raw["prefix"] = c.prefix
			}
			m, task := mkTask(t, "tempfile", raw)
			seen := map[string]bool{}
			for i := 0; i < 2; i++ {
				ch, _, err := probePlan(t, sh, m, task)
				if err != nil || ch == nil {
					t.Fatalf("%s: plan: %v %v", sh.name, ch, err)
				}
				out := sh.run(t, ch.Apply)
				res, err := ch.Result(out)
				if err != nil || res["failed"] == true {
					t.Fatalf("%s: %v %v %s", sh.name, res, err, out.Stderr)
				}
				p, _ := res["path"].(string)
				base := filepath.Base(p)
				pfx := c.prefix
				if pfx == "" {
					pfx = "ansible."
				}
				if filepath.Dir(p) != dir || !strings.HasPrefix(base, pfx) || !strings.HasSuffix(base, c.suffix) || seen[p] {
					t.Fatalf("%s: path %q", sh.name, p)
				}
				seen[p] = true
				fi, err := os.Lstat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.IsDir() != (c.state == "directory") || fi.Mode().Perm()&0o077 != 0 {
					t.Fatalf("%s: %s is %v", sh.name, p, fi.Mode())
				}
			}
		}
		// TMPDIR is the default folder.
		_, task := mkTask(t, "tempfile", map[string]any{})
		ch, err := tempfileModule{}.Plan(task, Output{})
		if err != nil {
			t.Fatal(err)
		}
		tmp := t.TempDir()
		out := sh.run(t, "TMPDIR="+shellQuoteT(tmp)+"\n"+ch.Apply)
		res, err := ch.Result(out)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := res["path"].(string); filepath.Dir(p) != tmp {
			t.Fatalf("%s: %v %s", sh.name, res, out.Stderr)
		}
		// A missing folder fails with a message.
		_, task = mkTask(t, "tempfile", map[string]any{"path": filepath.Join(tmp, "nope"), "suffix": "x"})
		ch, _ = tempfileModule{}.Plan(task, Output{})
		res, _ = ch.Result(sh.run(t, ch.Apply))
		if res["failed"] != true || !strings.Contains(res["msg"].(string), "No such file") {
			t.Fatalf("%s: %v", sh.name, res)
		}
	}
	_, task := mkTask(t, "tempfile", map[string]any{"prefix": "a/b"})
	if _, err := (tempfileModule{}).Probe(task); err == nil {
		t.Fatal("prefix with a slash accepted")
	}
}

func shellQuoteT(s string) string { return q(s) }
