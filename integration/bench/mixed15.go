package bench

// The mixed15 scenario is issue 14's "mixed 15-task playbook": files, copy,
// template, lineinfile, blockinfile, stat + when, command with creates, a
// link, and a role with handlers, facts off, everything under Root (so
// CleanScript undoes it). The role's handler runs in the first converge
// only.

// Mixed15Tasks is the number of tasks of the mixed15 playbook (the role's
// five included; its handler not).
const Mixed15Tasks = 15

const mixed15Playbook = `- hosts: all
  gather_facts: false
  vars:
    app: bench
    app_port: 8080
    users: [alice, bob, carol]
  roles:
    - app
  tasks:
    - name: conf dir
      file: {path: ` + Root + `/conf, state: directory, mode: "0755"}
    - name: data dir
      file: {path: ` + Root + `/data, state: directory, mode: "0750"}
    - name: motd
      copy: {content: "{{ app }} on {{ inventory_hostname }}\n", dest: ` + Root + `/conf/motd, mode: "0644"}
    - name: config
      template: {src: site.conf.j2, dest: ` + Root + `/conf/site.conf, mode: "0640"}
    - name: settings
      lineinfile: {path: ` + Root + `/conf/settings, line: "listen={{ app_port }}", create: true, mode: "0644"}
    - name: limits
      blockinfile:
        path: ` + Root + `/conf/limits
        create: true
        mode: "0644"
        block: |
          nofile 65536
          nproc 4096
    - name: config present
      stat: {path: ` + Root + `/conf/site.conf}
      register: site_conf
    - name: config stamp
      copy: {content: "checked\n", dest: ` + Root + `/conf/stamp, mode: "0644"}
      when: site_conf.stat.exists
    - name: initialise
      command: touch ` + Root + `/data/.initialised
      args: {creates: ` + Root + `/data/.initialised}
    - name: current
      file: {src: ` + Root + `/conf, dest: ` + Root + `/current, state: link}
`

const mixed15RoleTasks = `- name: app root
  file: {path: ` + Root + `, state: directory, mode: "0755"}
- name: app dir
  file: {path: ` + Root + `/app, state: directory, mode: "0755"}
- name: app config
  template: {src: app.ini.j2, dest: ` + Root + `/app/app.ini, mode: "0644"}
  notify: restart app
- name: app env
  copy: {content: "APP={{ app }}\nPORT={{ app_port }}\n", dest: ` + Root + `/app/env, mode: "0600"}
  notify: restart app
- name: app hosts
  lineinfile: {path: ` + Root + `/app/hosts, line: "{{ inventory_hostname }} {{ app }}", create: true, mode: "0644"}
`

const mixed15RoleHandlers = `- name: restart app
  command: touch ` + Root + `/app/restarted
`

const mixed15SiteTemplate = `# {{ app }} on {{ inventory_hostname }}
port = {{ app_port }}
{% for u in users %}
user.{{ loop.index }} = {{ u | upper }}
{% endfor %}
`

const mixed15AppTemplate = `[app]
name = {{ app }}
port = {{ app_port + 1 }}
`

// WriteMixed15 writes the mixed15 scenario into dir and returns its
// playbook's path.
func WriteMixed15(dir string) (string, error) {
	return writeFiles(dir, map[string]string{
		"site.yml":                       mixed15Playbook,
		"templates/site.conf.j2":         mixed15SiteTemplate,
		"roles/app/tasks/main.yml":       mixed15RoleTasks,
		"roles/app/handlers/main.yml":    mixed15RoleHandlers,
		"roles/app/templates/app.ini.j2": mixed15AppTemplate,
	})
}
