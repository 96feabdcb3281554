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
	// (Nested loops of range(100000) stop at the iteration budget: see
	// TestNestedLoopsStopAtTheBudget.)
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

// Loops nested over large lists run 10^10 times under Jinja; here they end
// at the iteration budget with an error that says so, in seconds.
func TestNestedLoopsStopAtTheBudget(t *testing.T) {
	e := New()
	big := make([]any, 1500)
	for i := range big {
		big[i] = i
	}
	for _, src := range []string{
		`{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}`,
		`{% for i in big %}{% for j in big %}{% endfor %}{% endfor %}`,
	} {
		_, err := e.Render(src, map[string]any{"big": big})
		if err == nil || !strings.Contains(err.Error(), "for loops ran more than") {
			t.Errorf("%s: %v", src, err)
		}
	}
	// Within the budget, loops and their controls are as before.
	out, err := e.Render(`{%- for i in range(3) -%}
  {{ i }}
{%- endfor %}|{% for i in [] %}x{% else %}empty{% endfor %}|{% for i in range(5) %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}{% if i == 3 %}{% break %}{% endif %}{% endfor %}|{% for i in range(3) %}{{ loop.index }}{{ loop.first }}{% endfor %}`, nil)
	if want := "012|empty|013|1True2False3False"; err != nil || out != want {
		t.Errorf("got %q, %v; want %q", out, err, want)
	}
}
