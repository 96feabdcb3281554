package jinja

import (
	"fmt"
	"math"
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Values cross between two worlds: gonja evaluates with *exec.Value and its
// own containers (ValuesList, *exec.Dict), while tend's filters, tests and
// callers work on what YAML produces: nil, bool, int, float64, string, []any
// and map[string]any. plain converts the first into the second.

// plain converts x into plain Go data. An error value anywhere inside (an
// undefined list element, say) is returned as the error. With deep set,
// containers are always copied, so results handed to callers never alias
// their vars; without it, containers that are already plain are shared and
// must be treated as read-only.
func plain(x any, deep bool) (any, error) {
	out, _, err := convert(x, deep)
	return out, err
}

// plainValue is plain for a gonja value.
func plainValue(v *exec.Value, deep bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	return plain(v.Interface(), deep)
}

// convert is plain, also reporting whether it built a new value, so that a
// shallow conversion copies a container only when something inside changed.
func convert(x any, deep bool) (any, bool, error) {
	switch t := x.(type) {
	case nil:
		return nil, false, nil
	case string, bool, int, float64:
		return t, false, nil
	case *exec.Value:
		if t == nil {
			return nil, true, nil
		}
		if t.IsError() {
			return nil, true, t.Interface().(error)
		}
		out, _, err := convert(t.Interface(), deep)
		return out, true, err
	case error:
		return nil, true, t
	case undefinedValue:
		return nil, true, t.err
	case []any:
		return convertList(t, deep)
	case map[string]any:
		return convertMap(t, deep)
	case exec.ValuesList:
		out := make([]any, len(t))
		for i, e := range t {
			c, _, err := convert(e, deep)
			if err != nil {
				return nil, true, err
			}
			out[i] = c
		}
		return out, true, nil
	case *exec.Dict:
		if t == nil {
			return nil, true, nil
		}
		return convertDict(t, deep)
	case exec.Dict:
		return convertDict(&t, deep)
	case namespace:
		if deep {
			return convertMap(map[string]any(t), true)
		}
		return t, false, nil
	}
	return convertReflect(reflect.ValueOf(x), deep)
}

func convertList(l []any, deep bool) (any, bool, error) {
	var out []any
	if deep {
		out = make([]any, len(l))
	}
	for i, e := range l {
		c, changed, err := convert(e, deep)
		if err != nil {
			return nil, true, err
		}
		if changed && out == nil {
			out = make([]any, len(l))
			copy(out, l[:i])
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return l, false, nil
	}
	return out, true, nil
}

func convertMap(m map[string]any, deep bool) (any, bool, error) {
	var out map[string]any
	if deep {
		out = make(map[string]any, len(m))
	}
	for k, e := range m {
		c, changed, err := convert(e, deep)
		if err != nil {
			return nil, true, err
		}
		if changed && out == nil {
			out = make(map[string]any, len(m))
			for k2, e2 := range m {
				out[k2] = e2
			}
		}
		if out != nil {
			out[k] = c
		}
	}
	if out == nil {
		return m, false, nil
	}
	return out, true, nil
}

func convertDict(d *exec.Dict, deep bool) (any, bool, error) {
	out := make(map[string]any, len(d.Pairs))
	for _, p := range d.Pairs {
		k, _, err := convert(p.Key, deep)
		if err != nil {
			return nil, true, err
		}
		v, _, err := convert(p.Value, deep)
		if err != nil {
			return nil, true, err
		}
		out[keyString(k)] = v
	}
	return out, true, nil
}

// convertReflect handles the other Go types callers or gonja may hand in:
// sized numbers, typed slices and maps. Anything else (functions, loop
// objects) passes through untouched.
func convertReflect(v reflect.Value, deep bool) (any, bool, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int()), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := v.Uint(); u <= math.MaxInt64 {
			return int(u), true, nil
		}
		return float64(v.Uint()), true, nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), true, nil
	case reflect.Bool:
		return v.Bool(), true, nil
	case reflect.String:
		return v.String(), true, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, true, nil
		}
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			return v.Interface(), false, nil
		}
		return convert(v.Elem().Interface(), deep)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []any{}, true, nil
		}
		out := make([]any, v.Len())
		for i := range out {
			c, _, err := convert(v.Index(i).Interface(), deep)
			if err != nil {
				return nil, true, err
			}
			out[i] = c
		}
		return out, true, nil
	case reflect.Map:
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, _, err := convert(it.Key().Interface(), deep)
			if err != nil {
				return nil, true, err
			}
			e, _, err := convert(it.Value().Interface(), deep)
			if err != nil {
				return nil, true, err
			}
			out[keyString(k)] = e
		}
		return out, true, nil
	}
	if v.CanInterface() {
		return v.Interface(), false, nil
	}
	return nil, true, fmt.Errorf("cannot use a value of type %s", v.Type())
}

// keyString is the map key a Python dict key becomes: YAML keys are strings
// already, and tend's maps are map[string]any.
func keyString(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return pyStr(k)
}
