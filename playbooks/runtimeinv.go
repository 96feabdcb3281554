package playbooks

import (
	"maps"
	"slices"
	"strings"

	"tend/inventory"
	"tend/playbooks/load"
)

// runtimeInv is what group_by and add_host added to the inventory during
// the run. The loaded inventory is immutable and shared, so these changes
// live beside it, guarded by runner.mu, and are consulted where the run
// asks about groups: play host patterns, groups, group_names, hostvars.
type runtimeInv struct {
	// groups are each host's groups added at run time, in the order added.
	groups map[string][]string
	// parents are the parent groups group_by gave groups.
	parents map[string][]string
	// vars are the host variables add_host set, over the inventory's.
	vars map[string]map[string]any
	// added are the hosts add_host created, in the order created.
	added []string
}

func (rt *runtimeInv) empty() bool {
	return len(rt.groups) == 0 && len(rt.parents) == 0 && len(rt.vars) == 0 && len(rt.added) == 0
}

// addGroup puts host in group, and group under parents; it says whether
// anything was new. The caller holds runner.mu.
func (rt *runtimeInv) addGroup(host, group string, parents []string) bool {
	if rt.groups == nil {
		rt.groups, rt.parents = map[string][]string{}, map[string][]string{}
	}
	changed := false
	if !slices.Contains(rt.groups[host], group) {
		rt.groups[host] = append(rt.groups[host], group)
		changed = true
	}
	for _, p := range parents {
		if p != "all" && p != group && !slices.Contains(rt.parents[group], p) {
			rt.parents[group] = append(rt.parents[group], p)
			changed = true
		}
	}
	return changed
}

// baseHost is a host as loaded, or as add_host created it; nil when
// neither knows it. The caller holds runner.mu.
func (r *runner) baseHost(name string) *inventory.Host {
	if h, ok := r.inv.Host(name); ok {
		return h
	}
	if slices.Contains(r.rt.added, name) {
		return &inventory.Host{Name: name, Vars: map[string]any{}, Groups: []string{"all"}}
	}
	return nil
}

// runtimeHost is a host with the run's additions: its variables and every
// group it is now in, ancestors included. The caller holds runner.mu.
func (r *runner) runtimeHost(name string) *inventory.Host {
	base := r.baseHost(name)
	if base == nil {
		return nil
	}
	vars, groups := r.rt.vars[name], r.rt.groups[name]
	if len(vars) == 0 && len(groups) == 0 {
		return base
	}
	c := *base
	if len(vars) > 0 {
		c.Vars = maps.Clone(base.Vars)
		if c.Vars == nil {
			c.Vars = map[string]any{}
		}
		maps.Copy(c.Vars, vars)
	}
	set := map[string]bool{"all": true}
	for _, g := range base.Groups {
		set[g] = true
	}
	var walk func(g string)
	walk = func(g string) {
		if set[g] {
			return
		}
		set[g] = true
		if ig, ok := r.inv.Group(g); ok {
			for _, p := range ig.Parents {
				walk(p)
			}
		}
		for _, p := range r.rt.parents[g] {
			walk(p)
		}
	}
	for _, g := range groups {
		walk(g)
	}
	c.Groups = slices.Sorted(maps.Keys(set))
	return &c
}

// allHosts are the inventory's hosts, then those add_host created. The
// caller holds runner.mu.
func (r *runner) allHosts() []*inventory.Host {
	hosts := r.inv.Hosts()
	for _, name := range r.rt.added {
		hosts = append(hosts, r.runtimeHost(name))
	}
	for i, h := range hosts {
		hosts[i] = r.runtimeHost(h.Name)
	}
	return hosts
}

// runtimeGroups maps every group, the inventory's and the run's, to its
// host names in inventory order (added hosts last). The caller holds
// runner.mu.
func (r *runner) runtimeGroups() map[string][]string {
	out := map[string][]string{}
	for _, g := range r.inv.Groups() {
		out[g.Name] = []string{}
	}
	for _, h := range r.allHosts() {
		for _, g := range h.Groups {
			out[g] = append(out[g], h.Name)
		}
		if len(h.Groups) == 1 && h.Groups[0] == "all" { // an added host in no group
			out["ungrouped"] = append(out["ungrouped"], h.Name)
		}
	}
	return out
}

// matchRuntime resolves a host pattern and limit as inventory.Match does,
// knowing the run's groups and hosts: a part naming one of them (or all)
// is resolved here, any other part by the inventory. Parts with subscripts
// and patterns over names (globs, ~regexps) see only the loaded inventory.
func (r *runner) matchRuntime(pattern, limit string) (*inventory.Match, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rt.empty() || strings.TrimSpace(pattern) == "" {
		return r.inv.Match(pattern, limit)
	}
	groups := r.runtimeGroups()
	byName := map[string]*inventory.Host{}
	for _, h := range r.allHosts() {
		byName[h.Name] = h
	}
	m := &inventory.Match{}
	eval := func(p string) (map[string]bool, error) {
		parts := strings.Split(p, ",")
		if len(parts) == 1 && !strings.Contains(p, "[") {
			parts = strings.Split(p, ":")
		}
		var plain, and, not []map[string]bool
		for _, part := range parts {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name := strings.TrimLeft(part, "&!")
			set := map[string]bool{}
			if hosts, ok := groups[name]; ok {
				for _, n := range hosts {
					set[n] = true
				}
			} else if _, ok := byName[name]; ok {
				set[name] = true
			} else {
				sub, err := r.inv.Match(name, "")
				if err != nil {
					return nil, err
				}
				m.Unmatched = append(m.Unmatched, sub.Unmatched...)
				for _, h := range sub.Hosts {
					set[h.Name] = true
					if _, ok := byName[h.Name]; !ok {
						byName[h.Name] = h // the implicit localhost
					}
				}
			}
			switch {
			case strings.HasPrefix(part, "&"):
				and = append(and, set)
			case strings.HasPrefix(part, "!"):
				not = append(not, set)
			default:
				plain = append(plain, set)
			}
		}
		out := map[string]bool{}
		if len(plain) == 0 {
			for _, n := range groups["all"] {
				out[n] = true
			}
		}
		for _, s := range plain {
			maps.Copy(out, s)
		}
		for _, s := range and {
			maps.DeleteFunc(out, func(n string, _ bool) bool { return !s[n] })
		}
		for _, s := range not {
			maps.DeleteFunc(out, func(n string, _ bool) bool { return s[n] })
		}
		return out, nil
	}
	set, err := eval(pattern)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(limit) != "" {
		lim, err := eval(limit)
		if err != nil {
			return nil, err
		}
		maps.DeleteFunc(set, func(n string, _ bool) bool { return !lim[n] })
	}
	for _, h := range r.allHosts() {
		if set[h.Name] {
			m.Hosts = append(m.Hosts, h)
			delete(set, h.Name)
		}
	}
	for n := range set { // the implicit localhost
		m.Hosts = append(m.Hosts, byName[n])
	}
	return m, nil
}

// rematch resolves the hosts of plays from..end again once group_by or
// add_host changed the inventory, and moves each host's last play (when
// its connection is closed) accordingly.
func (r *runner) rematch(plays []*load.Play, matches []*inventory.Match, from int) error {
	r.mu.Lock()
	changed := !r.rt.empty()
	r.mu.Unlock()
	if !changed || from == 0 {
		return nil
	}
	for i := from; i < len(plays); i++ {
		m, err := r.matchPlay(plays[i])
		if err != nil {
			return err
		}
		matches[i] = m
		r.mu.Lock()
		for _, h := range m.Hosts {
			r.lastPlay[h.Name] = max(r.lastPlay[h.Name], i)
			if hs, ok := r.hosts[h.Name]; ok {
				hs.lastPlay = r.lastPlay[h.Name]
			}
		}
		r.mu.Unlock()
	}
	return nil
}

// lookupHost is the named host with the run's additions, add_host's hosts
// included.
func (r *runner) lookupHost(name string) (*inventory.Host, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.runtimeHost(name)
	return h, h != nil
}
