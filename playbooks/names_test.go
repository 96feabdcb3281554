package playbooks

import (
	"encoding/json"
	"strings"
	"testing"

	"tend/modules"
)

// Task names are printed as Ansible 2.14 prints them (Task.get_name and
// IncludeRole.get_name): "role : name" for a role's tasks and handlers, the
// dependency's or included role's own name for theirs, "role : module" for
// an unnamed one, and an include_role its own name or "include_role : ROLE".
// The expected names are ansible-playbook's on the same files.
func TestTaskNamesAsAnsiblePrintsThem(t *testing.T) {
	events, _, _ := runFiles(t, map[string]string{
		"site.yml": `
- hosts: all
  gather_facts: false
  roles: [web]
  tasks:
    - name: "play task {{ 'x' }}"
      debug: {msg: hi}
`,
		"roles/web/meta/main.yml":     "dependencies: [dep]\n",
		"roles/dep/tasks/main.yml":    "- {name: dep task, debug: {msg: hi}}\n",
		"roles/inc/tasks/main.yml":    "- {name: inc task, debug: {msg: hi}}\n",
		"roles/web/tasks/more.yml":    "- {name: more task, debug: {msg: hi}}\n",
		"roles/web/handlers/main.yml": "- {name: restart, debug: {msg: hi}}\n",
		"roles/web/tasks/main.yml": `
- name: web task
  debug: {msg: hi}
  changed_when: true
  notify: restart
- debug: {msg: unnamed}
- include_role: {name: inc}
- name: named include
  include_role: {name: inc}
- include_tasks: more.yml
`,
	}, "local ansible_connection=local\n", nil)
	var got []string
	for _, e := range events {
		got = append(got, e.Task)
	}
	want := []string{"dep : dep task", "web : web task", "web : debug", "include_role : inc", "inc : inc task",
		"named include", "inc : inc task", "web : include_tasks", "web : more task", "play task x", "web : restart"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("task names\n got %q\nwant %q", got, want)
	}
}

// A change's digest encodes its diffs as before their JSON names were
// snake_case ("Path", "Attr"...), so plans saved then still apply.
func TestPlannedDigestKeepsTheOldDiffEncoding(t *testing.T) {
	key := []byte("0123456789abcdef")
	old := json.RawMessage(`[{"Path":"/x","Attr":"mode","Before":"0644","After":"0600"}]`)
	got := plannedDigest(key, "d", []modules.Diff{{Path: "/x", Attr: "mode", Before: "0644", After: "0600"}})
	if want := digestOf(key, "d", old); got != want {
		t.Errorf("planned digest %s, want the old encoding's %s", got, want)
	}
	if got, want := plannedDigest(key, "d", nil), digestOf(key, "d", json.RawMessage("null")); got != want {
		t.Errorf("planned digest without diffs %s, want %s", got, want)
	}
}
