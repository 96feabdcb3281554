package jinja

import (
	"strings"
	"testing"
)

// A template that extends nothing renders its blocks in place, as Jinja2
// (nginx roles' nginx.conf.j2 have them).
func TestBlocksRenderInPlace(t *testing.T) {
	e := New()
	for src, want := range map[string]string{
		"a{% block x %}b{{ v }}{% endblock %}c":                                   "abVc",
		"{% block outer %}1{% block inner %}2{% endblock %}3{% endblock outer %}": "123",
	} {
		got, err := e.Render(src, map[string]any{"v": "V"})
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", src, got, err, want)
		}
	}
}

// A misspelt filter or test names the nearest one.
func TestUnknownFilterSaysDidYouMean(t *testing.T) {
	e := New()
	for src, want := range map[string]string{
		"{{ 'x' | uper }}":        "no filter named 'uper' (did you mean 'upper'?)",
		"{{ 'x' is defind }}":     "no test named 'defind' (did you mean 'defined'?)",
		"{{ 'x' | zzzzzzzzzzz }}": "no filter named 'zzzzzzzzzzz'",
	} {
		_, err := e.Render(src, nil)
		if err == nil || !strings.Contains(err.Error(), want) || strings.HasSuffix(want, "'") && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

// A misspelt variable names the nearest one in scope.
func TestUndefinedVariableSaysDidYouMean(t *testing.T) {
	e := New()
	_, err := e.Render("{{ app_prot }}", map[string]any{"app_port": 80, "other": 1})
	if err == nil || err.Error() != "'app_prot' is undefined (did you mean 'app_port'?)" {
		t.Errorf("got %v", err)
	}
	_, err = e.Render("{{ zzz_none }}", map[string]any{"app_port": 80})
	if err == nil || err.Error() != "'zzz_none' is undefined" {
		t.Errorf("got %v", err)
	}
}
