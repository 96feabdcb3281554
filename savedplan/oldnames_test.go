package savedplan

import (
	"os"
	"path/filepath"
	"testing"
)

// Plans written before diffs had snake_case JSON names ("Path", "Attr",
// "Before", "After") still read, diffs included.
func TestReadsPlansWithOldDiffNames(t *testing.T) {
	p := filepath.Join(t.TempDir(), "plan.json")
	old := `{"format":1,"tend":"old","created":"2026-01-01T00:00:00Z","playbook":"/p/site.yml","playbook_digest":"d",
"files":[],"inventory":["/p/hosts"],"extra_vars_digest":"e","key_id":"k","hosts":[{"name":"h","status":"changed",
"changes":[{"play_index":0,"play":"all","task_index":0,"task":"t","task_pos":"site.yml:3","module":"file","status":"changed",
"planned":"x","diffs":[{"Path":"/etc/x","Attr":"mode","Before":"0644","After":"0600"}]}]}]}`
	if err := os.WriteFile(p, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	d := plan.Hosts[0].Changes[0].Diffs[0]
	if d.Path != "/etc/x" || d.Attr != "mode" || d.Before != "0644" || d.After != "0600" {
		t.Errorf("diff read as %+v", d)
	}
}
