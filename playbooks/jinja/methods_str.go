package jinja

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Python's str methods.

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

// strFormat is str.format (pyformat.go).
func strFormat(self any, args []any, kwargs map[string]any) (any, any, error) {
	out, err := pyFormat(self.(string), args, kwargs)
	return out, nil, err
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

// partitionMethod is partition, or with fromRight rpartition: what is
// missing when sep is not found lies on the other side.
func partitionMethod(fromRight bool) method {
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
		i := strings.Index(s, sep)
		if fromRight {
			i = strings.LastIndex(s, sep)
		}
		switch {
		case i < 0 && fromRight:
			return []any{"", "", s}, nil, nil
		case i < 0:
			return []any{s, "", ""}, nil, nil
		}
		return []any{s[:i], sep, s[i+len(sep):]}, nil, nil
	}
}
