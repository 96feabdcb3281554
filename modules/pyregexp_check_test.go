package modules

import (
	"fmt"
	"strings"
	"testing"
)

// CheckRegexps finds at load what the module refuses when it runs, and
// nothing else: each case is also given to the module itself.
func TestCheckRegexpsAsTheModuleRuns(t *testing.T) {
	t.Parallel()
	cases := []struct {
		module string
		args   map[string]any
		want   string // "arg: what" or "arg: msg", joined with "; "
	}{
		{"lineinfile", map[string]any{"path": "/f", "regexp": "^foo(?!bar)", "line": "x"}, "regexp: lookahead (?!...)"},
		{"lineinfile", map[string]any{"path": "/f", "regex": `^(a)\1`, "line": "x"}, `regexp: backreference \1`},
		{"lineinfile", map[string]any{"path": "/f", "insertafter": "(?<=a)b", "line": "x"}, "insertafter: lookbehind (?<=...)"},
		{"lineinfile", map[string]any{"path": "/f", "insertafter": "EOF", "line": "x"}, ""},
		{"lineinfile", map[string]any{"path": "/f", "insertbefore": "BOF", "regexp": "^x(?=y)", "line": "x"}, "regexp: lookahead (?=...)"},
		{"lineinfile", map[string]any{"path": "/f", "regexp": "^{{ x }}(?=y)", "line": "x"}, ""},
		{"lineinfile", map[string]any{"path": "/f", "regexp": "^a(", "line": "x"}, `regexp: regexp "^a(": error parsing regexp: missing closing ): ` + "`^a(`"},
		{"lineinfile", map[string]any{"path": "/f", "regexp": `^\s*port\s*=`, "line": "x"}, ""},
		{"blockinfile", map[string]any{"path": "/f", "insertbefore": "BOF", "block": "x"}, ""},
		{"blockinfile", map[string]any{"path": "/f", "insertafter": "(?!#)", "block": "x"}, "insertafter: lookahead (?!...)"},
		{"replace", map[string]any{"path": "/f", "regexp": "a", "after": "(?<!x)y", "before": `(?P<n>a)(?P=n)`}, "after: lookbehind (?<!...); before: backreference (?P=...)"},
		{"assemble", map[string]any{"src": "/d", "dest": "/f", "regexp": "(?>a)"}, "regexp: atomic group (?>...)"},
		{"find", map[string]any{"paths": "/d", "patterns": "(?=x)"}, ""},
		{"find", map[string]any{"paths": "/d", "patterns": []any{"a.*", "(?=x)"}, "use_regex": true, "contains": `(a)\1`}, `contains: backreference \1; patterns: lookahead (?=...)`},
		{"copy", map[string]any{"dest": "/f", "content": "(?=x)"}, ""},
	}
	for _, c := range cases {
		m, _ := Lookup(c.module)
		a, errs := m.Spec().Check(c.args, true)
		if len(errs) > 0 {
			t.Fatalf("%s %v: %v", c.module, c.args, errs)
		}
		var got []string
		for _, p := range CheckRegexps(c.module, a) {
			if p.Unsupported != (p.What != "") || p.Unsupported == (p.Msg != "") {
				t.Errorf("%s %v: %+v", c.module, c.args, p)
			}
			got = append(got, p.Arg+": "+p.What+p.Msg)
		}
		if g := strings.Join(got, "; "); g != c.want {
			t.Errorf("%s %v:\n got %q\nwant %q", c.module, c.args, g, c.want)
		}
		if IsTemplated(c.args["regexp"]) {
			continue
		}
		if err := refusedWhenRun(m, a); (err != nil) != (c.want != "") {
			t.Errorf("%s %v: when run: %v, at load: %q", c.module, c.args, err, c.want)
		}
	}
}

// refusedWhenRun is the error the module gives before it looks at the
// host: from its questions or its probe script.
func refusedWhenRun(m Module, a Args) error {
	t := &Task{Args: a, Files: mapFiles{}}
	asked := false
	if ask, ok := m.(Asker); ok {
		qs, err := ask.Questions(t)
		if err != nil {
			return err
		}
		asked = qs != nil
	}
	if _, err := m.Probe(t); err != nil && !asked {
		return err
	}
	if _, err := m.Plan(t, Output{}); err != nil && strings.Contains(err.Error(), "regexp") {
		return fmt.Errorf("plan: %v", err)
	}
	return nil
}
