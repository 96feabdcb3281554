package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What ansible-playbook finds only when a task runs (a source file that is
// not there) and what tend cannot run (a Python regexp RE2 lacks) is a
// warning of --syntax-check and of every load, at file:line:col; a host
// that reaches the task fails it before it changes anything.
func TestMissingSourcesAndPythonRegexpsWarnAtLoad(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	pb := filepath.Join(dir, "site.yml")
	files := map[string]string{
		"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - copy: {src: nope.txt, dest: "{{ out }}/copied"}
      ignore_errors: true
    - script: nope.sh --flag
      ignore_errors: true
    - template: {src: nope.j2, dest: "{{ out }}/rendered"}
      ignore_errors: true
    - lineinfile:
        path: "{{ out }}/edited"
        regexp: '^port(?!=)'
        line: port=1
        create: true
`,
		"hosts": "local ansible_connection=local\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	warnings := []string{
		pb + `:4:14: copy src "nope.txt" not found`,
		pb + `:6:15: script "nope.sh" not found`,
		pb + `:8:18: template "nope.j2" not found`,
		pb + `:12:9: Python regexp lookahead (?!...) in regexp is not supported by tend yet`,
	}
	stdout, stderr, err := runTend(t, "converge", "--syntax-check", "-i", filepath.Join(dir, "hosts"), pb)
	if err != nil || !strings.Contains(stdout, "syntax ok") {
		t.Fatalf("--syntax-check: %v %s %s", err, stdout, stderr)
	}
	for _, w := range warnings {
		if !strings.Contains(stderr, "warning: "+w) {
			t.Errorf("--syntax-check: no warning %q in\n%s", w, stderr)
		}
	}

	stdout, stderr, err = runTend(t, "converge", "-i", filepath.Join(dir, "hosts"), "-e", "out="+out,
		"--report-dir", filepath.Join(dir, "reports"), pb)
	if ee, ok := err.(exitError); !ok || ee.code != exitFailure {
		t.Fatalf("converge: %v\n%s\n%s", err, stdout, stderr)
	}
	for _, w := range warnings {
		if !strings.Contains(stderr, "warning: "+w) {
			t.Errorf("converge: no warning %q in\n%s", w, stderr)
		}
	}
	for _, want := range []string{`could not find "nope.txt"`, `Could not find or access 'nope.sh'`, `could not find "nope.j2"`,
		"Python regexp lookahead (?!...) in regexp is not supported by tend yet"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("converge: no failure %q in\n%s", want, stdout)
		}
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("the failed tasks changed something: %v", left)
	}
}
