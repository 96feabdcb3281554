package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"tend/internal/vault"
)

const (
	groupAll       = "all"
	groupUngrouped = "ungrouped"
)

// maxHosts bounds one inventory, whatever its sources, so hostile input
// cannot exhaust memory through ranges.
var maxHosts = 1_000_000

// localhostNames are the names Ansible treats as the control node
// (C.LOCALHOST).
var localhostNames = []string{"localhost", "127.0.0.1", "::1"}

// builder accumulates hosts and groups from every source, in Ansible's
// InventoryData style, before finalize derives memberships and variables.
type builder struct {
	hosts     []*Host
	byName    map[string]*Host
	groups    map[string]*Group
	byCreate  []*Group
	localhost *Host // first localhost-like host defined, if any
	edges     map[[2]*Group]pos
	warnings  []string
	vault     *vault.Keyring // nil: encrypted files and values are errors
}

func newBuilder() *builder {
	b := &builder{
		byName: map[string]*Host{},
		groups: map[string]*Group{},
		edges:  map[[2]*Group]pos{},
	}
	all := b.group(groupAll, pos{})
	ungrouped := b.group(groupUngrouped, pos{})
	all.declared, ungrouped.declared = true, true
	_ = b.addChild(pos{}, all, ungrouped)
	return b
}

func (b *builder) warnf(at pos, format string, args ...any) {
	b.warnings = append(b.warnings, at.String()+": "+fmt.Sprintf(format, args...))
}

// group returns the named group, creating it (undeclared) when needed.
func (b *builder) group(name string, at pos) *Group {
	if g, ok := b.groups[name]; ok {
		return g
	}
	g := &Group{
		Name:     name,
		Priority: 1,
		inline:   map[string]any{},
		hostSet:  map[int]bool{},
		created:  len(b.byCreate),
		refAt:    at,
	}
	b.groups[name] = g
	b.byCreate = append(b.byCreate, g)
	return g
}

// addHost adds a host to g (which may be nil). As in Ansible, a port only
// applies when the host is first defined.
func (b *builder) addHost(at pos, name string, g *Group, port int, hasPort bool) (*Host, error) {
	if name == "" {
		return nil, at.errorf("", "empty host name")
	}
	h, ok := b.byName[name]
	if !ok {
		if len(b.hosts) >= maxHosts {
			return nil, at.errorf("split the inventory or check host ranges", "more than %d hosts", maxHosts)
		}
		h = &Host{Name: name, Source: at.file, index: len(b.hosts), inline: map[string]any{}}
		if hasPort {
			h.inline[VarPort] = port
		}
		b.hosts = append(b.hosts, h)
		b.byName[name] = h
		if b.localhost == nil && slices.Contains(localhostNames, name) {
			b.localhost = h
		}
	} else if hasPort && h.inline[VarPort] != port {
		b.warnf(at, "port %d for host %q ignored: Ansible only takes the port where a host is first defined (%s)", port, name, h.Source)
	}
	if g != nil && !g.hostSet[h.index] {
		g.hostSet[h.index] = true
		g.Hosts = append(g.Hosts, name)
		h.direct = append(h.direct, g)
		g.declared = true
	}
	return h, nil
}

func (b *builder) addChild(at pos, parent, child *Group) error {
	if parent == child {
		return at.errorf("", "group %q cannot be a child of itself", parent.Name)
	}
	if _, ok := b.edges[[2]*Group{parent, child}]; ok {
		return nil
	}
	b.edges[[2]*Group{parent, child}] = at
	parent.children = append(parent.children, child)
	parent.Children = append(parent.Children, child.Name)
	child.parents = append(child.parents, parent)
	child.Parents = append(child.Parents, parent.Name)
	return nil
}

// setGroupVar stores an inline group variable. ansible_group_priority is
// not a variable for Ansible but the group's merge priority.
func (b *builder) setGroupVar(at pos, g *Group, k string, v any) error {
	if k == "ansible_group_priority" {
		n, ok := toInt(v)
		if !ok {
			return at.errorf("use a whole number such as 10", "ansible_group_priority of group %q must be an integer, got %v", g.Name, v)
		}
		g.Priority = n
		return nil
	}
	g.inline[k] = v
	return nil
}

// finalize reconciles the inventory as Ansible's reconcile_inventory does,
// checks the group graph, and computes memberships and merged variables.
func (b *builder) finalize(vf *varFiles) (*Inventory, error) {
	all, ungrouped := b.groups[groupAll], b.groups[groupUngrouped]

	// ungrouped holds exactly the hosts in no group other than all.
	keep := map[int]bool{}
	for _, h := range b.hosts {
		other := false
		for _, g := range h.direct {
			if g != all && g != ungrouped {
				other = true
				break
			}
		}
		if !other {
			keep[h.index] = true
		}
	}
	ungrouped.Hosts, ungrouped.hostSet = nil, map[int]bool{}
	for _, h := range b.hosts {
		if keep[h.index] {
			ungrouped.Hosts = append(ungrouped.Hosts, h.Name)
			ungrouped.hostSet[h.index] = true
		}
	}

	// Top-level groups hang off all.
	for _, g := range b.byCreate {
		if g != all && len(g.parents) == 0 {
			_ = b.addChild(pos{}, all, g)
		}
	}

	topo, err := b.topoOrder()
	if err != nil {
		return nil, err
	}
	for _, g := range topo {
		for _, c := range g.children {
			c.depth = max(c.depth, g.depth+1)
		}
	}
	b.computeMembers(topo)

	inv := &Inventory{
		hosts:     b.hosts,
		byName:    b.byName,
		groups:    b.groups,
		byCreate:  b.byCreate,
		localhost: map[string]*Host{},
	}
	inv.byIndex = append([]*Host(nil), b.hosts...)

	hostGroups := make([][]*Group, len(b.hosts))
	for _, g := range b.byCreate {
		if g == all {
			continue
		}
		for _, idx := range g.members {
			hostGroups[idx] = append(hostGroups[idx], g)
		}
	}
	for _, h := range b.hosts {
		gs := hostGroups[h.index]
		h.Groups = make([]string, 0, len(gs)+1)
		h.Groups = append(h.Groups, groupAll)
		for _, g := range gs {
			h.Groups = append(h.Groups, g.Name)
		}
		sort.Strings(h.Groups)
		h.Vars = vf.hostVars(all, gs, h)
	}
	for _, g := range b.byCreate {
		g.Vars = vf.groupVars(g)
		if g.Hosts == nil {
			g.Hosts = []string{}
		}
	}

	// Patterns naming localhost get the inventory's own localhost-like host
	// or, failing that, an implicit one outside "all".
	for _, name := range localhostNames {
		if b.localhost != nil {
			inv.localhost[name] = b.localhost
			continue
		}
		h := &Host{Name: name, Implicit: true, index: len(inv.byIndex), inline: map[string]any{VarConnection: "local"}}
		h.Vars = vf.hostVars(all, nil, h)
		inv.byIndex = append(inv.byIndex, h)
		inv.localhost[name] = h
	}

	b.lateWarnings()
	inv.warnings = b.warnings
	return inv, nil
}

// topoOrder returns groups parents-first and rejects cycles, naming the
// edge that closes one.
func (b *builder) topoOrder() ([]*Group, error) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(b.byCreate))
	var post []*Group
	var stack []*Group
	var visit func(g *Group) error
	visit = func(g *Group) error {
		state[g.created] = active
		stack = append(stack, g)
		for _, c := range g.children {
			switch state[c.created] {
			case active:
				var names []string
				for i := len(stack) - 1; i >= 0; i-- {
					names = append(names, stack[i].Name)
					if stack[i] == c {
						break
					}
				}
				slices.Reverse(names)
				at := b.edges[[2]*Group{g, c}]
				return at.errorf("remove one of these parent/child links",
					"group %q cannot be a child of %q: that makes a cycle (%s -> %s)", c.Name, g.Name, strings.Join(names, " -> "), c.Name)
			case unseen:
				if err := visit(c); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[g.created] = done
		post = append(post, g)
		return nil
	}
	for _, g := range b.byCreate {
		if state[g.created] == unseen {
			if err := visit(g); err != nil {
				return nil, err
			}
		}
	}
	slices.Reverse(post)
	return post, nil
}

// computeMembers gives each group the sorted indices of its hosts and its
// descendants' hosts, children first so each group reuses their lists.
func (b *builder) computeMembers(topo []*Group) {
	stamp := make([]int, len(b.hosts))
	for i := range stamp {
		stamp[i] = -1
	}
	for i := len(topo) - 1; i >= 0; i-- {
		g := topo[i]
		if g.Name == groupAll {
			continue
		}
		var m []int
		add := func(idx int) {
			if stamp[idx] != g.created {
				stamp[idx] = g.created
				m = append(m, idx)
			}
		}
		for idx := range g.hostSet {
			add(idx)
		}
		for _, c := range g.children {
			for _, idx := range c.members {
				add(idx)
			}
		}
		sort.Ints(m)
		g.members = m
	}
}

func (b *builder) lateWarnings() {
	for _, g := range b.byCreate {
		if g.declared {
			continue
		}
		if len(g.parents) > 0 && g.parents[0].Name != groupAll {
			b.warnf(g.refAt, "group %q is listed as a child but defined nowhere; it was created empty", g.Name)
		} else {
			b.warnf(g.refAt, "group %q has variables but is defined nowhere (no [%s] or [%s:children] section)", g.Name, g.Name, g.Name)
		}
	}
	for _, h := range b.hosts {
		if _, ok := b.groups[h.Name]; ok {
			b.warnf(pos{file: h.Source}, "found both a group and a host named %q", h.Name)
		}
	}
}

func sortGroupsByName(gs []*Group) {
	sort.Slice(gs, func(i, j int) bool { return gs[i].Name < gs[j].Name })
}
