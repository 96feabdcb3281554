package jinja

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// lookupTree lays out a play with a role in a temporary directory and
// returns the variables a task of the role sees.
func lookupTree(t *testing.T) (root string, vars map[string]any) {
	t.Helper()
	root = t.TempDir()
	files := map[string]string{
		"play/files/a.txt":              "play-a\n",
		"play/other.txt":                "  play-level  \n\n",
		"play/templates/t.j2":           "Hi {{ name }}{{ extra | default('') }}\n",
		"play/templates/list.j2":        "[1, 2, {{ port }}]",
		"play/templates/self.j2":        "{{ lookup('template', 'self.j2') }}",
		"play/vars/Debian.yml":          "x: 1\n",
		"play/files/glob/x.conf":        "x",
		"play/files/glob/y.conf":        "y",
		"play/files/glob/.hidden.conf":  "h",
		"play/files/vault.txt":          "$ANSIBLE_VAULT;1.1;AES256\n6162\n",
		"roles/web/tasks/main.yml":      "- debug:\n",
		"roles/web/files/a.txt":         "role-a\n",
		"roles/web/files/role_only.txt": "r",
		"roles/web/templates/r.j2":      "role {{ name }}",
	}
	for p, text := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	play, role := filepath.Join(root, "play"), filepath.Join(root, "roles/web")
	vars = map[string]any{
		"name":                "web01",
		"port":                22,
		"users":               []any{map[string]any{"name": "alice", "groups": []any{"wheel", "dev"}}, map[string]any{"name": "bob", "groups": []any{"dev"}}},
		"ansible_search_path": []any{role, play},
		"role_path":           role,
		"playbook_dir":        play,
		"lazy":                "{{ name }}-lazy",
		"groups": map[string]any{
			"all":  []any{"web1", "web2", "db1"},
			"web":  []any{"web1", "web2"},
			"db":   []any{"db1"},
			"prod": []any{"web2", "db1"},
		},
	}
	return root, vars
}

func TestFileLookups(t *testing.T) {
	root, vars := lookupTree(t)
	play, role := filepath.Join(root, "play"), filepath.Join(root, "roles/web")
	cases := []evalCase{
		{"lookup('file', 'a.txt')", "role-a"}, // the role's files/ first
		{"lookup('file', 'other.txt')", "  play-level"},
		{"lookup('file', 'other.txt', lstrip=True)", "play-level"},
		{"lookup('file', 'other.txt', rstrip=False)", "  play-level  \n\n"},
		{"lookup('file', 'a.txt', 'other.txt')", "role-a,  play-level"},
		{"query('file', 'a.txt', 'role_only.txt')", []any{"role-a", "r"}},
		{"q('ansible.builtin.file', 'a.txt')", []any{"role-a"}},
		{"lookup('file', 'a.txt', wantlist=True)", []any{"role-a"}},
		{"lookup('file', '" + play + "/files/a.txt')", "play-a"},
		{"lookup('file', 'missing', errors='ignore')", nil},
		{"query('file', 'missing', errors='ignore')", []any{}},
		{"lookup('template', 't.j2')", "Hi web01\n"},
		{"lookup('template', 'r.j2')", "role web01"},
		{"lookup('template', 't.j2', template_vars={'extra': '!'})", "Hi web01!\n"},
		{"lookup('template', 'list.j2')", []any{1, 2, 22}},
		{"lookup('template', 'list.j2', convert_data=False)", "[1, 2, 22]"},
		{"lookup('first_found', 'nope.yml', 'other.txt')", play + "/other.txt"},
		{"lookup('first_found', ['nope.yml', 'a.txt'])", role + "/files/a.txt"},
		{"lookup('first_found', {'files': ['nope.yml', 'Debian.yml'], 'paths': ['vars']})", play + "/vars/Debian.yml"},
		// as in Ansible, the options apply to a term (which they replace)
		{"lookup('first_found', 'zzz', files='nope.yml,Debian.yml', paths='x:vars')", play + "/vars/Debian.yml"},
		{"lookup('first_found', '{{ name }}.yml', 'a.txt')", role + "/files/a.txt"},
		{"query('first_found', {'files': ['nope'], 'skip': True})", []any{}},
		{"query('fileglob', 'glob/*.conf')", []any{play + "/files/glob/x.conf", play + "/files/glob/y.conf"}},
		{"query('fileglob', '*.txt')", []any{role + "/files/a.txt", role + "/files/role_only.txt"}},
		{"query('fileglob', 'nope/*.txt')", []any{}},
		{"lookup('unvault', 'a.txt')", "role-a\n"},
		{"lookup('pipe', 'echo hi; pwd')", "hi\n" + play},
		{"query('lines', 'printf \"a\\\\nb\\\\n\"')", []any{"a", "b"}},
		{"lookup('vars', 'name')", "web01"},
		{"lookup('vars', 'lazy')", "web01-lazy"},
		{"lookup('vars', 'nope', default='d')", "d"},
		{"lookup('inventory_hostnames', 'web:&prod')", "web2"},
		{"query('inventory_hostnames', 'all:!web')", []any{"db1"}},
		{"query('inventory_hostnames', 'db,web*')", []any{"db1", "web1", "web2"}},
	}
	e := New()
	for _, c := range cases {
		got, err := e.Eval(c.expr, vars)
		if err != nil {
			t.Errorf("Eval(%q): %v", c.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", c.expr, got, c.want)
		}
	}
	errs := []errCase{
		{"lookup('file', 'missing')", "could not locate file in lookup: missing"},
		{"lookup('file', 'missing') | default('x')", "could not locate file in lookup: missing"},
		{"lookup('template', 'nope.j2')", "the template file nope.j2 could not be found for the lookup"},
		{"lookup('template', 'self.j2')", "nested more than 20 deep"},
		{"lookup('first_found', 'nope')", "No file was found when using first_found."},
		{"lookup('first_found', files='Debian.yml', paths='vars')", "No file was found when using first_found."},
		{"lookup('unvault', 'vault.txt', errors='ignore')", "vault is not supported yet"},
		{"lookup('pipe', 'exit 3')", "lookup_plugin.pipe(exit 3) returned 3"},
		{"lookup('vars', 'nope')", "No variable found with this name: nope"},
		{"lookup('vars', 'nope', errors='ignore') | default(1)", "No variable found with this name: nope"},
		{"lookup('file', 'a.txt', errors='sometimes')", "errors must be strict, warn or ignore"},
		{"lookup()", "missing the name"},
		{"lookup('community.general.dig', 'x')", "lookup community.general.dig is not supported by tend yet"},
		{"lookup('csvfile', 'x')", "lookup csvfile is not supported by tend yet"},
	}
	for _, c := range errs {
		got, err := e.Eval(c.expr, vars)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eval(%q) = %#v, %v; want an error with %q", c.expr, got, err, c.want)
		}
	}

	// errors='warn' tells the Env's Warn
	var warned []string
	e.Warn = func(msg string) { warned = append(warned, msg) }
	if got, err := e.Eval("lookup('file', 'missing', errors='warn')", vars); err != nil || got != nil || len(warned) != 1 || !strings.Contains(warned[0], "could not locate file") {
		t.Errorf("errors='warn': %v, %v, warnings %q", got, err, warned)
	}

	// without ansible_search_path: role_path, else playbook_dir
	delete(vars, "ansible_search_path")
	if got, err := e.Eval("lookup('file', 'a.txt')", vars); err != nil || got != "role-a" {
		t.Errorf("with role_path: %v, %v", got, err)
	}
	delete(vars, "role_path")
	if got, err := e.Eval("lookup('file', 'a.txt')", vars); err != nil || got != "play-a" {
		t.Errorf("with playbook_dir: %v, %v", got, err)
	}
}

func TestListLookups(t *testing.T) {
	t.Setenv("TEND_LOOKUP_TEST", "set")
	checkEval(t, []evalCase{
		{"lookup('env', 'TEND_LOOKUP_TEST')", "set"},
		{"lookup('env', 'TEND_LOOKUP_UNSET')", ""},
		{"lookup('env', 'TEND_LOOKUP_UNSET', default='d')", "d"},
		// values computed with Ansible 2.14's Templar._lookup
		{"lookup('nested', ['ab', 'cd'], wantlist=True)", []any{[]any{"a", "b"}, []any{"c", "d"}}},
		{"query('nested', [1, 2], ['a', 'b'])", []any{[]any{1, "a"}, []any{1, "b"}, []any{2, "a"}, []any{2, "b"}}},
		{"query('community.general.cartesian', [1], ['a', 'b'])", []any{[]any{1, "a"}, []any{1, "b"}}},
		{"query('together', [1, 2], [3])", []any{[]any{1, 3}, []any{2, nil}}},
		{"query('sequence', 'start=0 end=10 stride=5 format=web%02d')", []any{"web00", "web05", "web10"}},
		{"query('sequence', '4:host%02d', '2-8/3')", []any{"host01", "host02", "host03", "host04", "2", "5", "8"}},
		{"query('sequence', 'start=0x0f00 count=4 format=%04x')", []any{"0f00", "0f01", "0f02", "0f03"}},
		{"query('sequence', 'count=0')", []any{}},
		{"query('sequence', 'start=5 end=1 stride=-2')", []any{"5", "3", "1"}},
		{"query('sequence', start=1, end=3)", []any{"1", "2", "3"}},
		{"query('items', [1, [2, [3]]], 4)", []any{1, []any{2, []any{3}}, 4}},
		{"lookup('items', [1, 2])", []any{1, 2}},
		{"lookup('items', [1])", 1},
		{"lookup('items', ['a', 'b'])", "a,b"},
		{"lookup('items', [])", []any{}},
		{"query('list', [1, 2])", []any{[]any{1, 2}}},
		{"query('indexed_items', ['a', 'b'])", []any{[]any{0, "a"}, []any{1, "b"}}},
		{"query('subelements', users, 'groups') | map('last') | list", []any{"wheel", "dev", "dev"}},
		{"query('subelements', users, 'groups') | map('first') | first", map[string]any{"name": "alice", "uid": 1001, "admin": true}},
		{"query('subelements', [{'a': 1}, {'g': [1]}], 'g', {'skip_missing': True})", []any{[]any{map[string]any{}, 1}}},
		{"query('dict', {'b': 1, 'a': 2})", []any{map[string]any{"key": "a", "value": 2}, map[string]any{"key": "b", "value": 1}}},
		{"query('flattened', [1, [2, [3, [4]]]], 'None', 5)", []any{1, 2, 3, 4}},
		{"query('community.general.flattened', [[1], [[2]]])", []any{1, 2}},
		{"lookup('random_choice', 'a')", "a"},
		{"lookup('random_choice', 'a', 'b') in ['a', 'b']", true},
		{"lookup('config', 'DEFAULT_BECOME_USER')", "root"},
		{"query('config', 'NOPE', on_missing='skip')", []any{}},
	})
	// subelements leaves the caller's records whole
	v := vars()
	if _, err := New().Eval("query('subelements', users, 'groups')", v); err != nil || len(v["users"].([]any)[0].(map[string]any)["groups"].([]any)) != 2 {
		t.Errorf("subelements changed its input: %v", err)
	}
	checkEvalErr(t, []errCase{
		{"query('sequence', 'start=5 end=1')", "to count backwards make stride negative"},
		{"query('sequence', 'end=3 count=2')", "can't specify both count and end"},
		{"query('sequence', 'nope=3')", "unrecognized arguments to with_sequence"},
		{"query('sequence', 'end=3 format=%d%d')", "bad formatting string"},
		{"query('sequence', 'end=100000000')", "too large"},
		{"query('dict', [1])", "with_dict expects a dict"},
		{"query('subelements', users)", "subelements lookup expects a list of two or three items"},
		{"query('subelements', users, 'nope')", "could not find 'nope' key"},
		{"query('config', 'NOPE')", "Unable to find setting NOPE"},
		{"query('inventory_hostnames', 'all')", "needs the inventory's groups variable"},
	})
}

// The password lookup stores what it generates, reads it back, and
// creates the file 0600 in 0700 directories.
func TestPasswordLookup(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]any{"playbook_dir": dir}
	e := New()
	eval := func(expr string) string {
		t.Helper()
		v, err := e.Eval(expr, vars)
		if err != nil {
			t.Fatalf("Eval(%q): %v", expr, err)
		}
		return v.(string)
	}
	first := eval("lookup('password', 'credentials/web01/mysql length=15 chars=ascii_letters,digits')")
	if !regexp.MustCompile(`^[A-Za-z0-9]{15}$`).MatchString(first) {
		t.Errorf("password %q", first)
	}
	path := filepath.Join(dir, "credentials/web01/mysql")
	stored, err := os.ReadFile(path)
	if err != nil || string(stored) != first+"\n" {
		t.Errorf("stored %q, %v; want %q", stored, err, first+"\n")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode: %v %v", fi.Mode(), err)
	}
	if again := eval("lookup('password', '" + path + " length=15')"); again != first {
		t.Errorf("second run: %q, want the stored %q", again, first)
	}

	// encrypt stores a salt beside the password and hashes with it
	hash := eval("lookup('password', 'enc encrypt=sha512_crypt')")
	stored, _ = os.ReadFile(filepath.Join(dir, "enc"))
	m := regexp.MustCompile(`^(\S{20}) salt=([./0-9A-Za-z]{16})\n$`).FindStringSubmatch(string(stored))
	if m == nil {
		t.Fatalf("stored with encrypt: %q", stored)
	}
	want, _ := cryptHash(m[1], "sha512_crypt", m[2], 0, 0)
	if hash != want || eval("lookup('password', 'enc', encrypt='sha512_crypt')") != hash {
		t.Errorf("encrypted: %q, want %q both times", hash, want)
	}

	// an existing file is read as Ansible writes it
	if err := os.WriteFile(filepath.Join(dir, "old"), []byte("abc salt=xyz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := eval("lookup('password', 'old')"); got != "abc" {
		t.Errorf("an existing file: %q", got)
	}
	// a seed gives Python's random.Random(seed) choices (Ansible 2.14:
	// random_password(20, DEFAULT_PASSWORD_CHARS, 'myseed'))
	if got := eval("lookup('password', '/dev/null seed=myseed')"); got != "0MuyBT:n9PJ04hAgLZXx" {
		t.Errorf("seeded: %q", got)
	}
	if got := eval("lookup('password', '/dev/null', seed='web01', length=8, chars=['digits'])"); got != "56020164" {
		t.Errorf("seeded digits: %q", got)
	}
	if a, b := eval("lookup('password', '/dev/null')"), eval("lookup('password', '/dev/null')"); a == b || len(a) != 20 {
		t.Errorf("/dev/null: %q and %q", a, b)
	}
	if _, err := e.Eval("lookup('password', 'x nope=1')", vars); err == nil || !strings.Contains(err.Error(), "Unrecognized parameter(s) given to password lookup: nope") {
		t.Errorf("a bad parameter: %v", err)
	}
}

func TestRunLookup(t *testing.T) {
	root, vars := lookupTree(t)
	e := New()
	cases := []struct {
		name   string
		terms  []any
		kwargs map[string]any
		want   []any
	}{
		{"items", []any{1, []any{2, 3}}, nil, []any{1, 2, 3}},
		{"dict", []any{map[string]any{"a": 1}}, nil, []any{map[string]any{"key": "a", "value": 1}}},
		{"first_found", []any{"t.j2"}, map[string]any{"_subdir": FirstFoundSubdir("ansible.builtin.template")}, []any{filepath.Join(root, "play/templates/t.j2")}},
		{"first_found", LookupTerms([]any{map[string]any{"files": []any{"Debian.yml"}, "paths": []any{"vars"}}}), nil, []any{filepath.Join(root, "play/vars/Debian.yml")}},
		{"first_found", []any{"nope"}, map[string]any{"skip": true}, []any{}},
		{"file", []any{"nope"}, map[string]any{"errors": "ignore"}, []any{}},
		{"sequence", LookupTerms(" start=1 end=2 "), nil, []any{"1", "2"}},
	}
	for _, c := range cases {
		got, err := e.RunLookup(c.name, c.terms, c.kwargs, vars)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("RunLookup(%s, %v) = %#v, %v; want %#v", c.name, c.terms, got, err, c.want)
		}
	}
	if _, err := e.RunLookup("nope", nil, nil, vars); err == nil || err.Error() != "lookup plugin (nope) not found" {
		t.Errorf("an unknown lookup: %v", err)
	}
	if _, err := e.RunLookup("hashi_vault", nil, nil, vars); err == nil || err.Error() != "lookup hashi_vault is not supported by tend yet" {
		t.Errorf("a lookup tend lacks: %v", err)
	}
	for action, want := range map[string]string{"template": "templates", "include_vars": "vars", "copy": "files", "command": "files"} {
		if got := FirstFoundSubdir(action); got != want {
			t.Errorf("FirstFoundSubdir(%s) = %s, want %s", action, got, want)
		}
	}
}

func TestLookupVarnames(t *testing.T) {
	e := New()
	got, err := e.Value("{{ lookup('varnames', '^os_.+_path$', '^zz') }}", map[string]any{"os_a_path": 1, "os_b_path": 2, "os_c": 3, "zz1": 0})
	if err != nil || got != "os_a_path,os_b_path,zz1" {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := e.Value("{{ query('varnames', 1) }}", nil); err == nil {
		t.Error("a term that is not a string should fail")
	}
}
