package jinja

import (
	"strings"
	"testing"
)

func TestTemplates(t *testing.T) {
	checkRender(t, []renderCase{
		{"plain text\n", "plain text\n"},
		{"host {{ name }}:{{ port }}\n", "host web01:22\n"},
		{"{{ port }} {{ ratio }} {{ enabled }} {{ nothing }}|{{ nums }} {{ conf.nested }}", "22 0.5 True |[3, 1, 2] {'a': 1}"},
		{"{{ ['it\\'s', \"q\"] }}", `["it's", 'q']`},
		{"{{ 1.0 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }}", "1.0 1e+20 0.30000000000000004 2.5"},
		{"{# a comment #}x", "x"},
		{"a {# a\nmultiline comment #} b", "a  b"},
		{"{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"},
		{"{% raw %}\n{% if %}\n{% endraw %}", "\n{% if %}\n"}, // trim_blocks spares raw
		{"{% raw %}\n{% endraw %}|{% raw +%}\nx{% endraw %}|{% raw -%}\n x{% endraw %}|{% raw %}x {%- endraw %}", "\n|\nx|x|x"},

		// if / elif / else
		{"{% if enabled %}on{% else %}off{% endif %}", "on"},
		{"{% if port > 100 %}a{% elif port > 10 %}b{% else %}c{% endif %}", "b"},
		{"{% if not nums %}empty{% else %}{{ nums | length }}{% endif %}", "3"},

		// for, with loop variables, else, filters, unpacking
		{"{% for n in nums %}{{ n }}{% endfor %}", "312"},
		{"{% for n in nums %}{{ loop.index }}/{{ loop.length }}{% if not loop.last %},{% endif %}{% endfor %}", "1/3,2/3,3/3"},
		{"{% for n in nums %}{{ loop.index0 }}{{ loop.first }}{% endfor %}", "0True1False2False"},
		{"{% for n in [] %}x{% else %}none{% endfor %}", "none"},
		{"{% for u in users if u.uid > 1001 %}{{ u.name }} {% endfor %}", "bob carol "},
		{"{% for k, v in conf.items() %}{{ k }}={{ v }};{% endfor %}", "nested={'a': 1};user=www;workers=4;"},
		{"{% for k in conf %}{{ k }} {% endfor %}", "nested user workers "},
		{"{% for x in range(3) %}{{ x }}{% endfor %}", "012"},
		{"{% for u in users %}{% for g in u.groups %}{{ u.name }}:{{ g }} {% endfor %}{% endfor %}", "alice:wheel alice:dev bob:dev "},
		{"{% for n in nums %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba"},
		{"{% for n in nums %}{% if n == 1 %}{% break %}{% endif %}{{ n }}{% endfor %}", "3"},

		// set, namespace, with, filter blocks, macros
		{"{% set x = port + 1 %}{{ x }}", "23"},
		{"{% set a, b = nums[0], nums[1] %}{{ a }}-{{ b }}", "3-1"},
		{"{% set block %}[{{ name }}]{% endset %}{{ block | upper }}", "[WEB01]"},
		{"{% for n in nums %}{% set inner = n %}{% endfor %}{{ inner | default('scoped') }}", "scoped"},
		{"{% set ns = namespace(total=0) %}{% for n in nums %}{% set ns.total = ns.total + n %}{% endfor %}{{ ns.total }}", "6"},
		{"{% with a = 1, b = port %}{{ a + b }}{% endwith %}{{ a | default('gone') }}", "23gone"},
		{"{% filter upper %}hello {{ name }}{% endfilter %}", "HELLO WEB01"},
		{"{% filter replace('l', 'L') | upper %}hello{% endfilter %}", "HELLO"},
		{"{% macro greet(who, punct='!') %}hi {{ who }}{{ punct }}{% endmacro %}{{ greet('bob') }} {{ greet('al', '?') }}", "hi bob! hi al?"},
		// a macro's body is Python's Jinja too: %-formatting, floor
		// division and modulo as Jinja2 renders them (jinja2 3.1)
		{`{% macro f(x) %}{{ "%s-%d" % (x, 2) }} {{ 7 // 2 }} {{ -7 % 3 }} {{ {'a': 1}.a }}{% endmacro %}{{ f("a") }}`, "a-2 3 2 1"},
	})
}

// Whitespace follows Ansible's template module: trim_blocks on (a newline
// right after a block tag goes), lstrip_blocks off, the trailing newline
// kept, and - for explicit control.
func TestWhitespace(t *testing.T) {
	checkRender(t, []renderCase{
		{"{% if true %}\nyes\n{% endif %}\n", "yes\n"},
		{"a\n{% for n in nums %}\n- {{ n }}\n{% endfor %}\nb\n", "a\n- 3\n- 1\n- 2\nb\n"},
		{"  {% if true %}x{% endif %}", "  x"}, // lstrip_blocks off
		{"{{ name }}\n", "web01\n"},            // no trim after {{ }}
		{"{{ name }}\n\n", "web01\n\n"},
		{"a  {%- if true %} b {% endif -%}  c", "a b c"},
		{"a  {{- name -}}  c", "aweb01c"},
		{"{# comment #}\nx", "x"},
		{"{% set x = 1 %}\n{{ x }}", "1"},
		{"line\r\nnext {{ port }}\r\n", "line\nnext 22\n"},
		{"{% if true +%}\nkept{% endif %}", "\nkept"},
		// as in Ansible, the text's trailing newlines are the output's
		{"{% for n in nums %}{{ n }}{% endfor -%}\n", "312\n"},
		{"{{ 'a\\n' }}\n", "a\n"},
		{"{{ 'a\\n' }}\n\n", "a\n\n"},
		{"{{ name }}", "web01"},
	})
}

func TestTemplateSyntaxErrors(t *testing.T) {
	e := New()
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"{{ name ", 1, 0, ""},
		{"ok\n{{ name | }}", 2, 11, "filter name"},
		{"ok\nok\n{% if x %}\nno end", 4, 0, "endif"},
		{"{% endfor %}", 1, 0, "endfor"},
		{"{{ 'unterminated }}", 1, 0, "unterminated"},
		{"a\n  {{ x | nosuch }}", 2, 10, "no filter named 'nosuch'"},
		{"{{ x is nosuch }}", 1, 9, "no test named 'nosuch'"},
		{"{% include 'x.j2' %}", 1, 0, "include"},
		{"{{ (1 }}", 1, 0, ""},
		{"{{ x ! y }}", 1, 0, "!"},
		// gonja's lexer would loop forever on these
		{"{{ users.0.ñame }}", 1, 11, "non-ASCII"},
		{"{{ \x931.ꟙ0 }}", 1, 6, "non-ASCII"},
		{"{{ 1.5.é }}", 1, 7, "non-ASCII"},
	}
	for _, c := range cases {
		err := e.Check(c.src)
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Errorf("Check(%q) = %v, want a *SyntaxError", c.src, err)
			continue
		}
		if se.Line != c.line || c.col != 0 && se.Col != c.col || !strings.Contains(se.Error(), c.msg) {
			t.Errorf("Check(%q) = %q at %d:%d, want %q at %d:%d", c.src, se.Msg, se.Line, se.Col, c.msg, c.line, c.col)
		}
		if _, err := e.Render(c.src, vars()); err == nil {
			t.Errorf("Render(%q) succeeded", c.src)
		}
	}
}

// A long template with the usual mix, as a template module would render.
func TestTemplateFile(t *testing.T) {
	src := `# {{ ansible_managed | default('managed by tend') }}
user {{ conf.user }};
worker_processes {{ conf.workers }};
{% for u in users | selectattr('admin', 'defined') %}
# {{ u.name }}{{ ' (admin)' if u.admin else '' }}
{% endfor %}
{% if port != 22 %}
listen {{ port }};
{% endif %}
`
	want := `# managed by tend
user www;
worker_processes 4;
# alice (admin)
# bob
`
	got, err := New().Render(src, vars())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
