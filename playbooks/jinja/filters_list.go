package jinja

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Filters over sequences.

// iterate is Python's list(x): a list as it is (read-only), a string's
// characters, a mapping's keys in order.
func iterate(x any) ([]any, error) {
	switch t := x.(type) {
	case []any:
		return t, nil
	case string:
		out := make([]any, 0, len(t))
		for _, r := range t {
			out = append(out, string(r))
		}
		return out, nil
	case map[string]any:
		keys := sortedKeys(t)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	case namespace:
		return iterate(map[string]any(t))
	}
	return nil, fmt.Errorf("'%s' object is not iterable", pyType(x))
}

// attrGetter looks up a Jinja attribute path ("a.b", "items.0") in items.
func attrGetter(path string) func(any) (any, *UndefinedError) {
	parts := strings.Split(path, ".")
	return func(item any) (any, *UndefinedError) {
		for _, p := range parts {
			switch t := item.(type) {
			case map[string]any:
				v, ok := t[p]
				if !ok {
					return nil, undefinedAttr(t, p)
				}
				item = v
			case namespace:
				v, ok := t[p]
				if !ok {
					return nil, undefinedAttr(t, p)
				}
				item = v
			case []any:
				i, err := strconv.Atoi(p)
				if err != nil {
					return nil, undefinedAttr(t, p)
				}
				if i < 0 || i >= len(t) {
					return nil, undefinedElement(t, i)
				}
				item = t[i]
			default:
				return nil, undefinedAttr(item, p)
			}
		}
		return item, nil
	}
}

// key returns the function giving each item's sort or comparison key:
// its attribute when one is named, lowercased when case does not matter.
func (c *fcall) key(caseSensitive bool) (func(any) (any, error), error) {
	attr := c.get("attribute", nil)
	var get func(any) (any, *UndefinedError)
	if attr != nil {
		get = attrGetter(pyStr(attr))
	}
	return func(item any) (any, error) {
		if get != nil {
			v, undef := get(item)
			if undef != nil {
				return nil, undef
			}
			item = v
		}
		if s, ok := item.(string); ok && !caseSensitive {
			return strings.ToLower(s), nil
		}
		return item, nil
	}, nil
}

// sortValues sorts l in place (a copy the caller owns), stably, by
// Python's ordering of the keys.
func sortValues(l []any, reverse, caseSensitive bool, key func(any) (any, error)) error {
	keys := make([]any, len(l))
	for i, item := range l {
		k := item
		if key != nil {
			var err error
			if k, err = key(item); err != nil {
				return err
			}
		} else if s, ok := item.(string); ok && !caseSensitive {
			k = strings.ToLower(s)
		}
		keys[i] = k
	}
	idx := make([]int, len(l))
	for i := range idx {
		idx[i] = i
	}
	var failure error
	sort.SliceStable(idx, func(a, b int) bool {
		c, err := pyCompare(keys[idx[a]], keys[idx[b]])
		if err != nil && failure == nil {
			failure = err
		}
		if reverse {
			return c > 0
		}
		return c < 0
	})
	if failure != nil {
		return failure
	}
	sorted := make([]any, len(l))
	for i, j := range idx {
		sorted[i] = l[j]
	}
	copy(l, sorted)
	return nil
}

func filterJoin(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	sep := pyStr(c.get("d", ""))
	get, err := c.key(true)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, item := range items {
		v, err := get(item)
		if err != nil {
			return nil, err
		}
		parts[i] = pyStr(v)
	}
	return strings.Join(parts, sep), nil
}

func filterLength(c *fcall, in any) (any, error) {
	switch t := in.(type) {
	case string:
		return len([]rune(t)), nil
	case []any:
		return len(t), nil
	case map[string]any:
		return len(t), nil
	case namespace:
		return len(t), nil
	}
	return nil, fmt.Errorf("object of type '%s' has no len()", pyType(in))
}

func filterFirst(_ *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, &UndefinedError{Hint: "No first item, sequence was empty."}
	}
	return items[0], nil
}

func filterLast(_ *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, &UndefinedError{Hint: "No last item, sequence was empty."}
	}
	return items[len(items)-1], nil
}

// hashKey is a map key equal for values Python's sets treat as equal
// (1 == 1.0 == True), so deduplication is linear.
func hashKey(v any) string {
	if f, ok := number(v); ok {
		return "n" + formatFloat(f)
	}
	if s, ok := v.(string); ok {
		return "s" + s
	}
	return "r" + pyRepr(v)
}

func filterUnique(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	get, err := c.key(c.bool("case_sensitive", false))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []any{}
	for _, item := range items {
		k, err := get(item)
		if err != nil {
			return nil, err
		}
		if h := hashKey(k); !seen[h] {
			seen[h] = true
			out = append(out, item)
		}
	}
	return out, nil
}

func filterSort(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	get, err := c.key(c.bool("case_sensitive", false))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(items)
	return out, sortValues(out, c.bool("reverse", false), true, get)
}

func filterReverse(_ *fcall, in any) (any, error) {
	if s, ok := in.(string); ok {
		r := []rune(s)
		slices.Reverse(r)
		return string(r), nil
	}
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(items)
	slices.Reverse(out)
	return out, nil
}

// extremeFilter is min (dir -1) or max (dir 1).
func extremeFilter(dir int) fn {
	return func(c *fcall, in any) (any, error) {
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, &UndefinedError{Hint: "No aggregated item, sequence was empty."}
		}
		get, err := c.key(c.bool("case_sensitive", false))
		if err != nil {
			return nil, err
		}
		best := items[0]
		bestKey, err := get(best)
		if err != nil {
			return nil, err
		}
		for _, item := range items[1:] {
			k, err := get(item)
			if err != nil {
				return nil, err
			}
			cmp, err := pyCompare(k, bestKey)
			if err != nil {
				return nil, err
			}
			if cmp*dir > 0 {
				best, bestKey = item, k
			}
		}
		return best, nil
	}
}

func filterSum(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	get, err := c.key(true)
	if err != nil {
		return nil, err
	}
	total := c.get("start", 0)
	for _, item := range items {
		v, err := get(item)
		if err != nil {
			return nil, err
		}
		if total, err = opAdd(total, v); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// filterMap is map(attribute='x', default=d) or map('filter', args...).
func filterMap(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	if attr, ok := c.extra["attribute"]; ok {
		get := attrGetter(pyStr(attr))
		def, hasDefault := c.extra["default"]
		for i, item := range items {
			v, undef := get(item)
			if undef != nil {
				if !hasDefault {
					return nil, undef
				}
				v = def
			}
			out[i] = v
		}
		return out, nil
	}
	if len(c.rest) == 0 {
		return nil, c.errorf("needs a filter name or attribute=")
	}
	name, ok := c.rest[0].(string)
	d := filters[shortName(name)]
	if !ok || d == nil {
		return nil, c.errorf("no filter named %s", pyRepr(c.rest[0]))
	}
	for i, item := range items {
		v, err := c.env.call(c.ev, shortName(name), d, item, nil, c.rest[1:], c.extra)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// selectFilter is select/reject (byAttr false) and selectattr/rejectattr:
// the items whose value, or attribute, passes the named test (truth when
// none is named), or with keep false fails it.
func selectFilter(byAttr, keep bool) fn {
	return func(c *fcall, in any) (any, error) {
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		rest := c.rest
		var get func(any) (any, *UndefinedError)
		if byAttr {
			if len(rest) == 0 {
				return nil, c.errorf("missing the attribute")
			}
			get, rest = attrGetter(pyStr(rest[0])), rest[1:]
		}
		var test *def
		var name string
		if len(rest) > 0 {
			n, ok := rest[0].(string)
			name = shortName(n)
			if test = tests[name]; !ok || test == nil {
				return nil, c.errorf("no test named %s", pyRepr(rest[0]))
			}
			rest = rest[1:]
		}
		out := []any{}
		for _, item := range items {
			v, undef := item, (*UndefinedError)(nil)
			if get != nil {
				v, undef = get(item)
			}
			var pass bool
			if test == nil {
				if undef != nil {
					return nil, undef
				}
				pass = truthy(v)
			} else {
				r, err := c.env.call(c.ev, name, test, v, undef, rest, c.extra)
				if err != nil {
					return nil, err
				}
				pass = truthy(r)
			}
			if pass == keep {
				out = append(out, item)
			}
		}
		return out, nil
	}
}

// filterFlatten is Ansible's flatten: nested lists into one, levels deep
// (all when None), dropping None and 'None'/'null' unless skip_nulls is
// false.
func filterFlatten(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	levels := -1
	if c.get("levels", nil) != nil {
		if levels, err = c.int("levels", -1); err != nil {
			return nil, err
		}
	}
	return flatten(items, levels, c.bool("skip_nulls", true)), nil
}

func flatten(items []any, levels int, skipNulls bool) []any {
	out := []any{}
	for _, e := range items {
		if skipNulls && (e == nil || e == "None" || e == "null") {
			continue
		}
		if l, ok := e.([]any); ok && levels != 0 {
			out = append(out, flatten(l, levels-1, skipNulls)...)
			continue
		}
		out = append(out, e)
	}
	return out
}

func setFilter(op func(a, b []any) []any) fn {
	return func(c *fcall, in any) (any, error) {
		a, err := iterate(in)
		if err != nil {
			return nil, err
		}
		b, err := iterate(c.get("b", nil))
		if err != nil {
			return nil, err
		}
		return op(a, b), nil
	}
}

// contains reports whether l holds v, Python-equal.
func containsValue(l []any, v any) bool {
	for _, e := range l {
		if pyEqual(e, v) {
			return true
		}
	}
	return false
}

// The set filters keep the order of their first input, unlike Python's
// sets, so results are stable.
func dedup(l []any) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, e := range l {
		if h := hashKey(e); !seen[h] {
			seen[h] = true
			out = append(out, e)
		}
	}
	return out
}

func setDifference(a, b []any) []any {
	var out []any
	for _, e := range a {
		if !containsValue(b, e) {
			out = append(out, e)
		}
	}
	return dedup(out)
}

func setIntersect(a, b []any) []any {
	var out []any
	for _, e := range a {
		if containsValue(b, e) {
			out = append(out, e)
		}
	}
	return dedup(out)
}

func setUnion(a, b []any) []any {
	return dedup(append(slices.Clone(a), b...))
}

func setSymmetricDifference(a, b []any) []any {
	return dedup(append(setDifference(a, b), setDifference(b, a)...))
}

// zipFilter is zip / zip_longest(fillvalue=None), as lists of lists.
func zipFilter(longest bool) fn {
	return func(c *fcall, in any) (any, error) {
		lists := make([][]any, 0, 1+len(c.rest))
		for _, x := range append([]any{in}, c.rest...) {
			l, err := iterate(x)
			if err != nil {
				return nil, err
			}
			lists = append(lists, l)
		}
		for k := range c.extra {
			if !longest || k != "fillvalue" {
				return nil, c.errorf("got an unexpected keyword argument '%s'", k)
			}
		}
		n := len(lists[0])
		for _, l := range lists[1:] {
			if longest {
				n = max(n, len(l))
			} else {
				n = min(n, len(l))
			}
		}
		out := make([]any, n)
		for i := range out {
			row := make([]any, len(lists))
			for j, l := range lists {
				if i < len(l) {
					row[j] = l[i]
				} else {
					row[j] = c.extra["fillvalue"]
				}
			}
			out[i] = row
		}
		return out, nil
	}
}

func filterBatch(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	size, err := c.int("linecount", 0)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, c.errorf("linecount must be positive")
	}
	out := []any{}
	for i := 0; i < len(items); i += size {
		row := slices.Clone(items[i:min(i+size, len(items))])
		if fill := c.get("fill_with", nil); len(row) < size && c.has("fill_with") {
			for len(row) < size {
				row = append(row, fill)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// filterGroupby is Jinja's groupby: [[value, [items...]], ...] sorted by
// the attribute's value.
func filterGroupby(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return nil, err
	}
	get := attrGetter(pyStr(c.get("attribute", "")))
	def, hasDefault := c.named["default"]
	keyOf := func(item any) (any, error) {
		v, undef := get(item)
		if undef != nil {
			if !hasDefault {
				return nil, undef
			}
			return def, nil
		}
		return v, nil
	}
	sorted := slices.Clone(items)
	if err := sortValues(sorted, false, true, keyOf); err != nil {
		return nil, err
	}
	out := []any{}
	for _, item := range sorted {
		k, _ := keyOf(item)
		if n := len(out); n > 0 && pyEqual(out[n-1].([]any)[0], k) {
			group := out[n-1].([]any)
			group[1] = append(group[1].([]any), item)
			continue
		}
		out = append(out, []any{k, []any{item}})
	}
	return out, nil
}
