package load

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// warnLines renders a playbook's warnings as "file:line:col: message".
func warnLines(pb *Playbook) []string {
	var out []string
	for _, w := range pb.Warnings {
		out = append(out, Pos{w.File, w.Line, w.Col}.String()+": "+w.Msg)
	}
	return out
}

// A copy, script or template source named plainly is looked for where the
// runner looks; one not there is a warning at its argument.
func TestSourceFilesNotFound(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml": `- hosts: all
  roles: [web]
  tasks:
    - copy: {src: missing.txt, dest: /a}
    - copy: {src: here.txt, dest: /a}
    - copy: {src: conf/, dest: /a}
    - copy: {src: gone/, dest: /a}
    - copy: {src: conf, dest: /a/}
    - copy: {src: missing.txt, remote_src: true, dest: /a}
    - copy: {src: "{{ name }}.txt", dest: /a}
    - copy: {src: /abs/missing, dest: /a}
    - copy: {content: x, dest: /a}
    - script: missing.sh --flag
    - script: run.sh
    - script:
        cmd: "'my script.sh' x"
    - template: src=missing.j2 dest=/a
    - template: src=site.j2 dest=/a
    - import_tasks: tasks/more.yml
`,
		"files/here.txt":             "x",
		"files/conf/a":               "x",
		"run.sh":                     "x",
		"templates/site.j2":          "x",
		"tasks/more.yml":             "- copy: {src: beside.txt, dest: /a}\n- copy: {src: own.txt, dest: /a}\n",
		"tasks/files/beside.txt":     "x",
		"tasks/own.txt":              "x",
		"roles/web/tasks/main.yml":   "- template: {src: web.j2, dest: /a}\n- copy: {src: web.txt, dest: /a}\n- copy: {src: nope.txt, dest: /a}\n",
		"roles/web/templates/web.j2": "x",
		"roles/web/files/web.txt":    "x",
	})
	roles := filepath.Join("roles", "web")
	want := []string{
		roles + "/tasks/main.yml:3:10: copy src \"nope.txt\" not found (looked in " + roles + "/files, " + roles + ", " + roles + "/tasks/files, " + roles + "/tasks, files, .)",
		"site.yml:4:14: copy src \"missing.txt\" not found (looked in files, .)",
		"site.yml:7:14: copy src \"gone/\" not found (looked in files, .)",
		"site.yml:13:15: script \"missing.sh\" not found (looked in files, .)",
		"site.yml:16:9: script \"my script.sh\" not found (looked in files, .)",
		"site.yml:17:17: template \"missing.j2\" not found (looked in templates, .)",
	}
	if got := warnLines(pb); !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range pb.Warnings {
		if w.Source == "" || !strings.Contains(w.Hint, "a host that reaches this task fails") {
			t.Errorf("%v: no source line or hint", w)
		}
	}
	// The runner fails these when it runs them: no Unsupported.
	for _, task := range append(pb.Plays[0].Tasks, pb.Plays[0].PreTasks...) {
		if task.Unsupported != "" {
			t.Errorf("%v: unsupported %q", task.Pos, task.Unsupported)
		}
	}
	if !slices.Contains(pb.Files, filepath.Join("templates", "site.j2")) || !slices.Contains(pb.Files, filepath.Join(roles, "templates", "web.j2")) {
		t.Errorf("templates are not among the files: %q", pb.Files)
	}
}

// An imported playbook's tasks look in the top playbook's folder last,
// as the runner does.
func TestSourceFilesOfAnImportedPlaybook(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml":      "- import_playbook: plays/db.yml\n",
		"plays/db.yml":  "- hosts: all\n  tasks:\n    - copy: {src: top.txt, dest: /a}\n    - copy: {src: nope.txt, dest: /a}\n",
		"files/top.txt": "x",
	})
	want := []string{`plays/db.yml:4:14: copy src "nope.txt" not found (looked in plays/files, plays, files, .)`}
	if got := warnLines(pb); !slices.Equal(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
}

// Regular expressions that Go cannot run but Python can are warnings
// that name the construct, at the argument, and the task fails where it
// runs; templated ones wait for the run.
func TestPythonRegexpsTendCannotRun(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml": `- hosts: all
  tasks:
    - lineinfile:
        path: /etc/x
        regexp: '^foo(?!bar)'
        line: foo
    - lineinfile: path=/etc/x regex=^(a)\1 line=a
    - replace:
        path: /etc/x
        regexp: '(?<=a)b'
        replace: c
    - lineinfile: {path: /etc/x, regexp: '^{{ key }}(?=x)', line: a}
    - lineinfile: {path: /etc/x, regexp: '^\s*port\s*=', line: a, insertafter: EOF}
    - lineinfile: {path: /etc/x, regexp: '^a(', line: a}
`,
	})
	want := []string{
		`site.yml:5:9: Python regexp lookahead (?!...) in regexp is not supported by tend yet`,
		`site.yml:7:31: Python regexp backreference \1 in regexp is not supported by tend yet`,
		`site.yml:10:9: Python regexp lookbehind (?<=...) in regexp is not supported by tend yet`,
		"site.yml:14:34: regexp \"^a(\": error parsing regexp: missing closing ): `^a(`",
	}
	if got := warnLines(pb); !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var unsupported []string
	for _, task := range pb.Plays[0].Tasks {
		unsupported = append(unsupported, task.Unsupported)
	}
	wantU := []string{
		`Python regexp lookahead (?!...) in regexp is not supported by tend yet`,
		`Python regexp backreference \1 in regexp is not supported by tend yet`,
		`Python regexp lookbehind (?<=...) in regexp is not supported by tend yet`,
		"", "",
		"regexp \"^a(\": error parsing regexp: missing closing ): `^a(`",
	}
	if !slices.Equal(unsupported, wantU) {
		t.Errorf("unsupported:\n%q\nwant:\n%q", unsupported, wantU)
	}
}
