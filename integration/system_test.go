package integration

import (
	"strings"
	"testing"

	"tend/integration/fleet"
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
