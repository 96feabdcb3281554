package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
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
