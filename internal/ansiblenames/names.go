package ansiblenames

import (
	"slices"
	"strings"
)

const (
	builtin = "ansible.builtin."
	legacy  = "ansible.legacy."
)

// Module describes one Ansible module.
type Module struct {
	FQCN string // e.g. ansible.builtin.copy, ansible.posix.sysctl
	info *moduleInfo
}

// LookupModule resolves a name as ansible-playbook does with no collections:
// keyword. Short names, ansible.builtin.X and ansible.legacy.X go through
// ansible-core (its plugin_routing included: short sysctl is
// ansible.posix.sysctl); other names must be a full collection name, and the
// collection's own redirects count. Tombstoned names are not valid.
func LookupModule(name string) (Module, bool) {
	t := data()
	fq := canonical(name)
	if fq == "" {
		return Module{}, false
	}
	if target, ok := t.redirects[fq]; ok {
		fq = target
	}
	m, ok := t.modules[fq]
	if !ok {
		return Module{}, false
	}
	return Module{FQCN: fq, info: m}, true
}

// canonical turns a module name into the FQCN it is looked up by, or "" if it
// cannot name a module at all (one dot: neither short nor an FQCN).
func canonical(name string) string {
	switch {
	case name == "" || strings.ContainsAny(name, " \t\n"):
		return ""
	case !strings.Contains(name, "."):
		return builtin + name
	case strings.HasPrefix(name, legacy):
		return builtin + name[len(legacy):]
	case strings.Count(name, ".") < 2:
		return ""
	}
	return name
}

// ModuleNames lists every name LookupModule accepts, sorted, in the form a
// playbook would write it: short for ansible-core's modules and redirects,
// FQCN for collections' (ansible.builtin.X and ansible.legacy.X spellings
// omitted). For did-you-mean.
func ModuleNames() []string {
	t := data()
	names := make([]string, 0, len(t.modules)+len(t.redirects))
	add := func(fq string) {
		names = append(names, strings.TrimPrefix(fq, builtin))
	}
	for fq := range t.modules {
		add(fq)
	}
	for fq, target := range t.redirects {
		if _, ok := t.modules[target]; ok {
			add(fq)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// ArgsKnown reports whether the table has the module's argument list. When
// false (no usable documentation, or a module such as set_fact that takes any
// name), every argument name must be accepted.
func (m Module) ArgsKnown() bool {
	return m.info != nil && m.info.known && !m.info.any
}

// HasArg reports whether the module accepts this argument name or alias, from
// its documented options (doc fragments included: files' mode/owner/seuser/
// attributes/unsafe_writes and the like). It is true for any name when
// ArgsKnown is false.
func (m Module) HasArg(name string) bool {
	if !m.ArgsKnown() {
		return true
	}
	_, ok := slices.BinarySearch(m.info.args, name)
	return ok
}

// Args lists the documented argument names and aliases, sorted, for
// did-you-mean. The slice is shared: do not modify it.
func (m Module) Args() []string {
	if m.info == nil {
		return nil
	}
	return m.info.args
}

// FreeForm reports whether the module takes free-form text instead of, or
// besides, key=value arguments (command, shell, include_vars, meta, ...).
func (m Module) FreeForm() bool {
	return m.info != nil && m.info.free
}

// Backends lists the modules a proxy module hands all its arguments to, chosen
// per host from its facts (package: yum, dnf, apt, ...; service: systemd, ...).
// Ansible documents only the proxy's common arguments, so an argument that is
// not the proxy's but is a backend's is valid Ansible that fails on hosts with
// another backend. Nil for other modules.
func (m Module) Backends() []Module {
	if m.info == nil || len(m.info.back) == 0 {
		return nil
	}
	var out []Module
	for _, fq := range m.info.back {
		if b, ok := LookupModule(fq); ok {
			out = append(out, b)
		}
	}
	return out
}

// Keyword reports whether name is an Ansible keyword in a context: "play",
// "role" (an entry of roles:), "block", "task" or "handler". Task and handler
// keywords include with_<lookup> for every lookup Lookup accepts.
//
// In a roles: entry Ansible takes any other key as a role parameter, so a
// false there is not by itself an error.
func Keyword(context, name string) bool {
	t := data()
	set, ok := t.keywordSet[context]
	if !ok {
		return false
	}
	if set[name] {
		return true
	}
	if context == "task" || context == "handler" {
		if l, ok := strings.CutPrefix(name, "with_"); ok {
			return t.lookups[l]
		}
	}
	return false
}

// Keywords lists a context's keywords, sorted; for task and handler it adds
// with_<lookup> for the lookups reachable by a short name.
func Keywords(context string) []string {
	t := data()
	kws := t.keywords[context]
	if context != "task" && context != "handler" {
		return slices.Clone(kws)
	}
	out := slices.Clone(kws)
	for _, l := range t.lookupShort {
		out = append(out, "with_"+l)
	}
	slices.Sort(out)
	return out
}

// Filter reports whether name is a Jinja2 filter in Ansible: Jinja2's own,
// ansible.builtin's (short, ansible.builtin.X, ansible.legacy.X), names
// ansible-core routes to a collection (short json_query), and every
// collection's filters by FQCN.
func Filter(name string) bool { return data().filters[name] }

// Test reports whether name is a Jinja2 test in Ansible, by the rules of Filter.
func Test(name string) bool { return data().tests[name] }

// Lookup reports whether name is a lookup plugin, short or FQCN.
func Lookup(name string) bool { return data().lookups[name] }

// Versions names the Ansible the table was generated from.
func Versions() (core, ansible string) {
	t := data()
	return t.coreVersion, t.ansibleVersion
}
