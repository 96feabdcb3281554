package bench

import (
	"fmt"
	"strings"
)

// The tasks200 scenario is issue 14's 200-task playbook: 20 sections of ten
// usual tasks (a directory, copy, template, lineinfile, blockinfile, stat,
// a copy when the stat says so, command with creates, a link, a mode),
// facts off, everything under Root (the first directory makes it). What a
// host's no-op costs should not grow with the number of tasks; this
// scenario shows whether it does.

// Tasks200 is the number of tasks of the tasks200 playbook.
const Tasks200 = 200

// tasks200Sections times the ten tasks of a section is Tasks200.
const tasks200Sections = 20

const tasks200Template = `# section {{ section }} on {{ inventory_hostname }}
port = {{ 8000 + section }}
`

// Tasks200Playbook returns the tasks200 playbook.
func Tasks200Playbook() string {
	var b strings.Builder
	b.WriteString("- hosts: all\n  gather_facts: false\n  tasks:\n")
	for i := range tasks200Sections {
		d := fmt.Sprintf("%s/s%02d", Root, i)
		fmt.Fprintf(&b, `    - name: dir %[1]d
      file: {path: %[2]s, state: directory, mode: "0755"}
    - name: motd %[1]d
      copy: {content: "section %[1]d\n", dest: %[2]s/motd, mode: "0644"}
    - name: config %[1]d
      template: {src: t.j2, dest: %[2]s/t.conf, mode: "0644"}
      vars: {section: %[1]d}
    - name: settings %[1]d
      lineinfile: {path: %[2]s/settings, line: "listen=%[1]d", create: true, mode: "0644"}
    - name: block %[1]d
      blockinfile: {path: %[2]s/block, block: "k=%[1]d\n", create: true, mode: "0644"}
    - name: stat %[1]d
      stat: {path: %[2]s/motd}
      register: st%[1]d
    - name: stamp %[1]d
      copy: {content: "s\n", dest: %[2]s/stamp}
      when: st%[1]d.stat.exists
    - name: initialise %[1]d
      command: touch %[2]s/.initialised
      args: {creates: %[2]s/.initialised}
    - name: link %[1]d
      file: {src: %[2]s, dest: %[2]s.link, state: link}
    - name: stamp mode %[1]d
      file: {path: %[2]s/stamp, mode: "0600"}
`, i, d)
	}
	return b.String()
}

// WriteTasks200 writes the tasks200 scenario into dir and returns its
// playbook's path.
func WriteTasks200(dir string) (string, error) {
	return writeFiles(dir, map[string]string{
		"site.yml":       Tasks200Playbook(),
		"templates/t.j2": tasks200Template,
	})
}
