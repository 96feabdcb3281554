package jinja

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTests(t *testing.T) {
	checkEval(t, []evalCase{
		{"nothing is none", true},
		{"port is none", false},
		{"name is string", true},
		{"port is string", false},
		{"port is number", true},
		{"ratio is number", true},
		{"enabled is number", false},
		{"port is integer", true},
		{"ratio is integer", false},
		{"ratio is float", true},
		{"enabled is boolean", true},
		{"'true' is boolean", false},
		{"conf is mapping", true},
		{"nums is mapping", false},
		{"nums is sequence", true},
		{"name is sequence", true},
		{"port is sequence", false},
		{"conf is iterable", true},
		{"1 is in nums", true},
		{"1 in nums", true},
		{"nums is contains 3", true},
		{"nums is contains(9)", false},
		{"port is equalto 22", true},
		{"port is eq(22)", true},
		{"port is == 22", true},
		{"port is ne 1", true},
		{"port is gt 10", true},
		{"port is ge 22", true},
		{"port is lt 10", false},
		{"port is le 22", true},
		{"port is greaterthan 3", true},
		{"port is lessthan 30", true},
		{"name is match('web')", true},
		{"name is match('eb')", false},
		{"name is search('eb')", true},
		{"name is match('WEB', ignorecase=true)", true},
		{"name is regex('0\\\\d$')", true},
		{"name is regex('eb', match_type='match')", false},
		{"'yes' is truthy", true},
		{"'no' is truthy", true},
		{"'no' is truthy(convert_bool=true)", false},
		{"empty is falsy", true},
		{"0 is falsy", true},
		{"'off' is falsy(convert_bool=true)", true},
		{"version is version('2.9', '>')", true},
		{"version is version('2.10.1', '==')", true},
		{"version is version('2.10.1')", true},
		{"version is version('2.10', 'gt')", true},
		{"version is version('10', '<')", true},
		{"'1.0.0-rc1' is version('1.0.0', '<', version_type='semver')", true},
		{"'1.2b1' is version('1.2', '<', strict=true)", true},
		{"'12' is version_compare('9', '>=')", true},
		{"4 is even", true},
		{"3 is odd", true},
		{"-3 is odd", true},
		{"9 is divisibleby 3", true},
		{"9 is divisibleby(4)", false},
		{"nothing is sameas none", true},
		{"enabled is sameas true", true},
		{"1 is sameas true", false},
		{"text.startswith('H')", true},
		{"'abc' is lower", true},
		{"'ABC' is upper", true},
		{"['a'] is subset(['a', 'b'])", true},
		{"['a', 'b'] is superset(['a'])", true},
		{"[true, 0] is any", true},
		{"[true, 0] is all", false},
		{"'upper' is filter", true},
		{"'defined' is test", true},
		{"result is changed", true},
		{"result is succeeded", true},
		{"result is success", true},
		{"result is failed", false},
		{"result is skipped", false},
		{"{'skipped': true} is skipped", true},
		{"path is abs", true},
		{"'rel/x' is abs", false},
	})
	checkEvalErr(t, []errCase{
		{"missing is string", "'missing' is undefined"},
		{"port is nosuch", "no test named 'nosuch'"},
		{"name is changed", "expects a dictionary"},
	})
}

func TestPathTests(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	e := New()
	v := map[string]any{"dir": dir, "file": file, "link": link, "none": dir + "/none"}
	for expr, want := range map[string]bool{
		"dir is directory":  true,
		"file is directory": false,
		"file is file":      true,
		"file is exists":    true,
		"none is exists":    false,
		"link is link":      true,
		"file is link":      false,
	} {
		got, err := e.Truthy(expr, v)
		if err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", expr, got, err, want)
		}
	}
}
