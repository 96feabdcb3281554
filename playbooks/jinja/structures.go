package jinja

import (
	"errors"
	"fmt"
	"io"
	"strings"

	gonjatags "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Tags. gonja's if, for, macro, call, raw, do, break and continue are used
// as they are. set, with and filter are tend's own: gonja keeps their
// expressions in unexported fields, out of reach of the rewrite (see
// rewrite.go), and its set writes through any attribute, which could alter
// the caller's shared vars; here only a namespace() takes attributes.
// Tags that load other files (include, import, from, extends, block) are
// left out: tend renders one text at a time, with no template search path.

func tags() *exec.ControlStructureSet {
	set := map[string]parser.ControlStructureParser{
		"set":    parseSet,
		"with":   parseWith,
		"filter": parseFilterTag,
	}
	for _, name := range []string{"if", "for", "macro", "call", "raw", "do", "break", "continue", "block"} {
		if p, ok := gonjatags.All.Get(name); ok {
			set[name] = p
		}
	}
	set["macro"] = parseMacro(set["macro"])
	set["for"] = countedFor(set["for"])
	for name, p := range set {
		set[name] = positioned(p)
	}
	return exec.NewControlStructureSet(set)
}

// countedFor is gonja's for, whose body first counts the render's loop
// iterations (see maxIterations): loops nested over large lists or ranges
// end with an error, not after hours.
func countedFor(p parser.ControlStructureParser) parser.ControlStructureParser {
	return func(doc, args *parser.Parser) (nodes.ControlStructure, error) {
		at := args.Current()
		cs, err := p(doc, args)
		if f, ok := cs.(*gonjatags.ForControlStructure); ok && err == nil && f.BodyWrapper != nil {
			tick := &nodes.ControlStructureBlock{Location: at, Name: "for", ControlStructure: iterationTick{at}}
			f.BodyWrapper.Nodes = append([]nodes.Node{tick}, f.BodyWrapper.Nodes...)
		}
		return cs, err
	}
}

// iterationTick counts one iteration of a for loop's body.
type iterationTick struct{ at *tokens.Token }

func (t iterationTick) Position() *tokens.Token { return t.at }
func (t iterationTick) String() string          { return "for-iteration" }

func (t iterationTick) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	v, _ := r.Environment.Context.Get(stateKey)
	st, ok := v.(*renderState)
	if !ok {
		return nil
	}
	if st.iterations++; st.iterations > maxIterations {
		st.err = fmt.Errorf("for loops ran more than %d times in one template: too much work (nested loops over large lists?)", maxIterations)
		return st.err
	}
	return nil
}

// positioned gives a tag's parse errors a position: gonja reports many of
// them without one.
func positioned(p parser.ControlStructureParser) parser.ControlStructureParser {
	return func(doc, args *parser.Parser) (nodes.ControlStructure, error) {
		at := args.Current()
		if at == nil || at.Line == 0 {
			at = doc.Current()
		}
		cs, err := p(doc, args)
		var se *parser.SyntaxError
		if err != nil && !errors.As(err, &se) && at != nil {
			return nil, &parser.SyntaxError{Message: err.Error(), Raw: at.Val, Line: at.Line, Column: at.Col}
		}
		return cs, err
	}
}

// setTag is {% set x = v %}, {% set a, b = v %}, {% set ns.attr = v %}
// and the block form {% set x %}...{% endset %}.
type setTag struct {
	at    *tokens.Token
	names []string // assigned names, several to unpack a sequence
	ns    string   // with attr: {% set ns.attr = v %}
	attr  string
	expr  nodes.Expression
	body  *nodes.Wrapper
}

func (s *setTag) Position() *tokens.Token { return s.at }
func (s *setTag) String() string          { return fmt.Sprintf("set(%s)", strings.Join(s.names, ", ")) }

func parseSet(doc, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &setTag{at: args.Current()}
	for {
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, args.Error("expected a name to set", args.Current())
		}
		if args.Match(tokens.Dot) != nil {
			attr := args.Match(tokens.Name)
			if attr == nil || len(s.names) > 0 {
				return nil, args.Error("expected namespace.attribute to set", args.Current())
			}
			s.ns, s.attr = name.Val, attr.Val
			break
		}
		s.names = append(s.names, name.Val)
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	if args.Match(tokens.Assign) == nil {
		if !args.End() || s.ns != "" || len(s.names) != 1 {
			return nil, args.Error("expected '='", args.Current())
		}
		body, end, err := doc.WrapUntil("endset")
		if err != nil {
			return nil, err
		}
		if !end.End() {
			return nil, end.Error("endset takes no arguments", end.Current())
		}
		s.body = body
		return s, nil
	}
	expr, err := parseTuple(args)
	if err != nil {
		return nil, err
	}
	s.expr = expr
	if !args.End() {
		return nil, args.Error("unexpected text after the value of set", args.Current())
	}
	return s, nil
}

// parseTuple parses `a, b, ...` (a tuple when there are several) and a
// trailing `if cond` without else, which Jinja allows.
func parseTuple(args *parser.Parser) (nodes.Expression, error) {
	at := args.Current()
	var items []nodes.Expression
	for {
		e, err := args.ParseExpression()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, args.Error("expected an expression", args.Current())
		}
		items = append(items, e)
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	expr := items[0]
	if len(items) > 1 {
		expr = &nodes.Tuple{Location: at, Val: items}
	}
	if ifTok := args.MatchName("if"); ifTok != nil {
		cond, err := args.ParseExpression()
		if err != nil {
			return nil, err
		}
		expr = ternary(expr, cond, nil, ifTok)
	}
	return expr, nil
}

func (s *setTag) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	var v *exec.Value
	if s.body != nil {
		var b strings.Builder
		sub := r.Inherit()
		sub.Output = &b
		if err := sub.ExecuteWrapper(s.body); err != nil {
			return err
		}
		v = exec.AsValue(b.String())
	} else if v = r.Eval(s.expr); v.IsError() {
		return v
	}
	ctx := r.Environment.Context
	if s.ns != "" {
		target, _ := ctx.Get(s.ns)
		ns, ok := exec.ToValue(target).Interface().(namespace)
		if !ok {
			return fmt.Errorf("cannot assign attribute on non-namespace object '%s'", s.ns)
		}
		x, err := plainValue(v, false)
		if err != nil {
			return err
		}
		ns[s.attr] = x
		return nil
	}
	if len(s.names) == 1 {
		ctx.Set(s.names[0], v.Interface())
		return nil
	}
	x, err := plainValue(v, false)
	if err != nil {
		return err
	}
	items, ok := x.([]any)
	if !ok {
		return fmt.Errorf("cannot unpack non-iterable %s object", pyType(x))
	}
	if len(items) != len(s.names) {
		return fmt.Errorf("expected %d values to unpack, got %d", len(s.names), len(items))
	}
	for i, name := range s.names {
		ctx.Set(name, items[i])
	}
	return nil
}

// withTag is {% with a = 1, b = 2 %}...{% endwith %}: names set for the
// body only.
type withTag struct {
	at    *tokens.Token
	names []string
	exprs []nodes.Expression
	body  *nodes.Wrapper
}

func (w *withTag) Position() *tokens.Token { return w.at }
func (w *withTag) String() string          { return fmt.Sprintf("with(%s)", strings.Join(w.names, ", ")) }

func parseWith(doc, args *parser.Parser) (nodes.ControlStructure, error) {
	w := &withTag{at: args.Current()}
	for !args.End() {
		name := args.Match(tokens.Name)
		if name == nil || args.Match(tokens.Assign) == nil {
			return nil, args.Error("expected name = value", args.Current())
		}
		e, err := args.ParseExpression()
		if err != nil {
			return nil, err
		}
		w.names = append(w.names, name.Val)
		w.exprs = append(w.exprs, e)
		if args.Match(tokens.Comma) == nil && !args.End() {
			return nil, args.Error("expected ','", args.Current())
		}
	}
	body, end, err := doc.WrapUntil("endwith")
	if err != nil {
		return nil, err
	}
	if !end.End() {
		return nil, end.Error("endwith takes no arguments", end.Current())
	}
	w.body = body
	return w, nil
}

func (w *withTag) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	sub := r.Inherit()
	for i, name := range w.names {
		v := sub.Eval(w.exprs[i])
		if v.IsError() {
			return v
		}
		sub.Environment.Context.Set(name, v.Interface())
	}
	return sub.ExecuteWrapper(w.body)
}

// filterTag is {% filter upper | trim %}...{% endfilter %}.
type filterTag struct {
	at    *tokens.Token
	chain []*nodes.FilterCall
	body  *nodes.Wrapper
}

func (f *filterTag) Position() *tokens.Token { return f.at }
func (f *filterTag) String() string          { return "filter" }

func parseFilterTag(doc, args *parser.Parser) (nodes.ControlStructure, error) {
	f := &filterTag{at: args.Current()}
	for {
		fc, err := args.ParseFilter()
		if err != nil {
			return nil, err
		}
		f.chain = append(f.chain, fc)
		if args.Match(tokens.Pipe) == nil {
			break
		}
	}
	if !args.End() {
		return nil, args.Error("unexpected text after the filters", args.Current())
	}
	body, end, err := doc.WrapUntil("endfilter")
	if err != nil {
		return nil, err
	}
	if !end.End() {
		return nil, end.Error("endfilter takes no arguments", end.Current())
	}
	f.body = body
	return f, nil
}

func (f *filterTag) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	var b strings.Builder
	sub := r.Inherit()
	sub.Output = &b
	if err := sub.ExecuteWrapper(f.body); err != nil {
		return err
	}
	v := exec.AsValue(b.String())
	ev := r.Evaluator()
	for _, fc := range f.chain {
		if v = ev.ExecuteFilter(fc, v); v.IsError() {
			return v
		}
	}
	text, err := outputText(v)
	if err != nil {
		return err
	}
	_, err = io.WriteString(r.Output, text)
	return err
}
