package playbooks

import (
	"context"
	"fmt"
	"path"
	"time"

	"tend/inventory"
	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
	"tend/transport"
)

// Questions (modules.Asker, package hostq) are the probes of the modules
// that state what they need to know as data. The runner keeps one set of
// answers per host, fetched with the other probes ahead (see prefetch.go):
// every question of the tasks ahead goes into one program, whose cost in
// processes on the host does not grow with the number of tasks. Like the
// probes, the answers are dropped when the host changes; they are kept as
// forecasts.
//
// In check mode the host never changes: the answers stay, and each change
// the run reports adds its effects to the host's model (hostState.model).
// A task then sees the host through hostq.Layer: the model's prediction
// where an earlier task would have changed something, the host elsewhere.

// answersFor returns the host's answers to qs, asking the host for those it
// has not answered yet (one round trip), seen through the check run's
// model when the task runs in check mode.
func (h *hostRun) answersFor(ctx context.Context, t *load.Task, qs []hostq.Question) (hostq.Answers, error) {
	if len(qs) == 0 && !h.checkMode(t) && !h.pendingChanges() {
		// Nothing to ask (a command without creates), and no model to
		// plan against: the host is not asked for its accounts either.
		return hostq.NewSet(), nil
	}
	user := h.becomeUser(t)
	// The models (a check run's, the queue's) name the owners of what they
	// predict: they need the ids.
	qs = append(qs, hostq.Accounts{})
	if h.answers == nil || h.answersUser != user {
		h.answers, h.answersUser = hostq.NewSet(), user
	}
	if !h.answers.Has(qs) {
		prog := h.compile(qs)
		start := time.Now()
		out, err := h.runCmd(ctx, transport.Cmd{Script: prog.Script(), User: user, Contained: true})
		h.hs.recap.Probe += time.Since(start)
		h.hs.recap.Probes++
		if err != nil {
			return nil, err
		}
		set, err := prog.Parse(out.Stdout, out.Stderr, out.ExitCode)
		if err != nil {
			return nil, probeError{err}
		}
		h.remember(set)
		h.answers.Merge(set)
	}
	if h.checkMode(t) {
		return hostq.Layer(h.hs.model, h.answers), nil
	}
	if h.pendingChanges() {
		return hostq.Layer(h.queue.model, h.answers), nil
	}
	return h.answers, nil
}

// probeError is a program's output the runner could not read: the task
// fails, the host stays reachable.
type probeError struct{ error }

// askAhead adds to a batch the program that answers the questions of the
// probes ahead, and more (the results of the batch's changes: see
// Change.Later), and returns a function that stores its answers and
// returns them.
func (h *hostRun) askAhead(user string, probes []aheadProbe, more []hostq.Question) (script string, store func(transport.Output) (*hostq.Set, error)) {
	var qs []hostq.Question
	for _, p := range probes {
		qs = append(qs, p.qs...)
	}
	if len(qs) > 0 {
		qs = append(qs, hostq.Accounts{}) // see answersFor
	}
	qs = append(qs, more...)
	if len(qs) == 0 {
		return "", nil
	}
	prog := h.compile(qs)
	return prog.Script(), func(o transport.Output) (*hostq.Set, error) {
		set, err := prog.Parse(o.Stdout, o.Stderr, o.ExitCode)
		if err != nil {
			return nil, err // each task asks again, and reports the error
		}
		h.remember(set)
		if h.answers == nil || h.answersUser != user {
			h.answers, h.answersUser = hostq.NewSet(), user
		}
		h.answers.Merge(set)
		return set, nil
	}
}

// knownFile is a file's content as a program read it, and its stat.
type knownFile struct {
	fi   hostq.PathInfo
	data []byte
}

// compile makes the program that answers qs. The accounts' files the host
// answered before are not read again while stat finds them unchanged
// (hostq.Program.Know): a round trip after the first costs no cat of them.
func (h *hostRun) compile(qs []hostq.Question) *hostq.Program {
	prog := hostq.Compile(qs)
	for p, k := range h.hs.accountFiles {
		prog.Know(p, k.fi, k.data)
	}
	return prog
}

// remember keeps the accounts' files a program read, for compile.
func (h *hostRun) remember(set *hostq.Set) {
	for _, p := range hostq.AccountFiles { // every program asks for them (see answersFor)
		fi, err := set.Path(p, true)
		if err != nil || !fi.Exists {
			continue
		}
		if data, err := set.Content(p); err == nil {
			if h.hs.accountFiles == nil {
				h.hs.accountFiles = map[string]knownFile{}
			}
			h.hs.accountFiles[p] = knownFile{fi, data}
		}
	}
}

// dropAnswers forgets the answers: the host is about to change.
func (h *hostRun) dropAnswers() { h.answers = nil }

// predict adds a change's effects to the check run's model of the host. A
// change without effects (a module that does not state them) makes the
// paths its task names known only after apply.
func (h *hostRun) predict(t *load.Task, name string, mt *modules.Task, change *modules.Change) {
	m := h.hs.model
	if m == nil {
		m = hostq.NewModel(h.becomeUser(t))
		h.hs.model = m
	}
	m.RunAs = h.becomeUser(t)
	if m.RunAs == "" {
		m.RunAs = h.loginUser()
	}
	m.Cause = fmt.Sprintf("%s %q at %s", name, h.current.Task, h.current.TaskPos)
	base := hostq.Answers(hostq.NewSet())
	if h.answers != nil {
		base = h.answers
	}
	switch name {
	case "command", "shell", "script", "raw":
		// What a command does beyond what it declares (creates) is
		// anyone's guess: users and groups it may add among it.
		m.Opaque = append(m.Opaque, m.Cause)
		m.Apply(base, hostq.UnsureAccounts{})
		if change.Effects != nil {
			m.Apply(base, change.Effects...)
		}
		return
	}
	if change.Effects != nil {
		m.Apply(base, change.Effects...)
		return
	}
	// A module that states no effects (a package's install, say): the
	// paths its task names are known after apply, and it may add users
	// and groups.
	m.Opaque = append(m.Opaque, m.Cause)
	m.Apply(base, hostq.UnsureAccounts{})
	for _, arg := range []string{"dest", "path"} {
		if p, ok := mt.Args[arg].(string); ok && path.IsAbs(p) {
			m.Apply(base, hostq.Taint{Path: p})
		}
	}
}

// loginUser is the user the connection logs in as, for the owner of what
// a task without become creates.
func (h *hostRun) loginUser() string {
	if u, ok := h.hs.host.String(inventory.VarUser); ok && u != "" {
		return u
	}
	if u := h.p.r.o.Connect.User; u != "" {
		return u
	}
	return "root"
}

// knownAfterApply turns an error that comes from a value only applying
// would tell (jinja.AfterApply, in a check run) into the task's outcome: a
// change known after apply, or for debug a message saying so. ok is false
// for any other error.
func (h *hostRun) knownAfterApply(t *load.Task, err error) (outcome, bool) {
	why, ok := jinja.IsAfterApply(err)
	if !ok || !h.checkMode(t) {
		return outcome{}, false
	}
	if t.Module == "debug" {
		return outcome{status: StatusOK, msg: "known after apply: " + why, unknown: why}, true
	}
	return outcome{status: StatusChanged, unknown: why, result: modules.Result{}}, true
}

// unknownResult is what a task registers when a check run cannot know its
// result: its values fail when used, as "known after apply", so the tasks
// that use them are reported as such.
func unknownResult(o outcome) modules.Result {
	r := modules.Result{}
	for _, k := range []string{"stdout", "stderr", "rc", "stdout_lines", "stderr_lines", "msg", "content", "json", "status", "stat", "results", "files", "matched", "dest", "path", "checksum", "ansible_facts"} {
		if _, ok := o.result[k]; !ok {
			r[k] = jinja.AfterApply(o.unknown)
		}
	}
	return r
}
