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
	seen := map[string]bool{}
	for _, item := range n.Content {
		e := deref(item)
		if !w.spend(item) {
			return tasks, handlers
		}
		var name string
		var nameNode *yaml.Node
		kw := map[string]pair{}
		var params map[string]any
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
					w.unsupported(p, u, "on roles")
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
				continue
			}
		default:
			w.errorf(item, "write - NAME or - role: NAME", "a roles entry must be a role name or a mapping, not %s", kindName(e))
			continue
		}
		if name == "" {
			continue
		}
		if modules.IsTemplated(name) {
			w.errorf(nameNode, "tend reads roles before running: name the role plainly", "the role name cannot be templated")
			continue
		}
		params = mergeVars(params, w.varsMap(kw["vars"]))
		r := w.role(name, nameNode, params)
		if r == nil {
			continue
		}
		// A role listed twice with the same parameters runs once, as in
		// Ansible, unless its meta/main.yml allows duplicates.
		key := r.role.Path + "\x00" + fmt.Sprint(params)
		if seen[key] && !r.allowDuplicates {
			continue
		}
		seen[key] = true
		delete(kw, "vars") // role params, not task vars: they rank higher
		rt := &Task{}
		w.inherit(rt, kw, sc)
		rsc := &scope{
			when: rt.When, tags: rt.Tags, vars: rt.Vars, become: rt.Become, becomeUser: rt.BecomeUser,
			noLog: rt.NoLog, ignoreErrors: rt.IgnoreErrors, checkMode: rt.CheckMode, diff: rt.Diff,
			role: r.role, dir: filepath.Join(r.role.Path, "tasks"), playDir: sc.playDir,
			depth: sc.depth + 1, play: sc.play,
		}
		at := w.pos(nameNode)
		if r.tasks != "" {
			tasks = append(tasks, w.l.taskFile(r.tasks, at, rsc, "role task file")...)
		}
		if r.handlers != "" {
			hsc := *rsc
			hsc.handler = true
			hsc.dir = filepath.Join(r.role.Path, "handlers")
			handlers = append(handlers, w.l.taskFile(r.handlers, at, &hsc, "role handler file")...)
		}
	}
	return tasks, handlers
}

type loadedRole struct {
	role            *Role
	tasks, handlers string // main files, "" when absent
	allowDuplicates bool
}

// role finds a role beside the playbook (roles/NAME, then NAME; a name
// with a slash is a path) and loads its defaults, vars and meta.
func (w *walk) role(name string, at *yaml.Node, params map[string]any) *loadedRole {
	var looked []string
	if strings.Contains(name, "/") || filepath.IsAbs(name) {
		looked = []string{w.l.resolve(w.f.dir, name)}
	} else {
		looked = []string{filepath.Join(w.f.dir, "roles", name), filepath.Join(w.f.dir, name)}
	}
	dir := ""
	for _, d := range looked {
		if isDir(d) {
			dir = d
			break
		}
	}
	if dir == "" {
		w.errorf(at, "looked in "+strings.Join(looked, " and "), "role %q not found", clip(name))
		return nil
	}
	r := &loadedRole{role: &Role{Name: filepath.Base(name), Path: dir, Params: params}}
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
	if p := find("meta"); p != "" {
		r.allowDuplicates = w.l.roleMeta(p, pos, r.role.Name)
	}
	return r
}

// roleMeta checks meta/main.yml: dependencies are not supported yet. It
// returns allow_duplicates.
func (l *loader) roleMeta(path string, at Pos, role string) bool {
	f := l.open(path, at, "role meta file")
	if f == nil || isNull(f.root) {
		return false
	}
	w := l.walk(f)
	if f.root.Kind != yaml.MappingNode {
		w.errorf(f.root, "", "a role meta file must hold a mapping, not %s", kindName(f.root))
		return false
	}
	allow := false
	for _, p := range w.pairs(f.root) {
		switch p.name {
		case "dependencies":
			if !isNull(p.v) && !(p.v.Kind == yaml.SequenceNode && len(p.v.Content) == 0) {
				w.errorf(p.k, fmt.Sprintf("list the roles %s needs before it under the play's roles:", role),
					"role dependencies are not supported yet")
			}
		case "allow_duplicates":
			if b, _ := w.boolean(p); b != nil {
				allow = *b
			}
		}
	}
	return allow
}
