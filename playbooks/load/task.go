package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"tend/internal/ansiblenames"
	"tend/modules"
)

// taskKeywords are the task keywords tend implements.
var taskKeywords = []string{
	"name", "args", "when", "loop", "with_items", "with_list", "loop_control", "register",
	"notify", "listen", "tags", "no_log", "become", "become_user", "become_method",
	"changed_when", "failed_when", "ignore_errors", "check_mode", "diff", "vars",
	"block", "rescue", "always", "environment", "until", "retries", "delay", "run_once",
	"delegate_to", "delegate_facts",
}

// inheritedKeywords are valid on blocks and includes too: the tasks inside
// inherit them.
var inheritedKeywords = []string{
	"name", "when", "tags", "vars", "become", "become_user", "become_method",
	"no_log", "ignore_errors", "check_mode", "diff", "environment", "notify", "run_once",
	"delegate_to", "delegate_facts",
}

// includeKeywords are what include_tasks and include_role take besides the
// inherited ones.
var includeKeywords = []string{"loop", "with_items", "with_list", "loop_control", "args", "listen"}

// unsupportedTask are Ansible task keywords tend does not run yet: a task
// using one loads with a warning and fails on a host that reaches it.
var unsupportedTask = map[string]unsupported{
	"async":              {hint: "tasks run in the foreground; bound long commands with the timeout command"},
	"poll":               {hint: "tasks run in the foreground; bound long commands with the timeout command"},
	"connection":         {hint: "set ansible_connection in the inventory"},
	"port":               {hint: "set ansible_port in the inventory"},
	"remote_user":        {hint: "set ansible_user in the inventory, or pass -u"},
	"throttle":           {hint: "use --forks"},
	"timeout":            {hint: "bound long commands with the timeout command"},
	"any_errors_fatal":   {hint: "a failed host stops only itself"},
	"ignore_unreachable": {},
	"module_defaults":    {hint: "give the arguments on each task"},
	"collections":        {hint: "use modules by their short or full names"},
	"debugger":           {},
	"become_flags":       {hint: "only plain sudo is supported"},
	"become_exe":         {hint: "only plain sudo is supported"},
	"local_action":       {hint: "write a play with hosts: localhost"},
	"action":             {hint: "write the module name as the key, as in copy: src=a dest=b"},
}

// freeFormKeys are the key=value words Ansible takes out of free-form text
// (parse_kv with check_raw), when the module has such a parameter: in
// "echo argv=1 chdir=/tmp", chdir is an argument and argv=1 is text.
var freeFormKeys = []string{
	"creates", "removes", "chdir", "executable", "warn", "stdin", "stdin_add_newline", "strip_empty_ends",
}

// exprArgs are module arguments that hold bare expressions.
var exprArgs = map[string][]string{"assert": {"that"}, "debug": {"var"}}

// metaSpec checks meta: when no meta module is registered.
var metaSpec = modules.Spec{
	FreeForm: "free_form",
	Params: []modules.Param{{Name: "free_form", Required: true, Choices: []string{
		"flush_handlers", "noop", "refresh_inventory", "clear_facts", "clear_host_errors",
		"end_play", "end_host", "end_batch", "end_role", "reset_connection",
	}}},
}

// lookupModule finds a module by name, accepting ansible.builtin. and
// ansible.legacy. prefixes and any full name that Ansible resolves to the
// same module as tend's short name (ansible.posix.sysctl is sysctl), and
// returns its short name.
func lookupModule(name string) (string, modules.Spec, bool) {
	short := trimFQ(name)
	if short == "meta" {
		return short, metaSpec, true
	}
	if !strings.Contains(short, ".") {
		if m, ok := modules.Lookup(short); ok {
			return short, m.Spec(), true
		}
		return "", modules.Spec{}, false
	}
	am, ok := ansiblenames.LookupModule(name)
	if !ok {
		return "", modules.Spec{}, false
	}
	base := am.FQCN[strings.LastIndex(am.FQCN, ".")+1:]
	if m, ok := modules.Lookup(base); ok {
		if bm, ok := ansiblenames.LookupModule(base); ok && bm.FQCN == am.FQCN {
			return base, m.Spec(), true
		}
	}
	return "", modules.Spec{}, false
}

// scope is what the tasks inside a play, role, block or include inherit.
// The fields are already combined with the enclosing scopes'.
type scope struct {
	when                []string
	tags                []string
	vars                map[string]any
	become              *bool
	becomeUser          string
	noLog, ignoreErrors bool
	checkMode, diff     *bool
	listen              []string // handlers in a named include answer to its name
	role                *Role
	handler             bool
	dir                 string // folder of the file being read: includes are relative to it
	playDir             string
	depth               int
	play                *playCtx
	flags               map[string]string // templated keywords (see Task.Flags)
	environment         []any
	notify              []string // a block's notify: its tasks notify too
	runOnce             bool
	delegateTo          string
	unsupported         string // why the tasks cannot run (see Task.Unsupported)
}

// tasks reads a list of tasks.
func (w *walk) tasks(q pair, sc *scope) []*Task {
	n := q.v
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, `start each task with "- "`, "%s must be a list of tasks, not %s", q.name, kindName(n))
		return nil
	}
	var out []*Task
	for _, item := range n.Content {
		out = append(out, w.task(item, sc)...)
	}
	return out
}

type action struct {
	kind string // "module", "include", "role" or "block"
	name string // the module's short name, import_tasks, include_tasks, block
	p    pair
	spec modules.Spec
	// foreign is set for a module that Ansible has and tend does not.
	foreign *ansiblenames.Module
}

// misplaced are keys Ansible rejects in a task, with what to do instead.
var misplaced = map[string]unsupported{
	"import_playbook": {msg: "import_playbook is only valid at the top level of a playbook", hint: "list it with the plays, not with tasks"},
	"vars_files":      {msg: "vars_files is a play keyword", hint: "move it to the play, or use include_vars"},
}

// task reads one task. An import yields the imported tasks.
func (w *walk) task(n *yaml.Node, sc *scope) []*Task {
	at := n
	n = deref(n)
	if !w.spend(at) {
		return nil
	}
	w.l.tasks++
	if w.l.limit(w.pos(at), "tasks", w.l.tasks > maxTasks, "", "more than %d tasks", maxTasks) {
		return nil
	}
	if n == nil || n.Kind != yaml.MappingNode {
		w.errorf(at, "a task is a mapping, as in - command: uptime", "a task must be a mapping, not %s", kindName(n))
		return nil
	}
	if sc.depth >= maxDepth {
		w.errorf(at, "", "tasks nested deeper than %d levels (blocks and includes)", maxDepth)
		return nil
	}
	kw := map[string]pair{}
	var kwOrder []string
	var acts []action
	var notRun []string // valid Ansible that tend does not run yet
	reported := false   // a key was already reported: no "task has no module" too
	for _, q := range w.pairs(n) {
		short := trimFQ(q.name)
		u, unsup := unsupportedTask[short]
		m, bad := misplaced[short]
		switch {
		case slices.Contains(taskKeywords, q.name) || isWithLookup(q.name):
			kw[q.name] = q
			kwOrder = append(kwOrder, q.name)
			if q.name == "block" {
				acts = append(acts, action{kind: "block", name: "block", p: q})
			}
		case short == "import_tasks" || short == "include_tasks" || short == "include":
			acts = append(acts, action{kind: "include", name: short, p: q})
		case short == "import_role" || short == "include_role":
			acts = append(acts, action{kind: "role", name: short, p: q})
		case bad:
			w.errorf(q.k, m.hint, "%s", m.msg)
			reported = true
		case unsup:
			notRun = append(notRun, w.notSupported(q, u, ""))
		case strings.HasPrefix(q.name, "with_"):
			reported = true
			w.errorf(q.k, didYouMean(q.name, withNames()), "unknown loop %q: there is no lookup named %q", q.name, strings.TrimPrefix(q.name, "with_"))
		default:
			if name, spec, ok := lookupModule(q.name); ok {
				acts = append(acts, action{kind: "module", name: name, p: q, spec: spec})
			} else if am, ok := ansiblenames.LookupModule(q.name); ok {
				acts = append(acts, action{kind: "module", name: short, p: q, foreign: &am})
			} else if ansiblenames.Keyword("task", q.name) {
				notRun = append(notRun, w.notSupported(q, unsupported{}, ""))
			} else {
				w.unknownTaskKey(q)
				reported = true
			}
		}
	}
	if len(acts) == 0 {
		for _, k := range []string{"rescue", "always"} {
			if q, ok := kw[k]; ok {
				w.errorf(q.k, "write the tasks under block: and the recovery under "+k+":", "%s without block", k)
				return nil
			}
		}
		if !reported && len(notRun) == 0 {
			w.errorf(at, "add a module, such as command: or debug:", "task has no module")
		}
		if reported {
			return nil
		}
	}
	var act action
	if len(acts) > 0 {
		act = acts[0]
		if i := slices.IndexFunc(acts, func(a action) bool { return a.kind == "block" }); i >= 0 {
			act = acts[i] // a block with a module: the module is the mistake
		}
	} else {
		act = action{kind: "module", name: "unsupported"}
	}
	for _, other := range acts {
		if other.p.k == act.p.k {
			continue
		}
		if act.kind == "block" {
			w.errorf(other.p.k, "move it into the block as a task of its own", "a block cannot also run %q", other.name)
		} else {
			w.errorf(other.p.k, "a task runs one module: split it into two tasks", "task has both %q and %q", act.name, other.name)
		}
	}
	// Keywords that do not apply to this kind of task.
	for _, k := range kwOrder {
		q := kw[k]
		bad, hint, msg := false, "", ""
		dynamic := act.kind == "include" && act.name != "import_tasks" || act.kind == "role" && act.name == "include_role"
		switch {
		case act.kind == "block" && !slices.Contains(inheritedKeywords, k) && k != "block" && k != "rescue" && k != "always":
			bad, hint, msg = true, "put it on the tasks inside the block", fmt.Sprintf("%s is not valid on a block", k)
		case (act.kind == "include" || act.kind == "role") && !dynamic && isLoopKey(k):
			bad, hint, msg = true, "use include_"+strings.TrimPrefix(act.name, "import_")+" to loop", fmt.Sprintf("%s cannot loop: it is read before the play runs", act.name)
		case (act.kind == "include" || act.kind == "role") && !slices.Contains(inheritedKeywords, k) && !slices.Contains(includeKeywords, k) && !isWithLookup(k):
			bad, hint, msg = true, "put it on the tasks in the included file", fmt.Sprintf("%s is not valid on %s", k, act.name)
		case act.kind == "module" && (k == "rescue" || k == "always"):
			bad, hint, msg = true, "write the tasks under block: and the recovery under "+k+":", k+" without block"
		case k == "listen" && !sc.handler:
			bad, hint, msg = true, "only handlers listen; tasks notify", "listen is only valid on handlers"
		}
		if bad {
			w.errorf(q.k, hint, "%s", msg)
			delete(kw, k)
		}
	}

	t := &Task{Pos: w.pos(n), Role: sc.role, Handler: sc.handler}
	w.inherit(t, kw, sc)
	w.l.inherited += len(t.When) + len(t.Tags) + len(t.Vars) + len(t.Listen)
	if w.l.limit(w.pos(at), "inherited", w.l.inherited > maxInherited, "use fewer or smaller vars, when and tags on blocks and includes",
		"more than %d variables, conditions and tags inherited by tasks", maxInherited) {
		return nil
	}
	t.Unsupported = joinReasons(sc.unsupported, notRun)
	child := &scope{
		when: t.When, tags: t.Tags, vars: t.Vars, become: t.Become, becomeUser: t.BecomeUser,
		noLog: t.NoLog, ignoreErrors: t.IgnoreErrors, checkMode: t.CheckMode, diff: t.Diff,
		listen: t.Listen, role: sc.role, handler: sc.handler, dir: sc.dir, playDir: sc.playDir,
		depth: sc.depth + 1, play: sc.play, flags: t.Flags, environment: t.Environment,
		notify: t.Notify, runOnce: t.RunOnce, delegateTo: t.DelegateTo, unsupported: t.Unsupported,
	}
	switch act.kind {
	case "block":
		t.Block = w.tasks(kw["block"], child)
		if q, ok := kw["rescue"]; ok {
			t.Rescue = w.tasks(q, child)
		}
		if q, ok := kw["always"]; ok {
			t.Always = w.tasks(q, child)
		}
		return []*Task{t}
	case "include":
		if sc.handler && t.Name != "" && !modules.IsTemplated(t.Name) {
			child.listen = union(child.listen, []string{t.Name})
		}
		if act.name == "import_tasks" || sc.handler && !hasLoop(kw) {
			// Handlers in an included file are notified by their own names
			// too: the file is read in place, as an import.
			return w.include(act, child)
		}
		return w.dynamicInclude(t, act, kw, sc, child)
	case "role":
		return w.roleInclude(t, act, kw, sc, child)
	}
	if act.foreign != nil {
		w.foreignModule(t, act, kw)
	} else if act.name != "unsupported" {
		w.module(t, act, kw)
	}
	w.taskOnly(t, kw, sc)
	if t.Handler && t.Name == "" && len(t.Listen) == 0 {
		w.errorf(at, "notify finds handlers by name: or listen:", "handler has no name")
	}
	return []*Task{t}
}

// notSupported records valid Ansible that tend does not run yet as a
// warning, and returns the reason a host that reaches the task fails with.
func (w *walk) notSupported(q pair, u unsupported, where string) string {
	msg := u.msg
	if msg == "" {
		msg = fmt.Sprintf("%q is not supported by tend yet", q.name)
		if where != "" {
			msg = fmt.Sprintf("%q is not supported %s by tend yet", q.name, where)
		}
	}
	w.l.warnf(w.pos(q.k), u.hint, "%s", msg)
	return msg
}

// joinReasons adds reasons to an inherited one.
func joinReasons(inherited string, more []string) string {
	if inherited != "" {
		more = append([]string{inherited}, more...)
	}
	return strings.Join(more, "; ")
}

func hasLoop(kw map[string]pair) bool {
	for k := range kw {
		if isLoopKey(k) {
			return true
		}
	}
	return false
}

// isLoopKey says whether a task keyword is a loop.
func isLoopKey(k string) bool {
	return k == "loop" || k == "with_items" || k == "with_list" || k == "loop_control" || isWithLookup(k)
}

// isWithLookup says whether k is a with_X loop over a lookup Ansible has
// (with_items and with_list are keywords of their own).
func isWithLookup(k string) bool {
	name, ok := strings.CutPrefix(k, "with_")
	return ok && k != "with_items" && k != "with_list" && ansiblenames.Lookup(name)
}

func withNames() []string {
	var out []string
	for _, n := range []string{"items", "list", "dict", "first_found", "fileglob", "subelements", "nested",
		"together", "sequence", "indexed_items", "flattened", "lines", "random_choice", "file", "template"} {
		out = append(out, "with_"+n)
	}
	return out
}

// inherit reads the keywords blocks, includes and tasks share, and
// combines them with the enclosing scope's.
func (w *walk) inherit(t *Task, kw map[string]pair, sc *scope) {
	if q, ok := kw["name"]; ok {
		if s, ok := w.str(q); ok {
			t.Name = s
			w.template(q.v, s)
		}
	}
	var when, tags, listen []string
	if q, ok := kw["when"]; ok {
		when = w.conds(q)
	}
	if q, ok := kw["tags"]; ok {
		tags, _, _ = w.strList(q, true)
	}
	if q, ok := kw["listen"]; ok {
		listen, _, _ = w.strList(q, false)
	}
	t.When = concat(sc.when, when)
	t.Tags = union(sc.tags, tags)
	t.Listen = union(sc.listen, listen)
	t.Vars = mergeVars(sc.vars, w.varsMap(kw["vars"]))
	t.Flags = sc.flags
	t.Become = sc.become
	t.BecomeUser = sc.becomeUser
	if q, ok := kw["become_user"]; ok {
		if s, ok := w.str(q); ok {
			t.BecomeUser = s
			w.template(q.v, s)
		}
	}
	if q, ok := kw["become_method"]; ok {
		w.becomeMethod(q)
	}
	t.NoLog = sc.noLog
	t.IgnoreErrors = sc.ignoreErrors
	t.CheckMode = sc.checkMode
	t.Diff = sc.diff
	t.RunOnce = sc.runOnce
	for _, k := range []string{"become", "no_log", "ignore_errors", "check_mode", "diff", "run_once"} {
		b, tmpl, given := w.flag(kw, k)
		if !given {
			continue
		}
		if tmpl != "" {
			t.Flags = withFlag(t.Flags, k, tmpl)
			continue
		}
		t.Flags = withFlag(t.Flags, k, "")
		switch k {
		case "become":
			t.Become = b
		case "no_log":
			t.NoLog = *b
		case "ignore_errors":
			t.IgnoreErrors = *b
		case "check_mode":
			t.CheckMode = b
		case "diff":
			t.Diff = b
		case "run_once":
			t.RunOnce = *b
		}
	}
	t.Environment = sc.environment
	if q, ok := kw["environment"]; ok && !isNull(q.v) {
		if v, ok := w.value(q.v); ok {
			switch x := v.(type) {
			case map[string]any:
				t.Environment = append(slices.Clip(t.Environment), x)
			case string:
				if modules.IsTemplated(x) {
					t.Environment = append(slices.Clip(t.Environment), x)
					break
				}
				w.errorf(q.v, "write NAME: value pairs", "environment must be a mapping, not %s", kindName(q.v))
			default:
				w.errorf(q.v, "write NAME: value pairs", "environment must be a mapping, not %s", kindName(q.v))
			}
		}
	}
	t.DelegateTo = sc.delegateTo
	if q, ok := kw["delegate_to"]; ok {
		if s, ok := w.str(q); ok {
			t.DelegateTo = s
			w.template(q.v, s)
		}
	}
	if q, ok := kw["delegate_facts"]; ok {
		w.boolean(q)
	}
	t.Notify = sc.notify
	if q, ok := kw["notify"]; ok {
		names, nodes, _ := w.strList(q, false)
		t.Notify = union(t.Notify, names)
		for i, name := range names {
			w.template(nodes[i], name)
			if sc.play != nil {
				sc.play.notify = append(sc.play.notify, notifyRef{name: name, pos: w.pos(nodes[i])})
			}
		}
	}
}

// flag reads a boolean keyword that may be a template: b is its value, or
// tmpl its template; given is false when the keyword is absent.
func (w *walk) flag(kw map[string]pair, key string) (b *bool, tmpl string, given bool) {
	q, ok := kw[key]
	if !ok || isNull(q.v) {
		return nil, "", false
	}
	if q.v.Kind == yaml.ScalarNode && modules.IsTemplated(q.v.Value) {
		w.template(q.v, q.v.Value)
		return nil, q.v.Value, true
	}
	b, ok = w.boolean(q)
	return b, "", ok
}

// withFlag returns flags with key set to tmpl, in a new map; an empty tmpl
// removes the key (a plain value given closer to the task wins).
func withFlag(flags map[string]string, key, tmpl string) map[string]string {
	if _, had := flags[key]; !had && tmpl == "" {
		return flags
	}
	out := make(map[string]string, len(flags)+1)
	maps.Copy(out, flags)
	if tmpl == "" {
		delete(out, key)
	} else {
		out[key] = tmpl
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// concat joins a and b into a new slice (nil when both are empty), so that
// sibling tasks never share a backing array.
func concat(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	return append(slices.Clip(a), b...)
}

// taskOnly reads the keywords only module tasks take.
func (w *walk) taskOnly(t *Task, kw map[string]pair, sc *scope) {
	if q, ok := kw["register"]; ok {
		t.Register, _ = w.ident(q)
	}
	if q, ok := kw["until"]; ok {
		if conds := w.conds(q); len(conds) > 0 {
			t.Until = "(" + strings.Join(conds, ") and (") + ")"
			t.Retries, t.Delay = -1, 5 // not given; Ansible's delay
		}
	}
	for _, k := range []string{"retries", "delay"} {
		q, ok := kw[k]
		if !ok {
			continue
		}
		v, _ := w.scalarQuiet(deref(q.v))
		n, isInt := v.(int)
		if !isInt || n < 0 {
			w.errorf(orKey(q), "", "%s must be a whole number of at least 0", k)
			continue
		}
		if k == "retries" {
			t.Retries = n
		} else {
			t.Delay = n
		}
	}
	if q, ok := kw["changed_when"]; ok {
		t.ChangedWhen = w.conds(q)
	}
	if q, ok := kw["failed_when"]; ok {
		t.FailedWhen = w.conds(q)
	}
	w.loop(t, kw)
}

// loop reads loop, with_items, with_list or another with_X lookup, and
// loop_control.
func (w *walk) loop(t *Task, kw map[string]pair) {
	var q pair
	found := false
	for k, p := range kw {
		if k != "loop" && !isLoopKey(k) || k == "loop_control" {
			continue
		}
		if found {
			first, second := q.name, k
			if p.k.Line < q.k.Line || p.k.Line == q.k.Line && p.k.Column < q.k.Column {
				first, second, q = k, q.name, p
			}
			w.errorf(kw[second].k, "keep one of them", "%s and %s cannot be used together", first, second)
			continue
		}
		q, found = p, true
	}
	if lc, ok := kw["loop_control"]; ok {
		if !found {
			w.errorf(lc.k, "add loop:", "loop_control without a loop")
		} else {
			w.loopControl(t, lc)
		}
	}
	if !found {
		return
	}
	if t.LoopVar == "" {
		t.LoopVar = "item"
	}
	t.LoopFlatten = q.name == "with_items"
	if isWithLookup(q.name) {
		t.LoopLookup = strings.TrimPrefix(q.name, "with_")
	}
	v, ok := w.value(q.v)
	if !ok {
		return
	}
	switch x := v.(type) {
	case []any:
		t.Loop = x
	case nil:
		if q.name == "loop" {
			w.errorf(orKey(q), "", "%s is empty", q.name)
		} else {
			t.Loop = []any{}
		}
	case map[string]any:
		if t.LoopLookup != "" {
			t.Loop = x // with_dict: {a: 1}, with_first_found: {files: [...]}
			break
		}
		w.errorf(q.v, `loop over a dictionary with loop: "{{ d | dict2items }}"`, "%s must be a list, not a mapping", q.name)
	case string:
		switch {
		case modules.IsTemplated(x):
			t.Loop = x
		case q.name != "loop":
			t.Loop = []any{x} // Ansible's lookups take a bare string as a one-item list
		default:
			hint := ""
			if reIdent.MatchString(x) {
				hint = fmt.Sprintf(`did you mean loop: "{{ %s }}"?`, x)
			}
			w.errorf(q.v, hint, "loop must be a list, or a template that gives one, not %q", clip(x))
		}
	default:
		if q.name == "loop" {
			w.errorf(q.v, "", "loop must be a list, or a template that gives one, not %s", kindName(q.v))
		} else {
			t.Loop = []any{x}
		}
	}
}

var loopControlKeys = []string{"loop_var", "index_var", "label", "pause", "extended", "extended_allitems"}

func (w *walk) loopControl(t *Task, lc pair) {
	n := lc.v
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "", "loop_control must be a mapping, not %s", kindName(n))
		return
	}
	for _, q := range w.pairs(n) {
		switch q.name {
		case "loop_var":
			t.LoopVar, _ = w.ident(q)
		case "index_var":
			t.IndexVar, _ = w.ident(q)
		case "label":
			if s, ok := w.str(q); ok {
				t.LoopLabel = s
				w.template(q.v, s)
			}
		case "extended":
			if b, ok := w.boolean(q); ok {
				t.LoopExtended = *b
			}
		case "extended_allitems":
			w.boolean(q) // ansible_loop.allitems is always there
		case "pause":
			v, _ := w.scalarQuiet(deref(q.v))
			switch x := v.(type) {
			case int:
				t.LoopPause = float64(x)
			case float64:
				t.LoopPause = x
			default:
				w.errorf(q.v, "", "pause must be a number of seconds")
			}
		default:
			w.errorf(q.k, didYouMean(q.name, loopControlKeys), "unknown loop_control keyword %q", clip(q.name))
		}
	}
}

// unknownTaskKey reports a key that is neither a keyword nor a module.
func (w *walk) unknownTaskKey(q pair) {
	short := trimFQ(q.name)
	var hint string
	if slices.Contains(playKeywords, q.name) {
		hint = fmt.Sprintf("%s is a play keyword: is a play written where tasks are expected?", q.name)
	} else {
		cands := slices.Concat(taskKeywords, []string{"import_tasks", "include_tasks", "meta"}, modules.Names())
		hint = didYouMean(short, cands)
		if hint == "" && strings.Contains(short, ".") {
			// A collection's module: compare with the names Ansible has.
			prefix := short[:strings.LastIndex(short, ".")+1]
			var same []string
			for _, n := range ansiblenames.ModuleNames() {
				if strings.HasPrefix(n, prefix) {
					same = append(same, n)
				}
			}
			hint = didYouMean(short, same)
			if hint == "" {
				hint = "no module of that name in ansible-core or the collections of Ansible " + ansibleVersion()
			}
		}
	}
	w.errorf(q.k, hint, "unknown module or task keyword %q", clip(q.name))
}

// module reads a module's arguments, from args: and the module's key, and
// checks them against its Spec.
func (w *walk) module(t *Task, act action, kw map[string]pair) {
	t.Module = act.name
	t.Args = map[string]any{}
	t.ArgPos = map[string]Pos{}
	if q, ok := kw["args"]; ok {
		switch {
		case isNull(q.v):
		case q.v.Kind == yaml.MappingNode:
			w.argMap(t, act, q.v)
		case q.v.Kind == yaml.ScalarNode && modules.IsTemplated(q.v.Value):
			w.errorf(q.v, "write the arguments as a mapping", "args cannot be a template")
		default:
			w.errorf(q.v, "write the arguments as a mapping", "args must be a mapping, not %s", kindName(q.v))
		}
	}
	v := act.p.v
	switch {
	case isNull(v):
	case v.Kind == yaml.MappingNode:
		w.argMap(t, act, v)
	case v.Kind == yaml.ScalarNode:
		if !w.argText(t, act, v) {
			return
		}
	default:
		w.errorf(v, "write key: value pairs indented under the module, or key=value text",
			"arguments of %q must be a mapping or key=value text, not %s", act.name, kindName(v))
		return
	}
	checked, errs := act.spec.Check(t.Args, true)
	am, known := ansiblenames.LookupModule(act.name)
	var notRun []string
	for _, e := range errs {
		at := w.pos(act.p.k)
		if p, ok := t.ArgPos[e.Arg]; ok && e.Arg != "" {
			at = p
		}
		if known && e.Arg != "" && strings.HasPrefix(e.Msg, "unknown argument") {
			if msg := w.otherArg(am, e.Arg, act.name, act.spec, at); msg != "" {
				notRun = append(notRun, msg)
				continue
			}
		}
		msg := e.Msg
		switch {
		case strings.HasPrefix(msg, "unknown argument"), strings.HasPrefix(msg, "missing required argument"):
			msg += fmt.Sprintf(" for module %q", act.name)
		case e.Arg == "":
			msg = fmt.Sprintf("module %q: %s", act.name, msg)
		}
		w.l.errorf(at, e.Hint, "%s", msg)
	}
	notRun = append(notRun, w.regexps(t, act, checked)...)
	if len(notRun) > 0 {
		t.Unsupported = joinReasons(t.Unsupported, notRun)
	}
	w.srcFile(t, act, checked)
}

func ansibleVersion() string {
	_, v := ansiblenames.Versions()
	return v
}

// otherArg decides an argument tend's module does not take: valid for
// Ansible's module (a warning, and the task fails where it runs), unknown
// to Ansible too but far from every argument it has (maybe another Ansible
// version's, as ansible-playbook, which checks arguments only when a task
// runs, lets it load: the same), or a typo of one ("" : the caller reports
// the error). It returns the reason the task cannot run.
func (w *walk) otherArg(am ansiblenames.Module, arg, module string, spec modules.Spec, at Pos) string {
	if ansibleArg(am, arg) {
		msg := fmt.Sprintf("argument %q of module %q is not supported by tend yet", arg, module)
		w.l.warnf(at, "", "%s", msg)
		return msg
	}
	names := am.Args()
	for _, p := range spec.Params {
		names = append(names, p.Name)
		names = append(names, p.Aliases...)
	}
	if typoOf(arg, names) != "" {
		return ""
	}
	msg := fmt.Sprintf("module %s of Ansible %s has no argument %q", am.FQCN, ansibleVersion(), arg)
	w.l.warnf(at, "another Ansible version's? a host that reaches the task fails", "%s", msg)
	return msg
}

// typoOf returns the name s is likely a typo of: at most two edits away.
func typoOf(s string, names []string) string {
	near := modules.Nearest(s, names)
	if near == "" || modules.EditDistance(s, near) > 2 {
		return ""
	}
	return near
}

// ansibleArg says whether Ansible's module takes the argument, itself or,
// for package and service, through the backend it hands the task to.
func ansibleArg(m ansiblenames.Module, name string) bool {
	if m.HasArg(name) {
		return true
	}
	for _, b := range m.Backends() {
		if b.HasArg(name) {
			return true
		}
	}
	return false
}

// foreignModule reads the arguments of a module that Ansible has and tend
// does not: their names are checked against Ansible's, and the task fails
// on a host that reaches it.
func (w *walk) foreignModule(t *Task, act action, kw map[string]pair) {
	t.Module = act.name
	t.Args = map[string]any{}
	t.ArgPos = map[string]Pos{}
	if q, ok := kw["args"]; ok && !isNull(q.v) && q.v.Kind == yaml.MappingNode {
		w.argMap(t, act, q.v)
	}
	v := act.p.v
	switch {
	case isNull(v):
	case v.Kind == yaml.MappingNode:
		w.argMap(t, act, v)
	case v.Kind == yaml.ScalarNode:
		w.template(v, v.Value)
		if kvs, _, _, err := parseKV(v.Value, nil); err == nil {
			for _, a := range kvs {
				t.Args[a.key] = a.value
				t.ArgPos[a.key] = w.subPos(v, a.off)
			}
		}
	}
	m := act.foreign
	if m.ArgsKnown() {
		for k, p := range t.ArgPos {
			if !ansibleArg(*m, k) && !strings.HasPrefix(k, "_") {
				if near := typoOf(k, m.Args()); near != "" {
					w.l.errorf(p, fmt.Sprintf("did you mean %q?", near), "unknown argument %q for module %q", clip(k), act.name)
				} else {
					w.l.warnf(p, "", "module %s of Ansible %s has no argument %q (another version's?)", m.FQCN, ansibleVersion(), clip(k))
				}
			}
		}
	}
	msg := fmt.Sprintf("module %s is not supported by tend yet", m.FQCN)
	w.l.warnf(w.pos(act.p.k), "", "%s", msg)
	t.Unsupported = joinReasons(t.Unsupported, []string{msg})
}

func (w *walk) argMap(t *Task, act action, n *yaml.Node) {
	for _, q := range w.pairs(n) {
		v, _ := w.value(q.v)
		t.Args[q.name] = v
		t.ArgPos[q.name] = w.pos(q.k)
		if slices.Contains(exprArgs[act.name], q.name) {
			w.exprNode(q)
		}
	}
}

// exprNode checks an argument holding an expression or a list of them.
func (w *walk) exprNode(q pair) {
	n := q.v
	items := []*yaml.Node{n}
	if n != nil && n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, it := range items {
		e := deref(it)
		if e == nil || e.Kind != yaml.ScalarNode || isNull(e) {
			continue
		}
		if v, _ := w.scalarQuiet(e); v != nil {
			if _, isStr := v.(string); isStr {
				w.expr(w.pos(e), q.name, unbrace(strings.TrimSpace(e.Value)))
			}
		}
	}
}

// argText reads `module: text`: the free form (command, shell, meta) with
// the module's own key=value words taken out, or key=value pairs.
func (w *walk) argText(t *Task, act action, v *yaml.Node) bool {
	text := v.Value
	free := act.spec.FreeForm
	var keep func(string) bool
	if free != "" {
		keep = func(k string) bool { return slices.Contains(freeFormKeys, k) && isParam(act.spec, k) }
	}
	kvs, raw, hasRaw, err := parseKV(text, keep)
	if err != nil {
		w.errorf(v, "quote the whole value in YAML, or write the arguments as a mapping",
			"cannot split the arguments of %q: %v", act.name, err)
		return false
	}
	for _, a := range kvs {
		t.Args[a.key] = a.value
		t.ArgPos[a.key] = w.subPos(v, a.off)
		vp := w.subPos(v, a.valOff)
		w.templateAt(vp, a.value)
		if slices.Contains(exprArgs[act.name], a.key) {
			w.expr(vp, a.key, unbrace(strings.TrimSpace(a.value)))
		}
	}
	if !hasRaw {
		return true
	}
	if free == "" {
		w.errorf(v, "write key=value pairs, or a mapping of arguments",
			"module %q does not take free-form text (%q)", act.name, clip(raw))
		return false
	}
	t.Args[free] = raw
	t.ArgPos[free] = w.pos(v)
	w.template(v, raw)
	return true
}

func isParam(s modules.Spec, name string) bool {
	for _, p := range s.Params {
		if p.Name == name || slices.Contains(p.Aliases, name) {
			return true
		}
	}
	return false
}

// include expands import_tasks/include_tasks in place.
func (w *walk) include(act action, sc *scope) []*Task {
	q := act.p
	var name string
	var at *yaml.Node
	switch {
	case q.v != nil && q.v.Kind == yaml.MappingNode:
		for _, p := range w.pairs(q.v) {
			switch p.name {
			case "file":
				name, _ = w.str(p)
				at = p.v
			case "apply":
				w.unsupported(p, unsupported{hint: "put the keywords on the include itself"}, "on "+act.name)
			default:
				w.errorf(p.k, didYouMean(p.name, []string{"file"}), "unknown argument %q for %s", clip(p.name), act.name)
			}
		}
		if at == nil {
			w.errorf(q.k, "name the file: "+act.name+": tasks.yml", "%s needs a file", act.name)
			return nil
		}
	default:
		name, _ = w.str(q)
		at = q.v
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	if modules.IsTemplated(name) {
		w.errorf(at, "tend expands includes before running: name the file plainly, and choose tasks with when:",
			"the file to include cannot be templated")
		return nil
	}
	p, looked := findInclude(sc, name)
	if p == "" {
		w.errorf(at, "looked for "+strings.Join(looked, " and "), "%s file %q not found", act.name, clip(name))
		return nil
	}
	return w.l.taskFile(p, w.pos(at), sc, act.name+" file")
}

// taskFile reads a file holding a list of tasks, in scope sc.
func (l *loader) taskFile(path string, at Pos, sc *scope, what string) []*Task {
	f := l.open(path, at, what)
	if f == nil {
		return nil
	}
	if !l.push(f, at) {
		return nil
	}
	defer l.pop()
	if isNull(f.root) {
		return nil
	}
	w := l.walk(f)
	if f.root.Kind != yaml.SequenceNode {
		hint := `a task file is a list of tasks: start each with "- "`
		if f.root.Kind == yaml.MappingNode {
			for i := 0; i < len(f.root.Content); i += 2 {
				if f.root.Content[i].Value == "hosts" {
					hint = "this looks like a play: import playbooks with import_playbook"
				}
			}
		}
		w.errorf(f.root, hint, "a task file must hold a list of tasks, not %s", kindName(f.root))
		return nil
	}
	inner := *sc
	inner.dir = f.dir
	return w.tasks(pair{name: "tasks", v: f.root}, &inner)
}
