package modules

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func checkArgs(t *testing.T, module string, raw map[string]any) (Args, []ArgError) {
	t.Helper()
	m, ok := Lookup(module)
	if !ok {
		t.Fatalf("no module %s", module)
	}
	return m.Spec().Check(raw, false)
}

func TestArgErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		module string
		raw    map[string]any
		want   []string // each must be in one of the errors (with its hint)
	}{
		{"file", map[string]any{"path": "/x", "stat": "file"}, []string{`unknown argument "stat"`, `did you mean "state"?`}},
		{"copy", map[string]any{"dest": "/x", "content": "x", "ownr": "root"}, []string{`did you mean "owner"?`}},
		{"file", map[string]any{"path": "/x", "xyzzy_plugh": 1}, []string{`unknown argument "xyzzy_plugh"`, "it takes: path, state"}},
		{"copy", map[string]any{"content": "x"}, []string{`missing required argument "dest"`}},
		{"stat", map[string]any{}, []string{`missing required argument "path"`}},
		{"copy", map[string]any{"dest": "/x"}, []string{`one of "content", "src" is required`}},
		{"copy", map[string]any{"dest": "/x", "content": "a", "src": "b"}, []string{`"content", "src" are mutually exclusive`}},
		{"lineinfile", map[string]any{"path": "/x", "line": "a", "insertafter": "a", "insertbefore": "b"}, []string{`"insertbefore", "insertafter" are mutually exclusive`}},
		{"lineinfile", map[string]any{"path": "/x", "line": "a", "search_string": "a", "backrefs": true}, []string{`"backrefs", "search_string" are mutually exclusive`}},
		{"command", map[string]any{"cmd": "ls", "argv": []any{"ls"}}, []string{"mutually exclusive"}},
		{"command", map[string]any{"chdir": "/"}, []string{`one of "cmd", "argv" is required`}},
		{"shell", map[string]any{}, []string{`missing required argument "cmd"`}},
		{"file", map[string]any{"path": "/x", "recurse": "maybe"}, []string{`recurse must be a boolean, not "maybe"`}},
		{"file", map[string]any{"path": "/x", "state": "dir"}, []string{`state must be one of "file", "directory"`}},
		{"file", map[string]any{"path": "/x", "mode": "rwxr-xr-x"}, []string{"is not a mode"}},
		{"file", map[string]any{"path": "/x", "mode": 99999}, []string{"is not a valid mode"}},
		{"file", map[string]any{"path": []any{"/x"}}, []string{"path must be a path, not a list"}},
		{"file", map[string]any{"path": "/x", "dest": "/y"}, []string{`"path" is given twice`}},
		{"copy", map[string]any{"dest": "/x", "content": "x", "backup": map[string]any{}}, []string{"backup must be a boolean, not a dictionary"}},
		{"command", map[string]any{"argv": map[string]any{"a": 1}}, []string{"argv must be a list, not a dictionary"}},
		{"debug", map[string]any{"verbosity": "high"}, []string{"verbosity must be a integer"}},
		{"debug", map[string]any{"msg": "a", "var": "b"}, []string{"mutually exclusive"}},
		{"meta", map[string]any{"free_form": "end_everything"}, []string{"free_form must be one of"}},
		{"stat", map[string]any{"path": "/x", "checksum_algorithm": "crc"}, []string{"must be one of"}},
		{"assert", map[string]any{}, []string{`missing required argument "that"`}},
	}
	for _, c := range cases {
		_, errs := checkArgs(t, c.module, c.raw)
		all := ""
		for _, e := range errs {
			all += e.Error() + "\n"
		}
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s %v: errors %q, want %q", c.module, c.raw, all, w)
			}
		}
	}
}

func TestArgsConverted(t *testing.T) {
	t.Parallel()
	args, errs := checkArgs(t, "file", map[string]any{"dest": "/x", "mode": 0o644, "recurse": "yes", "owner": 0})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if args.String("path") != "/x" || args.String("mode") != "0644" || !args.Bool("recurse") || args.String("owner") != "0" || args.Bool("force") || !args.Bool("follow") {
		t.Errorf("args %v", args)
	}
	args, _ = checkArgs(t, "lineinfile", map[string]any{"destfile": "/x", "regex": "^a", "value": "b"})
	if args.String("path") != "/x" || args.String("regexp") != "^a" || args.String("line") != "b" || args.String("state") != "present" {
		t.Errorf("aliases: %v", args)
	}
	args, _ = checkArgs(t, "assert", map[string]any{"that": "x in [1, 2]"})
	if !reflect.DeepEqual(args.List("that"), []string{"x in [1, 2]"}) {
		t.Errorf("that: %#v", args["that"])
	}
	args, _ = checkArgs(t, "command", map[string]any{"argv": "ls,-l"})
	if !reflect.DeepEqual(args.List("argv"), []string{"ls", "-l"}) {
		t.Errorf("argv: %#v", args["argv"])
	}
	args, errs = checkArgs(t, "set_fact", map[string]any{"anything": []any{1}, "cacheable": "no"})
	if len(errs) > 0 || args["anything"] == nil || args.Bool("cacheable") {
		t.Errorf("set_fact %v %v", args, errs)
	}
	args, _ = checkArgs(t, "copy", map[string]any{"dest": "/x", "content": "a", "thirsty": "no"})
	if args.Bool("force") {
		t.Errorf("thirsty: %v", args)
	}
}

func TestArgsPartialAcceptsTemplates(t *testing.T) {
	t.Parallel()
	m, _ := Lookup("file")
	_, errs := m.Spec().Check(map[string]any{"path": "/x", "mode": "{{ mode }}", "recurse": "{{ r }}"}, true)
	if len(errs) > 0 {
		t.Errorf("%v", errs)
	}
	_, errs = m.Spec().Check(map[string]any{"path": "/x", "mdoe": "{{ mode }}"}, true)
	if len(errs) != 1 || errs[0].Hint != `did you mean "mode"?` {
		t.Errorf("%v", errs)
	}
}

func TestRegisteredSpecsAreSound(t *testing.T) {
	t.Parallel()
	want := []string{"assert", "command", "copy", "debug", "fail", "file", "lineinfile", "meta", "set_fact", "shell", "stat", "template"}
	for _, n := range want {
		if _, ok := Lookup("ansible.builtin." + n); !ok {
			t.Errorf("%s is not registered", n)
		}
	}
	for _, name := range Names() {
		m, _ := Lookup(name)
		s := m.Spec()
		seen := map[string]bool{}
		for _, p := range s.Params {
			for _, n := range append([]string{p.Name}, p.Aliases...) {
				if seen[n] {
					t.Errorf("%s: %s named twice", name, n)
				}
				seen[n] = true
			}
			if p.Default != nil {
				if _, err := convert(&p, p.Default); err != nil {
					t.Errorf("%s: default of %s: %v", name, p.Name, err)
				}
			}
		}
		if s.FreeForm != "" && !seen[s.FreeForm] {
			t.Errorf("%s: free form %s is not a parameter", name, s.FreeForm)
		}
		for _, set := range append(append([][]string{}, s.Exclusive...), s.RequiredOneOf...) {
			for _, n := range set {
				if !seen[n] {
					t.Errorf("%s: %s in a set is not a parameter", name, n)
				}
			}
		}
	}
}

func TestControllerModules(t *testing.T) {
	t.Parallel()
	m, _ := Lookup("debug")
	if _, err := m.Probe(&Task{}); err == nil {
		t.Error("a controller module has no probe")
	}
	args, errs := checkArgs(t, "debug", map[string]any{})
	if len(errs) > 0 || args["msg"] != "Hello world!" || args.Int("verbosity") != 0 {
		t.Errorf("debug defaults %v %v", args, errs)
	}
	args, _ = checkArgs(t, "fail", map[string]any{})
	if args["msg"] != "Failed as requested from task" {
		t.Errorf("fail %v", args)
	}
	args, errs = checkArgs(t, "template", map[string]any{"src": "t.j2", "dest": "/etc/x", "mode": "0600", "backup": true})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cp := TemplateCopyArgs(args, "rendered")
	m, _ = Lookup("copy")
	if _, errs := m.Spec().Check(cp, false); len(errs) > 0 {
		t.Errorf("copy args from template: %v", errs)
	}
	if cp["content"] != "rendered" || cp["mode"] != "0600" || cp["force"] != true || cp["src"] != nil {
		t.Errorf("copy args %v", cp)
	}
}

func TestPyJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{
		{map[string]any{"b": 1, "a": []any{true, nil, 1.5, 2.0, "x\"y\n"}}, `{"a": [true, null, 1.5, 2.0, "x\"y\n"], "b": 1}`},
		{[]any{"é", "😀", "\x01", "\x7f"}, `["\u00e9", "\ud83d\ude00", "\u0001", "` + "\x7f" + `"]`},
		{[]any{1e20, 0.0001, 1e-5}, `[1e+20, 0.0001, 1e-05]`},
		{map[string]any{}, `{}`},
	} {
		var b strings.Builder
		if err := pyJSON(&b, c.v); err != nil || b.String() != c.want {
			t.Errorf("pyJSON(%v) = %s %v, want %s", c.v, b.String(), err, c.want)
		}
	}
}

// Only modules that never change anything are Readers: the runner may call
// Read instead of Plan.
func TestReadersOnlyRead(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		m, _ := Lookup(name)
		_, reader := m.(Reader)
		_, reporter := m.(Reporter)
		if reader != slices.Contains([]string{"stat", "getent", "find", "slurp", "package_facts", "service_facts"}, name) {
			t.Errorf("%s: Reader is %v", name, reader)
		}
		if reader && reporter {
			t.Errorf("%s is both a Reader and a Reporter", name)
		}
	}
}
