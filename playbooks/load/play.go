package load

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"tend/internal/ansiblenames"
	"tend/modules"
)

var playKeywords = []string{
	"name", "hosts", "vars", "vars_files", "become", "become_user", "become_method",
	"gather_facts", "pre_tasks", "tasks", "post_tasks", "handlers", "roles", "tags",
	"check_mode", "diff", "no_log", "ignore_errors", "environment", "remote_user", "connection", "vars_prompt",
	"serial", "order", "gather_subset", "gather_timeout", "force_handlers",
}

// unsupported are Ansible keywords tend does not implement (yet), with what
// to do instead.
type unsupported struct {
	hint string
	msg  string // instead of "%q is not supported yet"
}

// unsupportedPlay are play keywords tend does not run yet: the play loads
// with a warning, and its hosts fail at its start.
var unsupportedPlay = map[string]unsupported{
	"any_errors_fatal":    {hint: "a failed host stops only itself; the run's exit code says whether any failed"},
	"max_fail_percentage": {hint: "a failed host stops only itself; the run's exit code says whether any failed"},
	"strategy":            {hint: "tend runs each task on all hosts before the next, as the linear strategy"},
	"port":                {hint: "set ansible_port in the inventory"},
	"throttle":            {hint: "use --forks"},
	"run_once":            {hint: "target one host with a play of its own, as in hosts: web[0]"},
	"ignore_unreachable":  {},
	"module_defaults":     {hint: "give the arguments on each task"},
	"collections":         {hint: "use modules by their short or full names"},
	"fact_path":           {},
	"debugger":            {},
	"timeout":             {},
	"become_flags":        {hint: "only plain sudo is supported"},
	"become_exe":          {hint: "only plain sudo is supported"},
	"include":             {msg: "include is not supported", hint: "use import_playbook"},
}

// importScope is what import_playbook entries around a play give it.
type importScope struct {
	tags []string
	vars map[string]any
}

// playbookFile loads a playbook: a list of plays and import_playbook
// entries.
func (l *loader) playbookFile(path string, at Pos, imp importScope) []*Play {
	f := l.open(path, at, "playbook")
	if f == nil {
		return nil
	}
	if !l.push(f, at) {
		return nil
	}
	defer l.pop()
	w := l.walk(f)
	root := f.root
	if isNull(root) {
		l.errorf(Pos{File: f.path}, "a playbook is a list of plays: - hosts: all", "playbook is empty")
		return nil
	}
	if root.Kind != yaml.SequenceNode {
		hint := "a playbook is a list of plays: - hosts: all"
		l.errorf(f.pos(root), hint, "a playbook must be a list of plays, not %s", kindName(root))
		return nil
	}
	var plays []*Play
	for _, item := range root.Content {
		plays = append(plays, w.playEntry(item, imp)...)
	}
	return plays
}

// playEntry reads one entry of a playbook: a play or an import_playbook.
func (w *walk) playEntry(n *yaml.Node, imp importScope) []*Play {
	at := n
	n = deref(n)
	if !w.spend(at) {
		return nil
	}
	if n == nil || n.Kind != yaml.MappingNode {
		w.errorf(at, "a play is a mapping: - hosts: all", "a play must be a mapping, not %s", kindName(n))
		return nil
	}
	pairs := w.pairs(n)
	for _, p := range pairs {
		if trimFQ(p.name) == "import_playbook" {
			return w.importPlaybook(n, pairs, imp)
		}
	}
	if p := w.play(n, pairs, imp); p != nil {
		return []*Play{p}
	}
	return nil
}

// trimFQ drops Ansible's ansible.builtin. and ansible.legacy. prefixes.
func trimFQ(name string) string {
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		name = strings.TrimPrefix(name, prefix)
	}
	return name
}

func (w *walk) importPlaybook(n *yaml.Node, pairs []pair, imp importScope) []*Play {
	var target pair
	var tags []string
	var vars map[string]any
	ok := true
	for _, p := range pairs {
		switch trimFQ(p.name) {
		case "import_playbook":
			target = p
		case "name":
			if s, good := w.str(p); good {
				w.template(p.v, s)
			}
		case "tags":
			tags, _, _ = w.strList(p, true)
		case "vars":
			vars = w.varsMap(p)
		case "when":
			w.errorf(p.k, "put the condition on the imported plays' tasks", "when on import_playbook is not supported yet")
			ok = false
		default:
			hint := didYouMean(p.name, []string{"import_playbook", "name", "tags", "vars"})
			w.errorf(p.k, hint, "unknown keyword %q for import_playbook", clip(p.name))
			ok = false
		}
	}
	name, good := w.str(target)
	if !good || !ok {
		return nil
	}
	if modules.IsTemplated(name) {
		w.errorf(target.v, "tend reads imported playbooks before running: name the file plainly", "the playbook to import cannot be templated")
		return nil
	}
	sub := importScope{tags: union(imp.tags, tags), vars: mergeVars(imp.vars, vars)}
	return w.l.playbookFile(w.l.resolve(w.f.dir, name), w.pos(target.v), sub)
}

func (l *loader) resolve(dir, name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(dir, name)
}

// didYouMean suggests the closest candidate, or "".
func didYouMean(s string, candidates []string) string {
	if near := modules.Nearest(s, candidates); near != "" {
		return fmt.Sprintf("did you mean %q?", near)
	}
	return ""
}

// playCtx collects what is checked once the whole play is read.
type playCtx struct {
	notify []notifyRef
	// roles are the roles expanded in the play (path, tasks file and
	// parameters), which run once unless they allow duplicates.
	roles map[string]bool
	// handlers are those of roles that include_role and import_role bring.
	handlers []*Task
	// exported are the roles whose defaults and vars the play's tasks see
	// (Play.Roles).
	exported []*Role
}

type notifyRef struct {
	name string
	pos  Pos
}

func (w *walk) play(n *yaml.Node, pairs []pair, imp importScope) *Play {
	p := &Play{Pos: w.pos(n), GatherFacts: true}
	kw := map[string]pair{}
	for _, q := range pairs {
		switch {
		case slices.Contains(playKeywords, q.name):
			kw[q.name] = q
		case isUnsupportedPlay(q.name):
			p.Unsupported = joinReasons(p.Unsupported, []string{w.notSupported(q, unsupportedPlay[q.name], "")})
		case ansiblenames.Keyword("play", q.name):
			p.Unsupported = joinReasons(p.Unsupported, []string{w.notSupported(q, unsupported{}, "")})
		default:
			hint := didYouMean(q.name, playKeywords)
			if hint == "" && isTaskKey(q.name) {
				hint = "tasks go in a list under tasks:"
			}
			w.errorf(q.k, hint, "unknown play keyword %q", clip(q.name))
		}
	}
	pc := &playCtx{}
	w.l.playDir = w.f.dir
	if q, ok := kw["name"]; ok {
		if s, ok := w.str(q); ok {
			p.Name = s
			w.template(q.v, s)
		}
	}
	if q, ok := kw["hosts"]; ok {
		hosts, nodes, _ := w.strList(q, false)
		p.Hosts = strings.Join(hosts, ",")
		for i, h := range hosts {
			w.template(nodes[i], h)
		}
		if len(hosts) == 0 {
			w.errorf(orKey(q), "name a group, a host or a pattern such as all", "hosts is empty")
		}
	} else {
		w.errorf(n, "add hosts: all, a group or a pattern", "play has no hosts")
	}
	p.Vars = mergeVars(imp.vars, w.varsMap(kw["vars"]))
	if q, ok := kw["vars_files"]; ok {
		p.VarsFiles = w.varsFiles(q)
	}
	p.Become = w.optBool(kw, "become")
	if q, ok := kw["become_user"]; ok {
		if s, ok := w.str(q); ok {
			p.BecomeUser = s
			w.template(q.v, s)
		}
	}
	if q, ok := kw["become_method"]; ok {
		p.BecomeMethod = w.becomeMethod(q)
	}
	if b := w.optBool(kw, "gather_facts"); b != nil {
		p.GatherFacts = *b
	}
	p.Tags = imp.tags
	if q, ok := kw["tags"]; ok {
		tags, _, _ := w.strList(q, true)
		p.Tags = union(p.Tags, tags)
	}
	p.CheckMode = w.optBool(kw, "check_mode")
	p.Diff = w.optBool(kw, "diff")
	if q, ok := kw["connection"]; ok {
		if s, ok := w.str(q); ok {
			switch s {
			case "local", "ssh", "smart", "paramiko":
				p.Connection = s
			default:
				p.Unsupported = joinReasons(p.Unsupported, []string{w.notSupported(q, unsupported{
					msg: fmt.Sprintf("connection %q is not supported by tend yet", s), hint: "use ssh or local"}, "")})
			}
		}
	}
	if q, ok := kw["vars_prompt"]; ok {
		p.VarsPrompt = w.varsPrompt(q)
	}
	if q, ok := kw["remote_user"]; ok {
		if s, ok := w.str(q); ok {
			p.RemoteUser = s
			w.template(q.v, s)
		}
	}
	// Batches (serial), host order and fact subsets change neither what a
	// host ends up as nor which tasks run on it: tend runs every host at
	// once, in inventory order, and gathers its one set of facts.
	for _, k := range []string{"serial", "order", "gather_subset", "gather_timeout", "force_handlers"} {
		if q, ok := kw[k]; ok {
			w.value(q.v)
		}
	}
	sc := &scope{
		tags: p.Tags, become: p.Become, becomeUser: p.BecomeUser,
		checkMode: p.CheckMode, diff: p.Diff, dir: w.f.dir, playDir: w.f.dir, play: pc,
	}
	if b := w.optBool(kw, "no_log"); b != nil {
		sc.noLog = *b
	}
	if b := w.optBool(kw, "ignore_errors"); b != nil {
		sc.ignoreErrors = *b
	}
	if _, ok := kw["environment"]; ok {
		et := &Task{}
		w.inherit(et, map[string]pair{"environment": kw["environment"]}, &scope{})
		sc.environment = et.Environment
		if len(et.Environment) > 0 {
			p.Environment = et.Environment[0]
		}
	}
	var roleTasks, roleHandlers []*Task
	if q, ok := kw["roles"]; ok {
		roleTasks, roleHandlers = w.roles(q, sc)
	}
	p.PreTasks = w.taskList(kw, "pre_tasks", sc)
	p.Tasks = append(roleTasks, w.taskList(kw, "tasks", sc)...)
	p.PostTasks = w.taskList(kw, "post_tasks", sc)
	hsc := *sc
	hsc.handler = true
	p.Handlers = append(roleHandlers, w.taskList(kw, "handlers", &hsc)...)
	for _, h := range pc.handlers {
		// A role that include_role brings again has its handlers once.
		if !slices.ContainsFunc(p.Handlers, func(o *Task) bool {
			return o.Pos == h.Pos && o.Role != nil && h.Role != nil && o.Role.Path == h.Role.Path
		}) {
			p.Handlers = append(p.Handlers, h)
		}
	}
	w.l.checkNotify(pc, p)
	p.Roles = exportedRoles(pc.exported)
	return p
}

func isUnsupportedPlay(name string) bool {
	_, ok := unsupportedPlay[name]
	return ok
}

func isTaskKey(name string) bool {
	if slices.Contains(taskKeywords, name) {
		return true
	}
	_, _, ok := lookupModule(name)
	return ok
}

func (w *walk) taskList(kw map[string]pair, key string, sc *scope) []*Task {
	q, ok := kw[key]
	if !ok {
		return nil
	}
	return w.tasks(q, sc)
}

// optBool reads an optional boolean keyword.
func (w *walk) optBool(kw map[string]pair, key string) *bool {
	q, ok := kw[key]
	if !ok || isNull(q.v) {
		return nil
	}
	b, _ := w.boolean(q)
	return b
}

func (w *walk) becomeMethod(q pair) string {
	s, ok := w.str(q)
	if !ok {
		return ""
	}
	if s != "sudo" {
		w.errorf(q.v, "only sudo is supported", "become_method %q is not supported", clip(s))
		return ""
	}
	return s
}

var varsPromptKeys = []string{"name", "prompt", "default", "private", "confirm", "encrypt", "salt_size", "salt", "unsafe"}

// varsPrompt reads vars_prompt: a list of {name, prompt, default, private,
// ...} asked on the terminal before the play (see Prompt).
func (w *walk) varsPrompt(q pair) []Prompt {
	if isNull(q.v) {
		return nil
	}
	if q.v.Kind != yaml.SequenceNode {
		w.errorf(q.v, "list them: - name: x", "vars_prompt must be a list, not %s", kindName(q.v))
		return nil
	}
	var out []Prompt
	for _, item := range q.v.Content {
		e := deref(item)
		if e == nil || e.Kind != yaml.MappingNode {
			w.errorf(item, "write - name: x", "a vars_prompt entry must be a mapping, not %s", kindName(e))
			continue
		}
		pr := Prompt{Private: true, Pos: w.pos(item)}
		for _, p := range w.pairs(e) {
			switch p.name {
			case "name":
				pr.Name, _ = w.ident(p)
			case "prompt":
				pr.Prompt, _ = w.str(p)
			case "default":
				pr.Default, _ = w.str(p)
				pr.HasDefault = true
			case "private":
				if b, ok := w.boolean(p); ok {
					pr.Private = *b
				}
			case "confirm":
				if b, ok := w.boolean(p); ok {
					pr.Confirm = *b
				}
			case "encrypt", "salt_size", "salt":
				pr.Unsupported = joinReasons(pr.Unsupported, []string{w.notSupported(p, unsupported{}, "in vars_prompt")})
			case "unsafe":
				w.boolean(p)
			default:
				w.errorf(p.k, didYouMean(p.name, varsPromptKeys), "unknown vars_prompt keyword %q", clip(p.name))
			}
		}
		if pr.Name == "" {
			w.errorf(item, "add name: the variable to set", "vars_prompt entry has no name")
			continue
		}
		if pr.Prompt == "" {
			pr.Prompt = pr.Name
		}
		out = append(out, pr)
	}
	return out
}

func (w *walk) unsupported(q pair, u unsupported, where string) {
	msg := u.msg
	if msg == "" {
		msg = fmt.Sprintf("%q is not supported yet", q.name)
		if where != "" {
			msg = fmt.Sprintf("%q is not supported %s yet", q.name, where)
		}
	}
	w.errorf(q.k, u.hint, "%s", msg)
}

// varsFiles loads vars_files: paths relative to the play's file, each a
// mapping of variables.
func (w *walk) varsFiles(q pair) []VarsFile {
	items := []*yaml.Node{q.v}
	switch {
	case isNull(q.v):
		return nil
	case q.v.Kind == yaml.SequenceNode:
		items = q.v.Content
	case q.v.Kind != yaml.ScalarNode:
		w.errorf(q.v, "", "vars_files must be a list of file names, not %s", kindName(q.v))
		return nil
	}
	var out []VarsFile
	for _, it := range items {
		e := deref(it)
		if !w.spend(it) {
			return out
		}
		switch {
		case e != nil && e.Kind == yaml.SequenceNode:
			w.errorf(it, "list the one file to load", "vars_files entries that are lists (first found) are not supported")
			continue
		case e == nil || e.Kind != yaml.ScalarNode || isNull(e):
			w.errorf(it, "", "vars_files entries must be file names, not %s", kindName(e))
			continue
		}
		name := e.Value
		if modules.IsTemplated(name) {
			w.errorf(it, "tend reads vars_files before running: name the file plainly",
				"vars_files path %q cannot be templated", clip(name))
			continue
		}
		path := w.l.resolve(w.f.dir, name)
		if vars, ok := w.l.varsFile(path, w.pos(it), "vars file"); ok {
			out = append(out, VarsFile{Path: path, Vars: vars})
		}
	}
	return out
}

// varsFile loads a file holding a mapping of variables (or nothing).
func (l *loader) varsFile(path string, at Pos, what string) (map[string]any, bool) {
	f := l.open(path, at, what)
	if f == nil {
		return nil, false
	}
	if isNull(f.root) {
		return map[string]any{}, true
	}
	w := l.walk(f)
	if f.root.Kind != yaml.MappingNode {
		w.errorf(f.root, "write name: value pairs", "a %s must hold a mapping of variables, not %s", what, kindName(f.root))
		return nil, false
	}
	m := w.varsMap(pair{name: what, v: f.root})
	if m == nil {
		m = map[string]any{}
	}
	return m, true
}

// union appends the strings of b missing from a, in a new slice.
func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// mergeVars returns over merged over under, in a new map; nil when both
// are empty.
func mergeVars(under, over map[string]any) map[string]any {
	if len(under) == 0 && len(over) == 0 {
		return nil
	}
	out := make(map[string]any, len(under)+len(over))
	maps.Copy(out, under)
	maps.Copy(out, over)
	return out
}

// exportedRoles are the roles of a play whose variables every task sees:
// those of roles: (and their dependencies) and import_role, each once,
// as Ansible's play.get_roles(); include_role's are not (they are private
// unless public: true, which tend does not expose yet).
func exportedRoles(rs []*Role) []*Role {
	var out []*Role
	for _, r := range rs {
		if !r.included && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkNotify reports notify: names that no handler of the play answers
// to (its name, "role : name", or a listen: topic).
func (l *loader) checkNotify(pc *playCtx, p *Play) {
	if len(pc.notify) == 0 {
		return
	}
	names := map[string]bool{}
	var list []string
	templated := false
	var add func(ts []*Task)
	add = func(ts []*Task) {
		for _, t := range ts {
			add(t.Block)
			add(t.Rescue)
			add(t.Always)
			if t.Module == "" {
				continue
			}
			for _, n := range append([]string{t.Name}, t.Listen...) {
				if n == "" {
					continue
				}
				templated = templated || modules.IsTemplated(n)
				names[n] = true
				list = append(list, n)
				if t.Role != nil {
					names[t.Role.Name+" : "+n] = true
				}
			}
		}
	}
	add(p.Handlers)
	if templated {
		return // a templated handler name may answer to anything
	}
	for _, r := range pc.notify {
		if names[r.name] || modules.IsTemplated(r.name) {
			continue
		}
		hint := didYouMean(r.name, list)
		if hint == "" && len(list) == 0 {
			hint = "the play has no handlers"
		}
		l.errorf(r.pos, hint, "no handler named %q in this play", clip(r.name))
	}
}

// ReadVars reads a file of variables (YAML, or JSON) as vars_files and
// include_vars do; an ErrorList says what is wrong with it.
func ReadVars(path string, opts Options) (map[string]any, error) {
	l := &loader{opts: opts, files: map[string]*file{}, byPath: map[string]*file{}}
	v, ok := l.varsFile(path, Pos{File: path}, "vars file")
	if !ok || len(l.errs) > 0 {
		return nil, sortErrors(l.errs)
	}
	return v, nil
}
