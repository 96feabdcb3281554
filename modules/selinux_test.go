package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSELinux(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		fs, bin, _ := fakeSELinux(t, "0")
		fakeCmd(t, bin, "setenforce", `echo "$1" > `+q(fs)+"/enforce\n")
		sh := withPath(sh, bin)
		m := selinuxModule{fs: fs}
		etc := hostileDir(t)
		cf := filepath.Join(etc, "config")
		os.MkdirAll(filepath.Join(etc, "targeted", "policy"), 0o755)
		os.MkdirAll(filepath.Join(etc, "mls", "policy"), 0o755)
		writeFile(t, cf, "# c\nSELINUX=permissive\nSELINUXTYPE=targeted\n", 0o600)
		_, task := mkTask(t, "selinux", map[string]any{"state": "enforcing", "policy": "mls", "configfile": cf})
		_, res := converge(t, sh, m, task)
		if got := readFile(t, cf); got != "# c\nSELINUX=enforcing\nSELINUXTYPE=mls\n" || readFile(t, filepath.Join(fs, "enforce")) != "1\n" {
			t.Fatalf("%s: %q", sh.name, got)
		}
		if perm(t, cf).Perm() != 0o600 || !strings.Contains(res["msg"].(string), "SELinux state changed from 'permissive' to 'enforcing'") {
			t.Fatalf("%s: %v", sh.name, res)
		}
		// disabled: permissive now, the config for the next boot.
		_, task = mkTask(t, "selinux", map[string]any{"state": "disabled", "conf": cf})
		_, res = converge(t, sh, m, task)
		if got := readFile(t, cf); got != "# c\nSELINUX=disabled\nSELINUXTYPE=mls\n" || readFile(t, filepath.Join(fs, "enforce")) != "0\n" {
			t.Fatalf("%s: %q", sh.name, got)
		}
		if res["reboot_required"] != true || res["policy"] != "mls" {
			t.Fatalf("%s: %v", sh.name, res)
		}
		_, task = mkTask(t, "selinux", map[string]any{"state": "enforcing", "policy": "nope", "conf": cf})
		planErr(t, sh, m, task, "Policy nope does not exist")
		_, task = mkTask(t, "selinux", map[string]any{"state": "enforcing", "conf": cf})
		planErr(t, sh, m, task, "Policy is required")
		_, task = mkTask(t, "selinux", map[string]any{"state": "permissive", "policy": "mls", "conf": cf + "x"})
		planErr(t, sh, m, task, "Unable to find file")
		// SELinux off: disabled is ok, the rest an error.
		os.Remove(filepath.Join(fs, "enforce"))
		_, task = mkTask(t, "selinux", map[string]any{"state": "disabled", "conf": cf + "x"})
		if r := settled(t, sh, m, task); r["state"] != "disabled" {
			t.Fatalf("%s: %v", sh.name, r)
		}
		_, task = mkTask(t, "selinux", map[string]any{"state": "permissive", "policy": "mls", "conf": cf})
		planErr(t, sh, m, task, selinuxOff)
		noLeftovers(t, etc)
	}
}
