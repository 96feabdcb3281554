package modules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// utsShell runs sh's scripts in a UTS namespace of their own, so that the
// running host name they set is not this machine's. It needs root.
func utsShell(t *testing.T, sh testShell) testShell {
	t.Helper()
	if !isRoot() {
		t.Skip("needs root for a UTS namespace")
	}
	cmd := exec.Command("unshare", "--uts", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	self, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	// Never enter before unshare made the namespace: that would be ours.
	ns := self
	for i := 0; i < 500 && ns == self; i++ {
		time.Sleep(10 * time.Millisecond)
		ns, _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/uts", cmd.Process.Pid))
	}
	if ns == self || ns == "" {
		t.Fatalf("unshare made no UTS namespace")
	}
	sh.argv = append([]string{"nsenter", "-t", fmt.Sprint(cmd.Process.Pid), "-u", "--"}, sh.argv...)
	if out := sh.run(t, "hostname tend-before"); out.ExitCode != 0 {
		t.Fatalf("hostname in the namespace: %s", out.Stderr)
	}
	return sh
}

func hostnameMk(t *testing.T, m hostnameModule, facts, raw map[string]any) *Task {
	t.Helper()
	args, errs := m.Spec().Check(raw, false)
	if len(errs) > 0 {
		t.Fatalf("%v: %v", raw, errs)
	}
	return &Task{Args: args, Facts: facts}
}

func TestHostnameConverges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		use    string
		facts  map[string]any
		marker string // a file under the root's /etc that says the OS
		file   string
		before string // "" for absent
		after  string
	}{
		{name: "debian", use: "debian", file: "/etc/hostname", before: "tend-before\n", after: "tend-new.example.org\n"},
		{name: "alpine", use: "alpine", file: "/etc/hostname", before: "old\n", after: "tend-new.example.org\n"},
		{name: "redhat", use: "redhat", file: "/etc/sysconfig/network", before: "NETWORKING=yes\nHOSTNAME=old\nX=1", after: "NETWORKING=yes\nHOSTNAME=tend-new.example.org\nX=1"},
		{name: "redhat without a line", facts: map[string]any{"ansible_os_family": "RedHat", "ansible_service_mgr": "sysvinit"}, file: "/etc/sysconfig/network", before: "NETWORKING=yes", after: "NETWORKING=yes\nHOSTNAME=tend-new.example.org\n"},
		{name: "openrc creates its file", use: "openrc", file: "/etc/conf.d/hostname", after: "hostname=\"tend-new.example.org\"\n"},
		{name: "generic", use: "generic", file: "/etc/hostname", after: "tend-new.example.org\n"},
		{name: "debian from facts", facts: map[string]any{"ansible_os_family": "Debian", "ansible_service_mgr": "sysvinit"}, file: "/etc/hostname", before: "old\n", after: "tend-new.example.org\n"},
		{name: "alpine found by the probe", marker: "/etc/alpine-release", file: "/etc/hostname", before: "old\n", after: "tend-new.example.org\n"},
	}
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range cases {
				if !sh.turn(t, i) {
					continue
				}
				ush := utsShell(t, sh)
				root := hostileDir(t)
				if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
					t.Fatal(err)
				}
				if c.marker != "" {
					writeFile(t, filepath.Join(root, c.marker), "3.19\n", 0o644)
				}
				p := filepath.Join(root, c.file)
				if c.before != "" {
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					writeFile(t, p, c.before, 0o640)
				}
				m := hostnameModule{root: root}
				raw := map[string]any{"name": "tend-new.example.org"}
				if c.use != "" {
					raw["use"] = c.use
				}
				task := hostnameMk(t, m, c.facts, raw)
				ch, res := converge(t, ush, m, task)
				permBefore := strings.TrimSpace(c.before)
				if c.file != "/etc/hostname" {
					permBefore = map[string]string{"NETWORKING=yes\nHOSTNAME=old\nX=1": "old"}[c.before]
				}
				if !hasDiff(ch, "running", "tend-before", "tend-new.example.org") || !hasDiff(ch, "permanent", permBefore, "tend-new.example.org") {
					t.Errorf("%s: diffs %v", c.name, ch.Diffs)
				}
				if got := readFile(t, p); got != c.after {
					t.Errorf("%s: %s holds %q, want %q", c.name, c.file, got, c.after)
				}
				if c.before != "" {
					wantMode(t, p, 0o640)
				}
				if out := ush.run(t, "hostname"); string(out.Stdout) != "tend-new.example.org\n" {
					t.Errorf("%s: running name %q", c.name, out.Stdout)
				}
				facts := res["ansible_facts"].(map[string]any)
				if res["name"] != "tend-new.example.org" || facts["ansible_hostname"] != "tend-new" || facts["ansible_domain"] != "example.org" {
					t.Errorf("%s: result %v", c.name, res)
				}
				noLeftovers(t, filepath.Dir(p))
			}
		})
	}
}

// Only the permanent name differs: only the file is written.
func TestHostnamePermanentOnly(t *testing.T) {
	t.Parallel()
	sh := utsShell(t, shells(t)[0])
	root := t.TempDir()
	m := hostnameModule{root: root}
	task := hostnameMk(t, m, nil, map[string]any{"name": "tend-before", "use": "debian"})
	ch, _ := converge(t, sh, m, task)
	if len(ch.Diffs) != 1 || !hasDiff(ch, "permanent", "", "tend-before") {
		t.Errorf("diffs %v", ch.Diffs)
	}
	if strings.Contains(ch.Apply, `tend_run 'Unable to set the running`) {
		t.Errorf("apply sets the running name:\n%s", ch.Apply)
	}
}

// The systemd strategy reads and sets both names through hostnamectl
// (which needs systemd-hostnamed: planned against its outputs).
func TestHostnameSystemdPlan(t *testing.T) {
	t.Parallel()
	out := func(transient, static string) Output {
		return probeOut("running:", "x", "f0.type", "absent", "f1.type", "absent", "f2.type", "absent",
			"systemd", "1", "transient:", transient, "static:", static, "os", "debian", "umask", "0022")
	}
	sd := map[string]any{"ansible_service_mgr": "systemd", "ansible_os_family": "Debian"}
	m := hostnameModule{}
	task := hostnameMk(t, m, sd, map[string]any{"name": "web1"})
	ch, err := m.Plan(task, out("localhost\n", "old\n"))
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	mustParse(t, ch.Apply)
	if !hasDiff(ch, "permanent", "old", "web1") || !hasDiff(ch, "running", "localhost", "web1") {
		t.Errorf("diffs %v", ch.Diffs)
	}
	for _, want := range []string{`hostnamectl --pretty --static set-hostname "$tend_h"`, `hostnamectl --transient set-hostname "$tend_h"`} {
		if !strings.Contains(ch.Apply, want) {
			t.Errorf("apply lacks %s:\n%s", want, ch.Apply)
		}
	}
	if ch, err := m.Plan(task, out("web1\n", "web1\n")); ch != nil || err != nil {
		t.Errorf("settled: %v %v", ch, err)
	}
	// Without facts the probe's systemd=1 picks it too; use=systemd on a
	// host without systemd is an error.
	task = hostnameMk(t, m, nil, map[string]any{"name": "web1"})
	if ch, err := m.Plan(task, out("web1", "web1")); ch != nil || err != nil {
		t.Errorf("no facts: %v %v", ch, err)
	}
	task = hostnameMk(t, m, nil, map[string]any{"name": "web1", "use": "systemd"})
	noSD := probeOut("running:", "x", "f0.type", "absent", "f1.type", "absent", "f2.type", "absent", "systemd", "0", "os", "generic", "umask", "0022")
	if _, err := m.Plan(task, noSD); err == nil || !strings.Contains(err.Error(), "needs a running systemd") {
		t.Errorf("error %v", err)
	}
}

func TestHostnameArgs(t *testing.T) {
	t.Parallel()
	m := hostnameModule{}
	for name, want := range map[string]string{
		"":                      "name is empty",
		strings.Repeat("a", 65): "longer than 64",
		"a b":                   "is not a host name",
		"-x":                    "is not a host name",
		"a$(id)":                "is not a host name",
	} {
		task := &Task{Args: Args{"name": name}}
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", name, err, want)
		}
	}
	task := hostnameMk(t, m, nil, map[string]any{"name": "x", "use": "freebsd"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "use=freebsd is not supported yet") {
		t.Errorf("freebsd: %v", err)
	}
	if _, errs := m.Spec().Check(map[string]any{"name": "x", "use": "windows"}, false); len(errs) == 0 {
		t.Errorf("use=windows accepted")
	}
}
