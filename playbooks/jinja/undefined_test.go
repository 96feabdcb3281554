package jinja

import (
	"errors"
	"testing"
)

func TestUndefinedIsAnError(t *testing.T) {
	cases := []struct {
		expr, msg, name string
	}{
		{"missing", "'missing' is undefined", "missing"},
		{"missing.attr", "'missing' is undefined", "missing"},
		{"missing | upper", "'missing' is undefined", "missing"},
		{"missing ~ 'x'", "'missing' is undefined", "missing"},
		{"[missing]", "'missing' is undefined", "missing"},
		{"{'a': missing}", "'missing' is undefined", "missing"},
		{"missing(1)", "'missing' is undefined", "missing"},
		{"conf.nope", "'dict object' has no attribute 'nope'", "nope"},
		{"conf['nope']", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.nested.nope", "'dict object' has no attribute 'nope'", "nope"},
		{"users[0].nope", "'dict object' has no attribute 'nope'", "nope"},
		{"nums[7]", "list object has no element 7", "7"},
		{"nums.7", "list object has no element 7", "7"},
		{"nothing.attr", "'None' has no attribute 'attr'", "attr"},
		{"conf[missing]", "'missing' is undefined", "missing"},
		{"users | map(attribute='nope') | list", "'dict object' has no attribute 'nope'", "nope"},
		{"users | selectattr('admin') | list", "'dict object' has no attribute 'admin'", "admin"},
		{"[] | first", "No first item, sequence was empty.", ""},
		{"[] | max", "No aggregated item, sequence was empty.", ""},
		{"missing is string", "'missing' is undefined", "missing"},
		{"missing == 1", "'missing' is undefined", "missing"},
		{"'x' if missing else 'y'", "'missing' is undefined", "missing"},
		{"conf.nope.deeper", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.nope ~ 'x'", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.nope + 1", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.nope.upper()", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.user.nope", "'str object' has no attribute 'nope'", "nope"},
		{"port.nope", "'int object' has no attribute 'nope'", "nope"},
		{"range(conf.nope)", "'dict object' has no attribute 'nope'", "nope"},
		{"-conf.nope", "'dict object' has no attribute 'nope'", "nope"},
		{"conf.nope[1:]", "'dict object' has no attribute 'nope'", "nope"},
		{"1 if enabled else missing.x", "", ""}, // branch not taken: no error (checked below)
	}
	e := New()
	for _, c := range cases {
		got, err := e.Eval(c.expr, vars())
		if c.msg == "" {
			if err != nil {
				t.Errorf("Eval(%q): %v", c.expr, err)
			}
			continue
		}
		u := asUndefined(err)
		if u == nil {
			t.Errorf("Eval(%q) = %#v, %v; want an *UndefinedError", c.expr, got, err)
			continue
		}
		if u.Error() != c.msg || c.name != "" && u.Name != c.name {
			t.Errorf("Eval(%q) failed with %q (Name %q), want %q (Name %q)", c.expr, u.Error(), u.Name, c.msg, c.name)
		}
	}
}

func TestUndefinedGuards(t *testing.T) {
	checkEval(t, []evalCase{
		{"missing | default('x')", "x"},
		{"missing | d('x')", "x"},
		{"missing | default", ""},
		{"missing.attr | default('x')", "x"},
		{"conf.nope | default('x')", "x"},
		{"conf.nope.deeper | default('x')", "x"},
		{"conf['nope'] | default(1)", 1},
		{"nums[9] | default(0)", 0},
		{"nothing.attr | default('x')", "x"},
		{"[] | first | default('x')", "x"},
		{"users | map(attribute='nope') | default([])", []any{}},
		{"missing | default(omit)", Omit},
		{"missing | default(conf.user)", "www"},
		{"missing is defined", false},
		{"missing is undefined", true},
		{"missing is not defined", true},
		{"not missing is defined", true},
		{"conf.user is defined", true},
		{"conf.nope is defined", false},
		{"conf.nope is undefined", true},
		{"nothing is defined", true},
		{"missing is defined and missing.x", false},
		{"missing is not defined or missing.x", true},
		{"users | selectattr('admin', 'defined') | map(attribute='name') | list", []any{"alice", "bob"}},
		{"users | rejectattr('admin', 'defined') | map(attribute='name') | list", []any{"carol"}},
		{"users | map(attribute='admin', default=false) | list", []any{true, false, false}},
		{"conf.get('nope', 'd')", "d"},
		// None is defined; default only fills in for undefined, or with
		// true for anything false
		{"nothing | default('x')", nil},
		{"nothing | default('x', true)", "x"},
		{"empty | default('x')", ""},
		{"empty | default('x', true)", "x"},
		{"0 | default(5, boolean=true)", 5},
		{"port | default(5)", 22},
	})
	checkRender(t, []renderCase{
		{"{{ missing | default('x') }}", "x"},
		{"{% if missing is defined %}{{ missing }}{% else %}no{% endif %}", "no"},
		{"{{ nothing }}|{{ nothing | default('x') }}", "|"},
	})
}

func TestUndefinedInTemplates(t *testing.T) {
	e := New()
	src := "first line\n{% for u in users %}\n{{ u.name }}: {{ u.shell }}\n{% endfor %}\n"
	_, err := e.Render(src, vars())
	u := asUndefined(err)
	if u == nil {
		t.Fatalf("Render: %v, want an *UndefinedError", err)
	}
	if u.Error() != "'dict object' has no attribute 'shell'" || u.Name != "shell" || u.Line != 3 {
		t.Errorf("got %q (Name %q, Line %d), want shell at line 3", u.Error(), u.Name, u.Line)
	}
	for _, src := range []string{
		"{% if missing %}x{% endif %}",
		"{% for x in missing %}{% endfor %}",
		"{% for x in nums if missing %}{% endfor %}",
		"{% set y = missing %}{{ y }}",
		"{{ 'a' if missing }}",
		"{% if [] | first %}x{% endif %}",
		"{% if ([] | first) or true %}x{% endif %}",
	} {
		_, err := e.Render(src, vars())
		if asUndefined(err) == nil {
			t.Errorf("Render(%q): %v, want an *UndefinedError", src, err)
		}
	}
	// the type is usable with errors.As through wrapping by callers
	wrapped := errors.Join(errors.New("task x"), err)
	if asUndefined(wrapped) == nil {
		t.Error("errors.As does not find an *UndefinedError through wrapping")
	}
}

func TestOmit(t *testing.T) {
	e := New()
	got, err := e.Value(map[string]any{
		"path": "{{ path }}",
		"mode": "{{ file_mode | default(omit) }}",
	}, vars())
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["mode"] != Omit || m["path"] != "/etc/nginx/nginx.conf" {
		t.Errorf("got %#v", m)
	}
	if len(Omit) < 30 || Omit == New().globals["omit"] && Omit[:21] != "__omit_place_holder__" {
		t.Errorf("Omit = %q", Omit)
	}
}
