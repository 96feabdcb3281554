package playbooks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/load"
	"tend/transport"
)

// Batched applies: a converge that changes k things should not cost k round
// trips. A change whose effects its module states as data (Change.Effects:
// the file, copy, template, lineinfile, user... of a module that asks
// questions) is not applied at once: it waits in the host's queue, and the
// tasks after it are planned against the host as the queued changes will
// leave it (hostq.Layer over the answers fetched ahead, the same model a
// check run predicts with). The queue is applied in one round trip, the
// changes one after the other, with probes of the tasks ahead after them,
// when a task needs the host as it really is:
//
//   - a task whose change cannot wait: a command, a module that states no
//     effects, a large copy streamed on stdin; it is the batch's last change;
//   - a task that probes with a script, reads (stat), registers, has
//     changed_when/failed_when/until, runs elsewhere (delegate_to, run_once)
//     or as another user, or is not a module (set_fact, debug, meta, an
//     include, a block);
//   - a question the answers ahead do not hold, or that the queued changes
//     leave unknown (a user's home filled from /etc/skel);
//   - the end of a task list (a block's rescue and always see its failures)
//     and of the handlers.
//
// The tasks of a batch are reported when it ran, in order, with their own
// results: each change runs in a subshell of its own and its output and exit
// status are its task's alone. A task that fails stops the changes of the
// tasks after it, in the host's shell (transport.RunSteps), as if each had
// been applied on its own: they are not applied and not reported, and the
// host fails; a loop's other items still run, as in Ansible, and so do the
// tasks after one whose errors are ignored.
//
// A change whose result is a stat of the file it leaves (file, copy,
// template: Change.Later) has that stat asked in the program that runs
// after the batch anyway, not in a process of its own, unless a change
// after it in the batch may touch the path (hostq.Touches). That program
// runs even after a failed change, for the results of the changes before.

// applyStep is one change in the host's queue.
type applyStep struct {
	task   *load.Task
	name   string // the module
	change *modules.Change
	env    string // the task's environment (see withEnv)
	ran    bool
	out    modules.Output
	// later says that the program after the batch reads the change's
	// result (Change.Later); laterErr, that it could not.
	later    bool
	laterErr error
}

// queuedTask is a task whose outcomes wait for their changes to run.
type queuedTask struct {
	t      *load.Task
	base   Event
	start  time.Time
	outs   []outcome
	labels []string
	looped bool
}

// applyQueue is a host's changes waiting to be applied, and the tasks to
// report once they ran.
type applyQueue struct {
	user  string
	steps []*applyStep // not run yet
	tasks []queuedTask
	// model is the host as the queued changes will leave it, over the
	// answers fetched ahead.
	model *hostq.Model
	// lost is the connection error that ended the last batch.
	lost error
}

// lookAhead says which tasks a batch probes after its changes, and whose
// list they belong to.
type lookAhead struct {
	tasks []*load.Task
	cur   *listCursor
	first int        // the index of tasks[0] in cur's list
	items *load.Task // a task whose loop items after the current come first
}

// lookFrom looks ahead from the task being run (included).
func (h *hostRun) lookFrom() lookAhead {
	cur := h.ahead
	if cur == nil || cur.current == nil {
		return lookAhead{}
	}
	return lookAhead{tasks: append([]*load.Task{cur.current}, cur.tasks...), cur: cur, first: cur.next - 1}
}

// lookAfter looks ahead from the task after the one being run.
func (h *hostRun) lookAfter() lookAhead {
	if h.ahead == nil {
		return lookAhead{}
	}
	return lookAhead{tasks: h.ahead.tasks, cur: h.ahead, first: h.ahead.next}
}

// canQueue says whether a task's changes may wait in the queue: a module
// task on this host, in a converge, whose result nothing reads before the
// queue runs.
func (h *hostRun) canQueue(t *load.Task) bool {
	if t.Module == "" || t.Include != nil || t.Unsupported != "" || h.checkMode(t) {
		return false
	}
	if _, ctrl := controllerModules[t.Module]; ctrl && t.Module != "template" {
		return false
	}
	return t.Register == "" && len(t.ChangedWhen) == 0 && len(t.FailedWhen) == 0 && t.Until == "" &&
		!t.RunOnce && t.DelegateTo == "" && t.LoopPause == 0
}

// queued says whether a change can wait in the queue (see the top of the
// file): its effects are stated, and it needs nothing but its script.
func queued(name string, change *modules.Change) bool {
	switch name {
	case "command", "shell", "script", "raw":
		return false
	}
	return change.Effects != nil && change.Stdin == nil && !change.CheckUnknown
}

// pendingChanges says whether changes wait in the queue.
func (h *hostRun) pendingChanges() bool { return len(h.queue.steps) > 0 }

// queueChange adds a change to the queue and to the model of the host the
// tasks after it are planned against.
func (h *hostRun) queueChange(t *load.Task, name string, change *modules.Change, user string) *applyStep {
	q := &h.queue
	if len(q.steps) == 0 {
		runAs := user
		if runAs == "" {
			runAs = h.loginUser()
		}
		q.user, q.model = user, hostq.NewModel(runAs)
	}
	s := &applyStep{task: t, name: name, change: change, env: h.env}
	q.steps = append(q.steps, s)
	base := hostq.Answers(hostq.NewSet())
	if h.answers != nil {
		base = h.answers
	}
	q.model.Cause = fmt.Sprintf("%s %q at %s", name, h.current.Task, h.current.TaskPos)
	q.model.Apply(base, change.Effects...)
	return s
}

// runQueue applies the queued changes in one round trip, with the probes
// of the tasks look names after them.
func (h *hostRun) runQueue(ctx context.Context, look lookAhead) {
	q := &h.queue
	steps := q.steps
	if len(steps) == 0 {
		return
	}
	q.steps, q.model = nil, nil
	h.dropProbes()
	probes, n := h.probesAfter(look, q.user)
	early, late := readLater(steps, probes)
	var ts []transport.Step
	var earlyProg *hostq.Program
	stepAt := make([]int, len(steps)) // each step's place in ts
	for i, s := range steps {
		if i == len(steps)-1 && len(early) > 0 {
			// Before the last change, which may touch anything: it
			// completes the results of the changes before.
			earlyProg = h.compile(early)
			ts = append(ts, transport.Step{Script: earlyProg.Script(), Always: true, Contained: true})
		}
		script := s.change.Apply
		if s.later {
			script = s.change.Later.Apply
		}
		stepAt[i] = len(ts)
		ts = append(ts, transport.Step{
			Script: withEnv(s.env, script),
			Group:  i == 0 || s.task != steps[i-1].task,
			Fatal:  !s.task.IgnoreErrors,
			// An environment is exported: it would outlive the script.
			Shared: s.change.SharesShell && s.env == "",
		})
	}
	nChanges := len(ts)
	scripts, program, store := h.batch(q.user, probes, late)
	for i, s := range scripts {
		// The program runs even after a failed change: it completes the
		// results of the changes before. It is contained: no subshell.
		ts = append(ts, transport.Step{Script: s, Group: i == 0, Always: i == 0 && len(late) > 0, Contained: i == 0 && program})
	}
	start := time.Now()
	outs, err := transport.RunSteps(ctx, h.hs.conn, q.user, ts)
	h.hs.recap.Apply += time.Since(start)
	if err != nil {
		q.lost = err
		return
	}
	for i, s := range steps {
		if o := outs[stepAt[i]]; !o.Skipped {
			s.ran = true
			s.out = modules.Output{Stdout: o.Stdout, Stderr: o.Stderr, ExitCode: o.ExitCode}
		}
	}
	results := func(answers *hostq.Set, err error) {
		for _, s := range steps {
			if s.later && s.ran {
				if answers != nil {
					s.out.Answers = answers
				} else {
					s.laterErr = fmt.Errorf("the result could not be read: %v", err)
				}
			}
		}
	}
	if earlyProg != nil {
		o := outs[nChanges-2]
		h.hs.recap.Probes++
		results(earlyProg.Parse(o.Stdout, o.Stderr, o.ExitCode))
	}
	after := outs[nChanges:]
	if len(after) == 0 {
		return
	}
	if !skipped(after) {
		h.hs.recap.Probes += int64(len(scripts))
		answers, err := store(after)
		if len(late) > 0 {
			results(answers, err)
		}
		if look.cur != nil {
			h.stale = false
			look.cur.covered = look.first + n
		}
	} else if len(late) > 0 && !after[0].Skipped {
		// A change failed: only the results are read, not the answers
		// ahead (the host stops).
		results(store(after[:1]))
	}
}

// readLater marks the steps whose results a program reads (Change.Later)
// instead of a stat each, and returns the questions of that program: the
// one after the batch (late), or one that runs before the batch's last
// change (early) when that change states no effects (a command: the
// batch's last by design), which would touch the paths of all the changes
// before it. A step is read only if nothing after it touches its paths. A
// program costs the host a process (its stat; it is contained, see
// transport.Step.Contained), as a result's own stat does: the late one
// runs anyway when the probes ahead ask questions; else a program is run
// for two results or more.
func readLater(steps []*applyStep, probes []aheadProbe) (early, late []hostq.Question) {
	last := len(steps) - 1
	opaque := last > 0 && !queued(steps[last].name, steps[last].change)
	end := len(steps)
	if opaque {
		end = last
	}
	var qs []hostq.Question
	var marked []*applyStep
	for i, s := range steps[:end] {
		if l := s.change.Later; l != nil && !touchedAfter(steps[i+1:end], l.Questions) {
			qs = append(qs, l.Questions...)
			marked = append(marked, s)
		}
	}
	asks := false
	for _, p := range probes {
		asks = asks || p.qs != nil
	}
	if len(marked) < 2 && (opaque || !asks) {
		return nil, nil
	}
	for _, s := range marked {
		s.later = true
	}
	if opaque {
		return qs, nil
	}
	return nil, qs
}

// touchedAfter says whether the changes of steps may change what qs ask
// about (see hostq.Touches).
func touchedAfter(steps []*applyStep, qs []hostq.Question) bool {
	for _, s := range steps {
		for _, e := range s.change.Effects {
			for _, q := range qs {
				p, ok := q.(hostq.Path)
				if !ok || hostq.Touches(e, p.Path) {
					return true
				}
			}
		}
	}
	return false
}

// skipped says whether a step of outs did not run.
func skipped(outs []transport.Output) bool {
	for _, o := range outs {
		if o.Skipped {
			return true
		}
	}
	return false
}

// probesAfter collects the probes of what look names, as the user the
// batch runs as.
func (h *hostRun) probesAfter(look lookAhead, user string) ([]aheadProbe, int) {
	var probes []aheadProbe
	if t := look.items; t != nil { // never a registering task (planModule)
		ps, _ := h.probesAhead(t)
		for _, p := range ps {
			if p.item > h.item {
				probes = append(probes, p)
				if full(probes) || h.forecastsChange(user, p) {
					return probes, 0
				}
			}
		}
	}
	if len(look.tasks) == 0 {
		return probes, 0
	}
	tasks, aheadUser, n := h.collectAhead(look.tasks, true)
	if aheadUser != user || full(probes, tasks) {
		return probes, 0
	}
	return append(probes, tasks...), n
}

// flush applies the queued changes (see runQueue) and reports the queued
// tasks in order. It returns the error that stops the host when one of
// them failed: the changes of the tasks after it did not run, and they are
// not reported.
func (h *hostRun) flush(ctx context.Context, look lookAhead) error {
	if h.pendingChanges() {
		h.runQueue(ctx, look)
	}
	q := &h.queue
	tasks := q.tasks
	q.tasks = nil
	if lost := q.lost; lost != nil && len(tasks) > 0 {
		// Only the first task is reported: the ones after it were not
		// attempted. (Without queued tasks, the lost connection is the
		// caller's to report.)
		q.lost = nil
		return h.finish(tasks[0].t, tasks[0].base, tasks[0].start, []outcome{h.connectionLost(lost)}, nil, false)
	}
	for _, qt := range tasks {
		if err := h.finish(qt.t, qt.base, qt.start, h.settleSteps(qt.outs), qt.labels, qt.looped); err != nil {
			return err
		}
	}
	return nil
}

// dropQueue forgets the queue: the run was interrupted before it ran.
func (h *hostRun) dropQueue() { h.queue = applyQueue{} }

// settle reports a task's outcomes, or queues them when their changes wait
// in the queue; the tasks queued before it are reported first.
func (h *hostRun) settle(ctx context.Context, t *load.Task, base Event, start time.Time, outs []outcome, labels []string, looped bool) error {
	for _, o := range outs {
		if o.halt != nil {
			return o.halt
		}
	}
	if lost := h.queue.lost; lost != nil {
		if len(h.queue.tasks) > 0 {
			return h.flush(ctx, lookAhead{})
		}
		h.queue.lost = nil // the changes of this task that did not run are unreachable
		return h.finish(t, base, start, h.settleSteps(outs), labels, looped)
	}
	for _, o := range outs {
		if o.step != nil && !o.step.ran {
			h.queue.tasks = append(h.queue.tasks, queuedTask{t, base, start, outs, labels, looped})
			return nil
		}
	}
	if len(h.queue.tasks) > 0 {
		if err := h.flush(ctx, h.lookAfter()); err != nil {
			return err
		}
	}
	return h.finish(t, base, start, h.settleSteps(outs), labels, looped)
}

// settleSteps turns the outcomes whose changes ran in a batch into their
// results.
func (h *hostRun) settleSteps(outs []outcome) []outcome {
	for i, o := range outs {
		s := o.step
		if s == nil {
			continue
		}
		if !s.ran {
			// Its batch ended before it: the connection was lost.
			outs[i] = outcome{status: StatusUnreachable, msg: "the connection was lost before the change was applied", item: o.item, loopVar: o.loopVar}
			continue
		}
		r := h.applied(s.name, s.change, s.out)
		if s.laterErr != nil && s.out.ExitCode == 0 {
			r = failf("%s: %v", s.name, s.laterErr)
			r.diffs = s.change.Diffs
		}
		r.desired, r.planned, r.item, r.loopVar = o.desired, o.planned, o.item, o.loopVar
		outs[i] = r
	}
	return outs
}

// applied turns a change's apply output into the task's outcome.
func (h *hostRun) applied(name string, change *modules.Change, out modules.Output) outcome {
	res := modules.Result{}
	if change.Result != nil {
		var err error
		if res, err = change.Result(out); err != nil {
			return failf("%s: %v", name, err)
		}
	} else if out.ExitCode != 0 {
		msg := strings.TrimSpace(string(out.Stderr))
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", out.ExitCode)
		}
		return outcome{status: StatusFailed, msg: msg, diffs: change.Diffs, result: modules.Result{"rc": out.ExitCode}}
	}
	if failed, _ := res["failed"].(bool); failed {
		msg, _ := res["msg"].(string)
		return outcome{status: StatusFailed, msg: msg, diffs: change.Diffs, result: res}
	}
	status := StatusChanged
	if c, ok := res["changed"].(bool); ok && !c {
		status = StatusOK
	}
	return outcome{status: status, diffs: change.Diffs, result: res}
}

// needHost flushes the queue before a task sees the host as it really is;
// it returns the error that stops the host as the outcome's halt.
func (h *hostRun) needHost(ctx context.Context) (outcome, bool) {
	if !h.pendingChanges() && len(h.queue.tasks) == 0 {
		return outcome{}, false
	}
	if err := h.flush(ctx, h.lookFrom()); err != nil {
		return outcome{status: StatusSkipped, halt: err}, true
	}
	if lost := h.queue.lost; lost != nil {
		// This task's own earlier items were in the batch.
		h.queue.lost = nil
		return h.connectionLost(lost), true
	}
	return outcome{}, false
}

// plansQueued says whether a task can be planned against the host as the
// queued changes will leave it: it asks questions the answers ahead hold,
// as the queue's user, and does not only read (a stat's result is the
// host's own, times and inodes included).
func (h *hostRun) plansQueued(t *load.Task, mod modules.Module, qs []hostq.Question) bool {
	if _, reader := mod.(modules.Reader); reader || qs == nil {
		return false
	}
	user := h.becomeUser(t)
	return user == h.queue.user && h.answered(user, qs)
}
