package jinja

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/builtins/methods/pystring"
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
		"partition":    partitionMethod(strings.Index),
		"rpartition":   partitionMethod(strings.LastIndex),
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

func strFunc(f func(string) string) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		return f(self.(string)), nil, noArgs(args)
	}
}

func capitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// title is Python's str.title: a letter after a non-letter starts a word.
func title(s string) string {
	var b strings.Builder
	prevLetter := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevLetter {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevLetter = true
		} else {
			b.WriteRune(r)
			prevLetter = false
		}
	}
	return b.String()
}

func swapcase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

func stripMethod(cut func(string, string) string, space func(string) string) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("strip", args, 0, 1); err != nil {
			return nil, nil, err
		}
		if len(args) == 0 || args[0] == nil {
			return space(self.(string)), nil, nil
		}
		chars, err := strArg("strip", args[0])
		if err != nil {
			return nil, nil, err
		}
		return cut(self.(string), chars), nil, nil
	}
}

func splitMethod(fromRight bool) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("split", args, 0, 2); err != nil {
			return nil, nil, err
		}
		var sep any
		max := -1
		if len(args) > 0 {
			sep = args[0]
		}
		if len(args) > 1 {
			n, err := intArg("split", args[1])
			if err != nil {
				return nil, nil, err
			}
			max = n
		}
		parts, err := pySplit(self.(string), sep, max, fromRight)
		return parts, nil, err
	}
}

// pySplit is str.split/rsplit: sep None splits on runs of whitespace.
func pySplit(s string, sep any, max int, fromRight bool) ([]any, error) {
	var parts []string
	switch sp := sep.(type) {
	case nil:
		fields := strings.Fields(s)
		if max >= 0 && len(fields) > max+1 {
			if fromRight {
				rest := strings.TrimRightFunc(s, unicode.IsSpace)
				for range max {
					i := strings.LastIndexFunc(rest, unicode.IsSpace)
					parts = append([]string{rest[i+1:]}, parts...)
					rest = strings.TrimRightFunc(rest[:i], unicode.IsSpace)
				}
				parts = append([]string{strings.TrimLeftFunc(rest, unicode.IsSpace)}, parts...)
			} else {
				rest := strings.TrimLeftFunc(s, unicode.IsSpace)
				for range max {
					i := strings.IndexFunc(rest, unicode.IsSpace)
					parts = append(parts, rest[:i])
					rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
				}
				parts = append(parts, strings.TrimRightFunc(rest, unicode.IsSpace))
			}
		} else {
			parts = fields
		}
	case string:
		if sp == "" {
			return nil, errors.New("empty separator")
		}
		switch {
		case max < 0:
			parts = strings.Split(s, sp)
		case fromRight:
			parts = strings.Split(s, sp)
			if len(parts) > max+1 {
				head := strings.Join(parts[:len(parts)-max], sp)
				parts = append([]string{head}, parts[len(parts)-max:]...)
			}
		default:
			parts = strings.SplitN(s, sp, max+1)
		}
	default:
		return nil, fmt.Errorf("must be str or None, not %s", pyType(sep))
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func strSplitlines(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("splitlines", args, 0, 1); err != nil {
		return nil, nil, err
	}
	keep := len(args) == 1 && truthy(args[0])
	s := self.(string)
	var out []any
	for s != "" {
		i := strings.IndexAny(s, "\n\r")
		if i < 0 {
			out = append(out, s)
			break
		}
		end := i + 1
		if s[i] == '\r' && end < len(s) && s[end] == '\n' {
			end++
		}
		if keep {
			out = append(out, s[:end])
		} else {
			out = append(out, s[:i])
		}
		s = s[end:]
	}
	if out == nil {
		out = []any{}
	}
	return out, nil, nil
}

func affixMethod(has func(string, string) bool) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("startswith", args, 1, 1); err != nil {
			return nil, nil, err
		}
		s := self.(string)
		switch a := args[0].(type) {
		case string:
			return has(s, a), nil, nil
		case []any: // a tuple of choices
			for _, e := range a {
				p, err := strArg("startswith", e)
				if err != nil {
					return nil, nil, err
				}
				if has(s, p) {
					return true, nil, nil
				}
			}
			return false, nil, nil
		}
		return nil, nil, fmt.Errorf("startswith first arg must be str or a tuple of str, not %s", pyType(args[0]))
	}
}

func affixRemove(trim func(string, string) string) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("removeprefix", args, 1, 1); err != nil {
			return nil, nil, err
		}
		a, err := strArg("removeprefix", args[0])
		if err != nil {
			return nil, nil, err
		}
		return trim(self.(string), a), nil, nil
	}
}

func strReplace(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("replace", args, 2, 3); err != nil {
		return nil, nil, err
	}
	old, err := strArg("replace", args[0])
	if err != nil {
		return nil, nil, err
	}
	repl, err := strArg("replace", args[1])
	if err != nil {
		return nil, nil, err
	}
	n := -1
	if len(args) == 3 {
		if n, err = intArg("replace", args[2]); err != nil {
			return nil, nil, err
		}
	}
	s := self.(string)
	count := strings.Count(s, old)
	if n >= 0 && n < count {
		count = n
	}
	if len(s)+count*(len(repl)-len(old)) > maxText {
		return nil, nil, errors.New("replace() result too large")
	}
	return strings.Replace(s, old, repl, n), nil, nil
}

func findMethod(find func(string, string) int, mustFind bool) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("find", args, 1, 1); err != nil {
			return nil, nil, err
		}
		sub, err := strArg("find", args[0])
		if err != nil {
			return nil, nil, err
		}
		s := self.(string)
		i := find(s, sub)
		if i < 0 {
			if mustFind {
				return nil, nil, errors.New("substring not found")
			}
			return -1, nil, nil
		}
		return len([]rune(s[:i])), nil, nil
	}
}

func strCount(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("count", args, 1, 1); err != nil {
		return nil, nil, err
	}
	sub, err := strArg("count", args[0])
	if err != nil {
		return nil, nil, err
	}
	s := self.(string)
	if sub == "" {
		return len([]rune(s)) + 1, nil, nil
	}
	return strings.Count(s, sub), nil, nil
}

func strJoin(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("join", args, 1, 1); err != nil {
		return nil, nil, err
	}
	items, err := iterate(args[0])
	if err != nil {
		return nil, nil, err
	}
	parts := make([]string, len(items))
	for i, e := range items {
		s, ok := e.(string)
		if !ok {
			return nil, nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, pyType(e))
		}
		parts[i] = s
	}
	return strings.Join(parts, self.(string)), nil, nil
}

// strFormat is str.format, by gonja's Python-compatible formatter; values
// reach it as Python would print them.
func strFormat(self any, args []any, kwargs map[string]any) (any, any, error) {
	pos := make([]any, len(args))
	for i, a := range args {
		pos[i] = formatArg(a)
	}
	kw := make(map[string]any, len(kwargs))
	for k, a := range kwargs {
		kw[k] = formatArg(a)
	}
	out, err := pystring.Format(self.(string), pos, kw)
	return out, nil, err
}

// formatArg hands numbers and strings to the formatter as they are (its
// format specs need them) and everything else as Python's str().
func formatArg(v any) any {
	switch v.(type) {
	case int, float64, string:
		return v
	}
	return pyStr(v)
}

func padding(s string, width int, fill string) string {
	n := width - len([]rune(s))
	if n <= 0 {
		return ""
	}
	return strings.Repeat(fill, n)
}

func center(s string, width int, fill string) string {
	n := width - len([]rune(s))
	if n <= 0 {
		return s
	}
	left := n / 2
	if n%2 == 1 && width%2 == 1 { // Python puts the odd one on the left then
		left++
	}
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, n-left)
}

func padMethod(pad func(s string, width int, fill string) string) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("center", args, 1, 2); err != nil {
			return nil, nil, err
		}
		width, err := intArg("center", args[0])
		if err != nil {
			return nil, nil, err
		}
		if width > maxText {
			return nil, nil, errors.New("width too large")
		}
		fill := " "
		if len(args) == 2 {
			f, err := strArg("center", args[1])
			if err != nil {
				return nil, nil, err
			}
			if len([]rune(f)) != 1 {
				return nil, nil, errors.New("the fill character must be exactly one character long")
			}
			fill = f
		}
		return pad(self.(string), width, fill), nil, nil
	}
}

func strZfill(self any, args []any, _ map[string]any) (any, any, error) {
	if err := argCount("zfill", args, 1, 1); err != nil {
		return nil, nil, err
	}
	width, err := intArg("zfill", args[0])
	if err != nil {
		return nil, nil, err
	}
	if width > maxText {
		return nil, nil, errors.New("width too large")
	}
	s := self.(string)
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = s[:1], s[1:]
	}
	return sign + padding(sign+s, width, "0") + s, nil, nil
}

func strIs(ok func(rune) bool) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		s := self.(string)
		if s == "" {
			return false, nil, noArgs(args)
		}
		for _, r := range s {
			if !ok(r) {
				return false, nil, noArgs(args)
			}
		}
		return true, nil, noArgs(args)
	}
}

// strCase is islower/isupper: some cased letter, none of the other case.
func strCase(is, other func(rune) bool) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		found := false
		for _, r := range self.(string) {
			if other(r) {
				return false, nil, noArgs(args)
			}
			found = found || is(r)
		}
		return found, nil, noArgs(args)
	}
}

func partitionMethod(find func(string, string) int) method {
	return func(self any, args []any, _ map[string]any) (any, any, error) {
		if err := argCount("partition", args, 1, 1); err != nil {
			return nil, nil, err
		}
		sep, err := strArg("partition", args[0])
		if err != nil {
			return nil, nil, err
		}
		if sep == "" {
			return nil, nil, errors.New("empty separator")
		}
		s := self.(string)
		i := find(s, sep)
		if i < 0 {
			if find(s, "") == 0 { // partition: [s, '', '']
				return []any{s, "", ""}, nil, nil
			}
			return []any{"", "", s}, nil, nil
		}
		return []any{s[:i], sep, s[i+len(sep):]}, nil, nil
	}
}

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
