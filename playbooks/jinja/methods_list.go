package jinja

import (
	"errors"
	"fmt"
	"slices"
)

// Python's list and dict methods. Those that change their object return
// the changed copy (see callMethod).

func listIndex(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("index", args, 1, 1); err != nil {
		return nil, nil, err
	}
	for i, e := range self.([]any) {
		if pyEqual(e, args[0]) {
			return i, nil, nil
		}
	}
	return nil, nil, fmt.Errorf("%s is not in list", pyRepr(args[0]))
}

func listCount(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("count", args, 1, 1); err != nil {
		return nil, nil, err
	}
	n := 0
	for _, e := range self.([]any) {
		if pyEqual(e, args[0]) {
			n++
		}
	}
	return n, nil, nil
}

func listAppend(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("append", args, 1, 1); err != nil {
		return nil, nil, err
	}
	l := self.([]any)
	return nil, append(slices.Clip(l), args[0]), nil
}

func listExtend(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("extend", args, 1, 1); err != nil {
		return nil, nil, err
	}
	more, err := iterate(args[0])
	if err != nil {
		return nil, nil, err
	}
	return nil, append(slices.Clip(self.([]any)), more...), nil
}

// listPosition turns a Python index (negative from the end) into a Go one.
func listPosition(i, n int) int {
	if i < 0 {
		i += n
	}
	return i
}

func listInsert(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("insert", args, 2, 2); err != nil {
		return nil, nil, err
	}
	i, err := intArg("insert", args[0])
	if err != nil {
		return nil, nil, err
	}
	l := self.([]any)
	i = min(max(listPosition(i, len(l)), 0), len(l))
	return nil, slices.Insert(slices.Clone(l), i, args[1]), nil
}

func listPop(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("pop", args, 0, 1); err != nil {
		return nil, nil, err
	}
	l := self.([]any)
	if len(l) == 0 {
		return nil, nil, errors.New("pop from empty list")
	}
	i := len(l) - 1
	if len(args) == 1 {
		n, err := intArg("pop", args[0])
		if err != nil {
			return nil, nil, err
		}
		i = listPosition(n, len(l))
	}
	if i < 0 || i >= len(l) {
		return nil, nil, errors.New("pop index out of range")
	}
	return l[i], slices.Delete(slices.Clone(l), i, i+1), nil
}

func listRemove(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("remove", args, 1, 1); err != nil {
		return nil, nil, err
	}
	l := self.([]any)
	for i, e := range l {
		if pyEqual(e, args[0]) {
			return nil, slices.Delete(slices.Clone(l), i, i+1), nil
		}
	}
	return nil, nil, errors.New("list.remove(x): x not in list")
}

func listReverse(self any, args []any, _ map[string]any) (any, any, error) {
	l := slices.Clone(self.([]any))
	slices.Reverse(l)
	return nil, l, noArgs(args)
}

func listSort(self any, args []any, kwargs map[string]any) (any, any, error) {
	l := slices.Clone(self.([]any))
	if err := sortValues(l, truthy(kwargs["reverse"]), true, nil); err != nil {
		return nil, nil, err
	}
	return nil, l, noArgs(args)
}

func dictKeys(self any, args []any, _ map[string]any) (any, any, error) {
	keys := sortedKeys(self.(map[string]any))
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out, nil, noArgs(args)
}

func dictValues(self any, args []any, _ map[string]any) (any, any, error) {
	m := self.(map[string]any)
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out, nil, noArgs(args)
}

func dictItems(self any, args []any, _ map[string]any) (any, any, error) {
	m := self.(map[string]any)
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, []any{k, m[k]})
	}
	return out, nil, noArgs(args)
}

func dictGet(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("get", args, 1, 2); err != nil {
		return nil, nil, err
	}
	k, ok := args[0].(string)
	if v, found := self.(map[string]any)[k]; ok && found {
		return v, nil, nil
	}
	if len(args) == 2 {
		return args[1], nil, nil
	}
	return nil, nil, nil
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func dictUpdate(self any, args []any, kwargs map[string]any) (any, any, error) {
	if err := argCount("update", args, 0, 1); err != nil {
		return nil, nil, err
	}
	out := copyMap(self.(map[string]any))
	if len(args) == 1 {
		m, err := toMapping(args[0])
		if err != nil {
			return nil, nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	for k, v := range kwargs {
		out[k] = v
	}
	return nil, out, nil
}

func dictPop(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("pop", args, 1, 2); err != nil {
		return nil, nil, err
	}
	m := self.(map[string]any)
	k, _ := args[0].(string)
	v, found := m[k]
	if !found {
		if len(args) == 2 {
			return args[1], nil, nil
		}
		return nil, nil, fmt.Errorf("KeyError: %s", pyRepr(args[0]))
	}
	out := copyMap(m)
	delete(out, k)
	return v, out, nil
}

func dictSetdefault(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("setdefault", args, 1, 2); err != nil {
		return nil, nil, err
	}
	m := self.(map[string]any)
	k := keyString(args[0])
	if v, found := m[k]; found {
		return v, nil, nil
	}
	var def any
	if len(args) == 2 {
		def = args[1]
	}
	out := copyMap(m)
	out[k] = def
	return def, out, nil
}
