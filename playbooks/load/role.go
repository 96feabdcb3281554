package load

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"tend/modules"
)

// roleKeywords are the keywords of a roles: entry; its other keys are role
// parameters.
var roleKeywords = []string{
	"role", "name", "vars", "tags", "when", "become", "become_user", "become_method",
	"no_log", "ignore_errors", "check_mode", "diff",
}

// mainFiles are the names a role's tasks/main, handlers/main, ... may have.
var mainFiles = []string{"main.yml", "main.yaml", "main"}

// roles reads a play's roles: and returns the roles' tasks and handlers,
// in order.
func (w *walk) roles(q pair, sc *scope) (tasks, handlers []*Task) {
	n := q.v
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, "list them: - role: NAME", "roles must be a list, not %s", kindName(n))
		return nil, nil
	}
	for _, item := range n.Content {
		name, nameNode, kw, params, entryVars, ok := w.roleEntry(item)
		if !ok {
			continue
		}
		if modules.IsTemplated(name) {
			w.errorf(nameNode, "tend reads roles before running: name the role plainly", "the role name cannot be templated")
			continue
		}
		r := w.role(name, nameNode, params)
		if r == nil {
			continue
		}
		r.role.EntryVars = entryVars
		delete(kw, "vars") // role params, not task vars: they rank higher
		rt := &Task{}
		w.inherit(rt, kw, sc)
		rsc := &scope{
			when: rt.When, tags: rt.Tags, vars: rt.Vars, become: rt.Become, becomeUser: rt.BecomeUser,
			noLog: rt.NoLog, ignoreErrors: rt.IgnoreErrors, checkMode: rt.CheckMode, diff: rt.Diff,
			flags: rt.Flags, environment: rt.Environment, notify: rt.Notify, runOnce: rt.RunOnce,
			delegateTo: rt.DelegateTo, unsupported: sc.unsupported,
			playDir: sc.playDir, depth: sc.depth + 1, play: sc.play,
		}
		t, h := w.expandRole(r, rsc, w.pos(nameNode), 0, true)
		tasks = append(tasks, t...)
		handlers = append(handlers, h...)
	}
	return tasks, handlers
}

// roleEntry reads one entry of roles: (or of a role's dependencies): a
// name, or a mapping with role: (or name:), keywords and parameters.
// entryVars are its vars: (also in params), which the play's tasks see too.
func (w *walk) roleEntry(item *yaml.Node) (name string, nameNode *yaml.Node, kw map[string]pair, params, entryVars map[string]any, ok bool) {
	e := deref(item)
	if !w.spend(item) {
		return "", nil, nil, nil, nil, false
	}
	kw = map[string]pair{}
	switch {
	case e != nil && e.Kind == yaml.ScalarNode && !isNull(e):
		name, nameNode = e.Value, e
	case e != nil && e.Kind == yaml.MappingNode:
		params = map[string]any{}
		for _, p := range w.pairs(e) {
			u, unsup := unsupportedTask[p.name]
			switch {
			case p.name == "role" || p.name == "name":
				if nameNode != nil {
					w.errorf(p.k, "", "the role is named twice (role: and name:)")
					continue
				}
				name, _ = w.str(p)
				nameNode = orKey(p)
			case slices.Contains(roleKeywords, p.name):
				kw[p.name] = p
			case unsup:
				w.notSupported(p, u, "on roles")
			case p.name == "src" || p.name == "version" || p.name == "scm":
				// requirements-style fields Ansible ignores here
			default: // a role parameter
				if !reIdent.MatchString(p.name) {
					w.errorf(p.k, "letters, digits and _, not starting with a digit", "%q is not a valid variable name", clip(p.name))
					continue
				}
				params[p.name], _ = w.value(p.v)
			}
		}
		if nameNode == nil {
			w.errorf(item, "write - role: NAME", "roles entry has no role:")
			return "", nil, nil, nil, nil, false
		}
	default:
		w.errorf(item, "write - NAME or - role: NAME", "a roles entry must be a role name or a mapping, not %s", kindName(e))
		return "", nil, nil, nil, nil, false
	}
	if name == "" {
		return "", nil, nil, nil, nil, false
	}
	entryVars = w.varsMap(kw["vars"])
	params = mergeVars(params, entryVars)
	return name, nameNode, kw, params, entryVars, true
}

// expandRole returns a role's tasks and handlers, its dependencies' first
// (meta/main.yml), in scope rsc. With once (roles: entries and
// dependencies, not include_role and import_role), a role with the same
// parameters runs once per play unless it allows duplicates, as in Ansible.
// Every role expanded joins Play.Roles, whose defaults and vars the play's
// tasks see.
func (w *walk) expandRole(r *loadedRole, rsc *scope, at Pos, depth int, once bool) (tasks, handlers []*Task) {
	if depth > maxDepth {
		w.l.errorf(at, "", "role dependencies nested deeper than %d levels", maxDepth)
		return nil, nil
	}
	if pc := rsc.play; pc != nil {
		key := r.role.Path + "\x00" + r.tasks + "\x00" + fmt.Sprint(r.role.Params)
		if once && pc.roles[key] && !r.allowDuplicates {
			return nil, nil
		}
		if pc.roles == nil {
			pc.roles = map[string]bool{}
		}
		pc.roles[key] = true
		pc.exported = append(pc.exported, r.role)
	}
	for _, d := range r.deps {
		// A dependency is also found beside the role that needs it.
		dep := w.l.walk(d.f).role(d.name, d.node, d.params, filepath.Dir(r.role.Path))
		if dep == nil {
			continue
		}
		dep.role.Parents = append([]*Role{r.role}, r.role.Parents...)
		dt := &Task{}
		w.l.walk(d.f).inherit(dt, d.kw, rsc)
		dsc := *rsc
		dsc.when, dsc.tags, dsc.vars, dsc.become, dsc.becomeUser = dt.When, dt.Tags, dt.Vars, dt.Become, dt.BecomeUser
		dsc.noLog, dsc.ignoreErrors, dsc.checkMode, dsc.diff = dt.NoLog, dt.IgnoreErrors, dt.CheckMode, dt.Diff
		dsc.flags, dsc.environment = dt.Flags, dt.Environment
		t, h := w.expandRole(dep, &dsc, d.f.pos(d.node), depth+1, true)
		tasks = append(tasks, t...)
		handlers = append(handlers, h...)
	}
	sc := *rsc
	sc.role = r.role
	sc.dir = filepath.Join(r.role.Path, "tasks")
	if vt := r.argSpecTask(); vt != nil {
		w.inherit(vt, nil, &sc)
		vt.Role = r.role
		vt.Tags = union(vt.Tags, []string{"always"})
		tasks = append(tasks, vt)
	}
	if r.tasks != "" {
		tasks = append(tasks, w.l.taskFile(r.tasks, at, &sc, "role task file")...)
	}
	if r.handlers != "" {
		hsc := sc
		hsc.handler = true
		hsc.dir = filepath.Join(r.role.Path, "handlers")
		handlers = append(handlers, w.l.taskFile(r.handlers, at, &hsc, "role handler file")...)
	}
	return tasks, handlers
}

// roleDep is one entry of a role's meta/main.yml dependencies.
type roleDep struct {
	f      *file
	name   string
	node   *yaml.Node
	kw     map[string]pair
	params map[string]any
}

type loadedRole struct {
	role            *Role
	tasks, handlers string // main files, "" when absent
	allowDuplicates bool
	deps            []roleDep
	// specs are meta/argument_specs.yml's entry points; entry is the
	// one the role runs (main, or the tasks_from name), as in Ansible.
	specs map[string]argSpec
	entry string
}

// role finds a role: in roles/ beside the file naming it and beside the
// playbook, in the roles path (Options.RolesPath), then beside the file
// itself; a name with a slash is a path. It loads the role's defaults,
// vars and meta.
// findRole returns the folder of the role called name, or "" and where it
// looked (see role).
func (w *walk) findRole(name string, near ...string) (dir string, looked []string) {
	add := func(d string) {
		if !slices.Contains(looked, d) {
			looked = append(looked, d)
		}
	}
	if strings.Contains(name, "/") || filepath.IsAbs(name) {
		add(w.l.resolve(w.f.dir, name))
	}
	if len(near) == 0 {
		add(filepath.Join(w.f.dir, "roles", name))
	}
	if w.l.playDir != "" {
		add(filepath.Join(w.l.playDir, "roles", name))
	}
	for _, d := range w.l.opts.RolesPath {
		add(filepath.Join(d, name))
	}
	if parts := strings.SplitN(name, ".", 3); len(parts) == 3 && !strings.Contains(name, "/") {
		// A collection's role: NAMESPACE.COLLECTION.ROLE.
		sub := filepath.Join("ansible_collections", parts[0], parts[1], "roles", parts[2])
		if w.l.playDir != "" {
			add(filepath.Join(w.l.playDir, "collections", sub))
		}
		for _, d := range w.l.opts.CollectionsPath {
			add(filepath.Join(d, sub))
		}
	}
	for _, d := range near {
		add(filepath.Join(d, name))
	}
	if !slices.Contains(looked, filepath.Join(w.f.dir, name)) && len(near) == 0 {
		add(filepath.Join(w.f.dir, name))
	}
	for _, d := range looked {
		if isDir(d) {
			return d, looked
		}
	}
	return "", looked
}

func (w *walk) role(name string, at *yaml.Node, params map[string]any, near ...string) *loadedRole {
	dir, looked := w.findRole(name, near...)
	if dir == "" {
		w.errorf(at, "looked in "+strings.Join(looked, ", "), "role %q not found", clip(name))
		return nil
	}
	collection := ""
	if parts := strings.SplitN(name, ".", 3); len(parts) == 3 && strings.Contains(dir, "ansible_collections") {
		// A collection's role: role_name is its short name, as in Ansible.
		collection, name = parts[0]+"."+parts[1], parts[2]
	}
	name = filepath.Base(name)
	r := &loadedRole{role: &Role{Name: name, Path: dir, Params: params, Collection: collection}}
	pos := w.pos(at)
	find := func(sub string) string {
		for _, m := range mainFiles {
			if p := filepath.Join(dir, sub, m); exists(p) {
				return p
			}
		}
		return ""
	}
	r.tasks = find("tasks")
	r.handlers = find("handlers")
	if p := find("defaults"); p != "" {
		r.role.Defaults, _ = w.l.varsFile(p, pos, "role defaults file")
	}
	if p := find("vars"); p != "" {
		r.role.Vars, _ = w.l.varsFile(p, pos, "role vars file")
	}
	var inMeta map[string]argSpec
	if p := find("meta"); p != "" {
		r.allowDuplicates, r.deps, inMeta = w.l.roleMeta(p, pos)
	}
	r.specs = w.l.argSpecs(dir, pos, inMeta)
	r.entry = "main"
	return r
}

// roleMeta reads meta/main.yml: allow_duplicates, the dependencies and
// argument_specs.
func (l *loader) roleMeta(path string, at Pos) (allow bool, deps []roleDep, specs map[string]argSpec) {
	f := l.open(path, at, "role meta file")
	if f == nil || isNull(f.root) {
		return false, nil, nil
	}
	w := l.walk(f)
	if f.root.Kind != yaml.MappingNode {
		w.errorf(f.root, "", "a role meta file must hold a mapping, not %s", kindName(f.root))
		return false, nil, nil
	}
	for _, p := range w.pairs(f.root) {
		switch p.name {
		case "dependencies":
			if isNull(p.v) {
				continue
			}
			if p.v.Kind != yaml.SequenceNode {
				w.errorf(p.v, "list them: - role: NAME", "dependencies must be a list, not %s", kindName(p.v))
				continue
			}
			for _, item := range p.v.Content {
				name, node, kw, params, _, ok := w.roleEntry(item)
				if !ok {
					continue
				}
				if modules.IsTemplated(name) {
					w.errorf(node, "name the role plainly", "a dependency's role name cannot be templated")
					continue
				}
				delete(kw, "vars")
				deps = append(deps, roleDep{f: f, name: name, node: node, kw: kw, params: params})
			}
		case "allow_duplicates":
			if b, _ := w.boolean(p); b != nil {
				allow = *b
			}
		case "argument_specs":
			specs = w.argSpecEntries(p.v)
		}
	}
	return allow, deps, specs
}
