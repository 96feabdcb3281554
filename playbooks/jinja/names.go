package jinja

import (
	"fmt"
	"sort"
	"strings"

	"tend/internal/didyoumean"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// Filter and test names: collections, and Ansible's names tend lacks.
//
// A filter or test may be named by its collection, as Ansible allows
// (`x | ansible.builtin.to_json`, `community.general.json_query`): the
// lexer joins the dotted name (lex.go) and the rewrite resolves it here to
// tend's own filter when the collection's is the same one.
//
// A name tend does not know is a load error (Check), as in Jinja, unless
// Env.KnownFilter / Env.KnownTest say Ansible has it: then the template
// loads, CheckWarnings reports it, and using it fails at run time with
// "filter X is not supported by tend yet".

// collectionNames maps names from collections other than ansible.builtin
// (and ansible.legacy, its alias) to tend's filter of the same behaviour.
var collectionNames = map[string]string{
	"community.general.json_query": "json_query",
}

// The hidden filter and test that stand for a name Ansible has and tend
// lacks; their one argument is the name.
const (
	filterMissing = ".nofilter"
	testMissing   = ".notest"
)

// canonicalName is the name tend registers a filter or test under:
// without ansible.builtin. / ansible.legacy., and with the collection
// names of collectionNames resolved.
func canonicalName(name string) string {
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			return rest
		}
	}
	if short, ok := collectionNames[name]; ok {
		return short
	}
	return name
}

// known asks a Known* hook about name, as written and as canonicalName
// gives it.
func known(hook func(string) bool, name string) bool {
	if hook == nil {
		return false
	}
	return hook(name) || canonicalName(name) != name && hook(canonicalName(name))
}

// resolveFilter points fc at tend's filter, or at filterMissing with a
// warning, or fails the rewrite.
func (rw *rewriter) resolveFilter(fc *nodes.FilterCall) bool {
	if rw.env.filters.Exists(fc.Name) {
		return true
	}
	if c := canonicalName(fc.Name); rw.env.filters.Exists(c) {
		fc.Name = c
		return true
	}
	if !known(rw.env.KnownFilter, fc.Name) {
		rw.fail(fc.Token, "no filter named '%s'%s", fc.Name, didYouMean(fc.Name, filters))
		return false
	}
	rw.warn(fmt.Sprintf("filter %s is not supported by tend yet", fc.Name))
	fc.Args = []nodes.Expression{strNode(fc.Token, fc.Name)}
	fc.Kwargs = map[string]nodes.Expression{}
	fc.Name = filterMissing
	return false
}

// resolveTest is resolveFilter for a test.
func (rw *rewriter) resolveTest(tc *nodes.TestCall) bool {
	if rw.env.tests.Exists(tc.Name) {
		return true
	}
	if c := canonicalName(tc.Name); rw.env.tests.Exists(c) {
		tc.Name = c
		return true
	}
	if !known(rw.env.KnownTest, tc.Name) {
		rw.fail(tc.Token, "no test named '%s'%s", tc.Name, didYouMean(tc.Name, tests))
		return false
	}
	rw.warn(fmt.Sprintf("test %s is not supported by tend yet", tc.Name))
	tc.Args = []nodes.Expression{strNode(tc.Token, tc.Name)}
	tc.Kwargs = map[string]nodes.Expression{}
	tc.Name = testMissing
	return false
}

func (rw *rewriter) warn(msg string) {
	for _, w := range rw.warnings {
		if w == msg {
			return
		}
	}
	rw.warnings = append(rw.warnings, msg)
}

// missingFilter and missingTest fail where a name tend lacks is used.
func missingFilter(ev *exec.Evaluator, _ *exec.Value, va *exec.VarArgs) *exec.Value {
	return failed(ev, fmt.Errorf("filter %s is not supported by tend yet", va.First().String()))
}

func missingTest(ev *exec.Evaluator, _ *exec.Value, va *exec.VarArgs) (bool, error) {
	return false, record(ev, fmt.Errorf("test %s is not supported by tend yet", va.First().String()))
}

// CheckWarnings is Check that also returns the filters and tests src
// uses that Ansible has and tend lacks (see KnownFilter): they are no
// error at load time, and fail when evaluated.
func (e *Env) CheckWarnings(src string) ([]string, error) {
	if !IsTemplate(src) {
		return nil, nil
	}
	p, err := e.compileValue(src)
	if err != nil {
		return nil, err
	}
	return p.warnings, nil
}

// CheckExprWarnings is CheckWarnings for a bare expression (see CheckExpr).
func (e *Env) CheckExprWarnings(expr string) ([]string, error) {
	if IsTemplate(expr) {
		return e.CheckWarnings(expr)
	}
	p, err := e.compileExpr(expr)
	if err != nil {
		return nil, err
	}
	return p.warnings, nil
}

// didYouMean names the filter or test nearest to a misspelt one, as
// " (did you mean 'upper'?)", or "".
func didYouMean(name string, known map[string]*def) string {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names) // the first nearest, the same every time
	if c, d := didyoumean.Closest(name, names); c != "" && d <= max(1, len(name)/3) {
		return fmt.Sprintf(" (did you mean '%s'?)", c)
	}
	return ""
}

// nearestVar names the variable nearest to a misspelt one, or "": only
// close ones (a third of the name's letters), so that a name that is
// simply not set yet gets no odd suggestion.
func nearestVar(name string, vars map[string]any) string {
	if len(name) < 3 {
		return ""
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		if n != name && !strings.HasPrefix(n, "ansible_") == !strings.HasPrefix(name, "ansible_") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if c, d := didyoumean.Closest(name, names); c != "" && d <= max(1, len(name)/3) {
		return c
	}
	return ""
}
