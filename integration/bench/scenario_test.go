package bench

import (
	"strings"
	"testing"
)

// The scenario's task count is what the report says it is.
func TestPlaybookTaskCount(t *testing.T) {
	if n := strings.Count(Playbook(), "\n    - name: "); n != Tasks {
		t.Fatalf("playbook has %d tasks, Tasks says %d", n, Tasks)
	}
}
