package jinja

import "testing"

// A template module's file: loops, conditions, filters, a dozen lines.
const benchTemplate = `# {{ ansible_managed | default('managed by tend') }}
user {{ conf.user }};
worker_processes {{ conf.workers }};
{% for u in users | sort(attribute='name') %}
# {{ u.name | upper }} ({{ u.uid }}){{ ' admin' if u.admin | default(false) else '' }}
{%   for g in u.groups %}
  group {{ g }};
{%   endfor %}
{% endfor %}
{% if port != 22 %}
listen {{ port }};
{% endif %}
hosts {{ nums | map('string') | join(',') }}
`

func BenchmarkRenderTemplate(b *testing.B) {
	e := New()
	v := vars()
	if _, err := e.Render(benchTemplate, v); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(benchTemplate, v); err != nil {
			b.Fatal(err)
		}
	}
}

// Most playbook values hold no template at all: they must cost nothing.
func BenchmarkValueNoTemplate(b *testing.B) {
	e := New()
	v := vars()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Value("/etc/nginx/nginx.conf owner=www-data mode=0644", v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValueExpression(b *testing.B) {
	e := New()
	v := vars()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Value("{{ users | map(attribute='name') | list }}", v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTruthy(b *testing.B) {
	e := New()
	v := vars()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Truthy("result is changed and port == 22", v); err != nil {
			b.Fatal(err)
		}
	}
}

// Nested loops over range(): 90,000 iterations, as a template may build a
// table. Each iteration must cost little beyond printing.
func BenchmarkNestedRangeLoops(b *testing.B) {
	e := New()
	const tmpl = `{% for i in range(300) %}{% for j in range(300) %}{{ i }}{% endfor %}{% endfor %}`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(tmpl, map[string]any{}); err != nil {
			b.Fatal(err)
		}
	}
}
