package playbooks

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
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
			words, err := splitWords(v)
			if err != nil {
				return nil, fmt.Errorf("-e %q: %v", v, err)
			}
			m = map[string]any{}
			for _, w := range words {
				k, val, ok := strings.Cut(w, "=")
				if !ok || k == "" {
					return nil, fmt.Errorf("-e %q: %q is not key=value (or use YAML: -e '{\"k\": 1}', or a file: -e @vars.yml)", v, w)
				}
				m[k] = val
			}
		}
		for k, x := range m {
			out[k] = x
		}
	}
	return out, nil
}
