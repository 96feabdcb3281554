package jinja

import (
	"math"
	"os"
	"path/filepath"
	"strings"
)

// tests lists every test (`x is defined`, `select('match', '^a')`): Jinja's
// and Ansible's, with Ansible's semantics.
var tests map[string]*def

func init() {
	tests = map[string]*def{
		"defined":   {undefinedOK: true, fn: func(c *fcall, _ any) (any, error) { return c.undef == nil, nil }},
		"undefined": {undefinedOK: true, fn: func(c *fcall, _ any) (any, error) { return c.undef != nil, nil }},
		"none":      {fn: isType(func(v any) bool { return v == nil })},
		"string":    {fn: isType(func(v any) bool { _, ok := v.(string); return ok })},
		"number": {fn: isType(func(v any) bool {
			switch v.(type) {
			case int, float64:
				return true
			}
			return false
		})},
		"integer":  {fn: isType(func(v any) bool { _, ok := v.(int); return ok })},
		"float":    {fn: isType(func(v any) bool { _, ok := v.(float64); return ok })},
		"boolean":  {fn: isType(func(v any) bool { _, ok := v.(bool); return ok })},
		"mapping":  {fn: isType(func(v any) bool { return pyType(v) == "dict" })},
		"sequence": {fn: isType(isSequence)},
		"iterable": {fn: isType(isSequence)},
		"callable": {fn: isType(func(v any) bool { return false })},
		"nan":      {fn: isType(func(v any) bool { f, ok := v.(float64); return ok && math.IsNaN(f) })},
		"lower":    {fn: isType(func(v any) bool { s := pyStr(v); return strings.ToLower(s) == s })},
		"upper":    {fn: isType(func(v any) bool { s := pyStr(v); return strings.ToUpper(s) == s })},
		"true":     {fn: isType(func(v any) bool { return v == true })},
		"false":    {fn: isType(func(v any) bool { return v == false })},
		"even":     {fn: parity(0)},
		"odd":      {fn: parity(1)},

		"divisibleby": {params: []string{"num"}, fn: testDivisibleby},
		"sameas":      {params: []string{"other"}, fn: testSameas},
		"in":          {params: []string{"seq"}, fn: func(c *fcall, in any) (any, error) { return pyContains(c.get("seq", nil), in) }},
		"contains":    {params: []string{"seq"}, fn: func(c *fcall, in any) (any, error) { return pyContains(in, c.get("seq", nil)) }},
		"eq":          {params: []string{"other"}, fn: compareTest("==")},
		"ne":          {params: []string{"other"}, fn: compareTest("!=")},
		"lt":          {params: []string{"other"}, fn: compareTest("<")},
		"le":          {params: []string{"other"}, fn: compareTest("<=")},
		"gt":          {params: []string{"other"}, fn: compareTest(">")},
		"ge":          {params: []string{"other"}, fn: compareTest(">=")},

		"match":    {params: []string{"pattern", "ignorecase", "multiline"}, fn: regexTest("match")},
		"search":   {params: []string{"pattern", "ignorecase", "multiline"}, fn: regexTest("search")},
		"regex":    {params: []string{"pattern", "ignorecase", "multiline", "match_type"}, fn: regexTest("")},
		"truthy":   {params: []string{"convert_bool"}, fn: truthTest(true)},
		"falsy":    {params: []string{"convert_bool"}, fn: truthTest(false)},
		"version":  {params: []string{"version", "operator", "strict", "version_type"}, fn: testVersion},
		"subset":   {params: []string{"b"}, fn: subsetTest(false)},
		"superset": {params: []string{"b"}, fn: subsetTest(true)},
		"any":      {fn: anyAll(true)},
		"all":      {fn: anyAll(false)},
		"filter":   {fn: isType(func(v any) bool { s, ok := v.(string); return ok && filters[shortName(s)] != nil })},
		"test":     {fn: isType(func(v any) bool { s, ok := v.(string); return ok && tests[shortName(s)] != nil })},

		// task results (`when: result is changed`)
		"failed":    {fn: resultTest(func(r map[string]any) bool { return truthy(r["failed"]) })},
		"succeeded": {fn: resultTest(func(r map[string]any) bool { return !truthy(r["failed"]) })},
		"changed":   {fn: resultTest(func(r map[string]any) bool { return truthy(r["changed"]) })},
		"skipped":   {fn: resultTest(func(r map[string]any) bool { return truthy(r["skipped"]) })},
		"finished":  {fn: resultTest(func(r map[string]any) bool { return r["finished"] == nil || truthy(r["finished"]) })},
		"started":   {fn: resultTest(func(r map[string]any) bool { return r["started"] == nil || truthy(r["started"]) })},

		// paths on the machine running tend
		"abs":       {fn: isType(func(v any) bool { return strings.HasPrefix(pyStr(v), "/") })},
		"exists":    {fn: pathTest(func(fi os.FileInfo) bool { return true }, os.Stat)},
		"file":      {fn: pathTest(func(fi os.FileInfo) bool { return fi.Mode().IsRegular() }, os.Stat)},
		"directory": {fn: pathTest(func(fi os.FileInfo) bool { return fi.IsDir() }, os.Stat)},
		"link":      {fn: pathTest(func(fi os.FileInfo) bool { return fi.Mode()&os.ModeSymlink != 0 }, os.Lstat)},
	}
	alias := map[string]string{
		"equalto": "eq", "==": "eq", "!=": "ne", "<": "lt", "lessthan": "lt", "<=": "le",
		">": "gt", "greaterthan": "gt", ">=": "ge", "version_compare": "version",
		"success": "succeeded", "failure": "failed", "change": "changed", "skip": "skipped",
		"is_abs": "abs", "is_file": "file", "is_dir": "directory", "is_link": "link",
		"issubset": "subset", "issuperset": "superset",
	}
	for short, long := range alias {
		tests[short] = tests[long]
	}
}

func isType(ok func(any) bool) fn {
	return func(_ *fcall, in any) (any, error) { return ok(in), nil }
}

func isSequence(v any) bool {
	switch v.(type) {
	case string, []any, map[string]any, namespace:
		return true
	}
	return false
}

func parity(rest int) fn {
	return func(c *fcall, in any) (any, error) {
		n, ok := integer(in)
		if !ok {
			return nil, c.errorf("needs an integer, not %s", pyType(in))
		}
		return n%2 == rest || n%2 == -rest, nil
	}
}

func testDivisibleby(c *fcall, in any) (any, error) {
	m, err := opMod(in, c.get("num", nil))
	if err != nil {
		return nil, err
	}
	return pyEqual(m, 0), nil
}

// testSameas is Python's `is`: the same singleton (None, True, False) or,
// for tend's values, equal values of the same type.
func testSameas(c *fcall, in any) (any, error) {
	other := c.get("other", nil)
	return pyType(in) == pyType(other) && pyEqual(in, other), nil
}

func compareTest(op string) fn {
	return func(c *fcall, in any) (any, error) {
		return binaryOps[op](in, c.get("other", nil))
	}
}

// regexTest is match (anchored at the start), search, or regex with
// match_type.
func regexTest(kind string) fn {
	return func(c *fcall, in any) (any, error) {
		pattern, err := c.str("pattern", "")
		if err != nil {
			return nil, err
		}
		how := kind
		if how == "" {
			if how, err = c.str("match_type", "search"); err != nil {
				return nil, err
			}
		}
		switch how {
		case "match":
			pattern = `\A(?:` + pattern + `)`
		case "fullmatch":
			pattern = `\A(?:` + pattern + `)\z`
		case "search":
		default:
			return nil, c.errorf("match_type must be match, search or fullmatch")
		}
		re, err := compileRegex(pattern, c.bool("ignorecase", false), c.bool("multiline", false))
		if err != nil {
			return nil, err
		}
		return re.MatchString(pyStr(in)), nil
	}
}

// truthTest is Ansible's truthy/falsy; convert_bool reads yes/no strings
// first, as the bool filter does.
func truthTest(want bool) fn {
	return func(c *fcall, in any) (any, error) {
		if c.bool("convert_bool", false) {
			if _, isStr := in.(string); isStr {
				in, _ = filterBool(c, in)
			}
		}
		return truthy(in) == want, nil
	}
}

func subsetTest(super bool) fn {
	return func(c *fcall, in any) (any, error) {
		a, err := iterate(in)
		if err != nil {
			return nil, err
		}
		b, err := iterate(c.get("b", nil))
		if err != nil {
			return nil, err
		}
		if super {
			a, b = b, a
		}
		for _, e := range a {
			if !containsValue(b, e) {
				return false, nil
			}
		}
		return true, nil
	}
}

// anyAll is Ansible's any (some item true) and all (every item true).
func anyAll(wantAny bool) fn {
	return func(_ *fcall, in any) (any, error) {
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			if truthy(e) == wantAny {
				return wantAny, nil
			}
		}
		return !wantAny, nil
	}
}

// resultTest reads a registered task result.
func resultTest(ok func(map[string]any) bool) fn {
	return func(c *fcall, in any) (any, error) {
		r, isMap := in.(map[string]any)
		if !isMap {
			return nil, c.errorf("the test expects a dictionary (a registered task result), got %s", pyType(in))
		}
		return ok(r), nil
	}
}

func pathTest(ok func(os.FileInfo) bool, stat func(string) (os.FileInfo, error)) fn {
	return func(_ *fcall, in any) (any, error) {
		fi, err := stat(filepath.Clean(pyStr(in)))
		return err == nil && ok(fi), nil
	}
}
