package integration

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"tend/integration/debrepo"
	"tend/integration/fleet"
	"tend/internal/testinit"
)

// The file modules converge a minimal busybox box the same way: its
// commands run under busybox sh with only busybox applets by name.
func TestBusyboxHostConverges(t *testing.T) {
	f := startFleet(t, 1, func(o *fleet.Options) { o.BusyboxHosts = 1 })
	scenario{
		name: "busybox files",
		playbook: `
- hosts: busybox
  tasks:
    - assert: {that: ["ansible_distribution == 'Buildroot'", "ansible_pkg_mgr == 'unknown'"]}
    - file: {path: /srv/bb/conf.d, state: directory, mode: "0750"}
    - copy: {content: "name={{ inventory_hostname }}\n", dest: /srv/bb/conf.d/name, mode: "0640"}
    - template: {src: app.j2, dest: /srv/bb/app.conf}
    - lineinfile: {path: /srv/bb/settings, regexp: '^port=', line: 'port=9090'}
    - file: {path: /srv/bb/current, state: link, src: /srv/bb/settings}
`,
		files: map[string]string{"templates/app.j2": "# {{ ansible_distribution }}\nport=80\n"},
		// Check mode cannot see what earlier tasks would create.
		setup: "mkdir -p /srv/bb/conf.d && printf 'port=80\n' > /srv/bb/settings",
		host:  0,
		verify: func(t *testing.T, h *fleet.Host) {
			if got := content(t, h, "/srv/bb/app.conf"); got != "# Buildroot\nport=80\n" {
				t.Errorf("app.conf: %q", got)
			}
			if got := content(t, h, "/srv/bb/settings"); got != "port=9090\n" {
				t.Errorf("settings: %q", got)
			}
			if m := mode(t, h, "/srv/bb/conf.d/name"); m.Perm() != 0o640 {
				t.Errorf("name: %v", m)
			}
			if got := content(t, h, "/srv/bb/conf.d/name"); !strings.Contains(got, h.Name) {
				t.Errorf("name: %q", got)
			}
		},
	}.run(t, f)
}

// localRepo builds a local apt repository of tiny packages that the fleet's
// hosts can read, and returns the setup that makes a host use it (and
// nothing else: there is no network during tests).
func localRepo(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tend-repo-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// apt reads file: repositories as its _apt user.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err = debrepo.BuildRepo(dir, []debrepo.Pkg{
		{Name: "tend-a", Version: "1.0", Files: map[string]string{"/usr/share/tend-a/hello": "hello from a\n"}},
		{Name: "tend-b", Version: "2.0", Depends: "tend-a (>= 1.0)", Files: map[string]string{"/usr/share/tend-b/hello": "hello from b\n"}},
		{Name: "tend-old", Version: "0.1", Files: map[string]string{"/etc/tend-old.conf": "old=1\n"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* && echo 'deb [trusted=yes] file:%s ./' > /etc/apt/sources.list.d/tend.list`, dir) +
		fmt.Sprintf(` && dpkg -i %s/tend-old_0.1_all.deb >/dev/null`, dir)
}

// hostRun runs a shell line on a fleet host through tend exec and returns
// its output.
func hostRun(t *testing.T, f *fleet.Fleet, h *fleet.Host, line string) string {
	t.Helper()
	r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, h.Name, "--", line)
	if r.code != 0 {
		t.Fatalf("%s: %s: %v", h.Name, line, r)
	}
	return r.stdout
}

// System state on a Debian host, all for real: packages through apt-get and
// dpkg from a local repository, groups and users through shadow's tools,
// cron through Debian's crontab, a managed block, the hostname, and a
// sysvinit service started and enabled.
func TestSystemStateOnDebian(t *testing.T) {
	f := startFleet(t, 1)
	setup := localRepo(t) + ` && groupadd -g 3000 deploy && mkdir -p /etc/app && printf 'a=1\n' > /etc/app/app.conf` +
		` && cat > /etc/init.d/tend-httpd <<'EOF'
` + testinit.HTTPD(18080, "/run/tend-httpd.pid", "/srv/tend-httpd") + `EOF
chmod 0755 /etc/init.d/tend-httpd`
	scenario{
		name: "system",
		playbook: `
- hosts: all
  tasks:
    # A fleet host's PID 1 is its sshd, which Ansible takes for the service
    # manager; the service task below then finds sysvinit by probing.
    - assert: {that: ["ansible_pkg_mgr == 'apt'", "ansible_service_mgr == 'sshd'", "ansible_os_family == 'Debian'"]}
    - apt: {name: [tend-a, tend-b], update_cache: true}
    - package: {name: tend-old, state: absent}
    - group: {name: deploy, gid: 3001}
    - group: {name: ops, gid: 3002}
    - user: {name: alice, uid: 3001, group: deploy, groups: [adm], shell: /bin/sh, comment: Alice}
    - user: {name: svc, system: true, create_home: false, shell: /usr/sbin/nologin}
    - cron: {name: nightly backup, minute: "5", hour: "3", job: "/usr/local/bin/backup"}
    - cron: {name: cleanup, special_time: daily, job: "find /tmp -mtime +7 -delete", cron_file: tend-cleanup, user: root}
    - blockinfile:
        path: /etc/app/app.conf
        block: |
          listen 8080
          workers 4
    - hostname: {name: web-01}
    - service: {name: tend-httpd, state: started, enabled: true}
`,
		setup: setup,
		verify: func(t *testing.T, h *fleet.Host) {
			status := hostRun(t, f, h, `dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' tend-a tend-b tend-old 2>&1; true`)
			for _, want := range []string{"tend-a ii", "tend-b ii"} {
				if !strings.Contains(status, want) {
					t.Errorf("dpkg: want %q in\n%s", want, status)
				}
			}
			if strings.Contains(status, "tend-old ii") {
				t.Errorf("tend-old still installed:\n%s", status)
			}
			if got := content(t, h, "/usr/share/tend-b/hello"); got != "hello from b\n" {
				t.Errorf("tend-b's file: %q", got)
			}
			if got := hostRun(t, f, h, "id alice"); !strings.Contains(got, "uid=3001(alice) gid=3001(deploy) groups=3001(deploy),4(adm)") {
				t.Errorf("id alice: %s", got)
			}
			if !strings.Contains(content(t, h, "/etc/group"), "ops:x:3002:") {
				t.Error("group ops missing")
			}
			if !h.Exists("/home/alice") || h.Exists("/home/svc") {
				t.Errorf("homes: alice %v svc %v", h.Exists("/home/alice"), h.Exists("/home/svc"))
			}
			if got := content(t, h, "/var/spool/cron/crontabs/root"); !strings.Contains(got, "#Ansible: nightly backup\n5 3 * * * /usr/local/bin/backup\n") {
				t.Errorf("root's crontab:\n%s", got)
			}
			if got := content(t, h, "/etc/cron.d/tend-cleanup"); !strings.Contains(got, "#Ansible: cleanup\n@daily root find /tmp -mtime +7 -delete\n") {
				t.Errorf("cron.d file:\n%s", got)
			}
			if got := content(t, h, "/etc/app/app.conf"); got != "a=1\n# BEGIN ANSIBLE MANAGED BLOCK\nlisten 8080\nworkers 4\n# END ANSIBLE MANAGED BLOCK\n" {
				t.Errorf("app.conf: %q", got)
			}
			if got := hostRun(t, f, h, "echo running=$(uname -n)"); !strings.Contains(got, "running=web-01\n") || content(t, h, "/etc/hostname") != "web-01\n" {
				t.Errorf("hostname: %q, /etc/hostname %q", got, content(t, h, "/etc/hostname"))
			}
			if got := hostRun(t, f, h, "/etc/init.d/tend-httpd status; ls /etc/rc2.d | grep tend-httpd"); !strings.Contains(got, "is running") || !strings.Contains(got, "S01tend-httpd") {
				t.Errorf("service: %q", got)
			}
		},
	}.run(t, f)
}

// Users, groups and cron jobs converge a busybox host, which has none of
// shadow's tools (tend edits the account files itself) and busybox's
// crontab.
func TestSystemStateOnBusybox(t *testing.T) {
	f := startFleet(t, 1, func(o *fleet.Options) { o.BusyboxHosts = 1 })
	scenario{
		name: "busybox system",
		playbook: `
- hosts: busybox
  tasks:
    - group: {name: app, gid: 4000}
    - user: {name: appuser, uid: 4001, group: app, shell: /bin/sh, home: /home/appuser}
    - user: {name: gone, state: absent, remove: true}
    - cron: {name: tick, minute: "*/5", job: "date >> /tmp/tick"}
    - cron: {name: tock, state: absent}
    - hostname: {name: tiny-box}
`,
		// A user, its home and a cron job for the playbook to remove.
		setup: `printf 'gone:x:4500:4500::/home/gone:/bin/sh\n' >> /etc/passwd && printf 'gone:x:4500:\n' >> /etc/group && mkdir -p /home/gone && chown 4500:4500 /home/gone && printf '#Ansible: tock\n0 * * * * true\n' | crontab -`,
		verify: func(t *testing.T, h *fleet.Host) {
			passwd, group := content(t, h, "/etc/passwd"), content(t, h, "/etc/group")
			if !strings.Contains(passwd, "\nappuser:x:4001:4000::/home/appuser:/bin/sh\n") || strings.Contains(passwd, "gone:") {
				t.Errorf("/etc/passwd:\n%s", passwd)
			}
			if !strings.Contains(group, "\napp:x:4000:\n") {
				t.Errorf("/etc/group:\n%s", group)
			}
			if st, err := h.Stat("/home/appuser"); err != nil || st.Sys().(*syscall.Stat_t).Uid != 4001 {
				t.Errorf("/home/appuser: %v %v", st, err)
			}
			if h.Exists("/home/gone") {
				t.Error("/home/gone survived remove: true")
			}
			if got := content(t, h, "/var/spool/cron/crontabs/root"); got != "#Ansible: tick\n*/5 * * * * date >> /tmp/tick\n" {
				t.Errorf("root's crontab: %q", got)
			}
			if got := content(t, h, "/etc/hostname"); got != "tiny-box\n" {
				t.Errorf("/etc/hostname: %q", got)
			}
		},
	}.run(t, f)
}

// A box with no package manager says what it is and what was looked for,
// before anything else of the play runs on it.
func TestPackageOnABoxWithoutAManager(t *testing.T) {
	f := startFleet(t, 1, func(o *fleet.Options) { o.BusyboxHosts = 1 })
	pb := writeFile(t, "site.yml", "- hosts: all\n  tasks:\n    - package: {name: nginx, state: present}\n")
	r, events := converge(t, f, pb)
	if r.code != 4 || len(events) != 1 || !strings.Contains(events[0].Msg,
		"package: no package manager found on the host (Buildroot 2024.02) (looked for apt-get, dnf, yum, apk, zypper, pacman)") {
		t.Errorf("exit %d, events %+v", r.code, events)
	}
}
