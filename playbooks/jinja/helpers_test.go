package jinja

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// vars is what the tests render against: the shapes YAML gives.
func vars() map[string]any {
	return map[string]any{
		"name":    "web01",
		"port":    22,
		"ratio":   0.5,
		"enabled": true,
		"off":     false,
		"nothing": nil,
		"empty":   "",
		"text":    "Hello World",
		"csv":     "a,b,c",
		"path":    "/etc/nginx/nginx.conf",
		"nums":    []any{3, 1, 2},
		"words":   []any{"b", "A", "c", "a"},
		"users": []any{
			map[string]any{"name": "alice", "uid": 1001, "admin": true, "groups": []any{"wheel", "dev"}},
			map[string]any{"name": "bob", "uid": 1002, "admin": false, "groups": []any{"dev"}},
			map[string]any{"name": "carol", "uid": 1003, "groups": []any{}},
		},
		"conf":    map[string]any{"user": "www", "workers": 4, "nested": map[string]any{"a": 1}},
		"result":  map[string]any{"changed": true, "failed": false, "rc": 0, "stdout": "ok"},
		"version": "2.10.1",
	}
}

type evalCase struct {
	expr string
	want any
}

// checkEval evaluates each expression and compares its plain value.
func checkEval(t *testing.T, cases []evalCase) {
	t.Helper()
	e := New()
	for _, c := range cases {
		got, err := e.Eval(c.expr, vars())
		if err != nil {
			t.Errorf("Eval(%q): %v", c.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", c.expr, got, c.want)
		}
	}
}

type renderCase struct {
	src  string
	want string
}

func checkRender(t *testing.T, cases []renderCase) {
	t.Helper()
	e := New()
	for _, c := range cases {
		got, err := e.Render(c.src, vars())
		if err != nil {
			t.Errorf("Render(%q): %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

type errCase struct {
	expr string
	want string // part of the message
}

// checkEvalErr expects Eval to fail with a message containing want.
func checkEvalErr(t *testing.T, cases []errCase) {
	t.Helper()
	e := New()
	for _, c := range cases {
		got, err := e.Eval(c.expr, vars())
		if err == nil {
			t.Errorf("Eval(%q) = %#v, want an error with %q", c.expr, got, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eval(%q) failed with %q, want %q in it", c.expr, err, c.want)
		}
	}
}

func asUndefined(err error) *UndefinedError {
	var u *UndefinedError
	if errors.As(err, &u) {
		return u
	}
	return nil
}
