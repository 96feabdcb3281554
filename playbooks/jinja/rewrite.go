package jinja

import (
	"fmt"

	gonjatags "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// The parsed tree is rewritten once, at compile time, so that gonja's
// evaluator runs tend's semantics. gonja dispatches on node types it owns,
// so every change is expressed with its own nodes, mostly as a call of a
// hidden filter whose name (starting with '.') no template can spell:
//
//   - a binary operator other than and/or becomes `[l, r] | .op(...)`, Python's
//     operator (ops.go); the list keeps left-to-right evaluation;
//   - `not x` becomes `x | .not`, a strict bool (gonja gives 0/1 for numbers);
//   - a dict literal becomes `{...} | .dict`, a plain map[string]any;
//   - `obj.name(args)` becomes `[obj, args...] | .call(...)`: Python's
//     methods (methods.go); `name(args)` becomes `[name, args...] | .invoke`;
//   - x.name, x[key] and a loop's iterable go through .attr, .item and
//     .iter (access.go): Jinja's lookups and undefined values;
//   - every printed {{ }} gets `| .out`, Python's str(), None printing nothing
//     (Ansible's finalize);
//   - a value gonja tests itself (conditions, loops, and/or operands) gets
//     `| .strict`, so an undefined filter result fails there (see
//     undefinedValue);
//   - a test given a tuple (`is version('2.0', '>=')`, which gonja parses
//     as one tuple argument) gets the tuple's items as its arguments, and
//     its keywords back from where testKeywords (lex.go) packed them.
//
// The walk also reports unknown filters and tests, which Jinja rejects at
// compile time, so Check catches them at load time.

// The hidden filters (hidden.go, access.go).
const (
	filterOp     = ".op"     // a binary operator
	filterNot    = ".not"    // not x
	filterDict   = ".dict"   // a dict literal
	filterCall   = ".call"   // obj.method(args)
	filterInvoke = ".invoke" // name(args)
	filterAttr   = ".attr"   // x.name
	filterItem   = ".item"   // x[key]
	filterIter   = ".iter"   // a for loop's iterable
	filterOut    = ".out"    // what {{ }} prints
	filterStrict = ".strict" // a value gonja tests itself
	filterLoopIf = ".loopif" // a for loop's filter, whose errors gonja takes for false
)

type rewriter struct {
	env  *Env
	done map[nodes.Node]nodes.Expression // nodes reachable twice are rewritten once
	err  error                           // first unknown filter or test

	warnings []string // names Ansible has and tend lacks (names.go)
}

func (rw *rewriter) fail(at *tokens.Token, format string, args ...any) {
	if rw.err == nil {
		line, col := 0, 0
		if at != nil {
			line, col = at.Line, at.Col
		}
		rw.err = &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
	}
}

// node rewrites a document node in place. After the first error the rest
// is left alone: the tree may be malformed, and Check only needs one.
func (rw *rewriter) node(n nodes.Node) {
	if rw.err != nil {
		return
	}
	switch n := n.(type) {
	case *nodes.Template:
		for _, c := range n.Nodes {
			rw.node(c)
		}
	case *nodes.Wrapper:
		if n != nil {
			for _, c := range n.Nodes {
				rw.node(c)
			}
		}
	case *nodes.Output:
		x, cond, alt := rw.expr(n.Expression), rw.expr(n.Condition), rw.expr(n.Alternative)
		if rw.err != nil {
			return
		}
		n.Expression, n.Condition = output(x), strict(cond)
		if alt != nil {
			n.Alternative = output(alt)
		}
	case *nodes.ControlStructureBlock:
		rw.structure(n.ControlStructure)
	}
}

func (rw *rewriter) structure(cs nodes.ControlStructure) {
	switch s := cs.(type) {
	case *gonjatags.IfControlStructure:
		for i := range s.Conditions {
			s.Conditions[i] = rw.strict(s.Conditions[i])
		}
		for _, w := range s.Wrappers {
			rw.node(w)
		}
	case *gonjatags.ForControlStructure:
		if obj := rw.expr(s.ObjectEvaluator); rw.err == nil {
			pairs := &nodes.Bool{Location: obj.Position(), Val: s.Value != ""}
			s.ObjectEvaluator = hidden(filterIter, obj.Position(), nil, obj, nil, pairs)
		}
		if cond := rw.expr(s.IfCondition); cond != nil && rw.err == nil {
			s.IfCondition = hidden(filterLoopIf, cond.Position(), nil, cond, nil)
		}
		rw.node(s.BodyWrapper)
		rw.node(s.EmptyWrapper)
	case *boundedMacro:
		rw.structure(s.MacroControlStructure)
	case *gonjatags.MacroControlStructure:
		for _, kw := range s.Kwargs {
			kw.Value = rw.expr(kw.Value)
		}
		rw.node(s.Wrapper)
	case *gonjatags.CallControlStructure:
		rw.arguments(s.Call) // the tag itself calls the macro
		rw.node(s.Body)
	case *gonjatags.DoControlStructure:
		s.Expression = rw.expr(s.Expression)
	case *setTag:
		s.expr = rw.expr(s.expr)
		rw.node(s.body)
	case *withTag:
		for i := range s.exprs {
			s.exprs[i] = rw.expr(s.exprs[i])
		}
		rw.node(s.body)
	case *filterTag:
		for _, fc := range s.chain {
			rw.filterCall(fc)
		}
		rw.node(s.body)
	}
}

// expr rewrites an expression and returns what replaces it.
func (rw *rewriter) expr(e nodes.Expression) nodes.Expression {
	if e == nil {
		return nil
	}
	if done, ok := rw.done[e]; ok {
		return done
	}
	out := rw.rewrite(e)
	rw.done[e] = out
	return out
}

// anyExpr is expr for fields typed nodes.Node.
func (rw *rewriter) anyExpr(n nodes.Node) nodes.Node {
	if n == nil {
		return nil
	}
	return rw.expr(n)
}

func (rw *rewriter) rewrite(e nodes.Expression) nodes.Expression {
	if rw.err != nil {
		return e
	}
	switch n := e.(type) {
	case *nodes.BinaryExpression:
		if n.Left == nil || n.Right == nil {
			rw.fail(n.Operator.Token, "expected a value on both sides of '%s'", n.Operator.Token.Val)
			return e
		}
		n.Left = rw.expr(n.Left)
		n.Right = rw.expr(n.Right)
		op := n.Operator.Token
		if op.Type == tokens.And || op.Type == tokens.Or {
			// gonja's are lazy and return an operand, as Python's
			if rw.err == nil {
				n.Left, n.Right = strict(n.Left), strict(n.Right)
			}
			return n
		}
		if _, ok := binaryOps[op.Val]; !ok {
			rw.fail(op, "unknown operator %q", op.Val)
			return n
		}
		return hidden(filterOp, op, []nodes.Expression{n.Left, n.Right}, nil, nil, strNode(op, op.Val))
	case *nodes.UnaryExpression:
		n.Term = rw.strict(n.Term)
	case *nodes.Negation:
		return hidden(filterNot, n.Operator, nil, rw.expr(n.Term), nil)
	case *nodes.FilteredExpression:
		if n.Expression == nil {
			rw.fail(n.Filters[0].Token, "expected a value before the filter")
			return e
		}
		n.Expression = rw.expr(n.Expression)
		for _, fc := range n.Filters {
			rw.filterCall(fc)
		}
	case *nodes.TestExpression:
		if n.Expression == nil {
			rw.fail(n.Test.Token, "expected a value before the test")
			return e
		}
		n.Expression = rw.expr(n.Expression)
		rw.testCall(n.Test)
	case *nodes.Call:
		return rw.call(n)
	case *nodes.GetItem:
		if n.Node == nil || n.Arg == nil {
			rw.fail(n.Location, "expected a key between [ and ]")
			return e
		}
		return hidden(filterItem, n.Location, nil, rw.anyExpr(n.Node), nil, rw.anyExpr(n.Arg))
	case *nodes.GetSlice:
		n.Node = rw.strict(n.Node)
		n.Start = rw.anyExpr(n.Start)
		n.End = rw.anyExpr(n.End)
		n.Step = rw.anyExpr(n.Step)
	case *nodes.GetAttribute:
		var key nodes.Expression = strNode(n.Location, n.Attribute)
		if n.Attribute == "" {
			key = &nodes.Integer{Location: n.Location, Val: n.Index}
		}
		return hidden(filterAttr, n.Location, nil, rw.anyExpr(n.Node), nil, key)
	case *nodes.List:
		rw.list(n.Val)
	case *nodes.Tuple:
		rw.list(n.Val)
	case *nodes.Dict:
		for _, p := range n.Pairs {
			p.Key = rw.expr(p.Key)
			p.Value = rw.expr(p.Value)
		}
		return hidden(filterDict, n.Token, nil, n, nil)
	}
	return e
}

func (rw *rewriter) list(l []nodes.Expression) {
	for i := range l {
		l[i] = rw.expr(l[i])
	}
}

func (rw *rewriter) filterCall(fc *nodes.FilterCall) {
	rw.resolveFilter(fc)
	rw.list(fc.Args)
	for k, v := range fc.Kwargs {
		fc.Kwargs[k] = rw.expr(v)
	}
}

func (rw *rewriter) testCall(tc *nodes.TestCall) {
	if !rw.resolveTest(tc) {
		rw.list(tc.Args)
		return
	}
	if len(tc.Args) == 1 && tc.Token.Type != tokens.In {
		if t, ok := tc.Args[0].(*nodes.Tuple); ok {
			tc.Args = append([]nodes.Expression(nil), t.Val...)
		}
	}
	if n := len(tc.Args); n > 0 { // keywords packed by testKeywords
		if d, ok := tc.Args[n-1].(*nodes.Dict); ok && len(d.Pairs) == 1 {
			if k, ok := d.Pairs[0].Key.(*nodes.String); ok && k.Val == kwargsKey {
				if kw, ok := d.Pairs[0].Value.(*nodes.Dict); ok {
					tc.Args = tc.Args[:n-1]
					for _, p := range kw.Pairs {
						if name, ok := p.Key.(*nodes.String); ok {
							tc.Kwargs[name.Val] = p.Value
						}
					}
				}
			}
		}
	}
	rw.list(tc.Args)
	for k, v := range tc.Kwargs {
		tc.Kwargs[k] = rw.expr(v)
	}
}

// call rewrites a call: `obj.name(args)` becomes a method call (.call),
// `name(args)` an invocation (.invoke).
func (rw *rewriter) call(n *nodes.Call) nodes.Expression {
	rw.arguments(n)
	attr, isAttr := n.Func.(*nodes.GetAttribute)
	if !isAttr || attr.Attribute == "" {
		items := append([]nodes.Expression{rw.anyExpr(n.Func)}, n.Args...)
		return hidden(filterInvoke, n.Location, items, nil, n.Kwargs)
	}
	target := "" // the variable a changing method (append) rebinds
	if name, ok := attr.Node.(*nodes.Name); ok {
		target = name.Name.Val
	}
	items := append([]nodes.Expression{rw.anyExpr(attr.Node)}, n.Args...)
	return hidden(filterCall, n.Location, items, nil, n.Kwargs,
		strNode(attr.Location, attr.Attribute), strNode(attr.Location, target))
}

// arguments rewrites a call's arguments in place.
func (rw *rewriter) arguments(n *nodes.Call) {
	rw.list(n.Args)
	for k, v := range n.Kwargs {
		n.Kwargs[k] = rw.expr(v)
	}
}

func strNode(at *tokens.Token, s string) *nodes.String {
	return &nodes.String{Location: at, Val: s}
}

// hidden builds `input | name(args..., **kwargs)`. With items set, the
// input is the list of items (evaluated left to right); otherwise single.
func hidden(name string, at *tokens.Token, items []nodes.Expression, single nodes.Expression, kwargs map[string]nodes.Expression, args ...nodes.Expression) nodes.Expression {
	input := single
	if items != nil {
		input = &nodes.List{Location: at, Val: items}
	}
	if kwargs == nil {
		kwargs = map[string]nodes.Expression{}
	}
	fc := &nodes.FilterCall{Token: at, Name: name, Args: append([]nodes.Expression{}, args...), Kwargs: kwargs}
	return &nodes.FilteredExpression{Expression: input, Filters: []*nodes.FilterCall{fc}}
}

// output wraps a printed expression in .out.
func output(e nodes.Expression) nodes.Expression {
	return hidden(filterOut, e.Position(), nil, e, nil)
}

// strict rewrites an expression gonja tests for truth and wraps it in
// .strict.
func (rw *rewriter) strict(e nodes.Expression) nodes.Expression {
	x := rw.expr(e)
	if rw.err != nil {
		return x
	}
	return strict(x)
}

// strict wraps an expression gonja tests for truth in .strict.
func strict(e nodes.Expression) nodes.Expression {
	if e == nil {
		return nil
	}
	return hidden(filterStrict, e.Position(), nil, e, nil)
}

// unwrapOutput returns the expression a {{ }} prints, without .out.
func unwrapOutput(e nodes.Expression) nodes.Expression {
	if f, ok := e.(*nodes.FilteredExpression); ok && len(f.Filters) == 1 && f.Filters[0].Name == filterOut {
		return f.Expression
	}
	return e
}

// ternary builds `((c) and [x] or [y])[0]`, the lazy conditional gonja can
// evaluate (see rewriteTernaries); a nil y is None.
func ternary(x, c, y nodes.Expression, at *tokens.Token) nodes.Expression {
	if y == nil {
		y = &nodes.None{Location: at}
	}
	and := &nodes.BinaryExpression{Left: c, Right: &nodes.List{Location: at, Val: []nodes.Expression{x}},
		Operator: &nodes.BinOperator{Token: &tokens.Token{Type: tokens.And, Val: "and", Line: at.Line, Col: at.Col}}}
	or := &nodes.BinaryExpression{Left: and, Right: &nodes.List{Location: at, Val: []nodes.Expression{y}},
		Operator: &nodes.BinOperator{Token: &tokens.Token{Type: tokens.Or, Val: "or", Line: at.Line, Col: at.Col}}}
	return &nodes.GetItem{Location: at, Node: or, Arg: &nodes.Integer{Location: &tokens.Token{Type: tokens.Integer, Val: "0"}, Val: 0}}
}
