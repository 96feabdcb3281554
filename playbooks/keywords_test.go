package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// An include's own when is decided once: a set_fact inside that makes it
// false does not skip the included tasks after it. Its loop binds the
// item for the tasks inside, and a templated file name is loaded per host.
func TestDynamicIncludeTasks(t *testing.T) {
	events, sum, dir := runFiles(t, map[string]string{
		"site.yml": `
- hosts: all
  gather_facts: false
  vars: {flavour: a, go: true}
  tasks:
    - include_tasks: "inc-{{ flavour }}.yml"
      when: go
      loop: [one, two]
      loop_control: {loop_var: word}
    - include_tasks: missing.yml
      when: false
    - name: after
      shell: echo "{{ seen | join(',') }}" > {{ dir }}/seen
`,
		"inc-a.yml": `
- set_fact: {go: false, seen: "{{ (seen | default([])) + [word] }}"}
- name: still runs
  debug: {msg: "{{ word }}"}
`,
	}, "local ansible_connection=local\n", nil)
	if sum.Failed() != 0 {
		t.Fatalf("failed: %s", trail(events))
	}
	if got := readTrim(t, filepath.Join(dir, "seen")); got != "one,two" {
		t.Errorf("seen %q, want one,two; events %s", got, trail(events))
	}
	if n := strings.Count(trail(events), "still runs:ok"); n != 2 {
		t.Errorf("included task ran %d times, want 2: %s", n, trail(events))
	}
}

// Valid Ansible that tend does not run fails only where it is reached, and
// before anything of that task is done.
func TestUnsupportedFailsOnlyWhereReached(t *testing.T) {
	events, sum, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: other systems only
      community.general.seport: {ports: "8888", proto: tcp, setype: http_port_t}
      when: false
    - name: before
      shell: touch {{ dir }}/before
    - name: reached
      user: {name: nobody-tend-test, login_class: staff}
    - name: never
      shell: touch {{ dir }}/never
`, nil)
	if sum.Failed() != 1 {
		t.Fatalf("want one failed host: %s", trail(events))
	}
	want := "other systems only:skipped before:changed reached:failed"
	if got := trail(events); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, e := range events {
		if e.Task == "reached" && !strings.Contains(e.Msg, `argument "login_class" of module "user" is not supported by tend yet`) {
			t.Errorf("message %q", e.Msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
		t.Error("the task after the failure ran")
	}
}

func TestUntilRetriesAndTemplatedKeywords(t *testing.T) {
	events, sum, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: count
      shell: n=$(( $(cat {{ dir }}/n 2>/dev/null || echo 0) + 1 )); echo $n > {{ dir }}/n; echo $n
      register: c
      until: c.stdout | int >= 3
      retries: 4
      delay: 0
    - name: never true
      shell: "true"
      register: r
      until: false
      retries: 1
      delay: 0
      ignore_errors: "{{ not ansible_check_mode }}"
    - shell: echo {{ c.attempts }} {{ r.attempts }} > {{ dir }}/attempts
`, nil)
	if sum.Failed() != 0 {
		t.Fatalf("failed: %s", trail(events))
	}
	if got := readTrim(t, filepath.Join(dir, "attempts")); got != "3 2" {
		t.Errorf("attempts %q, want \"3 2\" (until met on the third; retries 1 is two attempts)", got)
	}
}

// include_vars through with_first_found looks in the role's vars/; its
// values may be templates, rendered when used. Role dependencies run first;
// include_role with tasks_from runs that file.
func TestIncludeVarsFirstFoundAndRoles(t *testing.T) {
	events, sum, dir := runFiles(t, map[string]string{
		"site.yml": `
- hosts: all
  gather_facts: false
  vars: {os: Debian}
  roles: [app]
  tasks:
    - include_role: {name: app, tasks_from: extra}
    - shell: echo "{{ log | join(' ') }}" > {{ dir }}/log
`,
		"roles/app/meta/main.yml":    "dependencies: [{role: base, who: app}]\n",
		"roles/base/tasks/main.yml":  "- set_fact: {log: ['base-for-{{ who }}-{{ ansible_parent_role_names | join }}']}\n",
		"roles/app/tasks/main.yml":   "- include_vars: \"{{ item }}\"\n  with_first_found: [\"{{ os }}-12.yml\", \"{{ os }}.yml\", default.yml]\n- set_fact: {log: \"{{ log + [pkg] }}\"}\n",
		"roles/app/tasks/extra.yml":  "- set_fact: {log: \"{{ log + ['extra'] }}\"}\n",
		"roles/app/vars/Debian.yml":  "pkg: \"apache{{ 1 + 1 }}\"\n",
		"roles/app/vars/default.yml": "pkg: httpd\n",
	}, "local ansible_connection=local\n", nil)
	if sum.Failed() != 0 {
		t.Fatalf("failed: %s", trail(events))
	}
	if got := readTrim(t, filepath.Join(dir, "log")); got != "base-for-app-app apache2 extra" {
		t.Errorf("log %q", got)
	}
}

// run_once runs on one host; the others take its result.
func TestRunOnceAndEnvironment(t *testing.T) {
	events, sum, dir := runFiles(t, map[string]string{"site.yml": `
- hosts: all
  gather_facts: false
  environment: {PLAYV: p}
  tasks:
    - name: once
      shell: echo "$PLAYV $TASKV" >> {{ dir }}/once
      environment: {TASKV: "{{ 't' ~ 1 }}"}
      register: o
      run_once: true
    - shell: echo {{ o.changed }} > {{ dir }}/{{ inventory_hostname }}
`}, "a ansible_connection=local\nb ansible_connection=local\n", nil)
	if sum.Failed() != 0 {
		t.Fatalf("failed: %s", trail(events))
	}
	if got := readTrim(t, filepath.Join(dir, "once")); got != "p t1" {
		t.Errorf("once ran as %q, want one line \"p t1\"", got)
	}
	for _, h := range []string{"a", "b"} {
		if got := readTrim(t, filepath.Join(dir, h)); got != "True" {
			t.Errorf("%s registered changed=%q", h, got)
		}
	}
}

func TestWithLookups(t *testing.T) {
	events, sum, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  vars:
    users: [{name: a, keys: [k1, k2]}, {name: b, keys: [k3]}]
  tasks:
    - shell: echo {{ item.key }}={{ item.value }} >> {{ dir }}/dict
      with_dict: {x: 1, y: 2}
    - shell: echo {{ item.0.name }}:{{ item.1 }} >> {{ dir }}/sub
      with_subelements: ["{{ users }}", keys]
    - shell: echo {{ item.0 }}{{ item.1 }} >> {{ dir }}/nested
      with_nested: [[a, b], [1, 2]]
      loop_control: {extended: true}
`, nil)
	if sum.Failed() != 0 {
		t.Fatalf("failed: %s", trail(events))
	}
	for file, want := range map[string]string{"dict": "x=1\ny=2", "sub": "a:k1\na:k2\nb:k3", "nested": "a1\na2\nb1\nb2"} {
		if got := readTrim(t, filepath.Join(dir, file)); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
}

// A variable whose template names an undefined variable, or refers back to
// itself, fails where used (as in Ansible), never reaching a host as text;
// a macro that calls itself without end fails the task, not the run.
func TestBrokenVariablesFailWhereUsed(t *testing.T) {
	events, _, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  vars:
    x: "{{ nope }}"
    y: "pre {{ x }}"
    a: "{{ b }}"
    b: "{{ a }}"
    ok: "{{ 'fine' if true else x }}"
  tasks:
    - {name: undefined, copy: {content: "{{ y }}", dest: "{{ dir }}/y"}, ignore_errors: true}
    - {name: cycle, copy: {content: "{{ a }}", dest: "{{ dir }}/a"}, ignore_errors: true}
    - {name: macro, debug: {msg: "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"}, ignore_errors: true}
    - {name: fine, copy: {content: "{{ ok }}", dest: "{{ dir }}/ok"}}
`, nil)
	msgs := map[string]string{}
	for _, e := range events {
		msgs[e.Task] = string(e.Status) + ": " + e.Msg
	}
	for task, want := range map[string]string{
		"undefined": "'nope' is undefined",
		"cycle":     "recursive loop detected",
		"macro":     "macro f: calls nested deeper than",
	} {
		if !strings.HasPrefix(msgs[task], "failed") || !strings.Contains(msgs[task], want) {
			t.Errorf("%s: %q, want a failure saying %q", task, msgs[task], want)
		}
	}
	for _, f := range []string{"y", "a"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	if got := readTrim(t, filepath.Join(dir, "ok")); got != "fine" {
		t.Errorf("ok: %q", got)
	}
}

// vars holds every variable by name, as the prometheus roles use it.
func TestVarsMagicVariable(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  vars: {a_skip: 1}
  tasks:
    - assert: {that: ["'a_skip' in vars", "'b_skip' not in vars", "vars['a_skip'] == 1", "'inventory_hostname' in vars"]}
`, nil)
	if sum.Failed() != 0 {
		t.Fatalf("%s", trail(events))
	}
}

// copy of a controller folder: "conf/" copies what it holds; the runner
// lists folders found as files are (the play's files/).
func TestCopyFolderFromController(t *testing.T) {
	files := map[string]string{
		"site.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - copy: {src: conf/, dest: "{{ dir }}/out/"}
`,
		"files/conf/a.txt":     "a\n",
		"files/conf/sub/b.txt": "b\n",
	}
	events, sum, dir := runFiles(t, files, "local ansible_connection=local\n", nil)
	if sum.Failed() != 0 || sum.Changed() != 1 {
		t.Fatalf("%s", trail(events))
	}
	if got := readTrim(t, filepath.Join(dir, "out/sub/b.txt")); got != "b" {
		t.Errorf("b.txt: %q", got)
	}
}
