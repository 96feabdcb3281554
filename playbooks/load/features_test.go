package load

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestModuleNames(t *testing.T) {
	pb := mustLoad(t, map[string]string{"site.yml": `- hosts: all
  tasks:
    - ansible.builtin.testfile: path=/a
    - ansible.legacy.testfile: {path: /b}
    - ansible.builtin.meta: flush_handlers
    - meta: noop
    - ansible.builtin.import_tasks: more.yml
`, "more.yml": "- testcommand: id\n"})
	var got []string
	for _, task := range pb.Plays[0].Tasks {
		got = append(got, task.Module)
	}
	if want := []string{"testfile", "testfile", "meta", "meta", "testcommand"}; !slices.Equal(got, want) {
		t.Errorf("modules %q, want %q", got, want)
	}
	meta := pb.Plays[0].Tasks[2]
	if !slices.ContainsFunc(slices.Collect(maps.Values(meta.Args)), func(v any) bool { return v == "flush_handlers" }) {
		t.Errorf("meta args %v", meta.Args)
	}
}

func TestArgs(t *testing.T) {
	pb := mustLoad(t, map[string]string{"site.yml": `- hosts: all
  tasks:
    - testcommand: echo "a  b" chdir=/srv creates=/srv/x x=1 argv=2
    - testcommand: chdir=/srv make
    - testcommand:
        cmd: ls
        chdir: /tmp
    - testcommand: ls
      args:
        chdir: /opt
        creates: /a
    - testcopy: dest=/x content="a = b" mode=0644
      args:
        dest: /overridden
    - testcommand: |
        echo one
        echo two removes=/r
    - testcommand: echo {{ msg }}
`})
	tasks := pb.Plays[0].Tasks
	for i, want := range []map[string]any{
		{"cmd": `echo "a  b" x=1 argv=2`, "chdir": "/srv", "creates": "/srv/x"},
		{"cmd": "make", "chdir": "/srv"},
		{"cmd": "ls", "chdir": "/tmp"},
		{"cmd": "ls", "chdir": "/opt", "creates": "/a"},
		{"dest": "/x", "content": "a = b", "mode": "0644"},
		{"cmd": "echo one\necho two", "removes": "/r"},
		{"cmd": "echo {{ msg }}"},
	} {
		if !reflect.DeepEqual(tasks[i].Args, want) {
			t.Errorf("task %d: args %#v, want %#v", i, tasks[i].Args, want)
		}
	}
	// Positions: each k=v key where it is written; the free form at the
	// value.
	if got, want := tasks[0].ArgPos, map[string]Pos{
		"cmd": {"site.yml", 3, 20}, "chdir": {"site.yml", 3, 32}, "creates": {"site.yml", 3, 43},
	}; !maps.Equal(got, want) {
		t.Errorf("argpos %v, want %v", got, want)
	}
	if got, want := tasks[3].ArgPos["chdir"], (Pos{"site.yml", 10, 9}); got != want {
		t.Errorf("args: position %v, want %v", got, want)
	}
}

// TestInheritance checks the scheme of the package documentation: tags
// unioned, when concatenated parent first, become/become_user/no_log/
// ignore_errors/check_mode/diff taken from the parent when unset, vars
// merged child over parent; the same for blocks, includes, roles and the
// play (but the play's vars stay on the play).
func TestInheritance(t *testing.T) {
	pb := mustLoad(t, map[string]string{"site.yml": `- hosts: all
  become: true
  tags: p
  vars: {pv: 1}
  tasks:
    - block:
        - name: inner
          testcommand: ls
          no_log: false
          tags: [t1, blk]
          when: b
          vars: {x: 2}
          become: false
      when: a
      tags: blk
      vars: {x: 1, y: 1}
      no_log: true
      become_user: app
      check_mode: true
    - import_tasks: inc.yml
      when: [c]
      tags: inc
      vars: {z: 1, w: 1}
      become: false
      diff: false
  handlers:
    - include_tasks: h.yml
      name: restart all
`,
		"inc.yml": "- name: included\n  testcommand: ls\n  vars: {z: 2}\n  when: d\n  ignore_errors: true\n",
		"h.yml":   "- name: h1\n  testcommand: ls\n- testcommand: ls\n  listen: other\n",
	})
	play := pb.Plays[0]
	block, inner, inc := play.Tasks[0], play.Tasks[0].Block[0], play.Tasks[1]
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", what, got, want)
		}
	}
	yes, no := true, false
	check("block when", block.When, []string{"a"})
	check("block tags", block.Tags, []string{"p", "blk"})
	check("block vars", block.Vars, map[string]any{"x": 1, "y": 1})
	check("block become", block.Become, &yes)
	check("inner when", inner.When, []string{"a", "b"})
	check("inner tags", inner.Tags, []string{"p", "blk", "t1"})
	check("inner vars", inner.Vars, map[string]any{"x": 2, "y": 1})
	check("inner become", inner.Become, &no)
	check("inner become_user", inner.BecomeUser, "app")
	check("inner no_log", inner.NoLog, false)
	check("inner check_mode", inner.CheckMode, &yes)
	check("included name", inc.Name, "included")
	check("included when", inc.When, []string{"c", "d"})
	check("included tags", inc.Tags, []string{"p", "inc"})
	check("included vars", inc.Vars, map[string]any{"z": 2, "w": 1})
	check("included become", inc.Become, &no)
	check("included diff", inc.Diff, &no)
	check("included ignore_errors", inc.IgnoreErrors, true)
	check("included pos", inc.Pos, Pos{"inc.yml", 1, 3})
	check("play vars", play.Vars, map[string]any{"pv": 1})
	check("handlers", len(play.Handlers), 2)
	check("handler 1 listen", play.Handlers[0].Listen, []string{"restart all"})
	check("handler 2 listen", play.Handlers[1].Listen, []string{"restart all", "other"})
	check("handler flag", play.Handlers[1].Handler, true)
}

func TestRoles(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml": `- hosts: all
  roles:
    - common
    - common
    - {role: web, http_port: 81, vars: {tls: true}, tags: web, when: ok}
    - role: ./local/thing
  tasks:
    - testcommand: echo own
      notify: ["web : restart", reload]
`,
		"roles/common/tasks/main.yaml":    "- name: common\n  testcommand: ls\n",
		"roles/web/tasks/main.yml":        "- include_tasks: sub/install.yml\n",
		"roles/web/tasks/sub/install.yml": "- import_tasks: ../extra.yml\n",
		"roles/web/tasks/extra.yml":       "- name: extra\n  testcommand: ls\n",
		"roles/web/handlers/main.yml":     "- name: restart\n  testcommand: restart\n- name: r2\n  listen: reload\n  testcommand: reload\n",
		"roles/web/defaults/main.yml":     "port: 80\n",
		"roles/web/vars/main.yml":         "",
		"local/thing/tasks/main.yml":      "- testcommand: thing\n",
	})
	play := pb.Plays[0]
	var got []string
	tasks := play.Tasks
	if inc := tasks[1]; inc.Module != "include_tasks" || inc.Include == nil || len(inc.Include.Tasks) != 1 {
		t.Fatalf("web's include_tasks: %+v", inc)
	}
	tasks = slices.Concat(tasks[:1], tasks[1].Include.Tasks, tasks[2:])
	for _, task := range tasks {
		s := task.Args["cmd"].(string)
		if task.Role != nil {
			s = task.Role.Name + ":" + s
		}
		got = append(got, s)
	}
	// common runs once: listed twice with the same (no) parameters.
	if want := []string{"common:ls", "web:ls", "thing:thing", "echo own"}; !slices.Equal(got, want) {
		t.Errorf("tasks %q, want %q", got, want)
	}
	web := tasks[1]
	if web.Role.Path != filepath.Join("roles", "web") || web.Pos.File != filepath.Join("roles", "web", "tasks", "extra.yml") {
		t.Errorf("web role %+v at %v", web.Role, web.Pos)
	}
	want := &Role{Name: "web", Path: "roles/web", Defaults: map[string]any{"port": 80}, Vars: map[string]any{}, EntryVars: map[string]any{"tls": true},
		Params: map[string]any{"http_port": 81, "tls": true}}
	if !reflect.DeepEqual(web.Role, want) {
		t.Errorf("role %#v, want %#v", web.Role, want)
	}
	if !slices.Equal(web.Tags, []string{"web"}) || !slices.Equal(web.When, []string{"ok"}) || web.Vars != nil {
		t.Errorf("role keywords: tags %v when %v vars %v", web.Tags, web.When, web.Vars)
	}
	if len(play.Handlers) != 2 || play.Handlers[0].Role != web.Role || !play.Handlers[0].Handler {
		t.Errorf("handlers %+v", play.Handlers)
	}
}

func TestRoleNotFound(t *testing.T) {
	_, err := loadFiles(t, map[string]string{"site.yml": "- hosts: all\n  roles: [nginx]\n"})
	want := []string{`site.yml:2:11: role "nginx" not found (looked in roles/nginx, nginx)`}
	if got := errLines(t, err); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestImportPlaybook(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"site.yml":        "- import_playbook: plays/db.yml\n  tags: db\n  vars: {a: 1, b: 1}\n- hosts: web\n",
		"plays/db.yml":    "- hosts: db\n  vars: {b: 2}\n  vars_files: [vars.yml]\n  tasks: [{testcommand: ls, tags: t}]\n",
		"plays/vars.yml":  "v: 1\n",
		"plays/roles/r/x": "",
	})
	if len(pb.Plays) != 2 {
		t.Fatalf("%d plays", len(pb.Plays))
	}
	db := pb.Plays[0]
	if db.Hosts != "db" || !slices.Equal(db.Tags, []string{"db"}) || !reflect.DeepEqual(db.Vars, map[string]any{"a": 1, "b": 2}) ||
		len(db.VarsFiles) != 1 || db.VarsFiles[0].Path != filepath.Join("plays", "vars.yml") ||
		!slices.Equal(db.Tasks[0].Tags, []string{"db", "t"}) || db.Pos.File != filepath.Join("plays", "db.yml") {
		t.Errorf("imported play %+v", db)
	}
	if want := []string{"site.yml", "plays/db.yml", "plays/vars.yml"}; !slices.Equal(pb.Files, want) {
		t.Errorf("files %q, want %q", pb.Files, want)
	}
	if pb.Plays[1].Hosts != "web" || !pb.Plays[1].GatherFacts {
		t.Errorf("second play %+v", pb.Plays[1])
	}
}

func TestValues(t *testing.T) {
	pb := mustLoad(t, map[string]string{"site.yml": `- hosts: [a, b]
  vars:
    yes11: yes
    quoted: "yes"
    octal: 0644
    date: 2024-01-02
    base: &base {x: 1, y: 1}
    merged:
      <<: *base
      y: 2
  tasks:
    - testdebug: msg=hi
      when: true
      changed_when: "{{ x }}"
      failed_when: [false, "rc > 1"]
      with_list: one
`})
	play := pb.Plays[0]
	want := map[string]any{"yes11": true, "quoted": "yes", "octal": 0o644, "date": "2024-01-02",
		"base": map[string]any{"x": 1, "y": 1}, "merged": map[string]any{"x": 1, "y": 2}}
	if play.Hosts != "a,b" || !reflect.DeepEqual(play.Vars, want) {
		t.Errorf("hosts %q vars %#v", play.Hosts, play.Vars)
	}
	task := play.Tasks[0]
	if !slices.Equal(task.When, []string{"true"}) || !slices.Equal(task.ChangedWhen, []string{"x"}) ||
		!slices.Equal(task.FailedWhen, []string{"false", "rc > 1"}) || !reflect.DeepEqual(task.Loop, []any{"one"}) ||
		task.LoopVar != "item" || task.LoopFlatten {
		t.Errorf("task %+v", task)
	}
}

func TestNotify(t *testing.T) {
	_, err := loadFiles(t, map[string]string{"site.yml": `- hosts: all
  tasks:
    - testcommand: ls
      notify: ["restart", "{{ dynamic }}", "reload", nothing]
  handlers:
    - name: restart
      testcommand: restart
    - testcommand: x
      listen: reload
- hosts: all
  tasks:
    - testcommand: ls
      notify: restart
`})
	want := []string{
		`site.yml:4:54: no handler named "nothing" in this play`,
		`site.yml:13:15: no handler named "restart" in this play (the play has no handlers)`,
	}
	if got := errLines(t, err); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLimits feeds hostile inputs: each must fail fast with a clear error.
func TestLimits(t *testing.T) {
	deep := "- hosts: all\n  vars:\n    a: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n"
	bomb := "- hosts: all\n  vars:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		bomb += fmt.Sprintf("    a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	fan := map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - import_tasks: f0.yml\n"}
	for i := range 5 {
		fan[fmt.Sprintf("f%d.yml", i)] = strings.Repeat(fmt.Sprintf("- import_tasks: f%d.yml\n", i+1), 10)
	}
	fan["f5.yml"] = "- testcommand: ls\n"
	many := map[string]string{
		"site.yml":  "- hosts: all\n  tasks:\n" + strings.Repeat("    - import_tasks: tasks.yml\n", 100),
		"tasks.yml": strings.Repeat("- testcommand: ls\n", 1100),
	}
	nested := map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - import_tasks: n0.yml\n"}
	blocks := maps.Clone(nested)
	for i := range 70 {
		nested[fmt.Sprintf("n%d.yml", i)] = fmt.Sprintf("- import_tasks: n%d.yml\n", i+1)
		blocks[fmt.Sprintf("n%d.yml", i)] = fmt.Sprintf("- block:\n  - import_tasks: n%d.yml\n", i+1)
	}
	// 1,000 block vars inherited by 3,000 tasks.
	var vars strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&vars, "v%d: 1, ", i)
	}
	inherit := map[string]string{
		"site.yml":  "- hosts: all\n  tasks:\n" + strings.Repeat("    - import_tasks: tasks.yml\n", 3),
		"tasks.yml": "- vars: {" + vars.String() + "}\n  block:\n" + strings.Repeat("    - testcommand: ls\n", 1000),
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"deep", map[string]string{"site.yml": deep}, "YAML nested deeper than 64 levels"},
		{"aliases", map[string]string{"site.yml": bomb}, "document expands to too many values (excessive YAML aliasing)"},
		{"self alias", map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - &t {block: [*t]}\n"}, "tasks nested deeper than 64 levels"},
		{"fan-out", fan, "more than 10000 included files"},
		{"tasks", many, "more than 100000 tasks"},
		{"inherited", inherit, "more than 2000000 variables, conditions and tags inherited by tasks"},
		{"nested includes", nested, "files included deeper than 64 levels"},
		{"nested blocks", blocks, "tasks nested deeper than 64 levels (blocks and includes)"},
		{"large", map[string]string{"site.yml": "- hosts: all\n  vars_files: [big.yml]\n", "big.yml": "a: " + strings.Repeat("x", maxFileSize)}, "vars file big.yml is larger than 16 MiB"},
		{"vault", map[string]string{"site.yml": "$ANSIBLE_VAULT;1.1;AES256\n3031\n"}, "is vault-encrypted and no vault password was given"},
		{"directory", map[string]string{"site.yml": "- hosts: all\n  vars_files: [d]\n", "d/x": ""}, "cannot read vars file d: it is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadFiles(t, tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", clipErr(err), tc.want)
			}
		})
	}
}

func clipErr(err error) string {
	if err == nil {
		return "no error"
	}
	s := err.Error()
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return s
}

// TestTestdataNoPanic loads every YAML file under testdata as a playbook:
// most are not playbooks, none may crash the loader.
func TestTestdataNoPanic(t *testing.T) {
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			_, _ = Load(path, opts)
			_, _ = Load(path, Options{})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
