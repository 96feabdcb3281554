package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withPath is sh with dir first on its PATH (fake commands).
func withPath(sh testShell, dir string) testShell {
	env := make([]string, 0, len(sh.env))
	for _, e := range sh.env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			e = "PATH=" + dir + ":" + v
		}
		env = append(env, e)
	}
	sh.env = env
	return sh
}

// fakeCmd writes an executable sh script called name in dir.
func fakeCmd(t *testing.T, dir, name, body string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, name), "#!/bin/sh\n"+body, 0o755)
}

// fakeSELinux makes a selinuxfs stand-in (enforce unless off) and
// getsebool/setsebool working on files in state/.
func fakeSELinux(t *testing.T, enforce string) (fs, bin, state string) {
	d := t.TempDir()
	fs, bin, state = filepath.Join(d, "fs"), filepath.Join(d, "bin"), filepath.Join(d, "state")
	for _, x := range []string{fs, bin, state} {
		os.Mkdir(x, 0o755)
	}
	if enforce != "" {
		writeFile(t, filepath.Join(fs, "enforce"), enforce+"\n", 0o644)
	}
	writeFile(t, filepath.Join(state, "httpd_can_network_connect"), "off", 0o644)
	fakeCmd(t, bin, "getsebool", `f=`+q(state)+`/$1
[ -f "$f" ] || { echo "Error getting active value for $1" >&2; exit 1; }
echo "$1 --> $(cat "$f")"
`)
	fakeCmd(t, bin, "setsebool", `p=; [ "$1" = -P ] && { p=1; shift; }
printf %s "$2" > `+q(state)+`/"$1"; [ -z "$p" ] || echo "$1" >> `+q(state)+`/.persistent
`)
	return
}

func TestSeboolean(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		fs, bin, state := fakeSELinux(t, "1")
		sh := withPath(sh, bin)
		_, task := mkTask(t, "seboolean", map[string]any{"name": "httpd_can_network_connect", "state": true, "persistent": true})
		m := sebooleanModule{fs: fs}
		ch, res := converge(t, sh, m, task)
		if res["changed"] != true || res["state"] != true || !hasDiff(ch, "boolean", "off", "on") {
			t.Fatalf("%s: %v %v", sh.name, res, ch.Diffs)
		}
		if readFile(t, filepath.Join(state, ".persistent")) == "" || settled(t, sh, m, task)["name"] != "httpd_can_network_connect" {
			t.Fatalf("%s: not persistent", sh.name)
		}
		_, task = mkTask(t, "seboolean", map[string]any{"name": "nope", "state": true})
		planErr(t, sh, m, task, "SELinux boolean nope does not exist.")
		_, task = mkTask(t, "seboolean", map[string]any{"name": "a;b", "state": true})
		if _, err := m.Probe(task); err == nil {
			t.Fatal("bad name accepted")
		}
		// No selinuxfs: a clear error.
		os.Remove(filepath.Join(fs, "enforce"))
		_, task = mkTask(t, "seboolean", map[string]any{"name": "httpd_can_network_connect", "state": false})
		planErr(t, sh, m, task, selinuxOff)
	}
}
