package playbooks

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"tend/modules"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
)

// validateArgSpecModule is Ansible's validate_argument_spec, the task the
// loader puts first in a role with meta/argument_specs.yml: the variables
// the spec names (role parameters winning) must fit it.
func validateArgSpecModule(_ context.Context, _ *hostRun, _ *load.Task, raw, vars map[string]any, _ string) outcome {
	spec, ok := raw["argument_spec"].(map[string]any)
	if !ok {
		return failf("validate_argument_spec: argument_spec must be a mapping")
	}
	provided, _ := raw["provided_arguments"].(map[string]any)
	params := map[string]any{}
	for name := range spec {
		if v, ok := vars[name]; ok {
			params[name] = v
		}
	}
	for k, v := range provided {
		params[k] = v
	}
	order, _ := raw["option_order"].(map[string]any)
	errs := checkSpec(spec, params, order)
	res := modules.Result{"validate_args_context": raw["validate_args_context"], "changed": false}
	if len(errs) > 0 {
		msg := "Validation of arguments failed:\n" + strings.Join(errs, "\n")
		res["msg"], res["argument_errors"], res["argument_spec_data"] = msg, errs, spec
		return outcome{status: StatusFailed, msg: msg, result: res}
	}
	res["msg"] = "The arg spec validation passed"
	return outcome{status: StatusOK, result: res}
}

// checkSpec checks params against an argument spec's options in the order
// of Ansible's ArgumentSpecValidator, with its messages: missing required
// arguments, types, choices, nested options, then unknown parameters.
// order lists each level's options as written (see load.argSpec).
func checkSpec(spec, params, order map[string]any) []string {
	var errs []string
	var unknown []string
	var supported []string
	c := specCheck{order: order, errs: &errs, unknown: &unknown, supported: &supported}
	c.level(spec, params, nil)
	if len(unknown) > 0 {
		sort.Strings(unknown)
		errs = append(errs, fmt.Sprintf("%s. Supported parameters include: %s.", strings.Join(unknown, ", "), strings.Join(supported, ", ")))
	}
	return errs
}

// specCheck gathers the problems of one check.
type specCheck struct {
	order                    map[string]any
	errs, unknown, supported *[]string
}

// level checks one options: mapping; ctx names the options holding it.
func (sc specCheck) level(spec, params map[string]any, ctx []string) {
	errs := sc.errs
	sorted := make([]string, 0, len(spec))
	for k := range spec {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for k := range params {
		if _, ok := spec[k]; !ok {
			*sc.unknown = append(*sc.unknown, strings.Join(append(slicesClone(ctx), k), "."))
			*sc.supported = sorted
		}
	}
	names := sc.written(strings.Join(ctx, "."), spec, sorted)
	opt := func(name string) map[string]any { m, _ := spec[name].(map[string]any); return m }
	in := ""
	if len(ctx) > 0 {
		in = " found in " + strings.Join(ctx, " -> ")
	}
	for _, k := range names {
		o := opt(k)
		if req, _ := modules.ToBool(o["required"]); req && o["default"] != nil {
			// Ansible stops at the first, as a spec error, and checks on.
			*errs = append(*errs, "internal error: required and default are mutually exclusive for "+k)
			break
		}
	}
	var missing []string
	for _, k := range names {
		o := opt(k)
		if _, given := params[k]; !given {
			if d, ok := o["default"]; ok && d != nil {
				params[k] = d
			} else if b, _ := modules.ToBool(o["required"]); b {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		*errs = append(*errs, "missing required arguments: "+strings.Join(missing, ", ")+in)
	}
	for _, k := range names {
		v, ok := params[k]
		if !ok || v == nil {
			continue
		}
		o := opt(k)
		typ, _ := o["type"].(string)
		if typ == "" {
			typ = "str"
		}
		c, err := convertArg(typ, v)
		if err != nil {
			where := ""
			if in != "" {
				where = " found in '" + strings.Join(ctx, " -> ") + "'."
			}
			*errs = append(*errs, fmt.Sprintf("argument '%s' is of type %s%s and we were unable to convert to %s: %v", k, pyType(v), where, typ, err))
			continue
		}
		if el, _ := o["elements"].(string); el != "" {
			if l, isList := c.([]any); isList {
				out := make([]any, 0, len(l))
				for _, e := range l {
					ce, err := convertArg(el, e)
					if err != nil {
						where := ""
						if in != "" {
							where = " found in '" + strings.Join(ctx, " -> ") + "'"
						}
						*errs = append(*errs, fmt.Sprintf("Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %v", k, where, pyType(e), el, err))
						continue
					}
					out = append(out, ce)
				}
				c = out
			}
		}
		params[k] = c
	}
	for _, k := range names {
		choices, ok := opt(k)["choices"].([]any)
		v, given := params[k]
		if !ok || !given || v == nil {
			continue
		}
		strs := make([]string, len(choices))
		for i, c := range choices {
			strs[i] = jinja.PyStr(c)
		}
		if l, isList := v.([]any); isList {
			var bad []string
			for _, e := range l {
				if !inChoices(e, choices) {
					bad = append(bad, jinja.PyStr(e))
				}
			}
			if len(bad) > 0 {
				*errs = append(*errs, fmt.Sprintf("value of %s must be one or more of: %s. Got no match for: %s%s", k, strings.Join(strs, ", "), strings.Join(bad, ", "), in))
			}
		} else if !inChoices(v, choices) {
			*errs = append(*errs, fmt.Sprintf("value of %s must be one of: %s, got: %s%s", k, strings.Join(strs, ", "), jinja.PyStr(v), in))
		}
	}
	for _, k := range names {
		sub, ok := opt(k)["options"].(map[string]any)
		if !ok {
			continue
		}
		switch v := params[k].(type) {
		case map[string]any:
			sc.level(sub, v, append(slicesClone(ctx), k))
		case []any:
			for _, e := range v {
				if m, isMap := e.(map[string]any); isMap {
					sc.level(sub, m, append(slicesClone(ctx), k))
				}
			}
		}
	}
}

// written returns a level's option names in the order written, those the
// order does not list (it is lost) by name after them.
func (sc specCheck) written(path string, spec map[string]any, sorted []string) []string {
	l, _ := sc.order[path].([]any)
	names := make([]string, 0, len(spec))
	seen := map[string]bool{}
	for _, n := range l {
		if s, ok := n.(string); ok && !seen[s] {
			if _, inSpec := spec[s]; inSpec {
				names = append(names, s)
				seen[s] = true
			}
		}
	}
	for _, s := range sorted {
		if !seen[s] {
			names = append(names, s)
		}
	}
	return names
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// convertArg coerces v to an argument spec type as Ansible's type checkers
// do (module_utils/common/validation.py); an unknown type is raw.
func convertArg(typ string, v any) (any, error) {
	switch typ {
	case "str", "path":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return jinja.PyStr(v), nil
	case "int":
		switch x := v.(type) {
		case int, int64, uint64:
			return x, nil
		case bool: // a Python bool is an int
			if x {
				return 1, nil
			}
			return 0, nil
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to an int", pyType(v))
	case "float":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to a float", pyType(v))
	case "bool":
		switch v.(type) {
		case bool:
			return v, nil
		case string, int, float64:
			if b, ok := modules.ToBool(v); ok {
				return b, nil
			}
			return nil, fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: 'yes', 1, 0, 'f', '0', 'y', 't', 'on', 'n', 'off', 'true', 'false', 'no', '1'", jinja.PyStr(v))
		}
		return nil, fmt.Errorf("%s cannot be converted to a bool", pyType(v))
	case "list":
		switch x := v.(type) {
		case []any:
			return x, nil
		case string:
			parts := strings.Split(x, ",")
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		case int, float64:
			return []any{jinja.PyStr(x)}, nil
		}
		return nil, fmt.Errorf("%s cannot be converted to a list", pyType(v))
	case "dict":
		switch x := v.(type) {
		case map[string]any:
			return x, nil
		case string:
			if strings.HasPrefix(strings.TrimSpace(x), "{") {
				var m map[string]any
				if err := json.Unmarshal([]byte(x), &m); err == nil {
					return m, nil
				}
			} else if strings.Contains(x, "=") {
				m := map[string]any{}
				for _, f := range strings.FieldsFunc(x, func(r rune) bool { return r == ',' || r == ' ' }) {
					k, val, _ := strings.Cut(f, "=")
					m[strings.TrimSpace(k)] = strings.TrimSpace(val)
				}
				return m, nil
			}
			return nil, fmt.Errorf("dictionary requested, could not parse JSON or key=value")
		}
		return nil, fmt.Errorf("%s cannot be converted to a dict", pyType(v))
	}
	return v, nil // raw, and types tend does not check (a load warning)
}

// inChoices compares as Python does: 1 == 1.0, "1" != 1.
func inChoices(v any, choices []any) bool {
	for _, c := range choices {
		if a, ok := num(v); ok {
			if b, ok := num(c); ok && a == b {
				return true
			}
			continue
		}
		if reflect.DeepEqual(v, c) {
			return true
		}
	}
	return false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// pyType names a value's Python type, as Ansible's messages do. A string is
// <class 'str'>: Ansible says AnsibleUnicode for one written in YAML.
func pyType(v any) string {
	t := "NoneType"
	switch v.(type) {
	case string:
		t = "str"
	case bool:
		t = "bool"
	case int, int64, uint64:
		t = "int"
	case float64:
		t = "float"
	case []any:
		t = "list"
	case map[string]any:
		t = "dict"
	}
	return "<class '" + t + "'>"
}
