package jinja

import (
	"strings"
	"testing"
)

// The fuzzers feed arbitrary text to the engine: it may fail, never panic
// or hang. Their seeds, in testdata/fuzz, run as tests in plain go test.

func FuzzRender(f *testing.F) {
	e := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := e.Render(src, vars())
		checkFuzzResult(t, src, err)
		if err == nil && !IsTemplate(src) && out != src {
			t.Fatalf("text without markup changed: %q", out)
		}
		if cerr := e.Check(src); cerr != nil && err == nil {
			t.Fatalf("Check failed (%v) where Render did not", cerr)
		}
		_, err = e.Value(src, vars())
		checkFuzzResult(t, src, err)
	})
}

func FuzzEval(f *testing.F) {
	e := New()
	f.Fuzz(func(t *testing.T, expr string) {
		_, err := e.Eval(expr, vars())
		checkFuzzResult(t, expr, err)
		_, err = e.Truthy(expr, vars())
		checkFuzzResult(t, expr, err)
		_ = e.CheckExpr(expr)
	})
}

// checkFuzzResult fails on a panic gonja had while rendering (recovered
// into an error): each is a bug worth a look, even if the engine survives
// it. (The parser's own are syntax errors: see Env.parse.)
func checkFuzzResult(t *testing.T, src string, err error) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), "template engine failure") || strings.Contains(err.Error(), "cannot compile")) {
		t.Fatalf("%q: %v", src, err)
	}
}
