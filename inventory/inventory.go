package inventory

// Host is one inventory host after loading: its variables are already merged
// in Ansible's precedence order (see vars.go).
type Host struct {
	Name string
	// Vars holds the merged, final variables. Values are shared with other
	// hosts (a group var is one value); treat them as read-only.
	Vars map[string]any
	// Groups lists every group the host belongs to, including "all" and the
	// ancestors of its direct groups, sorted by name. Nil for the implicit
	// localhost, which belongs to no group.
	Groups []string
	// Source is the inventory source that first defined the host (Ansible's
	// inventory_file); empty for the implicit localhost.
	Source string
	// Implicit is true for the localhost Ansible invents when a pattern names
	// localhost and the inventory does not define it.
	Implicit bool

	index  int            // order of first definition; bit position in pattern sets
	inline map[string]any // vars set by inventory sources, before merging
	direct []*Group       // groups the sources put the host in, in order
}

// Group is one inventory group. Hosts, Children and Parents are direct
// relations in the order they were first declared.
type Group struct {
	Name string
	// Vars are the group's own variables: inline ones, then group_vars files
	// on top. Inherited and host variables are not included.
	Vars     map[string]any
	Hosts    []string
	Children []string
	Parents  []string
	// Priority is ansible_group_priority (default 1); among groups at the
	// same depth, higher priority is merged later and so wins.
	Priority int

	inline   map[string]any
	hostSet  map[int]bool
	children []*Group
	parents  []*Group
	declared bool  // defined by a section or YAML key, not only referenced
	refAt    pos   // first reference, for "defined nowhere" warnings
	depth    int   // longest path from "all"
	members  []int // transitive host indices, ascending; nil for "all"
	created  int   // creation order
}

// Inventory is a loaded, merged inventory. It is immutable after Load or
// Parse returns and safe for concurrent use.
type Inventory struct {
	hosts     []*Host // inventory order
	byIndex   []*Host // hosts, then implicit localhost entries
	byName    map[string]*Host
	groups    map[string]*Group
	byCreate  []*Group // creation order
	localhost map[string]*Host
	warnings  []string
}

// Hosts returns all hosts in inventory order (the order in which they were
// first defined). The implicit localhost is not included, as in Ansible.
func (inv *Inventory) Hosts() []*Host {
	return append([]*Host(nil), inv.hosts...)
}

// Host returns the named host. Like Ansible's get_host, asking for
// localhost, 127.0.0.1 or ::1 when the inventory lacks it returns the
// implicit localhost (or the localhost-like host the inventory does define).
func (inv *Inventory) Host(name string) (*Host, bool) {
	if h, ok := inv.byName[name]; ok {
		return h, true
	}
	h, ok := inv.localhost[name]
	return h, ok
}

// Group returns the named group.
func (inv *Inventory) Group(name string) (*Group, bool) {
	g, ok := inv.groups[name]
	return g, ok
}

// Groups returns all groups sorted by name.
func (inv *Inventory) Groups() []*Group {
	out := append([]*Group(nil), inv.byCreate...)
	sortGroupsByName(out)
	return out
}

// GroupHosts returns the hosts of a group and of all its descendants in
// inventory order: what Ansible exposes as groups['name'].
func (inv *Inventory) GroupHosts(name string) ([]*Host, bool) {
	g, ok := inv.groups[name]
	if !ok {
		return nil, false
	}
	if g.Name == groupAll {
		return inv.Hosts(), true
	}
	out := make([]*Host, len(g.members))
	for i, idx := range g.members {
		out[i] = inv.byIndex[idx]
	}
	return out, true
}

// Warnings returns what Ansible would print as warnings while loading
// (skipped YAML keys, groups referenced but defined nowhere, ignored ports,
// skipped scripts), each prefixed with file:line.
func (inv *Inventory) Warnings() []string {
	return append([]string(nil), inv.warnings...)
}

// GroupNames returns the host's groups without "all", as Ansible's
// group_names magic variable does.
func (h *Host) GroupNames() []string {
	out := make([]string, 0, len(h.Groups))
	for _, g := range h.Groups {
		if g != groupAll {
			out = append(out, g)
		}
	}
	return out
}

// Restrict returns a view of the inventory holding only the given hosts, as
// ansible-inventory --limit shows it: every group stays, listing only those
// hosts. Hosts not in inv are ignored; the Host values are shared.
func (inv *Inventory) Restrict(hosts []*Host) *Inventory {
	keep := map[*Host]bool{}
	for _, h := range hosts {
		if h != nil && h.index < len(inv.byIndex) && inv.byIndex[h.index] == h {
			keep[h] = true
		}
	}
	out := &Inventory{
		byIndex:   inv.byIndex, // pattern sets stay indexed as before
		byName:    map[string]*Host{},
		groups:    map[string]*Group{},
		localhost: map[string]*Host{},
		warnings:  inv.warnings,
	}
	for _, h := range inv.hosts {
		if keep[h] {
			out.hosts = append(out.hosts, h)
			out.byName[h.Name] = h
		}
	}
	for name, h := range inv.localhost {
		if h.Implicit || keep[h] {
			out.localhost[name] = h
		}
	}
	copies := map[*Group]*Group{}
	for _, g := range inv.byCreate {
		c := *g
		c.Hosts = []string{}
		for _, name := range g.Hosts {
			if h := inv.byName[name]; keep[h] {
				c.Hosts = append(c.Hosts, name)
			}
		}
		c.members = nil
		for _, idx := range g.members {
			if keep[inv.byIndex[idx]] {
				c.members = append(c.members, idx)
			}
		}
		copies[g] = &c
		out.byCreate = append(out.byCreate, &c)
		out.groups[c.Name] = &c
	}
	for _, c := range out.byCreate {
		c.children = remap(c.children, copies)
		c.parents = remap(c.parents, copies)
	}
	return out
}

func remap(gs []*Group, to map[*Group]*Group) []*Group {
	out := make([]*Group, len(gs))
	for i, g := range gs {
		out[i] = to[g]
	}
	return out
}
