package modules

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// uriBody turns uri's body into the bytes sent, as Ansible does for each
// body_format; ctype is the Content-Type Ansible adds (unless the task
// gives one).
func uriBody(body any, format string) (data []byte, ctype string, err error) {
	switch format {
	case "json":
		if s, ok := body.(string); ok {
			return []byte(s), "application/json", nil
		}
		var b strings.Builder
		if err := pyJSON(&b, body); err != nil {
			return nil, "", err
		}
		return []byte(b.String()), "application/json", nil
	case "form-urlencoded":
		if s, ok := body.(string); ok {
			return []byte(s), "application/x-www-form-urlencoded", nil
		}
		s, err := formURLEncoded(body)
		if err != nil {
			return nil, "", fmt.Errorf("failed to parse body as form_urlencoded: %v", err)
		}
		return []byte(s), "application/x-www-form-urlencoded", nil
	case "form-multipart":
		return nil, "", fmt.Errorf("body_format form-multipart is not supported by tend's uri")
	}
	switch x := body.(type) {
	case nil:
		return nil, "", nil
	case string:
		return []byte(x), "", nil
	case int, int64, float64, bool:
		return []byte(fmt.Sprint(x)), "", nil
	}
	return nil, "", fmt.Errorf("body must be a string with body_format raw (use body_format json or form-urlencoded for %s)", describe(body))
}

// formURLEncoded is Ansible's form_urlencoded: pairs from a mapping (keys
// sorted: the order YAML gave is lost) or a list of pairs, list values
// repeated, None values dropped, as urlencode(doseq=True) writes them.
func formURLEncoded(body any) (string, error) {
	var pairs [][2]any
	switch x := body.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pairs = append(pairs, [2]any{k, x[k]})
		}
	case []any:
		for _, e := range x {
			switch p := e.(type) {
			case []any:
				if len(p) != 2 {
					return "", fmt.Errorf("a list body must hold pairs")
				}
				pairs = append(pairs, [2]any{p[0], p[1]})
			default:
				return "", fmt.Errorf("a list body must hold pairs")
			}
		}
	default:
		return "", fmt.Errorf("cannot form-urlencode body, expect list or dict")
	}
	var out []string
	for _, p := range pairs {
		vals, ok := p[1].([]any)
		if !ok {
			vals = []any{p[1]}
		}
		for _, v := range vals {
			if v == nil {
				continue
			}
			out = append(out, url.QueryEscape(pyStr(p[0]))+"="+url.QueryEscape(pyStr(v)))
		}
	}
	return strings.Join(out, "&"), nil
}

// pyStr is Python's str() for the scalars YAML gives.
func pyStr(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case float64:
		return pyFloat(x)
	}
	return fmt.Sprint(v)
}

// jsonValue decodes JSON with whole numbers as int, as Python's json
// module reads them.
func jsonValue(data []byte) (any, error) {
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("extra data after the JSON value")
	}
	return fromJSONNumbers(v), nil
}

func fromJSONNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(string(x)); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = fromJSONNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fromJSONNumbers(x[k])
		}
	}
	return v
}
