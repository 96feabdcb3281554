package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A folder with a default ACL gives new entries its bits, not the umask's:
// the folders file makes (mkdir -m) must still end with exactly the mode
// asked, as Ansible's mkdir then chmod leaves them.
func TestDirectoryModeUnderADefaultACL(t *testing.T) {
	setfacl, err := exec.LookPath("setfacl")
	if err != nil {
		t.Fatal("setfacl not found: apt-get install acl")
	}
	for _, sh := range matrix(t) {
		for _, mode := range []os.FileMode{0o755, 0o750, 0o711} {
			top := t.TempDir()
			// New entries would get rwx for their owner and nothing else.
			if out, err := exec.Command(setfacl, "-d", "-m", "u::rwx,g::---,o::---", top).CombinedOutput(); err != nil {
				t.Fatalf("setfacl: %v: %s", err, out)
			}
			p := filepath.Join(top, "a", "b")
			m, task := mkTask(t, "file", map[string]any{"path": p, "state": "directory", "mode": "0" + strconv8(mode)})
			converge(t, sh, m, task)
			for _, d := range []string{filepath.Join(top, "a"), p} {
				if got := perm(t, d); got != os.ModeDir|mode {
					t.Errorf("%s: %s: mode %v, want %v", sh.name, d, got, os.ModeDir|mode)
				}
			}
		}
	}
}

func strconv8(m os.FileMode) string {
	const digits = "01234567"
	return string([]byte{digits[m>>6&7], digits[m>>3&7], digits[m&7]})
}
