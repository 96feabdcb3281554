package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strings"
)

// ListJSON renders the inventory as `ansible-inventory --list` does: every
// non-empty group with its direct hosts and children (in definition order),
// "all" with its children only, and _meta.hostvars with each host's merged
// variables (hosts without variables omitted). Keys are sorted and indented
// by four spaces, as Ansible prints them.
func (inv *Inventory) ListJSON() ([]byte, error) {
	out := map[string]any{}
	hostvars := map[string]any{}
	for _, h := range inv.hosts {
		if len(h.Vars) > 0 {
			hostvars[h.Name] = jsonSafe(h.Vars)
		}
	}
	out["_meta"] = map[string]any{"hostvars": hostvars}
	for _, g := range inv.byCreate {
		entry := map[string]any{}
		if g.Name != groupAll && len(g.Hosts) > 0 {
			entry["hosts"] = g.Hosts
		}
		if len(g.Children) > 0 {
			entry["children"] = g.Children
		}
		if len(entry) > 0 {
			out[g.Name] = entry
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Graph renders `ansible-inventory --graph GROUP`: the group, its children
// recursively, then its direct hosts, in definition order. The text ends
// with a newline.
func (inv *Inventory) Graph(group string) (string, error) {
	if group == "" {
		group = groupAll
	}
	g, ok := inv.groups[group]
	if !ok {
		return "", fmt.Errorf("graph: %q is not a group", group)
	}
	var b strings.Builder
	var walk func(g *Group, depth int)
	walk = func(g *Group, depth int) {
		graphLine(&b, "@"+g.Name+":", depth)
		for _, c := range g.children {
			walk(c, depth+1)
		}
		if g.Name != groupAll {
			for _, h := range g.Hosts {
				graphLine(&b, h, depth+1)
			}
		}
	}
	walk(g, 0)
	return b.String(), nil
}

func graphLine(b *strings.Builder, name string, depth int) {
	if depth > 0 {
		b.WriteString(strings.Repeat("  |", depth))
		b.WriteString("--")
	}
	b.WriteString(name)
	b.WriteByte('\n')
}

// HostVars returns a copy of a host's merged variables, as
// `ansible-inventory --host NAME` does. localhost works as in Ansible even
// when the inventory does not define it.
func (inv *Inventory) HostVars(name string) (map[string]any, error) {
	h, ok := inv.Host(name)
	if !ok {
		return nil, fmt.Errorf("host %q is not in the inventory", name)
	}
	return maps.Clone(h.Vars), nil
}

// jsonSafe replaces values encoding/json refuses (NaN and infinities, which
// YAML allows) with their YAML spelling.
func jsonSafe(v any) any {
	switch v := v.(type) {
	case float64:
		switch {
		case math.IsNaN(v):
			return ".nan"
		case math.IsInf(v, 1):
			return ".inf"
		case math.IsInf(v, -1):
			return "-.inf"
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonSafe(e)
		}
		return out
	}
	return v
}
