package modules

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// RegexpProblem is a Python regular expression in a task's arguments that
// the module will refuse when it runs.
type RegexpProblem struct {
	Arg string // the argument's canonical name
	// Unsupported is valid Python that RE2 has no equivalent for (a
	// lookaround, a backreference): What names it. Otherwise Msg says why
	// the expression does not compile.
	Unsupported bool
	What, Msg   string
}

// pyRegexpArgs lists, per module, the arguments it reads as Python
// regular expressions, given its checked arguments: each as its module
// compiles it (lineinfile's BOF and EOF are positions, find's patterns are
// globs unless use_regex).
var pyRegexpArgs = map[string]func(a Args) map[string][]string{
	"lineinfile": func(a Args) map[string][]string {
		return pick(a, map[string][]string{"insertafter": {"BOF", "EOF"}, "insertbefore": {"BOF"}}, "regexp", "insertafter", "insertbefore")
	},
	"blockinfile": func(a Args) map[string][]string {
		return pick(a, map[string][]string{"insertafter": {"EOF"}, "insertbefore": {"BOF"}}, "insertafter", "insertbefore")
	},
	"replace":  func(a Args) map[string][]string { return pick(a, nil, "regexp", "after", "before") },
	"assemble": func(a Args) map[string][]string { return pick(a, nil, "regexp") },
	"find": func(a Args) map[string][]string {
		out := pick(a, nil, "contains")
		if b, ok := a["use_regex"].(bool); ok && b {
			for _, arg := range []string{"patterns", "excludes"} {
				out[arg] = append(out[arg], a.List(arg)...)
			}
		}
		return out
	},
}

// pick returns the string arguments named, less the position words each
// may take instead of an expression.
func pick(a Args, words map[string][]string, names ...string) map[string][]string {
	out := map[string][]string{}
	for _, n := range names {
		if s, ok := a[n].(string); ok && s != "" && !slices.Contains(words[n], s) {
			out[n] = []string{s}
		}
	}
	return out
}

// CheckRegexps compiles, as the module will when it runs, the Python
// regular expressions a task's arguments hold (a module's arguments
// checked by Spec.Check at load); templated ones are left for the run.
// Sorted by argument.
func CheckRegexps(module string, a Args) []RegexpProblem {
	f := pyRegexpArgs[module]
	if f == nil {
		return nil
	}
	var out []RegexpProblem
	for arg, exprs := range f(a) {
		for _, expr := range exprs {
			if IsTemplated(expr) {
				continue
			}
			g, err := pyToGo(expr)
			if err == nil {
				_, err = regexp.Compile(g)
			}
			var u *UnsupportedRegexp
			switch {
			case err == nil:
			case errors.As(err, &u):
				out = append(out, RegexpProblem{Arg: arg, Unsupported: true, What: strings.TrimPrefix(u.What, "the ")})
			default:
				out = append(out, RegexpProblem{Arg: arg, Msg: fmt.Sprintf("%s %q: %v", arg, expr, err)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Arg < out[j].Arg })
	return out
}
