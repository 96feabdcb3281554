package jinja

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestValue(t *testing.T) {
	cases := []struct {
		in   any
		want any
	}{
		{"plain", "plain"},
		{"{ not a template }", "{ not a template }"},
		{"{{ users | map(attribute='name') | list }}", []any{"alice", "bob", "carol"}},
		{"  {{ port }}  ", "  22  "},
		// Ansible's SINGLE_VAR: a bare variable holding a number, a final
		// newline at most, is the number; any other text around makes text.
		{"{{ port }}\n", 22},
		{" {{ port }}\n", " 22\n"},
		{"{{ port + 0 }}\n", "22\n"},
		{"[{{ port }}]", []any{22}},
		{"{{ name }}\n", "web01\n"}, // text keeps what is around it
		{"{{ nums }}\n", []any{3, 1, 2}},
		{"{{ port }}", 22},
		{"{{ ratio }}", 0.5},
		{"{{ enabled }}", true},
		{"{{ nothing }}", nil},
		{"{{ conf }}", map[string]any{"user": "www", "workers": 4, "nested": map[string]any{"a": 1}}},
		{"{{ '5' }}", "5"},
		{"{{ port }}/tcp", "22/tcp"},
		{"{{ name }}{{ port }}", "web0122"},
		{"{% if enabled %}yes{% endif %}", "yes"},
		{"{{ 'on' if off }}", ""},
		{"{# only a comment #}", ""},
		{[]any{"{{ port }}", "x", 3}, []any{22, "x", 3}},
		{map[string]any{"{{ name }}_key": "{{ nums }}", "n": nil}, map[string]any{"web01_key": []any{3, 1, 2}, "n": nil}},
		{map[string]any{"deep": []any{map[string]any{"x": "{{ port + 1 }}"}}}, map[string]any{"deep": []any{map[string]any{"x": 23}}}},
		{42, 42},
		{nil, nil},
	}
	e := New()
	for _, c := range cases {
		got, err := e.Value(c.in, vars())
		if err != nil {
			t.Errorf("Value(%#v): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Value(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

// Value's results are the caller's to change: they never share memory
// with vars.
func TestValueDoesNotAlias(t *testing.T) {
	v := vars()
	got, err := New().Value("{{ users }}", v)
	if err != nil {
		t.Fatal(err)
	}
	got.([]any)[0].(map[string]any)["name"] = "mallory"
	if v["users"].([]any)[0].(map[string]any)["name"] != "alice" {
		t.Error("changing Value's result changed vars")
	}
}

func TestEvalForms(t *testing.T) {
	checkEval(t, []evalCase{
		{"port == 22", true},
		{"{{ port == 22 }}", true},
		{"  {{ nums }}  ", []any{3, 1, 2}},
		{"{{ port }} == 22", true}, // rendered, then evaluated, as Ansible does
		{"name == '{{ name }}'", true},
		{"{{ 'off' }}", false}, // the text off, evaluated: the variable off
		{"{{ '' }}", ""},
		{"port\n== 22\n", true},
	})
	checkEvalErr(t, []errCase{
		{"", "expected"},
		{"port ==", "expected"},
		{"a }} b", "expected one expression"},
	})
}

func TestTruthy(t *testing.T) {
	cases := map[string]bool{
		"enabled":           true,
		"off":               false,
		"port":              true,
		"0":                 false,
		"0.0":               false,
		"empty":             false,
		"nothing":           false,
		"nums":              true,
		"[]":                false,
		"{}":                false,
		"conf":              true,
		"'false'":           true, // a non-empty string, as in Python
		"'no'":              true,
		"'false' | bool":    false,
		"result is changed": true,
		"users | selectattr('admin', 'defined') | list | length > 1": true,
	}
	e := New()
	for expr, want := range cases {
		got, err := e.Truthy(expr, vars())
		if err != nil || got != want {
			t.Errorf("Truthy(%q) = %v, %v; want %v", expr, got, err, want)
		}
	}
	if _, err := e.Truthy("missing", vars()); asUndefined(err) == nil {
		t.Errorf("Truthy(missing): %v, want an *UndefinedError", err)
	}
}

func TestCheckExpr(t *testing.T) {
	e := New()
	for _, ok := range []string{"x == 1", "a and (b or c)", "x is defined", "{{ x }}", "x | default(1) > 2"} {
		if err := e.CheckExpr(ok); err != nil {
			t.Errorf("CheckExpr(%q): %v", ok, err)
		}
	}
	cases := []struct {
		expr      string
		line, col int
	}{
		{"x | nosuch", 1, 5},
		{"x is nosuch", 1, 6},
		{"x ==", 1, 0},
		{"a and\n b | nosuch", 2, 6},
	}
	for _, c := range cases {
		err := e.CheckExpr(c.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("CheckExpr(%q) = %v, want a *SyntaxError", c.expr, err)
			continue
		}
		if se.Line != c.line || c.col != 0 && se.Col != c.col {
			t.Errorf("CheckExpr(%q) at %d:%d, want %d:%d (%v)", c.expr, se.Line, se.Col, c.line, c.col, se)
		}
	}
	// Check on text without markup has nothing to do
	if err := e.Check("plain { text }"); err != nil {
		t.Error(err)
	}
}

func TestIsTemplate(t *testing.T) {
	for s, want := range map[string]bool{
		"":          false,
		"plain":     false,
		"{":         false,
		"a { b } {": false,
		"{{ x }}":   true,
		"x {% y":    true,
		"{#":        true,
		"{ {{":      true,
	} {
		if got := IsTemplate(s); got != want {
			t.Errorf("IsTemplate(%q) = %v", s, got)
		}
	}
}

// Each distinct text compiles once, however many goroutines render it.
func TestCompilesOnce(t *testing.T) {
	e := New()
	var wg sync.WaitGroup
	progs := make([]*program, 20)
	for i := range progs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := e.compile("{{ name }}-{{ port }}")
			if err != nil {
				t.Error(err)
			}
			progs[i] = p
		}()
	}
	wg.Wait()
	for _, p := range progs[1:] {
		if p != progs[0] {
			t.Fatal("compiled twice")
		}
	}
}

// Many goroutines share one Env, each with its own vars, as hosts do.
func TestConcurrentUse(t *testing.T) {
	e := New()
	shared := vars() // read by all at once: it must stay as it is
	src := `{% set l = [] %}{% for u in users %}{% do l.append(u.name ~ host) %}{% endfor %}` +
		`{{ l | join(',') }} {{ (conf | combine({'h': host})).h }} {{ host | default('none') }}`
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := string(rune('a' + i%26))
			v := map[string]any{"users": shared["users"], "conf": shared["conf"], "host": host}
			for range 50 {
				got, err := e.Render(src, v)
				want := "alice" + host + ",bob" + host + ",carol" + host + " " + host + " " + host
				if err != nil || got != want {
					t.Errorf("got %q, %v; want %q", got, err, want)
					return
				}
				if ok, err := e.Truthy("host in 'abcdefghijklmnopqrstuvwxyz' and users | length == 3", v); err != nil || !ok {
					t.Errorf("Truthy: %v, %v", ok, err)
					return
				}
				if _, err := e.Value(map[string]any{"x": "{{ missing }}"}, v); asUndefined(err) == nil {
					t.Errorf("want an undefined error, got %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if !reflect.DeepEqual(shared, vars()) {
		t.Error("rendering changed the shared vars")
	}
}

// An error's message is clean of gonja's internals.
func TestErrorMessages(t *testing.T) {
	e := New()
	for expr, want := range map[string]string{
		"'a' + 1":                  "unsupported operand type(s) for +: 'str' and 'int'",
		"nums | join(1, 2, 3)":     "join: takes at most 2 arguments (3 given)",
		"'x' | regex_replace('(')": "invalid regular expression",
		"nums | sort(nope=1)":      "sort: got an unexpected keyword argument 'nope'",
	} {
		_, err := e.Eval(expr, vars())
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Eval(%q): %v, want %q", expr, err, want)
		}
	}
	_, err := e.Render("one\ntwo {{ 1 / 0 }}\n", vars())
	if err == nil || err.Error() != "line 2: division by zero" {
		t.Errorf("Render: %v", err)
	}
}
