package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The scenario's task count is what the report says it is.
func TestPlaybookTaskCount(t *testing.T) {
	if n := strings.Count(Playbook(), "\n    - name: "); n != Tasks {
		t.Fatalf("playbook has %d tasks, Tasks says %d", n, Tasks)
	}
}

// The large-file scenario's file is as large as said, and the same bytes
// every time (runs and tools compare the same work).
func TestWriteBigCopy(t *testing.T) {
	sum := func() string {
		_, file, err := WriteBigCopy(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil || len(b) != BigCopySize {
			t.Fatalf("%d bytes, %v", len(b), err)
		}
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	if a, b := sum(), sum(); a != b {
		t.Errorf("two writes differ: %s %s", a, b)
	}
}

// The mixed15 and tasks200 playbooks have the tasks their constants say
// (the role's tasks counted, its handler not), and are YAML a tool loads.
func TestScenarioTaskCounts(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(string) (string, error)
		tasks int
	}{{"mixed15", WriteMixed15, Mixed15Tasks}, {"tasks200", WriteTasks200, Tasks200}} {
		dir := t.TempDir()
		if _, err := c.write(dir); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range []string{"site.yml", "roles/app/tasks/main.yml"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if errors.Is(err, fs.ErrNotExist) && f != "site.yml" {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var plays []map[string]any
			if err := yaml.Unmarshal(b, &plays); err != nil {
				t.Fatalf("%s %s: %v", c.name, f, err)
			}
			if f == "site.yml" {
				n += len(plays[0]["tasks"].([]any))
			} else {
				n += len(plays)
			}
		}
		if n != c.tasks {
			t.Errorf("%s has %d tasks, its constant says %d", c.name, n, c.tasks)
		}
	}
}
