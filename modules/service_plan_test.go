package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// probeOut builds what a service probe prints: "key=value" pairs, and
// blobs for keys given as "key:" with the text as the probe captures it
// ($(...) cuts trailing newlines).
func probeOut(kv ...string) Output {
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		if strings.HasSuffix(k, ":") {
			v = strings.TrimRight(v, "\n")
			fmt.Fprintf(&b, "%s%d\n%s\n", k, len(v), v)
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return Output{Stdout: []byte(b.String())}
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/service", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// systemdLive is the probe of a host where systemd runs.
func systemdLive(t *testing.T, show, isEnabled string, enabledRC int) Output {
	return probeOut("mgr", "systemd", "live", "1", "show_rc", "0", "show:", testdata(t, show),
		"enabled_rc", fmt.Sprint(enabledRC), "is_enabled:", isEnabled)
}

func planSvc(t *testing.T, name string, facts, raw map[string]any, probe Output) (*Change, error) {
	t.Helper()
	m, task := mkTask(t, name, raw)
	task.Facts = facts
	script, err := m.Probe(task)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	mustParse(t, script)
	ch, err := m.Plan(task, probe)
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, err
}

// lines are the apply's lines after its helper functions, which come first.
func applyLines(ch *Change) []string {
	var out []string
	for _, l := range strings.Split(ch.Apply, "\n") {
		if strings.HasPrefix(l, "tend_run ") || strings.HasPrefix(l, "tend_rclinks ") {
			out = append(out, l)
		}
	}
	return out
}

func TestSystemdPlan(t *testing.T) {
	t.Parallel()
	sd := map[string]any{"ansible_service_mgr": "systemd"}
	cases := []struct {
		name     string
		module   string
		args     map[string]any
		probe    func(t *testing.T) Output
		diffs    []string // attr:before>after
		lines    []string
		state    string // the result's
		changed  bool
		wantErr  string
		noChange bool
	}{
		{name: "running and enabled", module: "systemd", args: map[string]any{"name": "ssh", "state": "started", "enabled": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "enabled", 0) }, noChange: true},
		{name: "stop", module: "service", args: map[string]any{"name": "ssh", "state": "stopped"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "enabled", 0) },
			diffs: []string{"state:started>stopped"}, lines: []string{`tend_run 'Unable to stop service ssh' systemctl stop -- "$tend_n"`}, state: "stopped", changed: true},
		{name: "restart a running one", module: "systemd", args: map[string]any{"name": "ssh", "state": "restarted"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "enabled", 0) },
			diffs: []string{"state:started>restarted"}, lines: []string{`tend_run 'Unable to restart service ssh' systemctl restart -- "$tend_n"`}, state: "started", changed: true},
		{name: "reload a running one", module: "systemd", args: map[string]any{"name": "ssh", "state": "reloaded", "force": true, "no_block": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "enabled", 0) },
			diffs: []string{"state:started>reloaded"}, lines: []string{`tend_run 'Unable to reload service ssh' systemctl --force --no-block reload -- "$tend_n"`}, state: "started", changed: true},
		{name: "start and enable", module: "systemd", args: map[string]any{"name": "cron", "state": "started", "enabled": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) },
			diffs: []string{"enabled:false>true", "state:stopped>started"},
			lines: []string{`tend_run 'Unable to enable service cron' systemctl enable -- "$tend_n"`, `tend_run 'Unable to start service cron' systemctl start -- "$tend_n"`}, state: "started", changed: true},
		{name: "reloaded starts a stopped one", module: "systemd", args: map[string]any{"name": "cron", "state": "reloaded"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) },
			diffs: []string{"state:stopped>started"}, lines: []string{`tend_run 'Unable to start service cron' systemctl start -- "$tend_n"`}, state: "started", changed: true},
		{name: "stopped already", module: "systemd", args: map[string]any{"name": "cron", "state": "stopped", "enabled": false},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) }, noChange: true},
		{name: "deactivating is stopped again", module: "systemd", args: map[string]any{"name": "old", "state": "stopped"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-multiline-exec.txt", "enabled", 0) },
			diffs: []string{"state:stopped>stopped"}, lines: []string{`tend_run 'Unable to stop service old' systemctl stop -- "$tend_n"`}, state: "stopped", changed: true},
		{name: "static counts as enabled", module: "systemd", args: map[string]any{"name": "ssh", "enabled": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "static", 0) }, noChange: true},
		{name: "indirect is not enabled", module: "systemd", args: map[string]any{"name": "ssh", "enabled": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-ssh-active.txt", "indirect", 0) },
			diffs: []string{"enabled:false>true"}, lines: []string{`tend_run 'Unable to enable service ssh' systemctl enable -- "$tend_n"`}, changed: true},
		{name: "unmask then enable", module: "systemd", args: map[string]any{"name": "cron", "masked": false, "enabled": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "masked", 1) },
			diffs: []string{"masked:true>false", "enabled:false>true"},
			lines: []string{`tend_run 'Unable to unmask service cron' systemctl unmask -- "$tend_n"`, `tend_run 'Unable to enable service cron' systemctl enable -- "$tend_n"`}, changed: true},
		{name: "mask an unknown unit", module: "systemd", args: map[string]any{"name": "nope", "masked": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-nope.txt", "", 1) },
			diffs: []string{"masked:false>true"}, lines: []string{`tend_run 'Unable to mask service nope' systemctl mask -- "$tend_n"`}, changed: true},
		{name: "unknown unit", module: "systemd", args: map[string]any{"name": "nope", "state": "started"},
			probe:   func(t *testing.T) Output { return systemdLive(t, "systemctl-show-nope.txt", "", 1) },
			wantErr: "Could not find the requested service nope: host (systemd knows no unit nope)"},
		{name: "daemon_reload alone", module: "systemd", args: map[string]any{"daemon_reload": true},
			probe: func(t *testing.T) Output { return probeOut("mgr", "systemd") },
			diffs: []string{"daemon-reload:>run"}, lines: []string{`tend_run 'Unable to run daemon-reload' systemctl daemon-reload`}, changed: false},
		{name: "daemon_reload first", module: "systemd_service", args: map[string]any{"name": "cron", "daemon-reload": true, "state": "restarted"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) },
			diffs: []string{"daemon-reload:>run", "state:stopped>started"},
			lines: []string{`tend_run 'Unable to run daemon-reload' systemctl daemon-reload`, `tend_run 'Unable to start service cron' systemctl start -- "$tend_n"`}, state: "started", changed: true},
		{name: "systemd not booted", module: "systemd", args: map[string]any{"name": "ssh", "state": "started"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "systemd", "live", "1", "show_rc", "1", "show:", testdata(t, "systemctl-not-booted.txt"), "enabled_rc", "0", "is_enabled:", "enabled")
			},
			wantErr: "systemctl show ssh failed (exit status 1): System has not been booted with systemd"},
		{name: "no systemctl", module: "service", args: map[string]any{"name": "ssh", "enabled": true},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "systemd", "live", "0", "enabled_rc", "127", "is_enabled:", "")
			},
			wantErr: "systemctl not found on the host"},
		{name: "offline state", module: "systemd", args: map[string]any{"name": "ssh", "state": "started"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "systemd", "live", "0", "enabled_rc", "0", "is_enabled:", "enabled")
			},
			wantErr: "systemd is not running on this host"},
		{name: "user scope", module: "systemd", args: map[string]any{"name": "syncthing", "state": "started", "enabled": true, "scope": "user", "no_block": true},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) },
			diffs: []string{"enabled:false>true", "state:stopped>started"},
			lines: []string{`tend_run 'Unable to enable service syncthing' systemctl --user --no-block enable -- "$tend_n"`,
				`tend_run 'Unable to start service syncthing' systemctl --user --no-block start -- "$tend_n"`}, state: "started", changed: true},
		{name: "global scope enables", module: "systemd", args: map[string]any{"name": "pipewire", "enabled": true, "scope": "global"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "systemd", "live", "0", "enabled_rc", "1", "is_enabled:", "disabled")
			},
			diffs: []string{"enabled:false>true"}, lines: []string{`tend_run 'Unable to enable service pipewire' systemctl --global enable -- "$tend_n"`}, changed: true},
		{name: "global scope has no state", module: "systemd", args: map[string]any{"name": "pipewire", "state": "started", "scope": "global"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "systemd", "live", "0", "enabled_rc", "0", "is_enabled:", "enabled")
			},
			wantErr: "Service is in unknown state: scope=global"},
		{name: "user daemon_reload alone", module: "systemd", args: map[string]any{"daemon_reload": true, "scope": "user"},
			probe: func(t *testing.T) Output { return probeOut("mgr", "systemd") },
			diffs: []string{"daemon-reload:>run"}, lines: []string{`tend_run 'Unable to run daemon-reload' systemctl --user daemon-reload`}, changed: false},
		{name: "service hands systemd's arguments on", module: "service", args: map[string]any{"name": "cron", "daemon_reload": true, "state": "started"},
			probe: func(t *testing.T) Output { return systemdLive(t, "systemctl-show-cron-inactive.txt", "disabled", 1) },
			diffs: []string{"daemon-reload:>run", "state:stopped>started"},
			lines: []string{`tend_run 'Unable to run daemon-reload' systemctl daemon-reload`, `tend_run 'Unable to start service cron' systemctl start -- "$tend_n"`}, state: "started", changed: true},
		{name: "probe output cut short", module: "systemd", args: map[string]any{"name": "ssh", "state": "started"},
			probe:   func(t *testing.T) Output { return probeOut("mgr", "systemd", "live", "1") },
			wantErr: "probe output lacks enabled_rc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := planSvc(t, c.module, sd, c.args, c.probe(t))
			checkSvcPlan(t, ch, err, c.wantErr, c.noChange, c.diffs, c.lines)
			if ch == nil {
				return
			}
			res, err := ch.Result(Output{})
			if err != nil || res["changed"] != c.changed {
				t.Errorf("result %v %v", res, err)
			}
			if c.state != "" && res["state"] != c.state {
				t.Errorf("result state %v, want %s", res["state"], c.state)
			}
		})
	}
}

func checkSvcPlan(t *testing.T, ch *Change, err error, wantErr string, noChange bool, diffs, lines []string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if noChange {
		if ch != nil {
			t.Fatalf("change %v", ch.Diffs)
		}
		return
	}
	if ch == nil {
		t.Fatal("no change")
	}
	var got []string
	for _, d := range ch.Diffs {
		got = append(got, d.Attr+":"+d.Before+">"+d.After)
	}
	if strings.Join(got, " ") != strings.Join(diffs, " ") {
		t.Errorf("diffs %q, want %q", got, diffs)
	}
	if gl := applyLines(ch); strings.Join(gl, "\n") != strings.Join(lines, "\n") {
		t.Errorf("apply lines\n%s\nwant\n%s", strings.Join(gl, "\n"), strings.Join(lines, "\n"))
	}
}

// The status a systemd task registers is systemctl show's, read as
// Ansible's parse_systemctl_show does.
func TestSystemdStatus(t *testing.T) {
	t.Parallel()
	m, task := mkTask(t, "systemd", map[string]any{"name": "ssh", "state": "started"})
	res, err := m.(Reporter).Report(task, systemdLive(t, "systemctl-show-ssh-active.txt", "enabled", 0))
	if err != nil {
		t.Fatal(err)
	}
	st := res["status"].(map[string]any)
	if st["MainPID"] != "612" || st["ActiveState"] != "active" || !strings.HasPrefix(st["ExecStart"].(string), "{ path=/usr/sbin/sshd ;") {
		t.Errorf("status %v", st)
	}
	if res["changed"] != false || res["name"] != "ssh" || res["state"] != "started" {
		t.Errorf("result %v", res)
	}
	p := parseSystemctlShow(testdata(t, "systemctl-show-multiline-exec.txt"))
	if p["ExecStart"] != "{ path=/usr/bin/old ; argv[]=/usr/bin/old\n  --flag ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }" || p["Description"] != "an old systemd that wrapped Exec lines" {
		t.Errorf("multi-line: %q", p)
	}
}

func openrcOut(t *testing.T, status string, statusRC int) Output {
	return probeOut("mgr", "openrc", "exists_rc", "0", "status_rc", fmt.Sprint(statusRC), "status:", testdata(t, status),
		"update_rc", "0", "update:", testdata(t, "rc-update-show.txt"))
}

func TestOpenRCPlan(t *testing.T) {
	t.Parallel()
	orc := map[string]any{"ansible_service_mgr": "openrc"}
	cases := []struct {
		name     string
		args     map[string]any
		probe    func(t *testing.T) Output
		diffs    []string
		lines    []string
		wantErr  string
		noChange bool
	}{
		{name: "started and enabled", args: map[string]any{"name": "sshd", "state": "started", "enabled": true},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) }, noChange: true},
		{name: "start and add", args: map[string]any{"name": "nginx", "state": "started", "enabled": true, "arguments": "--quiet 'a b'"},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-stopped.txt", 3) },
			diffs: []string{"enabled:false>true", "state:stopped>started"},
			lines: []string{`tend_run 'Unable to enable service nginx' rc-update add "$tend_n" default`, `tend_run 'Unable to start service nginx' rc-service "$tend_n" start --quiet 'a b'`}},
		{name: "crashed is zapped first", args: map[string]any{"name": "crond", "state": "started"},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-crashed.txt", 32) },
			diffs: []string{"state:stopped>started"},
			lines: []string{`tend_run 'Unable to start service crond' rc-service "$tend_n" zap`, `tend_run 'Unable to start service crond' rc-service "$tend_n" start`}},
		{name: "systemd's arguments are refused", args: map[string]any{"name": "sshd", "state": "started", "daemon_reload": true, "no_block": false},
			probe:   func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) },
			wantErr: "Unsupported parameters for (ansible.legacy.service) module: daemon_reload, no_block. Supported parameters include: arguments, enabled, name, pattern, runlevel, sleep, state (args)."},
		{name: "runlevel boot", args: map[string]any{"name": "sshd", "enabled": true, "runlevel": "boot"},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) }, noChange: true},
		{name: "not in runlevel boot", args: map[string]any{"name": "crond", "enabled": true, "runlevel": "boot"},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) },
			diffs: []string{"enabled:false>true"}, lines: []string{`tend_run 'Unable to enable service crond' rc-update add "$tend_n" boot`}},
		{name: "delete", args: map[string]any{"name": "sshd", "enabled": false},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) },
			diffs: []string{"enabled:true>false"}, lines: []string{`tend_run 'Unable to disable service sshd' rc-update del "$tend_n" default`}},
		{name: "restart", args: map[string]any{"name": "sshd", "state": "restarted"},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-started.txt", 0) },
			diffs: []string{"state:started>restarted"}, lines: []string{`tend_run 'Unable to restart service sshd' rc-service "$tend_n" restart`}},
		{name: "pattern", args: map[string]any{"name": "sshd", "state": "stopped", "pattern": "sshd: /usr/sbin"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "openrc", "exists_rc", "0", "ps:", "/sbin/init\nsshd: /usr/sbin/sshd [listener] 0 of 10-100 startups\n",
					"update_rc", "0", "update:", testdata(t, "rc-update-show.txt"))
			},
			diffs: []string{"state:started>stopped"}, lines: []string{`tend_run 'Unable to stop service sshd' rc-service "$tend_n" stop`}},
		{name: "pattern not running", args: map[string]any{"name": "sshd", "state": "stopped", "pattern": "sshd: /usr/sbin"},
			probe: func(t *testing.T) Output {
				return probeOut("mgr", "openrc", "exists_rc", "0", "ps:", "/sbin/init\nsh -c run pattern=sshd: /usr/sbin\n",
					"update_rc", "0", "update:", testdata(t, "rc-update-show.txt"))
			}, noChange: true},
		{name: "a longer name is another service", args: map[string]any{"name": "nginx", "enabled": false},
			probe: func(t *testing.T) Output { return openrcOut(t, "rc-service-status-stopped.txt", 3) }, noChange: true},
		{name: "unknown", args: map[string]any{"name": "nope", "state": "started"},
			probe:   func(t *testing.T) Output { return probeOut("mgr", "openrc", "exists_rc", "1") },
			wantErr: "Could not find the requested service nope: host (rc-service --exists nope says no)"},
		{name: "no rc-service", args: map[string]any{"name": "x", "state": "started"},
			probe:   func(t *testing.T) Output { return probeOut("mgr", "openrc", "exists_rc", "127") },
			wantErr: "rc-service not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := planSvc(t, "service", orc, c.args, c.probe(t))
			checkSvcPlan(t, ch, err, c.wantErr, c.noChange, c.diffs, c.lines)
		})
	}
}

// The sysvinit tools that cannot run here (they would change this
// machine's /etc) are planned from the probe's records.
func TestSysvinitToolsPlan(t *testing.T) {
	t.Parallel()
	sv := map[string]any{"ansible_service_mgr": "sysvinit"}
	out := func(tool string, enabled, links string) Output {
		return probeOut("mgr", "sysvinit", "exists", "1", "exec", "1", "status_rc", "3", "enabled", enabled, "links", links, "tool", tool)
	}
	cases := []struct {
		name  string
		args  map[string]any
		probe Output
		diffs []string
		lines []string
	}{
		{"update-rc.d without links", map[string]any{"name": "x", "enabled": true}, out("update-rc.d", "0", "0"), []string{"enabled:false>true"},
			[]string{`tend_run 'Unable to enable service x' update-rc.d "$tend_n" defaults`, `tend_run 'Unable to enable service x' update-rc.d "$tend_n" enable`}},
		{"update-rc.d with K links", map[string]any{"name": "x", "enabled": true}, out("update-rc.d", "0", "1"), []string{"enabled:false>true"},
			[]string{`tend_run 'Unable to enable service x' update-rc.d "$tend_n" enable`}},
		{"update-rc.d disable", map[string]any{"name": "x", "enabled": false}, out("update-rc.d", "1", "1"), []string{"enabled:true>false"},
			[]string{`tend_run 'Unable to disable service x' update-rc.d "$tend_n" disable`}},
		{"chkconfig", map[string]any{"name": "x", "enabled": true}, out("chkconfig", "0", "0"), []string{"enabled:false>true"},
			[]string{`tend_run 'Unable to enable service x' chkconfig --add "$tend_n"`, `tend_run 'Unable to enable service x' chkconfig "$tend_n" on`}},
		{"chkconfig off", map[string]any{"name": "x", "enabled": false}, out("chkconfig", "1", "1"), []string{"enabled:true>false"},
			[]string{`tend_run 'Unable to disable service x' chkconfig "$tend_n" off`}},
		{"restart with sleep", map[string]any{"name": "x", "state": "restarted", "sleep": 2}, probeOut("mgr", "sysvinit", "exists", "1", "exec", "1", "status_rc", "0", "enabled", "1", "links", "1", "tool", "links"),
			[]string{"state:started>restarted"}, []string{`tend_run 'Unable to restart service x' "$tend_i" start`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := planSvc(t, "service", sv, c.args, c.probe)
			checkSvcPlan(t, ch, err, "", false, c.diffs, c.lines)
			if c.name == "restart with sleep" && !strings.Contains(ch.Apply, "\"$tend_i\" stop </dev/null >/dev/null 2>&1 || :\nsleep 2\n") {
				t.Errorf("restart is not stop, sleep, start:\n%s", ch.Apply)
			}
		})
	}
}

func TestServiceArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		module string
		args   map[string]any
		facts  map[string]any
		want   string
	}{
		{"service", map[string]any{"name": "../x", "state": "started"}, nil, `name "../x" is not a service name`},
		{"service", map[string]any{"name": "-x", "state": "started"}, nil, `is not a service name`},
		{"service", map[string]any{"name": "x", "state": "started", "use": "upstart"}, nil, `service manager "upstart" is not supported (tend drives openrc, systemd, sysvinit)`},
		{"systemd", map[string]any{"state": "started"}, nil, "name is required with state, enabled or masked"},
		{"systemd", map[string]any{"name": "x*", "enabled": true}, nil, "does not currently support using glob patterns"},
		{"service", map[string]any{"name": "x", "state": "started", "arguments": "'unclosed"}, nil, "arguments:"},
	} {
		m, task := mkTask(t, c.module, c.args)
		task.Facts = c.facts
		_, err := m.Probe(task)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want %q", c.module, c.args, err, c.want)
		}
	}
	// A service_mgr fact tend has no backend for (PID 1 is sshd, runit)
	// leaves the choice to the probe, as Ansible falls back to its
	// generic service module.
	m, task := mkTask(t, "service", map[string]any{"name": "x", "state": "started"})
	task.Facts = map[string]any{"ansible_service_mgr": "sshd"}
	if _, err := m.Probe(task); err != nil {
		t.Errorf("service_mgr sshd: %v", err)
	}
	// Spec-level checks: one of state and enabled, known states.
	for _, c := range []struct {
		module string
		args   map[string]any
		want   string
	}{
		{"service", map[string]any{"name": "x"}, `one of "state", "enabled", "masked", "daemon_reload", "daemon_reexec" is required`},
		{"service", map[string]any{"name": "x", "state": "running"}, `state must be one of`},
		{"systemd", map[string]any{"name": "x"}, `one of "state", "enabled", "masked", "daemon_reload", "daemon_reexec" is required`},
		{"service", map[string]any{"name": "x", "state": "started", "scope": "users"}, `scope must be one of`},
	} {
		m, _ := Lookup(c.module)
		_, errs := m.Spec().Check(c.args, false)
		if len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), c.want) {
			t.Errorf("%s %v: %v, want %q", c.module, c.args, errs, c.want)
		}
	}
}

// Every probe variant is POSIX sh; without a fact, the probe tries the
// managers in order.
func TestServiceProbes(t *testing.T) {
	t.Parallel()
	for _, facts := range []map[string]any{nil, {"ansible_service_mgr": "systemd"}, {"ansible_service_mgr": "openrc"}, {"ansible_service_mgr": "sysvinit"}} {
		for _, args := range []map[string]any{
			{"name": "x y", "state": "started"},
			{"name": "x", "enabled": true, "pattern": "x -d"},
		} {
			for _, root := range []string{"", "/tmp/r o'ot"} {
				m := serviceModule{root: root}
				task := svcMk(t, m, facts, args)
				s, err := m.Probe(task)
				if err != nil {
					t.Fatal(err)
				}
				mustParse(t, s)
				if facts == nil && !strings.Contains(s, `if [ -d "$tend_r/run/systemd/system" ]; then`+"\nprintf 'mgr=%s\\n' systemd") {
					t.Errorf("detection missing:\n%s", s)
				}
				if root != "" && strings.Contains(s, "update-rc.d") {
					t.Errorf("a probe with a root looks for update-rc.d")
				}
			}
		}
	}
}
