package jinja

import (
	"strings"
	"testing"
	"time"
)

// hangGuard is how long one fuzz input may render before the fuzzer calls
// it a hang. It says nothing of speed (every seed renders in well under a
// second): it turns an endless render into a failure naming its input.
const hangGuard = 2 * time.Minute

// budgetSeeds recurse or blow up in every way a template can: each must
// be an error (or a bounded result), never a crash, a hang or a runaway.
var budgetSeeds = []string{
	`{% macro f(n) %}{{ f(n+1) }}{% endmacro %}{{ f(0) }}`,
	`{% macro f(n) %}{{ f(n) ~ f(n) }}{% endmacro %}{{ f(0) }}`,
	`{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}`,
	`{% macro f() %}{% for i in range(1000) %}{{ caller() }}{% endfor %}{% endmacro %}{% call f() %}{% call f() %}x{% endcall %}{% endcall %}`,
	`{% for i in range(9) %}{% set x = range(1000000) %}{% endfor %}`,
	// (Nested loops of range(100000) stop at the range budget, 8M items,
	// after 30 s of rendering on a busy machine: too slow for a seed.)
	`{{ 'x' * 10**10 }}`,
	`{{ [1] * 10**9 }}`,
	`{{ range(10**12) | list }}`,
	`{% set x = 'ab' %}{% for i in range(60) %}{% set x = x ~ x %}{% endfor %}{{ x | length }}`,
	`{{ ('a' * 1000000) | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') }}`,
	`{% include 'self.j2' %}`,
	`{% import 'm.j2' as m %}{{ m.f() }}`,
	`{% extends 'base.j2' %}`,
	`{{ lookup('template', 'self.j2') }}`,
	`{{ x }}{% set x = x %}`,
	strings.Repeat(`{{ (`, 500) + `1` + strings.Repeat(`) }}`, 500),
	strings.Repeat(`{% if true %}`, 300) + `x` + strings.Repeat(`{% endif %}`, 300),
	strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000),
}

// FuzzTemplateBudget renders template text under the engine's budgets:
// recursion in macros, huge loops and strings must come back as errors.
// Plain go test runs the seeds; go test -fuzz FuzzTemplateBudget explores.
func FuzzTemplateBudget(f *testing.F) {
	for _, s := range budgetSeeds {
		f.Add(s)
	}
	e := New()
	f.Fuzz(func(t *testing.T, src string) {
		done := make(chan error, 1)
		go func() {
			_, err := e.Render(src, vars())
			done <- err
		}()
		select {
		case err := <-done:
			checkFuzzResult(t, src, err)
		case <-time.After(hangGuard):
			t.Fatalf("%q: still rendering after %v", src, hangGuard)
		}
	})
}

// The recursive seeds fail with a reason, not a result.
func TestTemplateBudgetErrors(t *testing.T) {
	e := New()
	for _, src := range budgetSeeds[:3] {
		if _, err := e.Render(src, vars()); err == nil || !strings.Contains(err.Error(), "deep") && !strings.Contains(err.Error(), "recurs") {
			t.Errorf("%q: %v", src, err)
		}
	}
}
