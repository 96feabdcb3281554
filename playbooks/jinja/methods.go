package jinja

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Python's str, list and dict methods, as playbooks call them
// (`name.startswith('web')`, `users.index(u)`, `d.get('k', 0)`). Methods
// that change their object in Python (append, update) return the changed
// copy as well, for the caller to rebind: tend never writes into a value
// it was given.

type method func(self any, args []any, kwargs map[string]any) (out, changed any, err error)

var strMethods, listMethods, dictMethods map[string]method

func init() {
	strMethods = map[string]method{
		"upper":        strFunc(strings.ToUpper),
		"lower":        strFunc(strings.ToLower),
		"capitalize":   strFunc(capitalize),
		"title":        strFunc(title),
		"swapcase":     strFunc(swapcase),
		"casefold":     strFunc(strings.ToLower),
		"strip":        stripMethod(strings.Trim, strings.TrimSpace),
		"lstrip":       stripMethod(strings.TrimLeft, func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }),
		"rstrip":       stripMethod(strings.TrimRight, func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }),
		"split":        splitMethod(false),
		"rsplit":       splitMethod(true),
		"splitlines":   strSplitlines,
		"startswith":   affixMethod(strings.HasPrefix),
		"endswith":     affixMethod(strings.HasSuffix),
		"replace":      strReplace,
		"find":         findMethod(strings.Index, false),
		"rfind":        findMethod(strings.LastIndex, false),
		"index":        findMethod(strings.Index, true),
		"rindex":       findMethod(strings.LastIndex, true),
		"count":        strCount,
		"join":         strJoin,
		"format":       strFormat,
		"center":       padMethod(center),
		"ljust":        padMethod(func(s string, w int, f string) string { return s + padding(s, w, f) }),
		"rjust":        padMethod(func(s string, w int, f string) string { return padding(s, w, f) + s }),
		"zfill":        strZfill,
		"isdigit":      strIs(unicode.IsDigit),
		"isnumeric":    strIs(unicode.IsNumber),
		"isdecimal":    strIs(unicode.IsDigit),
		"isalpha":      strIs(unicode.IsLetter),
		"isalnum":      strIs(func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }),
		"isspace":      strIs(unicode.IsSpace),
		"islower":      strCase(unicode.IsLower, unicode.IsUpper),
		"isupper":      strCase(unicode.IsUpper, unicode.IsLower),
		"partition":    partitionMethod(false),
		"rpartition":   partitionMethod(true),
		"removeprefix": affixRemove(strings.TrimPrefix),
		"removesuffix": affixRemove(strings.TrimSuffix),
	}
	listMethods = map[string]method{
		"index": listIndex,
		"count": listCount,
		"copy": func(self any, args []any, _ map[string]any) (any, any, error) {
			return slices.Clone(self.([]any)), nil, noArgs(args)
		},
		"append":  listAppend,
		"extend":  listExtend,
		"insert":  listInsert,
		"pop":     listPop,
		"remove":  listRemove,
		"reverse": listReverse,
		"sort":    listSort,
		"clear":   func(_ any, args []any, _ map[string]any) (any, any, error) { return nil, []any{}, noArgs(args) },
	}
	dictMethods = map[string]method{
		"keys":   dictKeys,
		"values": dictValues,
		"items":  dictItems,
		"get":    dictGet,
		"copy": func(self any, args []any, _ map[string]any) (any, any, error) {
			return copyMap(self.(map[string]any)), nil, noArgs(args)
		},
		"update":     dictUpdate,
		"pop":        dictPop,
		"setdefault": dictSetdefault,
		"clear": func(_ any, args []any, _ map[string]any) (any, any, error) {
			return nil, map[string]any{}, noArgs(args)
		},
	}
}

// callAttribute calls a callable attribute of one of gonja's objects:
// loop.cycle(...), loop.changed(...), a macro kept in a namespace.
func callAttribute(self any, name string, args []any, kwargs map[string]any) (any, any, error) {
	attr, ok := exec.ToValue(self).GetAttribute(name)
	if !ok || attr == nil {
		return nil, nil, undefinedAttr(self, name)
	}
	va := exec.NewVarArgs()
	for _, a := range args {
		va.Args = append(va.Args, exec.AsValue(a))
	}
	for k, a := range kwargs {
		va.KwArgs[k] = exec.AsValue(a)
	}
	var out *exec.Value
	switch f := attr.Interface().(type) {
	case func(*exec.VarArgs) *exec.Value:
		out = f(va)
	case exec.Macro:
		out = f(va)
	default:
		return nil, nil, fmt.Errorf("'%s' object is not callable", pyType(attr.Interface()))
	}
	if out.IsError() {
		return nil, nil, out.Interface().(error)
	}
	return out.Interface(), nil, nil
}

// callMethod calls self.name(args...). changed is the new value of self
// for a method that changes it.
func callMethod(self any, name string, args []any, kwargs map[string]any) (out, changed any, err error) {
	var m method
	switch t := self.(type) {
	case string:
		m = strMethods[name]
	case []any:
		m = listMethods[name]
	case map[string]any:
		m = dictMethods[name]
	case namespace:
		self, m = map[string]any(t), dictMethods[name]
	case int, float64, bool, nil:
	default:
		return callAttribute(self, name, args, kwargs)
	}
	if m == nil {
		return nil, nil, undefinedAttr(self, name)
	}
	for k := range kwargs {
		// Python's methods take almost no keywords
		if name != "format" && name != "update" && !(name == "sort" && k == "reverse") {
			return nil, nil, fmt.Errorf("%s() takes no keyword argument '%s'", name, k)
		}
	}
	return m(self, args, kwargs)
}

func noArgs(args []any) error {
	if len(args) > 0 {
		return fmt.Errorf("takes no arguments (%d given)", len(args))
	}
	return nil
}

func argCount(name string, args []any, lo, hi int) error {
	if len(args) < lo || len(args) > hi {
		if lo == hi {
			return fmt.Errorf("%s() takes exactly %d argument(s) (%d given)", name, lo, len(args))
		}
		return fmt.Errorf("%s() takes from %d to %d arguments (%d given)", name, lo, hi, len(args))
	}
	return nil
}

func strArg(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s() argument must be str, not %s", name, pyType(v))
	}
	return s, nil
}

func intArg(name string, v any) (int, error) {
	n, ok := integer(v)
	if !ok {
		return 0, fmt.Errorf("%s() argument must be int, not %s", name, pyType(v))
	}
	return n, nil
}
