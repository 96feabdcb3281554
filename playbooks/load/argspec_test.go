package load

import (
	"slices"
	"strings"
	"testing"
)

func TestArgSpecTask(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml": "- hosts: all\n  roles:\n    - {role: r, port_no: 1, vars: {v: 2}}\n  tasks:\n    - include_role: {name: r, tasks_from: other}\n    - import_role: {name: m}\n",
		"roles/r/meta/argument_specs.yml": `argument_specs:
  main:
    options:
      port_no: {type: int, required: true, aliases: [p]}
      mask: {type: bits}
  other:
    short_description: Other
    options: {}
`,
		"roles/r/tasks/main.yml":  "- debug: msg=hi\n",
		"roles/r/tasks/other.yml": "- debug: msg=other\n",
		"roles/m/meta/main.yml":   "argument_specs:\n  main:\n    options:\n      x: {type: str}\n",
	})
	tasks := pb.Plays[0].Tasks
	if len(tasks) != 4 {
		t.Fatalf("%d tasks, want 4 (validation, debug, include, import's validation)", len(tasks))
	}
	v := tasks[0]
	if v.Module != argSpecModule || v.Name != "Validating arguments against arg spec 'main'" || !slices.Contains(v.Tags, "always") || v.Role == nil {
		t.Fatalf("first task = %+v", v)
	}
	if got := v.Pos.String(); got != "roles/r/meta/argument_specs.yml:2:3" {
		t.Errorf("pos = %s", got)
	}
	provided := v.Args["provided_arguments"].(map[string]any)
	if _, ok := provided["v"]; ok || provided["port_no"] != 1 {
		t.Errorf("provided_arguments = %v: the role parameters, not vars:", provided)
	}
	inc := tasks[2].Include.Tasks
	if len(inc) != 2 || inc[0].Name != "Validating arguments against arg spec 'other' - Other" {
		t.Errorf("tasks_from: %+v", inc)
	}
	if tasks[3].Module != argSpecModule {
		t.Errorf("meta/main.yml argument_specs: %+v", tasks[3])
	}
	var warns []string
	for _, w := range pb.Warnings {
		warns = append(warns, strings.SplitN(w.Error(), "\n", 2)[0])
	}
	for _, want := range []string{
		`roles/r/meta/argument_specs.yml:4:44: argument spec key "aliases" is not supported by tend yet`,
		`roles/r/meta/argument_specs.yml:5:20: argument spec type "bits" is not checked by tend yet`,
	} {
		if !slices.ContainsFunc(warns, func(w string) bool { return strings.HasPrefix(w, want) }) {
			t.Errorf("no warning %q in %q", want, warns)
		}
	}
}

func TestArgSpecMalformed(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"argument_specs: [main]\n", "roles/r/meta/argument_specs.yml:1:17: argument_specs must be a mapping, not a list"},
		{"argument_specs:\n  main:\n    options:\n      a: {type: [int]}\n", "roles/r/meta/argument_specs.yml:4:"},
		{"argument_specs:\n  main:\n    options:\n      a: {required: maybe}\n", "roles/r/meta/argument_specs.yml:4:"},
		{"argument_specs:\n  main:\n    options:\n      a: {choices: fast}\n", "roles/r/meta/argument_specs.yml:4:20: choices must be a list"},
		{"argument_specs:\n  main:\n    options:\n      a: str\n", `roles/r/meta/argument_specs.yml:4:10: option "a" must be a mapping`},
		{"argument_specs:\n  main:\n    options: [a]\n", "roles/r/meta/argument_specs.yml:3:14: options must be a mapping"},
		{"- a\n", "roles/r/meta/argument_specs.yml:1:1: a role argument specs file must hold a mapping"},
	} {
		_, err := loadFiles(t, map[string]string{
			"site.yml":                        "- hosts: all\n  roles: [r]\n",
			"roles/r/meta/argument_specs.yml": c.spec,
		})
		if err == nil {
			t.Errorf("%q: loaded", c.spec)
			continue
		}
		lines := errLines(t, err)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, c.want) }) {
			t.Errorf("%q: errors %q, want one starting %q", c.spec, lines, c.want)
		}
	}
}
