package jinja

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"
)

// Filters over mappings, and the JSON and YAML ones.

func asMapping(c *fcall, in any) (map[string]any, error) {
	switch t := in.(type) {
	case map[string]any:
		return t, nil
	case namespace:
		return t, nil
	}
	return nil, c.errorf("requires a dictionary, got %s instead", pyType(in))
}

// mappingItems is dict.items() as [[key, value], ...] in key order.
func mappingItems(in any) (any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("can only get item pairs from a mapping, not %s", pyType(in))
	}
	out, _, err := dictItems(m, nil, nil)
	return out, err
}

func filterDict2items(c *fcall, in any) (any, error) {
	m, err := asMapping(c, in)
	if err != nil {
		return nil, err
	}
	keyName := pyStr(c.get("key_name", "key"))
	valueName := pyStr(c.get("value_name", "value"))
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{keyName: k, valueName: m[k]})
	}
	return out, nil
}

func filterItems2dict(c *fcall, in any) (any, error) {
	items, ok := in.([]any)
	if !ok {
		return nil, c.errorf("requires a list, got %s instead", pyType(in))
	}
	keyName := pyStr(c.get("key_name", "key"))
	valueName := pyStr(c.get("value_name", "value"))
	out := make(map[string]any, len(items))
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, c.errorf("requires a list of dictionaries, got a %s in it", pyType(item))
		}
		k, ok := m[keyName]
		if !ok {
			return nil, undefinedAttr(m, keyName)
		}
		v, ok := m[valueName]
		if !ok {
			return nil, undefinedAttr(m, valueName)
		}
		out[keyString(k)] = v
	}
	return out, nil
}

// filterDictsort is Jinja's dictsort: pairs sorted by key or value.
func filterDictsort(c *fcall, in any) (any, error) {
	items, err := mappingItems(in)
	if err != nil {
		return nil, err
	}
	pos := 0
	switch by := pyStr(c.get("by", "key")); by {
	case "key":
	case "value":
		pos = 1
	default:
		return nil, c.errorf("you can only sort by either 'key' or 'value'")
	}
	caseSensitive := c.bool("case_sensitive", false)
	pairs := items.([]any)
	err = sortValues(pairs, c.bool("reverse", false), true, func(p any) (any, error) {
		k := p.([]any)[pos]
		if s, ok := k.(string); ok && !caseSensitive {
			return strings.ToLower(s), nil
		}
		return k, nil
	})
	return pairs, err
}

// filterCombine is Ansible's combine: later mappings win; recursive merges
// nested mappings; list_merge says what happens to two lists.
func filterCombine(c *fcall, in any) (any, error) {
	recursive := false
	listMerge := "replace"
	for k, v := range c.extra {
		switch k {
		case "recursive":
			recursive = truthy(v)
		case "list_merge":
			listMerge = pyStr(v)
		default:
			return nil, c.errorf("got an unexpected keyword argument '%s'", k)
		}
	}
	switch listMerge {
	case "replace", "keep", "append", "prepend", "append_rp", "prepend_rp":
	default:
		return nil, c.errorf("list_merge must be replace, keep, append, prepend, append_rp or prepend_rp")
	}
	out := map[string]any{}
	for _, term := range flatten(append([]any{in}, c.rest...), -1, false) {
		m, err := asMapping(c, term)
		if err != nil {
			return nil, err
		}
		out = merge(out, m, recursive, listMerge)
	}
	return out, nil
}

func merge(a, b map[string]any, recursive bool, listMerge string) map[string]any {
	out := copyMap(a)
	for k, bv := range b {
		av, exists := out[k]
		switch {
		case !exists:
			out[k] = bv
		case recursive && isMap(av) && isMap(bv):
			out[k] = merge(av.(map[string]any), bv.(map[string]any), true, listMerge)
		case isList(av) && isList(bv):
			out[k] = mergeLists(av.([]any), bv.([]any), listMerge)
		default:
			out[k] = bv
		}
	}
	return out
}

func isMap(v any) bool  { _, ok := v.(map[string]any); return ok }
func isList(v any) bool { _, ok := v.([]any); return ok }

func mergeLists(a, b []any, how string) []any {
	switch how {
	case "keep":
		return a
	case "append":
		return append(append([]any{}, a...), b...)
	case "prepend":
		return append(append([]any{}, b...), a...)
	case "append_rp": // a's items not in b, then b
		return append(setDifferenceKeep(a, b), b...)
	case "prepend_rp":
		return append(append([]any{}, b...), setDifferenceKeep(a, b)...)
	}
	return b
}

// setDifferenceKeep is a minus b, keeping duplicates and order.
func setDifferenceKeep(a, b []any) []any {
	out := []any{}
	for _, e := range a {
		if !containsValue(b, e) {
			out = append(out, e)
		}
	}
	return out
}

// filterExtract is Ansible's extract: container[item], then [key] for
// each of morekeys.
func filterExtract(c *fcall, in any) (any, error) {
	keys := []any{in}
	if more := c.get("morekeys", nil); more != nil {
		if l, ok := more.([]any); ok {
			keys = append(keys, l...)
		} else {
			keys = append(keys, more)
		}
	}
	v := c.get("container", nil)
	for _, k := range keys {
		next, undef := getItem(v, k)
		if undef != nil {
			return nil, undef
		}
		v = next
	}
	return v, nil
}

// getItem is Jinja's subscript obj[key].
func getItem(obj, key any) (any, *UndefinedError) {
	switch t := obj.(type) {
	case map[string]any:
		if k, ok := key.(string); ok {
			if v, found := t[k]; found {
				return v, nil
			}
		}
		return nil, undefinedAttr(t, pyStr(key))
	case []any:
		i, ok := integer(key)
		if !ok {
			return nil, undefinedAttr(t, pyStr(key))
		}
		if i < 0 {
			i += len(t)
		}
		if i < 0 || i >= len(t) {
			return nil, undefinedElement(t, i)
		}
		return t[i], nil
	}
	return nil, undefinedAttr(obj, pyStr(key))
}

// jsonFilter is to_json (Python's json.dumps defaults: ', ' and ': '
// separators, non-ASCII escaped) or to_nice_json (indent 4, sorted keys).
// Mapping keys always come out sorted.
func jsonFilter(nice bool) fn {
	return func(c *fcall, in any) (any, error) {
		indent := -1
		if nice {
			indent = 4
		}
		ensureASCII := true
		for k, v := range c.extra {
			switch k {
			case "indent":
				if n, ok := integer(v); ok {
					indent = n
				} else if v == nil {
					indent = -1
				}
			case "ensure_ascii":
				ensureASCII = truthy(v)
			case "sort_keys", "separators", "allow_nan", "skipkeys", "vault_to_text", "preprocess_unsafe":
			default:
				return nil, c.errorf("got an unexpected keyword argument '%s'", k)
			}
		}
		if len(c.rest) > 0 {
			return nil, c.errorf("takes keyword arguments only")
		}
		if indent > 64 {
			return nil, c.errorf("indent too large")
		}
		var b strings.Builder
		if err := writeJSON(&b, in, indent, 0, ensureASCII); err != nil {
			return nil, c.errorf("%v", err)
		}
		return b.String(), nil
	}
}

func writeJSON(b *strings.Builder, v any, indent, depth int, ascii bool) error {
	if depth > 1000 {
		return fmt.Errorf("nested too deep")
	}
	newline := func(d int) {
		if indent >= 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent*d))
		}
	}
	sep := ", "
	if indent >= 0 {
		sep = ","
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case float64:
		switch {
		case math.IsNaN(t):
			b.WriteString("NaN")
		case math.IsInf(t, 1):
			b.WriteString("Infinity")
		case math.IsInf(t, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(formatFloat(t))
		}
	case string:
		writeJSONString(b, t, ascii)
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(sep)
			}
			newline(depth + 1)
			if err := writeJSON(b, e, indent, depth+1, ascii); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte(']')
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteString(sep)
			}
			newline(depth + 1)
			writeJSONString(b, k, ascii)
			b.WriteString(": ")
			if err := writeJSON(b, t[k], indent, depth+1, ascii); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte('}')
	case namespace:
		return writeJSON(b, map[string]any(t), indent, depth, ascii)
	default:
		return fmt.Errorf("object of type %s is not JSON serializable", pyType(v))
	}
	return nil
}

// writeJSONString quotes s as Python's json module does.
func writeJSONString(b *strings.Builder, s string, ascii bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || ascii && r == 0x7f:
			fmt.Fprintf(b, `\u%04x`, r)
		case r > 0x7e && ascii:
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

func filterFromJSON(c *fcall, in any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, c.errorf("the JSON object must be str, not %s", pyType(in))
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, c.errorf("%v", err)
	}
	if dec.More() {
		return nil, c.errorf("extra data after the JSON value")
	}
	return fromJSON(v), nil
}

// fromJSON turns decoded JSON into tend's values: integers as int.
func fromJSON(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return int(n)
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i, e := range t {
			t[i] = fromJSON(e)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = fromJSON(e)
		}
	}
	return v
}

// yamlFilter is to_yaml (indent 2) or to_nice_yaml (indent 4), in block
// style with keys sorted.
func yamlFilter(nice bool) fn {
	return func(c *fcall, in any) (any, error) {
		indent := 2
		if nice {
			indent = 4
		}
		for k, v := range c.extra {
			switch k {
			case "indent":
				n, ok := integer(v)
				if !ok || n < 2 || n > 9 {
					return nil, c.errorf("indent must be an integer from 2 to 9")
				}
				indent = n
			case "default_flow_style", "width", "allow_unicode", "sort_keys", "explicit_start", "explicit_end":
			default:
				return nil, c.errorf("got an unexpected keyword argument '%s'", k)
			}
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(indent)
		if err := enc.Encode(yamlSafe(in)); err != nil {
			return nil, c.errorf("%v", err)
		}
		if err := enc.Close(); err != nil {
			return nil, c.errorf("%v", err)
		}
		return b.String(), nil
	}
}

// yamlSafe replaces what the YAML encoder cannot take (tend's namespace).
func yamlSafe(v any) any {
	switch t := v.(type) {
	case namespace:
		return yamlSafe(map[string]any(t))
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = yamlSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = yamlSafe(e)
		}
		return out
	case nil, bool, int, float64, string:
		return t
	}
	return pyStr(v)
}

func filterFromYAML(c *fcall, in any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, c.errorf("expected a string, got %s", pyType(in))
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return nil, c.errorf("%v", err)
	}
	return plain(v, true)
}

func filterFromYAMLAll(c *fcall, in any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, c.errorf("expected a string, got %s", pyType(in))
	}
	dec := yaml.NewDecoder(strings.NewReader(s))
	out := []any{}
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, c.errorf("%v", err)
		}
		x, err := plain(v, true)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
}
