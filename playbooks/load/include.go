package load

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"tend/modules"
)

// Include is a dynamic include: include_tasks (and bare include) or
// include_role. The runner evaluates the include task's own when, loop and
// name once per host (and item), as Ansible does, then runs Tasks, or for a
// templated file name the tasks Load returns. The tasks inside inherit the
// enclosing blocks' conditions but not the include's own.
type Include struct {
	// File is the file name as written (include_tasks), possibly templated;
	// "" for a role.
	File string
	// Tasks are the included tasks when the name is plain text: loaded and
	// checked with the playbook.
	Tasks []*Task
	// Public is include_role's role when public: true: once a host ran the
	// include, the play's later tasks there see the role's defaults and
	// vars.
	Public *Role
	// Missing is set when a plainly named file was not found at load time:
	// a host that reaches the include fails with it (Ansible looks for the
	// file only then, so branches that never run may name files that do
	// not exist).
	Missing string

	rt *runtimeInclude // nil unless File is templated
}

// runtimeInclude loads a templated include when a host reaches it.
type runtimeInclude struct {
	opts  Options
	sc    scope // what the tasks inside inherit
	what  string
	mu    sync.Mutex
	cache map[string][]*Task // by path: every host runs the same tasks
}

// Dynamic says whether the file name is only known when a host reaches the
// include.
func (inc *Include) Dynamic() bool { return inc.rt != nil }

// Load finds and loads the file an include names once rendered (name), as
// the loader would have: relative to the including file, the role's tasks/,
// then the play's folder. Each file is loaded once, whichever host asks; an
// ErrorList says what is wrong with it.
func (inc *Include) Load(name string) ([]*Task, error) {
	rt := inc.rt
	if rt == nil {
		return inc.Tasks, nil
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errors.New("the file name is empty")
	}
	path, looked := findInclude(&rt.sc, name)
	if path == "" {
		return nil, fmt.Errorf("could not find or access %q (looked for %s)", name, strings.Join(looked, ", "))
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if tasks, ok := rt.cache[path]; ok {
		return tasks, nil
	}
	l := &loader{opts: rt.opts, files: map[string]*file{}, byPath: map[string]*file{}}
	sc := rt.sc
	sc.play = &playCtx{} // notify names were checked with the play; these are looked up when run
	tasks := l.taskFile(path, Pos{File: path}, &sc, rt.what)
	if len(l.errs) > 0 {
		return nil, sortErrors(l.errs)
	}
	if rt.cache == nil {
		rt.cache = map[string][]*Task{}
	}
	rt.cache[path] = tasks
	return tasks, nil
}

// findInclude resolves an included file's name: relative to the including
// file's folder, the role's tasks/ (handlers/ for handlers), then the play's
// folder. It returns "" and where it looked when there is no such file.
func findInclude(sc *scope, name string) (string, []string) {
	var looked []string
	add := func(dir string) {
		p := filepath.Clean(name)
		if !filepath.IsAbs(name) {
			p = filepath.Join(dir, name)
		}
		if !slices.Contains(looked, p) {
			looked = append(looked, p)
		}
	}
	add(sc.dir)
	if sc.role != nil {
		add(filepath.Join(sc.role.Path, "tasks"))
		if sc.handler {
			add(filepath.Join(sc.role.Path, "handlers"))
		}
	}
	add(sc.playDir)
	for _, p := range looked {
		if exists(p) {
			return p, looked
		}
	}
	return "", looked
}

// includeArgs reads what an include names: its file (or role) and, in the
// mapping form, apply: and the other arguments.
func (w *walk) includeArgs(act action, known []string) (name string, at *yaml.Node, args map[string]pair, ok bool) {
	q := act.p
	args = map[string]pair{}
	if q.v != nil && q.v.Kind == yaml.MappingNode {
		for _, p := range w.pairs(q.v) {
			if !slices.Contains(known, p.name) {
				w.errorf(p.k, didYouMean(p.name, known), "unknown argument %q for %s", clip(p.name), act.name)
				continue
			}
			args[p.name] = p
		}
		key := known[0]
		p, found := args[key]
		if !found && key == "file" {
			p, found = args["_raw_params"]
		}
		if !found {
			w.errorf(q.k, fmt.Sprintf("name it: %s: {%s: ...}", act.name, key), "%s needs %s", act.name, key)
			return "", nil, nil, false
		}
		name, _ = w.str(p)
		at = p.v
	} else {
		var good bool
		if name, good = w.str(q); !good {
			return "", nil, nil, false
		}
		at = q.v
		if act.kind == "role" {
			// include_role: name=x tasks_from=y
			if kvs, _, _, err := parseKV(name, nil); err == nil && len(kvs) > 0 {
				name = ""
				for _, a := range kvs {
					if a.key == "name" {
						name = a.value
					}
				}
			}
		}
	}
	name = strings.TrimSpace(name)
	if name == "" {
		w.errorf(at, "", "%s names no %s", act.name, known[0])
		return "", nil, nil, false
	}
	w.template(at, name)
	return name, at, args, true
}

// applyScope applies include's apply: keywords to the tasks it includes.
func (w *walk) applyScope(args map[string]pair, inner *scope) {
	p, ok := args["apply"]
	if !ok || isNull(p.v) {
		return
	}
	if p.v.Kind != yaml.MappingNode {
		w.errorf(p.v, "write keywords such as tags: and become:", "apply must be a mapping, not %s", kindName(p.v))
		return
	}
	kw := map[string]pair{}
	for _, q := range w.pairs(p.v) {
		if !slices.Contains(inheritedKeywords, q.name) || q.name == "name" {
			w.errorf(q.k, "apply takes keywords that tasks inherit, such as tags, become and when", "%s is not valid in apply", clip(q.name))
			continue
		}
		kw[q.name] = q
	}
	t := &Task{}
	w.inherit(t, kw, inner)
	inner.when, inner.tags, inner.vars, inner.become, inner.becomeUser = t.When, t.Tags, t.Vars, t.Become, t.BecomeUser
	inner.noLog, inner.ignoreErrors, inner.checkMode, inner.diff = t.NoLog, t.IgnoreErrors, t.CheckMode, t.Diff
	inner.flags, inner.environment, inner.notify, inner.runOnce, inner.delegateTo = t.Flags, t.Environment, t.Notify, t.RunOnce, t.DelegateTo
}

// dynamicInclude reads include_tasks (or a bare include): a task of its
// own, whose file is loaded now when named plainly, else when run.
func (w *walk) dynamicInclude(t *Task, act action, kw map[string]pair, sc, child *scope) []*Task {
	name, at, args, ok := w.includeArgs(act, []string{"file", "apply"})
	if !ok {
		return nil
	}
	t.Module = "include_tasks"
	w.loop(t, kw)
	inner := *child
	inner.when = sc.when // the include's own when is decided once, at the include
	inner.runOnce = false
	w.applyScope(args, &inner)
	inc := &Include{File: name}
	t.Include = inc
	if modules.IsTemplated(name) {
		inc.rt = &runtimeInclude{opts: w.l.opts, sc: inner, what: act.name + " file"}
		inc.rt.sc.play = nil
		return []*Task{t}
	}
	path, looked := findInclude(&inner, name)
	if path == "" {
		inc.Missing = fmt.Sprintf("could not find or access %q (looked for %s)", name, strings.Join(looked, ", "))
		w.l.warnf(w.pos(at), "a host that reaches this include fails", "%s file %q not found", act.name, clip(name))
		return []*Task{t}
	}
	inc.Tasks = w.l.taskFile(path, w.pos(at), &inner, act.name+" file")
	return []*Task{t}
}

// roleArgs are the arguments of import_role and include_role.
var roleArgs = []string{"name", "tasks_from", "vars_from", "defaults_from", "handlers_from",
	"allow_duplicates", "public", "apply", "rolespec_validate"}

// roleInclude reads import_role (the role's tasks in place, inheriting the
// import's keywords) and include_role (a task of its own, as include_tasks).
func (w *walk) roleInclude(t *Task, act action, kw map[string]pair, sc, child *scope) []*Task {
	name, at, args, ok := w.includeArgs(act, roleArgs)
	if !ok {
		return nil
	}
	from := map[string]string{}
	for _, k := range []string{"tasks_from", "vars_from", "defaults_from", "handlers_from"} {
		if p, ok := args[k]; ok {
			if s, good := w.str(p); good {
				if modules.IsTemplated(s) {
					t.Unsupported = joinReasons(t.Unsupported, []string{w.notSupported(p, unsupported{msg: "a templated " + k + " is not supported by tend yet"}, "")})
					continue
				}
				from[k] = s
			}
		}
	}
	if q, ok := act.p, act.p.v.Kind == yaml.ScalarNode; ok {
		if kvs, _, _, err := parseKV(q.v.Value, nil); err == nil {
			for _, a := range kvs {
				if strings.HasSuffix(a.key, "_from") {
					from[a.key] = a.value
				}
			}
		}
	}
	if modules.IsTemplated(name) {
		t.Module = act.name
		t.Unsupported = joinReasons(t.Unsupported, []string{w.notSupported(pair{name: "name", k: at}, unsupported{msg: "a templated role name is not supported by tend yet"}, "")})
		return []*Task{t}
	}
	inner := *child
	dynamic := act.name == "include_role"
	if dynamic {
		inner.when = sc.when
		inner.runOnce = false
	}
	w.applyScope(args, &inner)
	if dynamic {
		if dir, looked := w.findRole(name); dir == "" {
			// Ansible looks for an included role only when a host gets there.
			t.Module = act.name
			msg := fmt.Sprintf("role %q not found (looked in %s)", name, strings.Join(looked, ", "))
			w.l.warnf(w.pos(at), "a host that reaches this include fails", "%s", msg)
			t.Include = &Include{Missing: msg}
			return []*Task{t}
		}
	}
	r := w.role(name, at, nil)
	if r == nil {
		return nil
	}
	if sc.role != nil {
		r.role.Parents = append([]*Role{sc.role}, sc.role.Parents...)
	}
	r.role.included = dynamic
	public := false
	if p, ok := args["public"]; ok && dynamic {
		if b, good := w.boolean(p); good {
			public = *b
		}
	}
	if !dynamic {
		r.role.EntryVars = child.vars // import_role's vars: the play sees them
	}
	if allow, ok := args["allow_duplicates"]; ok {
		if b, good := w.boolean(allow); good {
			r.allowDuplicates = *b
		}
	}
	if !w.roleFrom(r, from, at) {
		return nil
	}
	tasks, handlers := w.expandRole(r, &inner, w.pos(at), 0, false)
	if sc.play != nil {
		sc.play.handlers = append(sc.play.handlers, handlers...)
	}
	if !dynamic {
		return tasks
	}
	t.Module = act.name
	w.loop(t, kw)
	t.Include = &Include{Tasks: tasks}
	if public {
		t.Include.Public = r.role
	}
	return []*Task{t}
}

// roleFrom points a role at the tasks_from, vars_from, defaults_from and
// handlers_from files an include names.
func (w *walk) roleFrom(r *loadedRole, from map[string]string, at *yaml.Node) bool {
	ok := true
	for k, name := range from {
		sub := strings.TrimSuffix(k, "_from") // tasks, handlers, vars, defaults
		dir := filepath.Join(r.role.Path, sub)
		var path string
		for _, cand := range []string{name, name + ".yml", name + ".yaml", name + ".json"} {
			if p := filepath.Join(dir, cand); exists(p) {
				path = p
				break
			}
		}
		if path == "" {
			w.errorf(at, "looked in "+dir, "%s %q not found in role %s", k, clip(name), r.role.Name)
			ok = false
			continue
		}
		pos := w.pos(at)
		switch sub {
		case "tasks":
			r.tasks = path
			r.entry = name // the argument spec entry point, as written
		case "handlers":
			r.handlers = path
		case "vars": // instead of vars/main.yml, as in Ansible
			r.role.Vars, _ = w.l.varsFile(path, pos, "role vars file")
		case "defaults":
			r.role.Defaults, _ = w.l.varsFile(path, pos, "role defaults file")
		}
	}
	return ok
}
