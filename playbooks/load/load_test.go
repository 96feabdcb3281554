package load

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", file, got)
	}
}

// loadFiles writes files into a temporary folder and loads site.yml.
func loadFiles(t *testing.T, files map[string]string) (*Playbook, error) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return Load("site.yml", opts)
}

func mustLoad(t *testing.T, files map[string]string) *Playbook {
	t.Helper()
	pb, err := loadFiles(t, files)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return pb
}

// TestLoadValid loads a playbook using most of the language (an imported
// playbook, roles twice, vars_files, blocks, imports and includes, loops,
// handlers) and compares the whole tree with testdata/valid/site.golden.
func TestLoadValid(t *testing.T) {
	pb, err := Load("testdata/valid/site.yml", opts)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/valid/site.golden", dump(pb))
}

// TestLoadAnsible loads valid Ansible that tend partly lacks: no error;
// warnings, and the tasks concerned marked Unsupported (see the golden file).
func TestLoadAnsible(t *testing.T) {
	pb, err := Load("testdata/ansible/site.yml", opts)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/ansible/site.golden", dump(pb))
}

// TestLoadErrors loads broken playbooks: every problem of each is reported
// at once, sorted, with its position, hint and source line.
func TestLoadErrors(t *testing.T) {
	for _, name := range []string{
		"args", "keywords", "templates", "includes/site", "roles/site", "syntax", "notlist",
		"empty", "varsfiles", "imports", "nope",
	} {
		t.Run(name, func(t *testing.T) {
			pb, err := Load("testdata/errors/"+name+".yml", opts)
			if err == nil {
				t.Fatalf("no error; loaded %s", dump(pb))
			}
			if pb != nil {
				t.Error("Load returned a playbook with its errors")
			}
			golden(t, "testdata/errors/"+name+".golden", err.Error()+"\n")
		})
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := loadFiles(t, map[string]string{"site.yml": `- hosts: all
  tasks:
    - name: typo
      testfile:
        path: /etc/motd
        mdoe: "0644"
`})
	want := `site.yml:6:9: unknown argument "mdoe" for module "testfile" (did you mean "mode"?)
    6 |         mdoe: "0644"
      |         ^`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "site.yml" || e.Line != 6 || e.Col != 9 ||
		e.Hint != `did you mean "mode"?` || e.Source != `        mdoe: "0644"` {
		t.Errorf("errors.As: %#v", e)
	}
}

func TestErrorRender(t *testing.T) {
	long := strings.Repeat("x", 300) + "BAD" + strings.Repeat("y", 300)
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yml", Msg: "m"}, "a.yml: m"},
		{Error{File: "a.yml", Line: 3, Msg: "m", Hint: "h", Source: "src"}, "a.yml:3: m (h)\n    3 | src"},
		{Error{File: "a.yml", Line: 3, Col: 3, Msg: "m", Source: "\t\tx: 1\r"}, "a.yml:3:3: m\n    3 | \t\tx: 1\n      | \t\t^"},
		{Error{File: "a.yml", Line: 123456, Col: 2, Msg: "m", Source: "ab"}, "a.yml:123456:2: m\n123456 | ab\n       |  ^"},
		{Error{File: "a.yml", Line: 1, Col: 5, Msg: "past the end", Source: "ab"}, "a.yml:1:5: past the end\n    1 | ab\n      |     ^"},
		{Error{File: "a.yml", Line: 1, Col: 301, Msg: "long", Source: long},
			"a.yml:1:301: long\n    1 | ..." + strings.Repeat("x", 60) + "BAD" + strings.Repeat("y", 57) + "...\n      |    " + strings.Repeat(" ", 60) + "^"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got\n%s\nwant\n%s", got, tc.want)
		}
	}
}

// TestAllErrorsSorted checks that problems from several files come
// together, sorted by file, line and column, each once.
func TestAllErrorsSorted(t *testing.T) {
	_, err := loadFiles(t, map[string]string{
		"site.yml": `- hosts: all
  tasks:
    - import_tasks: b.yml
    - import_tasks: b.yml
    - testfile: {pth: /x}
    - import_tasks: a.yml
  handlers:
    - testcommand: ls
`,
		"a.yml": "- testcommand: ls\n  whn: x\n",
		"b.yml": "- testfile: path=/x stat=touch\n",
	})
	want := []string{
		`a.yml:2:3: unknown module or task keyword "whn" (did you mean "when"?)`,
		`b.yml:1:21: unknown argument "stat" for module "testfile" (did you mean "state"?)`,
		`site.yml:5:7: missing required argument "path" for module "testfile"`,
		`site.yml:5:18: unknown argument "pth" for module "testfile" (did you mean "path"?)`,
		`site.yml:8:7: handler has no name (notify finds handlers by name: or listen:)`,
	}
	if got := errLines(t, err); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A mis-indented key is reported where it is, as ansible-playbook reports
// it (line 6, column 8), not where the enclosing block starts.
func TestYAMLIndentErrorPosition(t *testing.T) {
	_, err := loadFiles(t, map[string]string{"site.yml": "- hosts: all\n  tasks:\n    - name: x\n      testfile:\n        path: /tmp/x\n       state: touch\n"})
	got := errLines(t, err)
	want := `site.yml:6:8: invalid YAML: did not find expected key (check the indentation)`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A collection's full name loads the module tend has under the short name
// Ansible routes to the same module; one it routes elsewhere does not.
func TestCollectionModuleNames(t *testing.T) {
	pb := mustLoad(t, map[string]string{"site.yml": `- hosts: all
  tasks:
    - ansible.posix.sysctl: {name: a.b, value: "1"}
    - community.general.ini_file: {path: /x, section: s}
    - ansible.builtin.copy: {dest: /y, content: z}
`})
	var got []string
	for _, task := range pb.Plays[0].Tasks {
		got = append(got, task.Module)
	}
	if want := []string{"sysctl", "ini_file", "copy"}; !slices.Equal(got, want) {
		t.Errorf("modules %q, want %q", got, want)
	}
}
