package playbooks

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"tend/playbooks/load"
)

// ParseExtraVars reads -e values as ansible-playbook does: "@file" (YAML or
// JSON), an inline YAML/JSON mapping ("{...}"), or space-separated k=v pairs
// whose values are strings. Later values win.
func ParseExtraVars(values []string) (map[string]any, error) {
	out := map[string]any{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		var m map[string]any
		switch {
		case v == "":
			continue
		case strings.HasPrefix(v, "@"):
			data, err := os.ReadFile(v[1:])
			if err != nil {
				return nil, fmt.Errorf("-e %s: %w", v, err)
			}
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("-e %s: not a YAML or JSON mapping: %v", v, err)
			}
		case strings.HasPrefix(v, "{"):
			if err := yaml.Unmarshal([]byte(v), &m); err != nil {
				return nil, fmt.Errorf("-e %q: not a YAML or JSON mapping: %v", v, err)
			}
		default:
			kv, raw, err := load.KeyValues(v)
			if err != nil {
				return nil, fmt.Errorf("-e %q: %v", v, err)
			}
			if raw != "" {
				return nil, fmt.Errorf("-e %q: %q is not key=value (or use YAML: -e '{\"k\": 1}', or a file: -e @vars.yml)", v, raw)
			}
			m = map[string]any{}
			for k, val := range kv {
				m[k] = val
			}
		}
		for k, x := range m {
			out[k] = x
		}
	}
	return out, nil
}
