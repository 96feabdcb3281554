package jinja

import (
	"fmt"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Attribute and item access, calls and loop iteration, which the rewrite
// (rewrite.go) routes here from gonja's evaluator. Jinja's rules: x.y
// looks up a mapping key (or list index), x['y'] too; what is missing is
// an undefined value that only fails when used, so `conf.nope is defined`
// and `conf.nope.deeper | default(1)` work, as in Ansible; and the error
// names the object's type ('dict object' has no attribute 'nope').

// lookup finds key in obj: a mapping's key, a sequence's index (negative
// from the end), a string's character, or an attribute of one of gonja's
// objects (loop.index).
func lookup(obj any, key any) (any, *UndefinedError) {
	switch t := obj.(type) {
	case map[string]any:
		switch key.(type) {
		case string, int, bool, nil: // tend's keys are strings: d[1] is d['1']
			if v, found := t[keyString(key)]; found {
				return v, nil
			}
		}
		return nil, undefinedAttr(t, pyStr(key))
	case namespace:
		return lookup(map[string]any(t), key)
	case []any:
		return index(t, len(t), key, func(i int) any { return t[i] })
	case exec.ValuesList:
		return index(t, len(t), key, func(i int) any { return t[i] })
	case string:
		r := []rune(t)
		return index(t, len(r), key, func(i int) any { return string(r[i]) })
	case nil, bool, int, float64:
		return nil, undefinedAttr(obj, pyStr(key))
	}
	// one of gonja's objects
	v := exec.ToValue(obj)
	if name, ok := key.(string); ok {
		if attr, found := v.GetAttribute(name); found {
			return attr, nil
		}
	}
	if item, found := v.GetItem(key); found {
		return item, nil
	}
	return nil, undefinedAttr(obj, pyStr(key))
}

func index(obj any, n int, key any, at func(int) any) (any, *UndefinedError) {
	i, ok := key.(int)
	if !ok {
		return nil, undefinedAttr(obj, pyStr(key))
	}
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, undefinedElement(obj, i)
	}
	return at(i), nil
}

// object is a filter's input as it is, for lookups: converting a large
// mapping (gathered facts) to read one key would cost its size. ok is
// false when in is an error or undefined, which passes on as it is.
func object(in *exec.Value) (obj any, ok bool) {
	if in.IsError() {
		return nil, false
	}
	x := in.Interface()
	if _, undefined := x.(undefinedValue); undefined {
		return nil, false
	}
	if v, isValue := x.(*exec.Value); isValue {
		return object(v)
	}
	return x, true
}

// accessAttr is x.name and x.0.
func accessAttr(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	obj, ok := object(in)
	if !ok {
		return in
	}
	return lookupValue(ev, obj, va.First().Interface())
}

// accessItem is x[key].
func accessItem(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	obj, ok := object(in)
	if !ok {
		return in
	}
	key, err := plainValue(va.First(), false)
	if err != nil {
		return failed(ev, err)
	}
	return lookupValue(ev, obj, key)
}

func lookupValue(ev *exec.Evaluator, obj, key any) *exec.Value {
	if f, ok := key.(float64); ok && f == float64(int(f)) {
		key = int(f) // Python: d[1.0] is d[1]
	}
	v, undef := lookup(obj, key)
	if undef != nil {
		record(ev, undef)
		return exec.AsValue(undefinedValue{undef})
	}
	return exec.ToValue(v)
}

// loopIterable is a for loop's iterable: strings by character (gonja goes
// by byte), mappings in tend's key order, as [key, value] pairs when the
// loop names two variables (first argument true).
func loopIterable(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	obj, ok := object(in)
	if !ok {
		if u, isUndef := in.Interface().(undefinedValue); isUndef {
			return failed(ev, u.err)
		}
		return in
	}
	pairs := va.First().IsTrue()
	switch t := obj.(type) {
	case string:
		if utf8.RuneCountInString(t) > maxItems {
			return failed(ev, fmt.Errorf("string too long to iterate"))
		}
		out, _ := iterate(t)
		return exec.AsValue(out)
	case map[string]any, namespace:
		x, err := plain(t, false)
		if err != nil {
			return failed(ev, err)
		}
		if pairs {
			items, _ := mappingItems(x)
			return exec.AsValue(items)
		}
		keys, _ := iterate(x)
		return exec.AsValue(keys)
	case nil, bool, int, float64:
		return failed(ev, fmt.Errorf("'%s' object is not iterable", pyType(obj)))
	}
	return in
}

// invoke is f(args...) for a name: tend's globals, macros, caller()
// and a recursive loop(). in is [f, args...].
func invoke(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
	list, ok := in.Interface().(exec.ValuesList)
	if !ok || len(list) == 0 {
		return in
	}
	fn := list[0]
	if fn.IsError() {
		return fn
	}
	args := exec.NewVarArgs()
	for _, a := range list[1:] {
		if a.IsError() {
			return a
		}
		if u, isUndef := a.Interface().(undefinedValue); isUndef {
			return failed(ev, u.err)
		}
		args.Args = append(args.Args, a)
	}
	for k, a := range va.KwArgs {
		args.KwArgs[k] = a
	}
	var out *exec.Value
	switch f := fn.Interface().(type) {
	case func(*exec.Evaluator, *exec.VarArgs) (any, error):
		v, err := f(ev, args)
		if err != nil {
			return failed(ev, err)
		}
		out = exec.AsValue(v)
	case func(*exec.VarArgs) *exec.Value:
		out = f(args)
	case exec.Macro:
		out = f(args)
	case undefinedValue:
		return failed(ev, f.err)
	default:
		return failed(ev, fmt.Errorf("'%s' object is not callable", pyType(f)))
	}
	if out == nil {
		return exec.AsValue(nil)
	}
	return out
}
