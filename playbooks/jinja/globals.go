package jinja

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Omit is the value of the `omit` variable. A module argument whose value
// renders to exactly Omit (`mode: "{{ file_mode | default(omit) }}"`) is to
// be removed by the caller, as Ansible does. The random suffix, new each
// run, keeps it from matching real data.
var Omit = "__omit_place_holder__" + randomHex(20)

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// namespace is what namespace() returns: the one object {% set ns.x = v %}
// may write to, created fresh by each render.
type namespace map[string]any

// globals are the names every template sees unless vars define them.
func globals() map[string]any {
	return map[string]any{
		"omit":      Omit,
		"none":      nil, // Jinja spells None also as none
		"range":     globalRange,
		"dict":      globalDict,
		"namespace": globalNamespace,
	}
}

// globalRange is Python's range(), as a list.
func globalRange(ev *exec.Evaluator, va *exec.VarArgs) (any, error) {
	if len(va.KwArgs) > 0 {
		return nil, record(ev, errors.New("range() takes no keyword arguments"))
	}
	var n []int
	for _, a := range va.Args {
		x, err := plainValue(a, false)
		if err != nil {
			return nil, err
		}
		i, ok := integer(x)
		if !ok {
			return nil, record(ev, fmt.Errorf("'%s' object cannot be interpreted as an integer", pyType(x)))
		}
		n = append(n, i)
	}
	start, stop, step := 0, 0, 1
	switch len(n) {
	case 1:
		stop = n[0]
	case 2:
		start, stop = n[0], n[1]
	case 3:
		start, stop, step = n[0], n[1], n[2]
	default:
		return nil, record(ev, fmt.Errorf("range expected 1 to 3 arguments, got %d", len(n)))
	}
	if step == 0 {
		return nil, record(ev, errors.New("range() arg 3 must not be zero"))
	}
	count := 0
	if step > 0 && start < stop {
		count = (stop-start-1)/step + 1
	} else if step < 0 && start > stop {
		count = (start-stop-1)/(-step) + 1
	}
	st := stateOf(ev)
	if count > maxItems || count < 0 || st != nil && st.ranged+count > maxRangeTotal {
		return nil, record(ev, fmt.Errorf("range() of %d items is too large", count))
	}
	if st != nil {
		st.ranged += count
	}
	out := make([]any, count)
	for i := range out {
		out[i] = start + i*step
	}
	return out, nil
}

// globalDict is Python's dict(): keyword arguments and/or pairs.
func globalDict(ev *exec.Evaluator, va *exec.VarArgs) (any, error) {
	out := map[string]any{}
	if len(va.Args) > 1 {
		return nil, record(ev, fmt.Errorf("dict expected at most 1 argument, got %d", len(va.Args)))
	}
	if len(va.Args) == 1 {
		x, err := plainValue(va.Args[0], false)
		if err != nil {
			return nil, err
		}
		m, err := toMapping(x)
		if err != nil {
			return nil, record(ev, err)
		}
		for k, v := range m {
			out[k] = v
		}
	}
	for k, a := range va.KwArgs {
		x, err := plainValue(a, false)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

// toMapping accepts a mapping or a list of [key, value] pairs.
func toMapping(x any) (map[string]any, error) {
	switch t := x.(type) {
	case map[string]any:
		return t, nil
	case []any:
		out := make(map[string]any, len(t))
		for _, p := range t {
			pair, ok := p.([]any)
			if !ok || len(pair) != 2 {
				return nil, errors.New("dictionary update sequence element has to be a pair")
			}
			out[keyString(pair[0])] = pair[1]
		}
		return out, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable as key/value pairs", pyType(x))
}

func globalNamespace(_ *exec.Evaluator, va *exec.VarArgs) (any, error) {
	ns := namespace{}
	for k, a := range va.KwArgs {
		x, err := plainValue(a, false)
		if err != nil {
			return nil, err
		}
		ns[k] = x
	}
	return ns, nil
}
