package modules

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestSlurp(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		for _, name := range sh.names() {
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			content := "bin\x00ary\n\xff\xfe" + name + "\n\n"
			writeFile(t, p, content, 0o600)
			m, task := mkTask(t, "slurp", map[string]any{"src": p})
			res := settled(t, sh, m, task)
			want := base64.StdEncoding.EncodeToString([]byte(content))
			if res["content"] != want || res["encoding"] != "base64" || res["source"] != p {
				t.Errorf("%s %q: %v", sh.name, name, res)
			}
			noPwned(t)
		}
		dir := t.TempDir()
		os.Symlink("nowhere", filepath.Join(dir, "dangling"))
		for _, c := range []struct{ src, want string }{
			{dir, "source is a directory and must be a file: " + dir},
			{dir + "/nope", "file not found: " + dir + "/nope"},
			{dir + "/dangling", "file not found: " + dir + "/dangling"},
		} {
			m, task := mkTask(t, "slurp", map[string]any{"path": c.src})
			out := sh.run(t, mustProbe(t, m, task))
			if _, err := m.(Reader).Read(task, out); err == nil || err.Error() != c.want {
				t.Errorf("%s: %v, want %q", sh.name, err, c.want)
			}
		}
	}
}

func TestSlurpUnreadable(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := t.TempDir()
	if isRoot() {
		// As nobody: root reads everything.
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("no setpriv to drop root")
		}
		sh.argv = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, sh.argv...)
		for _, d := range []string{dir, filepath.Dir(dir)} { // the test's own folders only
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := filepath.Join(dir, "secret")
	writeFile(t, p, "x", 0o000)
	m, task := mkTask(t, "slurp", map[string]any{"src": p})
	if _, err := m.(Reader).Read(task, sh.run(t, mustProbe(t, m, task))); err == nil || err.Error() != "file is not readable: "+p {
		t.Errorf("%v", err)
	}
}
