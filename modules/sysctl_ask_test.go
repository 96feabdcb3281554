package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// sysctl through questions plans as through its probe, converges, and its
// effects say what the file and the live value hold after.
func TestSysctlAsked(t *testing.T) {
	t.Parallel()
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
		ch, _ := convergeAsked(t, sh, m, task)
		if got := readFile(t, f); got != "# keep\nvm.swappiness=10\n" || len(ch.Effects) != 2 {
			t.Errorf("%s: file %q, effects %#v", sh.name, got, ch.Effects)
		}
		wantMode(t, f, 0o640)
		// The file agrees but the live value does not: reload fixes it.
		writeFile(t, filepath.Join(kv, "vm/swappiness"), "30\n", 0o644)
		ch, _ = convergeAsked(t, sh, m, task)
		if !hasDiff(ch, "value", "30", "10") || len(ch.Effects) != 1 {
			t.Errorf("%s: %+v %#v", sh.name, ch.Diffs, ch.Effects)
		}
		// sysctl_set without reload, into a file that a link leads to.
		os.Symlink("sysctl.conf", filepath.Join(dir, "link.conf"))
		m, task = mk(map[string]any{"name": "net.ipv4.ip_forward", "value": "yes", "sysctl_set": true, "reload": false, "sysctl_file": filepath.Join(dir, "link.conf")})
		ch, _ = convergeAsked(t, sh, m, task)
		if w, ok := ch.Effects[0].(hostq.WriteFile); !ok || w.Path != f {
			t.Errorf("%s: effects %#v", sh.name, ch.Effects)
		}
		if got := readFile(t, filepath.Join(kv, "net/ipv4/ip_forward")); got != "1\n" {
			t.Errorf("%s: live %q", sh.name, got)
		}
		m, task = mk(map[string]any{"name": "net.ipv4.ip_forward", "state": "absent", "sysctl_file": f})
		convergeAsked(t, sh, m, task)
		if got := readFile(t, f); got != "# keep\nvm.swappiness=10\n" {
			t.Errorf("%s: absent: %q", sh.name, got)
		}
		// A key the kernel lacks reads as nothing, as sysctl -e says; a
		// missing file is a change too.
		m, task = mk(map[string]any{"name": "no.such", "value": "1", "sysctl_set": true, "sysctl_file": filepath.Join(dir, "new.conf")})
		if ch, err := bothWays(t, sh, m, task); err != nil || ch == nil || !hasDiff(ch, "value", "", "1") {
			t.Errorf("%s: unknown key: %v %v", sh.name, ch, err)
		}
		// No sysctl to run: the same error both ways.
		none := sysctlModule{cmd: filepath.Join(bin, "none"), procSys: kv}
		if _, err := bothWays(t, sh, none, task); err == nil || !strings.Contains(err.Error(), "Failed to find required executable sysctl") {
			t.Errorf("%s: no sysctl: %v", sh.name, err)
		}
		noLeftovers(t, dir)
	}
}

func TestSysctlAskedKeys(t *testing.T) {
	t.Parallel()
	m := sysctlModule{}
	for name, want := range map[string]string{
		"vm.swappiness": "/proc/sys/vm/swappiness", "net.ipv4.conf.eth-0.rp_filter": "/proc/sys/net/ipv4/conf/eth-0/rp_filter",
		"net/ipv4/ip_forward": "", "net.ipv4.conf.eth0.1.x": "/proc/sys/net/ipv4/conf/eth0/1/x", "a..b": "", "a.b.": "", "a.$(id)": "",
	} {
		got, ok := m.procFile(name)
		if ok != (want != "") || got != want {
			t.Errorf("%q: %q %v, want %q", name, got, ok, want)
		}
		_, task := mkTask(t, "sysctl", map[string]any{"name": name, "value": "1"})
		qs, err := m.Questions(task)
		if err != nil || (qs == nil) != (want == "") {
			t.Errorf("%q: questions %v %v", name, qs, err)
		}
	}
	// A folder of keys is refused, where the probe would print them all.
	_, kv := fakeSysctl(t)
	_, task := mkTask(t, "sysctl", map[string]any{"name": "net.ipv4", "value": "1"})
	if _, _, err := planAsked(t, shells(t)[0], sysctlModule{cmd: "true", procSys: kv}, task, nil); err == nil || !strings.Contains(err.Error(), "folder of sysctl keys") {
		t.Errorf("folder: %v", err)
	}
}

// The machine's own /proc/sys, read (never written): the question reads
// what sysctl -n prints, so a file that holds the live value plans
// nothing, both ways.
func TestSysctlAskedReadsProc(t *testing.T) {
	t.Parallel()
	cur, err := os.ReadFile("/proc/sys/vm/swappiness")
	if err != nil {
		t.Skip(err)
	}
	v := strings.TrimSpace(string(cur))
	f := filepath.Join(t.TempDir(), "99.conf")
	writeFile(t, f, "vm.swappiness = "+v+"\n", 0o644)
	for _, sh := range matrix(t) {
		m, task := mkTask(t, "sysctl", map[string]any{"name": "vm.swappiness", "value": v, "sysctl_set": true, "sysctl_file": f})
		if ch, err := bothWays(t, sh, m, task); ch != nil || err != nil {
			t.Errorf("%s: %v %v", sh.name, ch, err)
		}
	}
}
