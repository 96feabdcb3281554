package modules

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tend/internal/testinit"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serves waits until something answers on the port (httpd binds after its
// init script returned); it fails the test after 10 s.
func serves(t *testing.T, port int) {
	t.Helper()
	for i := 0; i < 200; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing serves on port %d", port)
}

// notServing checks the port is closed: stop waits for the process to go.
func notServing(t *testing.T, port int) {
	t.Helper()
	if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
		c.Close()
		t.Fatalf("port %d still served", port)
	}
}

// svcTask builds a task for m (which has a root), as mkTask does.
func svcMk(t *testing.T, m serviceModule, facts map[string]any, raw map[string]any) *Task {
	t.Helper()
	args, errs := m.Spec().Check(raw, false)
	if len(errs) > 0 {
		t.Fatalf("%v: %v", raw, errs)
	}
	return &Task{Args: args, Facts: facts}
}

// sysvRoot makes a root with the httpd init script; it returns the root,
// the pid file and the port.
func sysvRoot(t *testing.T, dir string) (string, string, int) {
	t.Helper()
	root := filepath.Join(dir, "root")
	for _, d := range []string{"etc/init.d", "run", "srv"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	pidfile := filepath.Join(root, "run/tend-httpd.pid")
	script := filepath.Join(root, "etc/init.d/tend-httpd")
	writeFile(t, script, testinit.HTTPD(port, pidfile, filepath.Join(root, "srv/www")), 0o755)
	t.Cleanup(func() {
		// Never leave a daemon behind, whatever the test did.
		exec.Command(script, "stop").Run()
	})
	return root, pidfile, port
}

func rcLinksOf(t *testing.T, root, name string) []string {
	t.Helper()
	var out []string
	for _, rl := range []string{"2", "3", "4", "5"} {
		dir := filepath.Join(root, "etc/rc"+rl+".d")
		ents, _ := os.ReadDir(dir) // not Glob: the root's name holds [a]
		for _, e := range ents {
			if ok, _ := filepath.Match("[SK][0-9][0-9]"+name, e.Name()); !ok {
				continue
			}
			m := filepath.Join(dir, e.Name())
			target, err := os.Readlink(m)
			if err != nil || target != "../init.d/"+name {
				t.Errorf("%s: link to %q (%v)", m, target, err)
			}
			out = append(out, "rc"+rl+".d/"+filepath.Base(m))
		}
	}
	return out
}

var sysvFacts = map[string]any{"ansible_service_mgr": "sysvinit"}

func TestServiceSysvinitConverges(t *testing.T) {
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root, pidfile, port := sysvRoot(t, hostileDir(t))
			m := serviceModule{root: root}

			// Started and enabled: a real start, and S links.
			task := svcMk(t, m, sysvFacts, map[string]any{"name": "tend-httpd", "state": "started", "enabled": true})
			ch, res := converge(t, sh, m, task)
			if !hasDiff(ch, "state", "stopped", "started") || !hasDiff(ch, "enabled", "false", "true") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if res["changed"] != true || res["state"] != "started" || res["enabled"] != true || res["name"] != "tend-httpd" {
				t.Errorf("result %v", res)
			}
			serves(t, port)
			if got := strings.Join(rcLinksOf(t, root, "tend-httpd"), " "); got != "rc2.d/S01tend-httpd rc3.d/S01tend-httpd rc4.d/S01tend-httpd rc5.d/S01tend-httpd" {
				t.Errorf("links %s", got)
			}
			rep := settled(t, sh, m, task)
			if rep["state"] != "started" || rep["enabled"] != true {
				t.Errorf("report %v", rep)
			}

			// Restarted always acts, and gets a new process.
			pid1 := readFile(t, pidfile)
			rtask := svcMk(t, m, sysvFacts, map[string]any{"name": "tend-httpd", "state": "restarted"})
			ch, _, err := probePlan(t, sh, m, rtask)
			if err != nil || ch == nil || !hasDiff(ch, "state", "started", "restarted") {
				t.Fatalf("restart plan %v %v", ch, err)
			}
			if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
				t.Fatalf("restart: %s", out.Stderr)
			}
			if pid2 := readFile(t, pidfile); pid2 == pid1 {
				t.Errorf("restart kept pid %s", pid1)
			}
			serves(t, port)

			// Stopped and disabled: the port closes, S links become K links.
			task = svcMk(t, m, sysvFacts, map[string]any{"name": "tend-httpd", "state": "stopped", "enabled": false})
			ch, res = converge(t, sh, m, task)
			if !hasDiff(ch, "state", "started", "stopped") || !hasDiff(ch, "enabled", "true", "false") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if res["state"] != "stopped" || res["enabled"] != false {
				t.Errorf("result %v", res)
			}
			notServing(t, port)
			if got := strings.Join(rcLinksOf(t, root, "tend-httpd"), " "); got != "rc2.d/K01tend-httpd rc3.d/K01tend-httpd rc4.d/K01tend-httpd rc5.d/K01tend-httpd" {
				t.Errorf("links %s", got)
			}

			// Reloaded on a stopped service starts it (Ansible).
			rtask = svcMk(t, m, sysvFacts, map[string]any{"name": "tend-httpd", "state": "reloaded"})
			ch, _, err = probePlan(t, sh, m, rtask)
			if err != nil || ch == nil || !hasDiff(ch, "state", "stopped", "started") {
				t.Fatalf("reload plan %v %v", ch, err)
			}
			if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
				t.Fatalf("reload: %s", out.Stderr)
			}
			res, _ = ch.Result(Output{})
			if res["state"] != "started" {
				t.Errorf("reload result %v", res)
			}
			serves(t, port)

			// pattern: ps stands in for status.
			ptask := svcMk(t, m, sysvFacts, map[string]any{"name": "tend-httpd", "state": "stopped", "pattern": "httpd -f -p 127.0.0.1:" + fmt.Sprint(port)})
			converge(t, sh, m, ptask)
			notServing(t, port)

			// Without facts the probe finds sysvinit (no systemd, no OpenRC
			// here); a missing service is an error.
			if _, err := exec.LookPath("rc-service"); err == nil {
				t.Skip("OpenRC is installed: detection would find it")
			}
			dtask := svcMk(t, m, nil, map[string]any{"name": "tend-httpd", "enabled": false})
			_, out, err := probePlan(t, sh, m, dtask)
			if err != nil || !strings.HasPrefix(string(out.Stdout), "mgr=sysvinit\n") {
				t.Errorf("detection: %v %q", err, out.Stdout)
			}
			planErr(t, sh, m, svcMk(t, m, nil, map[string]any{"name": "nope", "state": "started"}), "Could not find the requested service nope: host (no /etc/init.d/nope)")
		})
	}
}

// A failing start is a failed result with the script's output.
func TestServiceSysvinitStartFails(t *testing.T) {
	sh := shells(t)[0]
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/init.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "etc/init.d/broken"), "#!/bin/sh\ncase $1 in status) exit 3;; start) echo 'cannot bind' >&2; exit 1;; esac\n", 0o755)
	m := serviceModule{root: root}
	task := svcMk(t, m, sysvFacts, map[string]any{"name": "broken", "state": "started"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	out := sh.run(t, ch.Apply)
	res, err := ch.Result(out)
	if err != nil || res["failed"] != true || !strings.Contains(res["msg"].(string), "Unable to start service broken (exit status 1): cannot bind") {
		t.Fatalf("result %v %v", res, err)
	}
}

// A script without a status action is asked of pidof; one that is not
// executable is refused.
func TestServiceSysvinitNoStatus(t *testing.T) {
	sh := shells(t)[0]
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/init.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "etc/init.d/tend-nothing-runs-as-this"), "#!/bin/sh\nexit 0\n", 0o755)
	writeFile(t, filepath.Join(root, "etc/init.d/noexec"), "#!/bin/sh\nexit 0\n", 0o644)
	m := serviceModule{root: root}
	task := svcMk(t, m, sysvFacts, map[string]any{"name": "tend-nothing-runs-as-this", "state": "started"})
	ch, out, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil || !strings.Contains(string(out.Stdout), "pidof=0\n") || !hasDiff(ch, "state", "stopped", "started") {
		t.Fatalf("%v %v %q", ch, err, out.Stdout)
	}
	planErr(t, sh, m, svcMk(t, m, sysvFacts, map[string]any{"name": "noexec", "state": "started"}), "/etc/init.d/noexec is not executable")
}

// systemctl --root works without a running systemd: enable, disable, mask
// and unmask run for real on a root with a unit file.
func TestSystemdUnitFilesOffline(t *testing.T) {
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Skip("no systemctl")
	}
	for _, sh := range matrix(t) {
		if sh.name == "busybox" {
			continue // systemctl is not a busybox applet
		}
		t.Run(sh.name, func(t *testing.T) {
			root := t.TempDir()
			unitDir := filepath.Join(root, "usr/lib/systemd/system")
			if err := os.MkdirAll(unitDir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(unitDir, "tend-test.service"), "[Unit]\nDescription=t\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n", 0o644)
			m := serviceModule{systemd: true, root: root}
			wants := filepath.Join(root, "etc/systemd/system/multi-user.target.wants/tend-test.service")

			task := svcMk(t, m, nil, map[string]any{"name": "tend-test", "enabled": true})
			ch, res := converge(t, sh, m, task)
			if !hasDiff(ch, "enabled", "false", "true") || res["enabled"] != true || res["name"] != "tend-test" {
				t.Errorf("%v %v", ch.Diffs, res)
			}
			if _, err := os.Lstat(wants); err != nil {
				t.Errorf("not enabled: %v", err)
			}
			// The service module takes systemd from the facts.
			sm := serviceModule{root: root}
			stask := svcMk(t, sm, map[string]any{"ansible_service_mgr": "systemd"}, map[string]any{"name": "tend-test", "enabled": false})
			converge(t, sh, sm, stask)
			if _, err := os.Lstat(wants); err == nil {
				t.Errorf("still enabled")
			}

			mask := svcMk(t, m, nil, map[string]any{"name": "tend-test", "masked": true})
			ch, _ = converge(t, sh, m, mask)
			if !hasDiff(ch, "masked", "false", "true") {
				t.Errorf("%v", ch.Diffs)
			}
			if l, _ := os.Readlink(filepath.Join(root, "etc/systemd/system/tend-test.service")); l != "/dev/null" {
				t.Errorf("mask link %q", l)
			}
			converge(t, sh, m, svcMk(t, m, nil, map[string]any{"name": "tend-test", "masked": false}))

			planErr(t, sh, m, svcMk(t, m, nil, map[string]any{"name": "nope", "enabled": true}), "Could not find the requested service nope: host")
			planErr(t, sh, m, svcMk(t, m, nil, map[string]any{"name": "tend-test", "state": "started"}), "systemd is not running on this host")
		})
	}
}
