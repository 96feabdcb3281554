package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
			m, task := mkTask(t, "file", map[string]any{"path": p, "state": "directory", "mode": octal(uint32(mode))})
			converge(t, sh, m, task)
			for _, d := range []string{filepath.Join(top, "a"), p} {
				if got := perm(t, d); got != os.ModeDir|mode {
					t.Errorf("%s: %s: mode %v, want %v", sh.name, d, got, os.ModeDir|mode)
				}
			}
		}
	}
}

// The temporary file a write makes gets its mode while still empty: a
// folder's default ACL overrides the umask the file is made under, so
// content written first would be open to whom the ACL grants access until
// the chmod. A set-id mode is the exception: writing or chown would clear
// it, so it is set last. A chmod shim records the size of the temporary
// file it is given.
func TestTemporaryFileGetsItsModeBeforeItsContent(t *testing.T) {
	real, err := exec.LookPath("chmod")
	if err != nil {
		t.Fatal(err)
	}
	shim, log := t.TempDir(), filepath.Join(t.TempDir(), "chmod.log")
	script := "#!/bin/sh\nfor a; do last=$a; done\ncase $last in */.tend-*) printf '%s %s\\n' \"$1\" \"$(wc -c < \"$last\")\" >> " +
		q(log) + " ;; esac\nexec " + q(real) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(shim, "chmod"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sh := shells(t)[0] // dash: the order is the script's, whatever the shell
	sh.env = append(append([]string(nil), sh.env...), "PATH="+shim+":"+os.Getenv("PATH"))
	dir := t.TempDir()
	cases := []struct {
		module string
		args   map[string]any
		want   string
	}{
		{"copy", map[string]any{"content": "secret\n", "dest": dir + "/key", "mode": "0600"}, "00600 0"},
		{"lineinfile", map[string]any{"path": dir + "/conf", "line": "a=1", "create": true, "mode": "0640"}, "00640 0"},
		{"copy", map[string]any{"content": "#!/bin/sh\n", "dest": dir + "/tool", "mode": "02755"}, "02755 10"},
	}
	for _, c := range cases {
		if err := os.WriteFile(log, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		m, task := mkTask(t, c.module, c.args)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s %v: plan: %v, %v", c.module, c.args, ch, err)
		}
		if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
			t.Fatalf("%s: apply failed: %s", c.module, out.Stderr)
		}
		if got := strings.TrimSpace(readFile(t, log)); got != c.want {
			t.Errorf("%s %v: chmod of the temporary file (mode, size): %q, want %q", c.module, c.args, got, c.want)
		}
	}
}

// A folder made (or changed) in a setgid folder inherits the setgid bit; a
// numeric mode without it clears it, as Ansible's os.chmod does. GNU chmod
// and mkdir -m keep it for a four-digit mode, which left the folder
// differing from its mode on every run.
func TestDirectoryModeClearsAnInheritedSetgid(t *testing.T) {
	for _, sh := range matrix(t) {
		top := t.TempDir()
		if err := os.Chmod(top, os.ModeSetgid|0o775); err != nil {
			t.Fatal(err)
		}
		made, changed := filepath.Join(top, "made"), filepath.Join(top, "changed")
		if err := os.Mkdir(changed, 0o700); err != nil { // setgid, inherited
			t.Fatal(err)
		}
		for _, c := range []struct {
			path string
			mode os.FileMode
		}{{made, 0o755}, {changed, 0o750}, {filepath.Join(top, "kept"), os.ModeSetgid | 0o750}} {
			mode := uint32(c.mode.Perm())
			if c.mode&os.ModeSetgid != 0 {
				mode |= 0o2000
			}
			m, task := mkTask(t, "file", map[string]any{"path": c.path, "state": "directory", "mode": octal(mode)})
			converge(t, sh, m, task) // and settled: the second plan finds nothing
			if got := perm(t, c.path); got != os.ModeDir|c.mode {
				t.Errorf("%s: %s: mode %v, want %v", sh.name, c.path, got, os.ModeDir|c.mode)
			}
		}
	}
}
