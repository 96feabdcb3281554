package jinja

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/builtins/methods"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// Env renders templates and evaluates expressions. It is safe for
// concurrent use, and caches what it compiles by source text, so each
// distinct template or expression compiles once per Env.
type Env struct {
	cfg      *config.Config
	filters  *exec.FilterSet
	tests    *exec.TestSet
	structs  *exec.ControlStructureSet
	loader   loaders.Loader
	template *exec.Template // gonja's renderer wants one; it holds nothing
	globals  map[string]any

	// KnownFilter and KnownTest, when set, tell the filters and tests
	// Ansible has (by the name a template writes, or without its
	// ansible.builtin. prefix): one that tend lacks is then no load error
	// but a warning (CheckWarnings), and fails only when used. Set them
	// before the Env's first use: compiled templates are cached.
	KnownFilter func(name string) bool
	KnownTest   func(name string) bool

	// Warn, when set, receives the messages of lookups called with
	// errors='warn'.
	Warn func(msg string)

	templates sync.Map // template text → *compiled
	values    sync.Map // playbook value text → *compiled
	exprs     sync.Map // expression text → *compiled
}

// New returns an Env configured as Ansible configures Jinja: undefined
// variables are errors, trim_blocks is on, lstrip_blocks off, and a
// template's trailing newlines are kept.
func New() *Env {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.TrimBlocks = true
	cfg.KeepTrailingNewline = false // see program.newlines

	e := &Env{cfg: cfg, loader: noLoader{}, globals: globals()}
	ff := e.hiddenFilters()
	for name, d := range filters {
		ff[name] = e.gonjaFilter(name, d)
	}
	tt := map[string]exec.TestFunction{}
	for name, d := range tests {
		tt[name] = e.gonjaTest(name, d)
	}
	e.extend(ff, tt)
	e.filters = exec.NewFilterSet(ff)
	e.tests = exec.NewTestSet(tt)
	e.structs = tags()
	t, err := exec.NewTemplate(noTemplate, cfg, e.loader, e.environment(nil, nil))
	if err != nil {
		panic("jinja: gonja rejected an empty template: " + err.Error())
	}
	e.template = t
	return e
}

// IsTemplate reports whether s holds any Jinja markup ({{, {% or {#):
// text without it renders to itself.
func IsTemplate(s string) bool {
	for i := strings.IndexByte(s, '{'); i >= 0 && i+1 < len(s); {
		switch s[i+1] {
		case '{', '%', '#':
			return true
		}
		j := strings.IndexByte(s[i+1:], '{')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// Render renders a template: a template module's file or any string with
// {{ }}, {% %} or {# #} in it. The result is text.
func (e *Env) Render(src string, vars map[string]any) (string, error) {
	if !IsTemplate(src) {
		return src, nil
	}
	p, err := e.compile(src)
	if err != nil {
		return "", err
	}
	return e.render(p, vars)
}

// singleVar is Ansible's SINGLE_VAR: "{{ name }}", and Python's $ lets a
// final newline follow.
var singleVar = regexp.MustCompile(`^\{\{\s*\w*\s*\}\}\n?$`)

func isNumberOrBool(x any) bool {
	switch x.(type) {
	case int, int64, float64, bool:
		return true
	}
	return false
}

// Value renders a playbook value the way Ansible does. A string that is
// exactly one {{ expr }} (spaces around allowed) gives the expression's
// own value: `loop: "{{ users }}"` gives a list. Other strings with
// markup render to text; strings without it come back unchanged, at no
// cost. Lists and maps (keys too) are walked and their strings rendered.
// Results never share memory with vars. As in Ansible, a string literal
// inside {{ }} keeps its backslashes: `regex_replace('(\d+)', '\1')`
// means what it says however YAML quoted it (Render and Eval read
// literals as Jinja does: '\n' is a newline there).
func (e *Env) Value(v any, vars map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		if !IsTemplate(t) {
			return v, nil // v, not t: no new interface value to allocate
		}
		p, err := e.compileValue(t)
		if err != nil {
			return nil, err
		}
		if p.native != nil {
			if strings.TrimSpace(t) == t {
				return e.eval(p, vars) // exactly "{{ expr }}": the value itself
			}
			// Text around the {{ }} makes the value text, as in Ansible:
			// " {{ n }}\n" is " 80\n". The one exception is Ansible's
			// SINGLE_VAR shortcut: a bare variable holding a number or a
			// boolean, with a final newline at most ("{{ n }}\n", a YAML
			// block scalar), is that value.
			if singleVar.MatchString(t) {
				if x, err := e.eval(p, vars); err != nil || isNumberOrBool(x) {
					return x, err
				}
			}
		}
		out, err := e.render(p, vars)
		if err != nil {
			return nil, err
		}
		// Rendered text that spells a list, a dict or a boolean is that
		// value, as Ansible's convert_data makes it ("{{ nums }}\n").
		return e.convertData(out), nil
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			x, err := e.Value(item, vars)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, item := range t {
			key := k
			if IsTemplate(k) {
				p, err := e.compileValue(k)
				if err == nil {
					key, err = e.render(p, vars)
				}
				if err != nil {
					return nil, err
				}
			}
			x, err := e.Value(item, vars)
			if err != nil {
				return nil, err
			}
			out[key] = x
		}
		return out, nil
	}
	return v, nil
}

// Eval evaluates a bare expression, as `when:`, `changed_when:`,
// `failed_when:` and assert's `that:` hold them, and returns its value.
// An expression with {{ }} in it is accepted too, as Ansible accepts it
// (with a warning): the text is templated first (as Value does), and a
// resulting string is evaluated as the expression, so `"{{ flag }}"` with
// flag "false" is false and `"x == '{{ y }}'"` compares x with y's value.
func (e *Env) Eval(expr string, vars map[string]any) (any, error) {
	if IsTemplate(expr) {
		return e.evalTemplated(expr, vars)
	}
	p, err := e.compileExpr(expr)
	if err != nil {
		return nil, err
	}
	return e.eval(p, vars)
}

func (e *Env) evalTemplated(expr string, vars map[string]any) (any, error) {
	v, err := e.Value(expr, vars)
	if err != nil {
		return nil, err
	}
	s, isText := v.(string)
	if !isText || strings.TrimSpace(s) == "" {
		return v, nil
	}
	// not cached: the text differs from host to host
	p, err := e.buildExpr(s)
	if err != nil {
		return nil, err
	}
	return e.eval(p, vars)
}

// Truthy evaluates a conditional: Eval, then Python's truth ("" / 0 / 0.0
// / empty list or mapping / None / false are false, all else true). As in
// Ansible (2.14 to 2.18; 2.19 refuses non-boolean results), the string
// "false" is true: `when: flag` with flag set to the string "no" (as
// -e flag=no sets it) runs the task; write `when: flag | bool`.
func (e *Env) Truthy(expr string, vars map[string]any) (bool, error) {
	v, err := e.Eval(expr, vars)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// Check parses a template without rendering it, for load-time validation:
// a *SyntaxError gives the position inside src. Unknown filters and tests
// are syntax errors too, as in Jinja. It compiles src as Value will (so
// the work is not done twice); a template file parses the same.
func (e *Env) Check(src string) error {
	if !IsTemplate(src) {
		return nil
	}
	_, err := e.compileValue(src)
	return err
}

// CheckExpr is Check for a bare expression (or one with {{ }}, see Eval).
func (e *Env) CheckExpr(expr string) error {
	if IsTemplate(expr) {
		return e.Check(expr)
	}
	_, err := e.compileExpr(expr)
	return err
}

// environment builds one evaluation's gonja environment over vars. vars
// are only ever read: assignments ({% set %}, loop variables) land in a
// scope of the evaluation's own.
func (e *Env) environment(vars map[string]any, st *renderState) *exec.Environment {
	ctx := exec.NewContext(vars).Inherit()
	for k, v := range e.globals {
		if _, shadowed := vars[k]; !shadowed {
			ctx.Set(k, v)
		}
	}
	if st != nil {
		ctx.Set(stateKey, st)
		st.top = ctx
		st.vars = vars
	}
	return &exec.Environment{
		Context:           ctx,
		Filters:           e.filters,
		Tests:             e.tests,
		ControlStructures: e.structs,
		Methods:           methods.All,
	}
}

func (e *Env) render(p *program, vars map[string]any) (out string, err error) {
	st := &renderState{}
	defer e.recoverRender(&err, st, p.multiline)
	var b limitedBuilder
	r := &exec.Renderer{
		Config:      e.cfg,
		Environment: e.environment(vars, st),
		Loader:      e.loader,
		Template:    e.template,
		RootNode:    p.root,
		Output:      &b,
	}
	if err := r.Execute(); err != nil {
		return "", e.failure(err, st, p.multiline)
	}
	out = b.String()
	if n := p.newlines - trailingNewlines(out); n > 0 {
		out += strings.Repeat("\n", n)
	}
	return out, nil
}

func trailingNewlines(s string) int {
	return len(s) - len(strings.TrimRight(s, "\n"))
}

// eval evaluates p's single expression to a plain value.
func (e *Env) eval(p *program, vars map[string]any) (out any, err error) {
	st := &renderState{}
	defer e.recoverRender(&err, st, p.multiline)
	ev := &exec.Evaluator{Config: e.cfg, Environment: e.environment(vars, st), Loader: e.loader}
	v := ev.Eval(p.native)
	if v.IsError() {
		return nil, e.failure(v, st, p.multiline)
	}
	x, err := plainValue(v, true)
	if err != nil {
		return nil, e.failure(err, st, p.multiline)
	}
	return x, nil
}

// failure turns what went wrong in gonja into tend's error.
func (e *Env) failure(err error, st *renderState, multiline bool) error {
	line := errorLine(err.Error())
	if u := undefinedIn(err, st); u != nil {
		c := *u
		c.Line = line
		if c.Object == "" && c.Hint == "" && c.AfterApply == "" && st != nil {
			if near := nearestVar(c.Name, st.vars); near != "" {
				c.Hint = fmt.Sprintf("'%s' is undefined (did you mean '%s'?)", c.Name, near)
			}
		}
		return &c
	}
	base := cause(err, st)
	if line > 0 && multiline {
		return fmt.Errorf("line %d: %w", line, base)
	}
	return base
}

// recoverRender turns a panic inside gonja into an error: an abortRender
// into its own error (see hidden.go), anything else into a template engine
// failure. No template may bring a run down.
func (e *Env) recoverRender(err *error, st *renderState, multiline bool) {
	if r := recover(); r != nil {
		if a, ok := r.(abortRender); ok {
			*err = e.failure(a.err, st, multiline)
			return
		}
		*err = fmt.Errorf("template engine failure: %v", r)
	}
}

// noTemplate names the empty template behind e.template.
const noTemplate = "<tend>"

// noLoader refuses to read files: tend renders one text at a time, so
// there is nothing to include or import.
type noLoader struct{}

func (noLoader) Read(path string) (io.Reader, error) {
	if path == noTemplate {
		return strings.NewReader(""), nil
	}
	return nil, errors.New("templates cannot include or import other files in tend")
}

func (noLoader) Resolve(path string) (string, error) { return path, nil }

func (l noLoader) Inherit(string) (loaders.Loader, error) { return l, nil }

// program is a compiled template or expression.
type program struct {
	root      *nodes.Template
	native    nodes.Expression // the expression, when the text is one {{ expr }}
	multiline bool             // errors name the line
	// newlines ending the text. As in Ansible, Jinja drops the last one
	// and the render gets back as many as it lacks: "{{ x }}\n" with x
	// "a\n" is "a\n", and a {% endfor -%} cannot eat the final newline.
	newlines int
	warnings []string // see CheckWarnings
}
