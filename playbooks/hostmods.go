package playbooks

import (
	"context"
	"maps"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"tend/modules"
	"tend/playbooks/load"
)

// groupByModule puts the host in a group (made under parents) for the rest
// of the run, as Ansible's group_by does; changed when that is new.
func groupByModule(_ context.Context, h *hostRun, _ *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("group_by", raw)
	if err != nil {
		return failf("%v", err)
	}
	group := strings.ReplaceAll(args.String("key"), " ", "-")
	if group == "" {
		return failf("group_by: key must not be empty")
	}
	parents := []any{}
	for _, p := range args.List("parents") {
		parents = append(parents, strings.ReplaceAll(p, " ", "-"))
	}
	if len(parents) == 0 {
		parents = []any{"all"}
	}
	r := h.p.r
	r.mu.Lock()
	ps := make([]string, len(parents))
	for i, p := range parents {
		ps[i] = p.(string)
	}
	changed := r.rt.addGroup(h.hs.host.Name, group, ps)
	// This host's group_names change at once; other hosts see the group
	// in their next play.
	if rh := r.runtimeHost(h.hs.host.Name); rh != nil {
		h.hs.host = withExtraVars(rh, r.o.ExtraVars)
	}
	r.mu.Unlock()
	st := StatusOK
	if changed {
		st = StatusChanged
	}
	return outcome{status: st, result: modules.Result{"changed": changed, "add_group": group, "parent_groups": parents}}
}

// addHostModule adds a host, or groups and variables to one, to the run's
// inventory for later plays, as Ansible's add_host does.
func addHostModule(_ context.Context, h *hostRun, _ *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("add_host", raw)
	if err != nil {
		return failf("%v", err)
	}
	name, port := splitHostPort(args.String("name"))
	if name == "" {
		return failf("add_host: name, host or hostname needs to be provided")
	}
	groups := []any{}
	for _, g := range args.List("groups") {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(groups, any(g)) {
			groups = append(groups, g)
		}
	}
	vars := map[string]any{}
	for k, v := range args {
		if k != "name" && k != "groups" {
			vars[k] = v
		}
	}
	if port != "" {
		vars["ansible_ssh_port"] = port
	}
	r := h.p.r
	r.mu.Lock()
	changed := false
	if r.baseHost(name) == nil {
		r.rt.added = append(r.rt.added, name)
		changed = true
	}
	if len(vars) > 0 {
		old := r.runtimeHost(name).Vars
		merged := map[string]any{}
		for k, v := range vars {
			if ov, ok := old[k]; !ok || !reflect.DeepEqual(ov, v) {
				merged[k] = v
			}
		}
		if len(merged) > 0 {
			if r.rt.vars == nil {
				r.rt.vars = map[string]map[string]any{}
			}
			if r.rt.vars[name] == nil {
				r.rt.vars[name] = map[string]any{}
			}
			maps.Copy(r.rt.vars[name], merged)
			changed = true
		}
	}
	for _, g := range groups {
		if r.rt.addGroup(name, g.(string), nil) {
			changed = true
		}
	}
	r.mu.Unlock()
	st := StatusOK
	if changed {
		st = StatusChanged
	}
	return outcome{status: st, result: modules.Result{"changed": changed,
		"add_host": map[string]any{"host_name": name, "groups": groups, "host_vars": vars}}}
}

// splitHostPort takes a port off "host:port" or "[v6]:port" as Ansible's
// parse_address does; anything else is a name as it is.
func splitHostPort(s string) (string, string) {
	s = strings.TrimSpace(s)
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return strings.Trim(s, "[]"), ""
	}
	if _, err := strconv.Atoi(port); err != nil || host == "" {
		return s, ""
	}
	return host, port
}
