package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSysctl is a sysctl (run by its path: busybox sh runs its own applet
// before any sysctl on the PATH, and that one sets the kernel's values)
// that keeps values in files under dir/kv, laid out as /proc/sys (a.b.c in
// kv/a/b/c): -n, -e (an unknown key reads as nothing, status 0), -w
// NAME=VALUE and -p FILE, as procps' does for these.
func fakeSysctl(t *testing.T) (bin, kv string) {
	t.Helper()
	dir := t.TempDir()
	bin, kv = filepath.Join(dir, "bin"), filepath.Join(dir, "kv")
	for _, d := range []string{bin, kv} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(bin, "sysctl"), "#!/bin/sh\nKV="+shQuoteTest(kv)+`
kv() { printf '%s/%s' "$KV" "$(printf '%s' "$1" | tr . /)"; }
set_kv() { k=${1%%=*}; v=${1#*=}; [ -f "$(kv "$k")" ] || { echo "sysctl: cannot stat /proc/sys/$k: No such file or directory" >&2; return 255; }; printf '%s\n' "$v" > "$(kv "$k")"; }
e=
while [ $# -gt 0 ]; do
	case $1 in
	-e) e=1 ;;
	-n) ;;
	-w) shift; set_kv "$1" || exit ;;
	-p) shift; while IFS= read -r l; do case $l in ''|'#'*|';'*) ;; *=*) set_kv "$(printf '%s' "$l" | tr -d ' ')" || exit ;; esac; done < "$1" ;;
	*) [ -f "$(kv "$1")" ] || { [ -n "$e" ]; exit; }; cat "$(kv "$1")" ;;
	esac
	shift
done
`, 0o755)
	mkdir(t, filepath.Join(kv, "net/ipv4"), 0o755)
	mkdir(t, filepath.Join(kv, "vm"), 0o755)
	writeFile(t, filepath.Join(kv, "net/ipv4/ip_forward"), "0\n", 0o644)
	writeFile(t, filepath.Join(kv, "vm/swappiness"), "60\n", 0o644)
	return bin, kv
}

func TestSysctlFix(t *testing.T) {
	t.Parallel()
	// Results checked against ansible.posix 1.5's fix_lines.
	st := sysctlTask{name: "vm.swappiness", value: "10", state: "present"}
	in := "# c\n  vm.swappiness = 60  \nkernel.x=1\nkernel.x = 2\nvm.swappiness=5\n\nnot a setting\n"
	val, ok, out := sysctlFix(in, st)
	if val != "5" || !ok || out != "# c\nvm.swappiness=10\nkernel.x=1\n\nnot a setting\n" {
		t.Errorf("present: %q %v %q", val, ok, out)
	}
	st.state = "absent"
	if _, _, out := sysctlFix(in, st); out != "# c\nkernel.x=1\n\nnot a setting\n" {
		t.Errorf("absent: %q", out)
	}
	st.state = "present"
	if val, ok, out := sysctlFix("a=b", st); val != "" || ok || out != "a=b\nvm.swappiness=10\n" {
		t.Errorf("append: %q %v %q", val, ok, out)
	}
}

func TestSysctlConverges(t *testing.T) {
	t.Parallel()
	// Never the kernel's values: fail (and put it back) if one moved.
	for _, k := range []string{"/proc/sys/vm/swappiness", "/proc/sys/net/ipv4/ip_forward"} {
		if before, err := os.ReadFile(k); err == nil {
			t.Cleanup(func() {
				if after, _ := os.ReadFile(k); string(after) != string(before) {
					os.WriteFile(k, before, 0o644)
					t.Errorf("the test changed %s", k)
				}
			})
		}
	}
	for _, sh := range matrix(t) {
		bin, kv := fakeSysctl(t)
		fake := sysctlModule{cmd: filepath.Join(bin, "sysctl"), procSys: kv}
		mk := func(raw map[string]any) (Module, *Task) {
			_, task := mkTask(t, "sysctl", raw)
			return fake, task
		}
		dir := hostileDir(t)
		f := filepath.Join(dir, "sysctl.conf")
		writeFile(t, f, "# keep\nvm.swappiness = 60\n", 0o640)
		m, task := mk(map[string]any{"name": "vm.swappiness", "value": 10, "sysctl_file": f})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, f); got != "# keep\nvm.swappiness=10\n" {
			t.Errorf("%s: file %q", sh.name, got)
		}
		if got := readFile(t, filepath.Join(kv, "vm/swappiness")); got != "10\n" {
			t.Errorf("%s: live %q (reload)", sh.name, got)
		}
		if res["changed"] != true || !hasDiff(ch, "content", "# keep\nvm.swappiness = 60\n", "# keep\nvm.swappiness=10\n") {
			t.Errorf("%s: %v %+v", sh.name, res, ch.Diffs)
		}
		wantMode(t, f, 0o640)
		// The file agrees but the live value does not: reload fixes it.
		writeFile(t, filepath.Join(kv, "vm/swappiness"), "30\n", 0o644)
		ch, _ = converge(t, sh, m, task)
		if !hasDiff(ch, "value", "30", "10") {
			t.Errorf("%s: %+v", sh.name, ch.Diffs)
		}
		// sysctl_set without reload sets the live value only.
		m, task = mk(map[string]any{"name": "net.ipv4.ip_forward", "value": "yes", "sysctl_set": true, "reload": false, "sysctl_file": f})
		converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(kv, "net/ipv4/ip_forward")); got != "1\n" {
			t.Errorf("%s: live %q", sh.name, got)
		}
		// absent drops the line; a key the kernel lacks fails on reload.
		m, task = mk(map[string]any{"name": "net.ipv4.ip_forward", "state": "absent", "sysctl_file": f})
		converge(t, sh, m, task)
		if got := readFile(t, f); got != "# keep\nvm.swappiness=10\n" {
			t.Errorf("%s: absent: %q", sh.name, got)
		}
		m, task = mk(map[string]any{"name": "no.such", "value": "1", "sysctl_file": f})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		out := sh.run(t, ch.Apply)
		if r, _ := ch.Result(out); r["failed"] != true || !strings.Contains(r["msg"].(string), "Failed to reload sysctl") {
			t.Errorf("%s: %v", sh.name, r)
		}
		noLeftovers(t, dir)
		noPwned(t)
	}
}

func TestSysctlArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"name": "x"}, "value"},
		{map[string]any{"name": "x", "value": ""}, "value cannot be blank"},
		{map[string]any{"name": "-p", "value": "1"}, "not a sysctl key"},
		{map[string]any{"name": "x", "value": "1", "sysctl_file": "rel"}, "absolute"},
	} {
		m, task := mkTask(t, "sysctl", c.raw)
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.raw, err, c.want)
		}
	}
}
