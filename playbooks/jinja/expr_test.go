package jinja

import (
	"reflect"
	"testing"
)

func TestLiterals(t *testing.T) {
	checkEval(t, []evalCase{
		{"1", 1},
		{"-3", -3},
		{"1.5", 1.5},
		{"'a'", "a"},
		{`"b"`, "b"},
		{"true", true},
		{"True", true},
		{"false", false},
		{"none", nil},
		{"None", nil},
		{"[1, 'a', [2]]", []any{1, "a", []any{2}}},
		{"[]", []any{}},
		{"(1, 2)", []any{1, 2}},
		{"{'a': 1, 'b': [true]}", map[string]any{"a": 1, "b": []any{true}}},
		{"{}", map[string]any{}},
		{"{'k': name}", map[string]any{"k": "web01"}},
	})
}

func TestArithmetic(t *testing.T) {
	checkEval(t, []evalCase{
		{"1 + 2", 3},
		{"1 + 2.5", 3.5},
		{"port - 2", 20},
		{"3 * 4", 12},
		{"7 / 2", 3.5},
		{"6 / 3", 2.0},
		{"7 // 2", 3},
		{"-7 // 2", -4},
		{"7 % 3", 1},
		{"-7 % 3", 2},
		{"2 ** 10", 1024},
		{"2 ** -1", 0.5},
		{"2 ** 100", 1.2676506002282294e+30},
		{"'ab' * 3", "ababab"},
		{"3 * 'ab'", "ababab"},
		{"'-' * 0", ""},
		{"[1] * 3", []any{1, 1, 1}},
		{"'a' + 'b'", "ab"},
		{"[1] + [2]", []any{1, 2}},
		{"'a' ~ 1 ~ true ~ none", "a1TrueNone"},
		{"name ~ ':' ~ port", "web01:22"},
		{"'%s-%d' % ('a', 3)", "a-3"},
		{"'%s' % name", "web01"},
		{"'%05.1f|%-4s|%x' % (3.14159, 'ab', 255)", "003.1|ab  |ff"},
		{"'%(user)s' % conf", "www"},
		{"1 + 2 * 3", 7},
		{"(1 + 2) * 3", 9},
		{"-port", -22},
	})
	checkEvalErr(t, []errCase{
		{"1 / 0", "division by zero"},
		{"1 // 0", "division by zero"},
		{"1 % 0", "division by zero"},
		{"'a' + 1", "unsupported operand type(s) for +: 'str' and 'int'"},
		{"'a' - 'b'", "unsupported operand"},
		{"'x' * 100000000", "too large"},
		{"'%d' % 'a'", "a number is required"},
	})
}

func TestComparisonsAndLogic(t *testing.T) {
	checkEval(t, []evalCase{
		{"1 == 1.0", true},
		{"1 == '1'", false},
		{"name == 'web01'", true},
		{"name != 'web02'", true},
		{"port > 10", true},
		{"port >= 22", true},
		{"port < 22.5", true},
		{"'a' < 'b'", true},
		{"[1, 2] < [1, 3]", true},
		{"nums == [3, 1, 2]", true},
		{"conf == {'user': 'www', 'workers': 4, 'nested': {'a': 1}}", true},
		{"true and false", false},
		{"true or false", true},
		{"'' or 'fallback'", "fallback"},
		{"'a' and 'b'", "b"},
		{"nothing or 0", 0},
		{"not enabled", false},
		{"not 0", true},
		{"not port", false},
		{"not empty", true},
		{"not (port > 1 and enabled)", false},
		{"'b' in words", true},
		{"'z' not in words", true},
		{"'ell' in text", true},
		{"'user' in conf", true},
		{"1 in nums and 4 not in nums", true},
	})
	checkEvalErr(t, []errCase{
		{"1 < 'a'", "'<' not supported between instances of 'int' and 'str'"},
		{"missing or true", "'missing' is undefined"},
		{"true and missing", "'missing' is undefined"},
		{"not missing", "'missing' is undefined"},
	})
}

func TestTernary(t *testing.T) {
	checkEval(t, []evalCase{
		{"'yes' if enabled else 'no'", "yes"},
		{"'yes' if off else 'no'", "no"},
		{"(1 if off else 2) + 1", 3},
		{"[1 if enabled else 2, 3]", []any{1, 3}},
		{"'a' if off else 'b' if enabled else 'c'", "b"},
		{"('x' if enabled else 'y') | upper", "X"},
		// only the chosen branch is evaluated
		{"missing.attr if missing is defined else 'safe'", "safe"},
		{"'safe' if conf.user is defined else missing", "safe"},
		// a false value in the taken branch stays
		{"0 if enabled else 1", 0},
		{"'' if enabled else 'x'", ""},
		{"'x' if off", nil},
		{"{'k': 'a' if enabled else 'b'}", map[string]any{"k": "a"}},
		{"nums | map('string') | join(',' if enabled else ';')", "3,1,2"},
	})
	checkRender(t, []renderCase{
		{"{{ 'on' if enabled else 'off' }}", "on"},
		{"{{ 'on' if off }}", ""},
		{"{% set v = 'a' if off else 'b' %}{{ v }}", "b"},
		{"{% set v = 'a' if off %}[{{ v }}]", "[]"},
		{"{% if 'x' if enabled else '' %}yes{% endif %}", "yes"},
	})
}

func TestAccess(t *testing.T) {
	checkEval(t, []evalCase{
		{"conf.user", "www"},
		{"conf['user']", "www"},
		{"conf.nested.a", 1},
		{"conf['nested']['a']", 1},
		{"users[0].name", "alice"},
		{"users[-1].name", "carol"},
		{"users.1.name", "bob"},
		{"nums[1]", 1},
		{"nums[1:]", []any{1, 2}},
		{"nums[:2]", []any{3, 1}},
		{"nums[::-1]", []any{2, 1, 3}},
		{"text[:5]", "Hello"},
		{"text[-5:]", "World"},
		{"conf[name[:0] ~ 'user']", "www"},
		{"nothing", nil},
	})
}

func TestMethods(t *testing.T) {
	checkEval(t, []evalCase{
		{"text.upper()", "HELLO WORLD"},
		{"text.lower()", "hello world"},
		{"'  x  '.strip()", "x"},
		{"'xxaxx'.strip('x')", "a"},
		{"'  x  '.lstrip()", "x  "},
		{"'  x  '.rstrip()", "  x"},
		{"'a b  c'.split()", []any{"a", "b", "c"}},
		{"csv.split(',')", []any{"a", "b", "c"}},
		{"csv.split(',', 1)", []any{"a", "b,c"}},
		{"csv.rsplit(',', 1)", []any{"a,b", "c"}},
		{"'a\\nb'.splitlines()", []any{"a", "b"}},
		{"text.startswith('Hell')", true},
		{"text.startswith(('x', 'H'))", true},
		{"path.endswith('.conf')", true},
		{"text.replace('l', 'L')", "HeLLo WorLd"},
		{"text.replace('l', 'L', 1)", "HeLlo World"},
		{"text.find('o')", 4},
		{"text.count('o')", 2},
		{"','.join(words)", "b,A,c,a"},
		{"'{}-{}'.format(name, port)", "web01-22"},
		{"'{0}{0}'.format('ab')", "abab"},
		{"'{n}'.format(n=port)", "22"},
		{"'{:>5}'.format('x')", "    x"},
		{"'abc'.capitalize()", "Abc"},
		{"'hello world'.title()", "Hello World"},
		{"'7'.zfill(3)", "007"},
		{"'42'.isdigit()", true},
		{"'a=b=c'.partition('=')", []any{"a", "=", "b=c"}},
		{"nums.index(1)", 1},
		{"nums.count(3)", 1},
		{"conf.keys()", []any{"nested", "user", "workers"}},
		{"conf.values() | length", 3},
		{"conf.items()[1]", []any{"user", "www"}},
		{"conf.get('user')", "www"},
		{"conf.get('nope', 'dflt')", "dflt"},
		{"conf.get('nope')", nil},
		{"conf.copy() == conf", true},
	})
	checkEvalErr(t, []errCase{
		{"nums.index(9)", "9 is not in list"},
		{"','.join(nums)", "expected str instance, int found"},
		{"text.nosuch()", "'str object' has no attribute 'nosuch'"},
		{"missing.upper()", "'missing' is undefined"},
	})
}

func TestChangingMethods(t *testing.T) {
	checkRender(t, []renderCase{
		{"{% set l = [] %}{% for u in users %}{{ l.append(u.name) }}{% endfor %}{{ l }}", "['alice', 'bob', 'carol']"},
		{"{% set l = [1, 2] %}{% do l.extend([3]) %}{% do l.insert(0, 0) %}{{ l }}", "[0, 1, 2, 3]"},
		{"{% set l = [1, 2, 3] %}{{ l.pop() }}{{ l }}", "3[1, 2]"},
		{"{% set l = [3, 1, 2] %}{% do l.sort() %}{{ l }}", "[1, 2, 3]"},
		{"{% set l = [3, 1, 2] %}{% do l.sort(reverse=true) %}{{ l }}", "[3, 2, 1]"},
		{"{% set l = [1, 2] %}{% do l.reverse() %}{% do l.remove(2) %}{{ l }}", "[1]"},
		{"{% set d = {} %}{% do d.update({'a': 1}) %}{{ d }}", "{'a': 1}"},
		{"{% set d = {'a': 1} %}{{ d.pop('a') }}{{ d }}", "1{}"},
		{"{% set d = {} %}{{ d.setdefault('k', 2) }}{{ d }}", "2{'k': 2}"},
	})
	// the caller's data stays as it was
	e := New()
	v := vars()
	if _, err := e.Render("{% do nums.append(4) %}{% do nums.sort() %}{% do conf.update({'x': 1}) %}", v); err != nil {
		t.Fatal(err)
	}
	if len(v["nums"].([]any)) != 3 || v["nums"].([]any)[0] != 3 || len(v["conf"].(map[string]any)) != 3 {
		t.Errorf("methods changed the caller's vars: %v %v", v["nums"], v["conf"])
	}
}

func TestGlobals(t *testing.T) {
	checkEval(t, []evalCase{
		{"range(3)", []any{0, 1, 2}},
		{"range(1, 4)", []any{1, 2, 3}},
		{"range(10, 0, -3)", []any{10, 7, 4, 1}},
		{"dict(a=1)", map[string]any{"a": 1}},
		{"dict([['a', 1]])", map[string]any{"a": 1}},
		{"omit", Omit},
	})
	checkEvalErr(t, []errCase{
		{"range(0, 10, 0)", "must not be zero"},
		{"range(10000000000)", "too large"},
		// lookups run (lookup_test.go); a failing one is no undefined
		// variable, so default does not hide it
		{"lookup('nope', 'HOME')", "lookup plugin (nope) not found"},
		{"lookup('nope', 'HOME') | default('x')", "lookup plugin (nope) not found"},
		{"lookup('hashi_vault', 'x') | default('x')", "lookup hashi_vault is not supported by tend yet"},
	})
	// vars win over globals
	e := New()
	got, err := e.Eval("range", map[string]any{"range": "mine"})
	if err != nil || got != "mine" {
		t.Errorf("a variable named range: %v, %v", got, err)
	}
}

func TestMultilineExpressions(t *testing.T) {
	checkEval(t, []evalCase{
		{"port >\n 10\n and enabled", true},
		{"'b' in\n words", true},
		{"users\n | map(attribute='name')\n | list", []any{"alice", "bob", "carol"}},
		{"'a\nb' | length", 3}, // a newline inside a string stays
	})
	checkRender(t, []renderCase{
		{"{{ name\n ~ '.example' }}", "web01.example"},
		{"{% if port >\n 10 %}big{% endif %}", "big"},
		{"{{ {'a': {'b':\n 1}} }}", "{'a': {'b': 1}}"},
	})
}

// String literals: Jinja's escapes in templates and conditionals; in a
// playbook value's {{ }}, backslashes as they are (Ansible's
// escape_backslashes).
func TestStringLiterals(t *testing.T) {
	checkRender(t, []renderCase{
		{`{{ 'a\nb' }}`, "a\nb"},
		{`{{ 'it\'s' }}|{{ "say \"hi\"" }}`, `it's|say "hi"`},
		{`{{ 'C:\\' }}|{{ 'C:\\dir' }}`, `C:\|C:\dir`},
		{`{{ '\d' }}`, `\d`},
		{`{{ '\u00e9\x41\101' }}`, "éAA"},
		{`{{ 'a"b' ~ "c'd" }}`, `a"bc'd`},
		{`{% set x = 'a\tb' %}{{ x }}`, "a\tb"},
	})
	checkEval(t, []evalCase{
		{`'a\nb'`, "a\nb"},
		{`text | regex_replace('(\\w+) (\\w+)', '\\2 \\1')`, "World Hello"},
		{`'1a22' | regex_findall('\d+')`, []any{"1", "22"}},
	})
	e := New()
	for in, want := range map[string]any{
		`{{ 'a\nb' }}`: `a\nb`,
		`{{ text | regex_replace('(\w+) (\w+)', '\2 \1') }}`:   "World Hello",
		`{{ '1a22' | regex_findall('\d+') }}`:                  []any{"1", "22"},
		`{{ 'C:\\' }}`:                                         `C:\\`,
		`x {{ '\t' }} {% if '\t' | length == 1 %}y{% endif %}`: `x \t y`, // {% %} reads as Jinja does
	} {
		got, err := e.Value(in, vars())
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Value(%q) = %#v, %v; want %#v", in, got, err, want)
		}
	}
}

func TestStrFormat(t *testing.T) {
	checkEval(t, []evalCase{
		{"'{} {}'.format(name, port)", "web01 22"},
		{"'{1}{0}{1}'.format('a', 'b')", "bab"},
		{"'{n}-{n}'.format(n=1)", "1-1"},
		{"'{0[1]} {c[user]} {c.workers}'.format(nums, c=conf)", "1 www 4"},
		{"'{!r} {!s}'.format('a', none)", "'a' None"},
		{"'{:>5}|{:<5}|{:^5}|{:*^7}'.format('a', 'b', 'c', 'd')", "    a|b    |  c  |***d***"},
		{"'{:5}|{:05}|{:+d}|{: d}'.format(42, 42, 42, 42)", "   42|00042|+42| 42"},
		{"'{:.2f}|{:8.3f}|{:e}|{:.1%}'.format(3.14159, 2.5, 12345.678, 0.256)", "3.14|   2.500|1.234568e+04|25.6%"},
		{"'{:,}|{:_d}|{:,.2f}'.format(1234567, 1234567, 1234.5)", "1,234,567|1_234_567|1,234.50"},
		{"'{:x}|{:#x}|{:X}|{:#o}|{:b}|{:c}'.format(255, 255, 255, 8, 5, 65)", "ff|0xff|FF|0o10|101|A"},
		{"'{:g}|{:.3g}|{}'.format(0.0001, 1234.5, 1.5)", "0.0001|1.23e+03|1.5"},
		{"'{:{w}}|'.format('a', w=3)", "a  |"},
		{"'{}'.format([1, 'a'])", "[1, 'a']"},
		{"'{:.3}'.format('abcdef')", "abc"},
		{"'{:d}'.format(true)", "1"},
		{"'{}'.format(true)", "True"},
	})
	checkRender(t, []renderCase{
		{"{{ '{{}} {}'.format(1) }}", "{} 1"}, // (as a conditional, {{ would be templated first)
	})
	checkEvalErr(t, []errCase{
		{"'{}'.format()", "out of range"},
		{"'{x}'.format()", "KeyError: 'x'"},
		{"'{:d}'.format('a')", "unknown format code 'd'"},
		{"'{0}{}'.format(1, 2)", "cannot switch"},
		{"'{'.format()", "expected '}'"},
	})
}

func TestPartition(t *testing.T) {
	checkEval(t, []evalCase{
		{"'a=b=c'.rpartition('=')", []any{"a=b", "=", "c"}},
		{"'abc'.partition('=')", []any{"abc", "", ""}},
		{"'abc'.rpartition('=')", []any{"", "", "abc"}},
	})
}
