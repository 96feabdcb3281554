package jinja

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// compiled is a cache entry: compiled once, however many goroutines ask.
type compiled struct {
	once sync.Once
	prog *program
	err  error
}

func cached(cache *sync.Map, key string, build func() (*program, error)) (*program, error) {
	v, ok := cache.Load(key)
	if !ok {
		v, _ = cache.LoadOrStore(key, &compiled{})
	}
	c := v.(*compiled)
	c.once.Do(func() { c.prog, c.err = build() })
	return c.prog, c.err
}

// compile compiles a template (a template module's file).
func (e *Env) compile(src string) (*program, error) {
	return cached(&e.templates, src, func() (*program, error) { return e.build(src, false) })
}

// compileValue compiles a playbook value's text: string literals inside
// {{ }} keep their backslashes, as in Ansible (see decodeLiterals).
func (e *Env) compileValue(src string) (*program, error) {
	return cached(&e.values, src, func() (*program, error) { return e.build(src, true) })
}

// compileExpr compiles a bare expression, as the one {{ }} of a template;
// syntax errors point into the expression.
func (e *Env) compileExpr(expr string) (*program, error) {
	return cached(&e.exprs, expr, func() (*program, error) { return e.buildExpr(expr) })
}

// buildExpr is compileExpr without the cache.
func (e *Env) buildExpr(expr string) (*program, error) {
	const open = "{{ "
	p, err := e.build(open+expr+" }}", false)
	var se *SyntaxError
	if errors.As(err, &se) && se.Line == 1 {
		c := *se
		c.Col = max(c.Col-len(open), 1)
		return nil, &c
	}
	if err != nil {
		return nil, err
	}
	out, ok := singleOutput(p.root, false)
	if !ok {
		return nil, &SyntaxError{Line: 1, Col: 1, Msg: "expected one expression"}
	}
	if out.Condition != nil { // `x if c` without else: None when c is false
		var alt nodes.Expression
		if out.Alternative != nil {
			alt = unwrapOutput(out.Alternative)
		}
		p.native = ternary(unwrapOutput(out.Expression), out.Condition, alt, out.Start) // Condition is strict already
	}
	return p, nil
}

// build lexes, parses and rewrites a template; raw is for playbook values
// (see decodeLiterals).
func (e *Env) build(src string, raw bool) (p *program, err error) {
	defer func() { // the last line of defence: gonja's tree may hold surprises
		if r := recover(); r != nil {
			p, err = nil, &SyntaxError{Msg: fmt.Sprintf("cannot compile the template (%v)", r)}
		}
	}()
	text := normalizeNewlines(src)
	toks, err := lex(text, e.cfg, raw)
	if err != nil {
		return nil, err
	}
	root, err := e.parse(toks)
	if err != nil {
		return nil, err
	}
	rw := &rewriter{env: e, done: map[nodes.Node]nodes.Expression{}}
	rw.node(root)
	if rw.err != nil {
		return nil, rw.err
	}
	p = &program{warnings: rw.warnings, root: root, multiline: strings.Contains(strings.TrimRight(text, "\n"), "\n"), newlines: trailingNewlines(text)}
	if out, ok := singleOutput(root, true); ok && out.Condition == nil {
		p.native = unwrapOutput(out.Expression)
	}
	return p, nil
}

// parse runs gonja's parser. On some malformed text (`{{ in }}`) it
// dereferences nil instead of reporting an error: that becomes a syntax
// error at the token it stopped on.
func (e *Env) parse(toks []*tokens.Token) (root *nodes.Template, err error) {
	p := parser.NewParser("template", tokens.NewStream(toks), e.cfg, e.loader, e.structs)
	defer func() {
		if r := recover(); r != nil {
			at := toks[len(toks)-1]
			if cur := p.Current(); cur != nil {
				at = cur
			}
			root, err = nil, &SyntaxError{Line: at.Line, Col: at.Col, Msg: fmt.Sprintf("invalid syntax near %q", at.Val)}
		}
	}()
	if root, err = p.Parse(); err != nil {
		return nil, syntaxError(err)
	}
	return root, nil
}

// singleOutput finds the one {{ }} of a template that holds nothing else
// (but, when spaces is set, whitespace).
func singleOutput(root *nodes.Template, spaces bool) (*nodes.Output, bool) {
	var out *nodes.Output
	for _, n := range root.Nodes {
		switch n := n.(type) {
		case *nodes.Output:
			if out != nil {
				return nil, false
			}
			out = n
		case *nodes.Data:
			if !spaces || strings.TrimSpace(n.Data.Val) != "" {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return out, out != nil
}

// syntaxError turns a parse error into tend's.
func syntaxError(err error) error {
	var pe *parser.SyntaxError
	if errors.As(err, &pe) {
		return &SyntaxError{Line: pe.Line, Col: pe.Column, Msg: pe.Message}
	}
	return &SyntaxError{Msg: err.Error()}
}
