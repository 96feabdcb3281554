package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Root is where the scenario's files go. Besides them it makes a group, a
// user (whose home is under Root) and a cron file; CleanScript removes all
// of it, which makes the host fresh again for a first converge.
const Root = "/srv/bench"

// CleanScript undoes the scenario on a host (a shell command line).
const CleanScript = "rm -rf " + Root + " /etc/cron.d/bench; userdel bench 2>/dev/null; groupdel benchers 2>/dev/null; true"

// Tasks is the number of tasks in the scenario's playbook.
const Tasks = 30

// The scenario is what a real playbook does: directories, files with
// content, templates, lineinfile, a command guarded by creates, a group, a
// user, a cron job and packages that are already installed. The packages
// task names apt rather than package: Debian's Mitogen (0.3.3) fails on
// every host in Ansible's package action (mitogen-hq/mitogen#1034, fixed in
// 0.3.5), and the fleet's hosts are Debian.
const appTemplate = `# {{ app }} on {{ inventory_hostname }}, section {{ section }}
[app]
name = {{ app }}
port = {{ app_port + section }}
{% for u in users %}
user.{{ loop.index }} = {{ u | upper }}
{% endfor %}
`

// sections is how many times the block of six typical tasks repeats.
const sections = 4

// Playbook returns the scenario: one play of Tasks tasks on all hosts,
// facts off (both tools would otherwise spend most of a no-op run
// gathering them, which says little about converging).
func Playbook() string {
	var b strings.Builder
	fmt.Fprintf(&b, `- hosts: all
  gather_facts: false
  vars:
    app: bench
    app_port: 8080
    sections: %d
    users: [alice, bob, carol]
  tasks:
    - name: root
      file: {path: %s, state: directory, mode: "0755"}
`, sections, Root)
	for i := range sections {
		d := fmt.Sprintf("%s/s%d", Root, i)
		fmt.Fprintf(&b, `    - name: section %[1]d
      file: {path: %[2]s, state: directory, mode: "0755"}
    - name: motd %[1]d
      copy: {content: "section %[1]d of {{ app }}\n", dest: %[2]s/motd, mode: "0644"}
    - name: config %[1]d
      template: {src: app.conf.j2, dest: %[2]s/app.conf, mode: "0640"}
      vars: {section: %[1]d}
    - name: settings %[1]d
      lineinfile: {path: %[2]s/settings, line: "listen={{ app_port }}", create: true, mode: "0644"}
    - name: homes %[1]d
      file: {path: "%[2]s/{{ item }}", state: directory, mode: "0750"}
      loop: "{{ users }}"
    - name: initialise %[1]d
      command: touch %[2]s/.initialised
      args: {creates: %[2]s/.initialised}
`, i, d)
	}
	fmt.Fprintf(&b, `    - name: data file
      copy: {content: "%[2]s", dest: %[1]s/data.txt, mode: "0644"}
    - name: group
      group: {name: benchers, gid: 2900}
    - name: user
      user: {name: bench, uid: 2900, group: benchers, shell: /bin/sh, home: %[1]s/home/bench}
    - name: cron job
      cron: {name: bench tick, cron_file: bench, user: bench, minute: "*/15", job: "touch %[1]s/tick"}
    - name: packages
      apt: {name: [dash, sed], state: present}
`, Root, strings.Repeat(`line of data\n`, 300))
	return b.String()
}

// Write writes the scenario's playbook (site.yml) and templates into dir
// and returns the playbook's path.
func Write(dir string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		return "", err
	}
	files := map[string]string{
		"site.yml":              Playbook(),
		"templates/app.conf.j2": appTemplate,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "site.yml"), nil
}
