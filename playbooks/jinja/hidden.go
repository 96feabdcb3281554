package jinja

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The hidden filters the rewrite (rewrite.go) puts in the tree.

func (e *Env) hiddenFilters() map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{
		filterOp:     filterOperator,
		filterNot:    filterNegate,
		filterDict:   filterDictLiteral,
		filterOut:    filterOutput,
		filterCall:   e.filterMethod,
		filterStrict: filterStrictValue,
		filterLoopIf: filterLoopCondition,
		filterAttr:   accessAttr,
		filterItem:   accessItem,
		filterIter:   loopIterable,
		filterInvoke: invoke,
	}
}

// abortRender carries an error out of gonja where gonja would swallow it:
// filterLoopCondition panics with it and render recovers it.
type abortRender struct{ err error }

// filterLoopCondition fails the render when a loop filter fails: gonja
// treats an error there as false, which would hide an undefined variable.
func filterLoopCondition(ev *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		panic(abortRender{in})
	}
	if u, ok := in.Interface().(undefinedValue); ok {
		panic(abortRender{record(ev, u.err)})
	}
	return in
}

// filterStrictValue guards gonja's own uses of a value (conditions, loops,
// and/or), where an undefined filter result would pass for true.
func filterStrictValue(ev *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if u, ok := in.Interface().(undefinedValue); ok {
		return failed(ev, u.err)
	}
	return in
}

// operands splits the [a, b, ...] list the rewrite evaluates. fail is set
// when an operand failed; it is returned as it is.
func operands(ev *exec.Evaluator, in *exec.Value) (items []any, fail *exec.Value) {
	list, ok := in.Interface().(exec.ValuesList)
	if !ok {
		if in.IsError() {
			return nil, in
		}
		return nil, exec.AsValue(fmt.Errorf("internal: operands of type %T", in.Interface()))
	}
	items = make([]any, len(list))
	for i, v := range list {
		if v.IsError() {
			return nil, v
		}
		x, err := plainValue(v, false)
		if err != nil {
			return nil, failed(ev, err)
		}
		items[i] = x
	}
	return items, nil
}

func filterOperator(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	items, fail := operands(ev, in)
	if fail != nil {
		return fail
	}
	op := binaryOps[va.First().String()]
	if op == nil || len(items) != 2 {
		return exec.AsValue(errors.New("internal: bad operator call"))
	}
	out, err := op(items[0], items[1])
	if err != nil {
		return failed(ev, err)
	}
	return exec.AsValue(out)
}

func filterNegate(ev *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	x, err := plainValue(in, false)
	if err != nil {
		return failed(ev, err)
	}
	return exec.AsValue(!truthy(x))
}

func filterDictLiteral(ev *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	x, err := plainValue(in, false)
	if err != nil {
		return failed(ev, err)
	}
	return exec.AsValue(x)
}

func filterOutput(ev *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	s, err := outputText(in)
	if err != nil {
		return failed(ev, err)
	}
	return exec.AsSafeValue(s)
}

// outputText is how a {{ }} prints a value: Python's str(), except that
// None prints nothing (Ansible's finalize).
func outputText(v *exec.Value) (string, error) {
	if v.IsError() {
		return "", v.Interface().(error)
	}
	x, err := plainValue(v, false)
	if err != nil {
		return "", err
	}
	switch t := x.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case bool, int, float64, []any, map[string]any:
		return pyStr(t), nil
	}
	return v.String(), nil
}

// filterMethod runs `obj.name(args...)`: in is [obj, args...], the first
// argument the method's name, the second the variable obj was read from
// (for methods that change it), keywords the call's keywords.
func (e *Env) filterMethod(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	items, fail := operands(ev, in)
	if fail != nil {
		return fail
	}
	name := va.First().String()
	_, kwargs, err := gonjaArgs(&exec.VarArgs{KwArgs: va.KwArgs})
	if err != nil {
		return failed(ev, err)
	}
	out, changed, err := callMethod(items[0], name, items[1:], kwargs)
	if err != nil {
		return failed(ev, err)
	}
	if changed != nil && len(va.Args) > 1 {
		if target := va.Args[1].String(); target != "" {
			e.update(ev, target, changed)
		}
	}
	return exec.AsValue(out)
}

// update rebinds a variable a method changed (list.append, dict.update).
// Python changes the object in place; tend's values are not shared
// references, so the new value is set where the template reads the name:
// the current scope and the render's top scope, which is where a
// `{% set l = [] %}` outside a loop put it.
func (e *Env) update(ev *exec.Evaluator, name string, v any) {
	ctx := ev.Environment.Context
	ctx.Set(name, v)
	if st := stateOf(ev); st != nil && st.top != nil && st.top != ctx && st.top.Has(name) {
		st.top.Set(name, v)
	}
}
