package playbooks

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tend/inventory"
	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
	"tend/transport"
)

// outcome is one task (or loop item) on one host.
type outcome struct {
	status Status
	msg    string
	diffs  []modules.Diff
	result modules.Result
	// item and loopVar are the loop item this outcome is for.
	item    any
	loopVar string
	// desired and planned are digests: of the state the task asked for, and
	// of the change it found (see digest.go).
	desired, planned string
	// refused is set when Options.Guard refused the change.
	refused bool
	// unknown says why a check run cannot tell the change before earlier
	// changes are applied ("known after apply").
	unknown string
	// step is the change waiting in the host's queue (see batch.go): the
	// outcome is its result once it ran.
	step *applyStep
	// halt stops the host before the task ran: a task queued before it
	// failed.
	halt error
}

// failf is a failed outcome whose message says where the task is.
func failf(format string, args ...any) outcome {
	return outcome{status: StatusFailed, msg: fmt.Sprintf(format, args...)}
}

// runTask runs one task, with its loop, on this host. It returns
// errHostFailed when the task failed and errors are not ignored.
func (h *hostRun) runTask(ctx context.Context, t *load.Task) error {
	if !h.p.r.selected(t) {
		return nil
	}
	pos := h.p.r.posString(t.Pos)
	start := time.Now()
	vars, templated := h.vars(t)
	base := Event{Kind: EventTask, Play: h.p.name(), PlayIndex: h.p.index, Host: h.hs.host.Name,
		TaskIndex: h.p.indexOf(t), TaskPos: pos, Module: t.Module, Handler: t.Handler}
	base.Task = h.taskName(t, vars)
	h.current = base

	orig := t // the loaded task: numbers and run_once are keyed by it
	t, err := h.decideFlags(t, vars)
	if err != nil {
		return h.settle(ctx, t, base, start, []outcome{failf("%s: %v", pos, err)}, nil, false)
	}
	if !h.canQueue(t) {
		// It needs the host as the queued changes leave it, or to report
		// after them.
		if err := h.flush(ctx, h.lookFrom()); err != nil {
			return err
		}
	}
	if t.Include != nil {
		return h.runInclude(ctx, orig, t, vars, base, pos)
	}
	// add_host bypasses the host loop in Ansible: it runs once, as run_once.
	if (t.RunOnce || t.Module == "add_host") && !t.Handler {
		shared, mine := h.p.runOnceShared(orig, h.index)
		if !mine {
			select {
			case <-shared.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			return h.finish(t, base, start, shared.outs, shared.labels, shared.looped)
		}
		outs, labels, looped := h.runItems(ctx, t, vars, templated, pos, base)
		shared.outs, shared.labels, shared.looped = outs, labels, looped
		close(shared.done)
		return h.finish(t, base, start, outs, labels, looped)
	}
	outs, labels, looped := h.runItems(ctx, t, vars, templated, pos, base)
	return h.settle(ctx, t, base, start, outs, labels, looped)
}

// runItems runs a task for each of its loop items, or once without a loop.
func (h *hostRun) runItems(ctx context.Context, t *load.Task, vars, templated map[string]any, pos string, base Event) (outs []outcome, labels []string, looped bool) {
	items, err := h.loopItems(t, vars)
	if o, unknown := h.knownAfterApply(t, err); unknown {
		o.unknown = "loop: " + o.unknown
		return []outcome{o}, nil, false
	}
	if err != nil {
		if cond, skipped := h.skippedDespiteLoop(t, vars, err); skipped {
			return []outcome{{status: StatusSkipped, msg: "conditional result was False", result: modules.Result{"false_condition": cond}}}, nil, false
		}
		return []outcome{failf("%s: loop: %v", pos, err)}, nil, false
	}
	if items == nil {
		return []outcome{h.runAttempts(ctx, t, vars, pos)}, nil, false
	}
	loopVar := t.LoopVar
	if loopVar == "" {
		loopVar = "item"
	}
	for i, item := range items {
		iv := withVar(vars, loopVar, item)
		if t.IndexVar != "" {
			iv[t.IndexVar] = i
		}
		if t.LoopExtended {
			iv["ansible_loop"] = loopInfo(items, i)
		}
		h.resolve(iv, templated)
		label := h.itemLabel(t, iv, item)
		h.current = base
		h.current.Item = label
		h.item = i
		o := h.runAttempts(ctx, t, iv, pos)
		o.item, o.loopVar = item, loopVar
		outs = append(outs, o)
		labels = append(labels, label)
		if ctx.Err() != nil || o.status == StatusUnreachable || o.halt != nil {
			break
		}
		if t.LoopPause > 0 && i < len(items)-1 {
			if sleepCtx(ctx, t.LoopPause) != nil {
				break
			}
		}
	}
	return outs, labels, true
}

// Why a host stops: its task failed, or its connection is gone (which a
// rescue cannot mend).
var errHostUnreachable = errors.New("host unreachable")

// finish reports a task's outcomes, registers its result and notifies its
// handlers. The recap counts the task once, however many loop items it had,
// as Ansible does.
func (h *hostRun) finish(t *load.Task, base Event, start time.Time, outs []outcome, labels []string, looped bool) error {
	var changed, failed, ignored, unreachable, refused bool
	skipped := true // also a loop over no items
	if looped && len(outs) == 0 {
		// Ansible reports such a task skipped on the host.
		e := base
		e.Status, e.Msg, e.Check, e.Duration = StatusSkipped, "No items in the list", h.checkMode(t), time.Since(start)
		h.p.r.emit(e)
	}
	for i, o := range outs {
		e := base
		e.Status, e.Msg, e.Diffs, e.Result = o.status, o.msg, o.diffs, o.result
		e.Desired, e.Planned = o.desired, o.planned
		if o.status == StatusChanged || t.Module == "debug" {
			e.Unknown = o.unknown // not for a command changed_when says is ok
		}
		if e.Unknown != "" && e.Planned == "" && o.status == StatusChanged {
			// A change a check run cannot tell yet: a saved plan lets
			// apply re-plan it (see savedplan.Guard).
			e.Planned = plannedDigest(h.p.r.o.DigestKey, o.desired+"\x00known after apply: "+o.unknown, o.diffs)
		}
		e.Check = h.checkMode(t)
		if looped {
			e.Item = labels[i]
		}
		if o.status == StatusFailed && t.IgnoreErrors && !o.refused {
			e.Ignored, ignored = true, true
		}
		refused = refused || o.refused
		if t.NoLog {
			e.Msg, e.Diffs, e.Result = noLogMessage, nil, modules.Result{"censored": noLogMessage}
		}
		e.Duration = time.Since(start)
		h.p.r.emit(e)
		changed = changed || o.status == StatusChanged
		failed = failed || (o.status == StatusFailed && !e.Ignored)
		unreachable = unreachable || o.status == StatusUnreachable
		skipped = skipped && o.status == StatusSkipped
	}
	switch {
	case t.Module == "meta":
		// Ansible's strategy runs meta tasks itself: they are never
		// counted in the recap.
	case unreachable:
		h.hs.recap.Add(StatusUnreachable, false)
	case failed:
		h.hs.recap.Add(StatusFailed, false)
	case ignored:
		h.hs.recap.Add(StatusFailed, true)
		if changed { // a loop's items that changed before one failed
			h.hs.recap.Changed++
		}
	case changed:
		h.hs.recap.Add(StatusChanged, false)
	case skipped:
		h.hs.recap.Add(StatusSkipped, false)
	default:
		h.hs.recap.Add(StatusOK, false)
	}
	if t.Register != "" {
		h.hs.vars[t.Register] = registered(outs, looped)
	}
	if t.Module != "set_fact" && t.Module != "include_vars" && t.Module != "setup" {
		// Facts a module returns (getent, service_facts...) are the host's;
		// setup's went into its facts already.
		for _, o := range outs {
			if f, ok := o.result["ansible_facts"].(map[string]any); ok && o.status != StatusFailed {
				if h.hs.moduleFacts == nil {
					h.hs.moduleFacts = map[string]any{}
				}
				for k, v := range f {
					h.hs.vars[k] = v
					// In ansible_facts without the prefix, as Ansible files them.
					h.hs.moduleFacts[strings.TrimPrefix(k, "ansible_")] = v
				}
			}
		}
	}
	if unreachable {
		return errHostUnreachable
	}
	if refused {
		return errRefused
	}
	if changed && len(t.Notify) > 0 {
		if err := h.notify(t, base.TaskPos); err != nil {
			h.hs.recap.Failed++
			h.p.r.emit(Event{Kind: EventTask, Play: base.Play, PlayIndex: base.PlayIndex, Host: base.Host, Task: base.Task,
				TaskIndex: base.TaskIndex, TaskPos: base.TaskPos, Status: StatusFailed, Msg: err.Error()})
			return errHostFailed
		}
	}
	for _, o := range outs {
		switch end, _ := o.result["_end"].(string); end {
		case "play":
			return errEndPlay
		case "host":
			return errEndHost
		case "failed": // a handler flushed by meta failed; it was counted there
			return errHostFailed
		}
	}
	if failed {
		return errHostFailed
	}
	return nil
}

// registered builds what `register:` stores, as Ansible does: the result
// itself, or for a loop {results: [...], changed, failed, msg}.
func registered(outs []outcome, looped bool) modules.Result {
	one := func(o outcome) modules.Result {
		r := modules.Result{}
		for k, v := range o.result {
			if !strings.HasPrefix(k, "_") {
				r[k] = v
			}
		}
		if o.unknown != "" {
			for k, v := range unknownResult(o) {
				r[k] = v
			}
		}
		r["changed"] = o.status == StatusChanged
		r["failed"] = o.status == StatusFailed
		if o.status == StatusSkipped {
			r["skipped"] = true
		}
		if o.msg != "" {
			if _, ok := r["msg"]; !ok {
				r["msg"] = o.msg
			}
		}
		return r
	}
	if !looped {
		if len(outs) == 0 {
			return modules.Result{"changed": false, "skipped": true}
		}
		return one(outs[0])
	}
	results := make([]any, len(outs))
	changed, failed, skipped := false, false, true
	for i, o := range outs {
		r := one(o)
		r[o.loopVar], r["item"], r["ansible_loop_var"] = o.item, o.item, o.loopVar
		results[i] = map[string]any(r)
		changed = changed || o.status == StatusChanged
		failed = failed || o.status == StatusFailed
		skipped = skipped && o.status == StatusSkipped
	}
	// As Ansible's TaskExecutor.run: skipped is always there, and msg
	// says how the items went (none without items).
	r := modules.Result{"results": results, "changed": changed, "failed": failed, "skipped": skipped}
	switch {
	case len(outs) == 0:
		r["skipped_reason"] = "No items in the list"
	case skipped:
		r["msg"] = "All items skipped"
	case failed:
		r["msg"] = "One or more items failed"
	default:
		r["msg"] = "All items completed"
	}
	return r
}

// runOnce runs the task for one loop item (or once without a loop).
func (h *hostRun) runOnce(ctx context.Context, t *load.Task, vars map[string]any, pos string) outcome {
	for _, cond := range t.When {
		ok, err := h.p.r.jinja.Truthy(cond, vars)
		if o, unknown := h.knownAfterApply(t, err); unknown {
			o.unknown = "when: " + cond + " (" + o.unknown + ")"
			return o
		}
		if err != nil {
			return failf("%s: when: %v", pos, err)
		}
		if !ok {
			return outcome{status: StatusSkipped, msg: "conditional result was False", result: modules.Result{"false_condition": cond}}
		}
	}
	if t.Unsupported != "" {
		// Valid Ansible that tend does not run: fail before any change.
		return failf("%s: %s", pos, t.Unsupported)
	}
	rendered, err := h.p.r.jinja.Value(map[string]any(t.Args), vars)
	if o, unknown := h.knownAfterApply(t, err); unknown {
		return o
	}
	if err != nil {
		return failf("%s: %v", pos, err)
	}
	args := dropOmitted(rendered.(map[string]any))
	if h.env, err = h.environment(t, vars); err != nil {
		return failf("%s: %v", pos, err)
	}
	conn, err := h.delegate(ctx, t, vars)
	if err != nil {
		return failf("%s: %v", pos, err)
	}
	if conn != nil {
		// The task runs on the delegate: what was probed ahead is not its.
		own := h.hs.conn
		h.hs.conn = conn
		h.dropProbes()
		defer func() { h.hs.conn = own; h.dropProbes() }()
	}
	var o outcome
	if ctrl, ok := controllerModules[t.Module]; ok {
		o = ctrl(ctx, h, t, args, vars, pos)
	} else {
		o = h.runModule(ctx, t, t.Module, args, pos)
	}
	if o.status == StatusFailed && o.result == nil && o.msg != "" && !strings.HasPrefix(o.msg, pos) {
		o.msg = pos + ": " + o.msg
	}
	return h.applyConditions(t, o, vars, pos)
}

// applyConditions applies changed_when and failed_when, which see the
// task's own result under its register name, as in Ansible.
func (h *hostRun) applyConditions(t *load.Task, o outcome, vars map[string]any, pos string) outcome {
	if len(t.ChangedWhen) == 0 && len(t.FailedWhen) == 0 || o.status == StatusSkipped || o.status == StatusUnreachable || o.refused {
		return o
	}
	scope := vars
	if t.Register != "" {
		scope = withVar(vars, t.Register, map[string]any(registered([]outcome{o}, false)))
	}
	for k, v := range o.result {
		if !strings.HasPrefix(k, "_") {
			scope = withVar(scope, k, v) // Ansible exposes rc, stdout... directly too
		}
	}
	if len(t.ChangedWhen) > 0 && o.status != StatusFailed {
		changed, err := h.allTrue(t.ChangedWhen, scope)
		if u, unknown := h.knownAfterApply(t, err); unknown {
			o.status, o.unknown = StatusChanged, "changed_when: "+u.unknown
			return o
		}
		if err != nil {
			return failf("%s: changed_when: %v", pos, err)
		}
		if changed {
			o.status = StatusChanged
		} else {
			o.status = StatusOK
			o.diffs = nil
		}
	}
	if len(t.FailedWhen) > 0 {
		failed, err := h.allTrue(t.FailedWhen, scope)
		if u, unknown := h.knownAfterApply(t, err); unknown {
			o.unknown = "failed_when: " + u.unknown
			return o
		}
		if err != nil {
			return failf("%s: failed_when: %v", pos, err)
		}
		if failed && o.status != StatusFailed {
			o.status, o.msg = StatusFailed, "failed_when: "+strings.Join(t.FailedWhen, " and ")
		} else if !failed && o.status == StatusFailed {
			// The module ran: it changed what it reports it changed.
			o.status, o.msg = StatusOK, ""
			if c, _ := o.result["changed"].(bool); c {
				o.status = StatusChanged
			}
		}
	}
	return o
}

func (h *hostRun) allTrue(conds []string, vars map[string]any) (bool, error) {
	for _, c := range conds {
		ok, err := h.p.r.jinja.Truthy(c, vars)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// runModule probes, plans and (unless in check mode) applies a module on
// the host.
func (h *hostRun) runModule(ctx context.Context, t *load.Task, name string, raw map[string]any, pos string) outcome {
	raw, err := h.expandHomes(ctx, t, name, raw)
	if err != nil {
		if pe, ok := err.(probeError); ok {
			return failf("%s: %v", name, pe.error)
		}
		return h.connectionLost(err)
	}
	mod, mt, probe, qs, err := h.moduleProbe(t, name, raw, h.env)
	if err != nil {
		return failf("%v", err)
	}
	if h.pendingChanges() && !h.plansQueued(t, mod, qs) {
		if o, halt := h.needHost(ctx); halt {
			return o
		}
	}
	var observed modules.Output
	switch {
	case qs != nil:
		if observed.Answers, err = h.answersFor(ctx, t, qs); err != nil {
			if pe, ok := err.(probeError); ok {
				return failf("%s: %v", name, pe.error)
			}
			return h.connectionLost(err)
		}
	case probe != "":
		user := h.becomeUser(t)
		var ok bool
		if observed, ok = h.takeProbe(user, probe); !ok {
			start := time.Now()
			observed, err = h.exec(ctx, probe, user)
			h.hs.recap.Probe += time.Since(start)
			h.hs.recap.Probes++
			if err != nil {
				return h.connectionLost(err)
			}
		}
	}
	if reader, ok := mod.(modules.Reader); ok {
		res, err := reader.Read(mt, observed)
		if err != nil {
			return h.planError(t, name, err, qs == nil)
		}
		return outcome{status: StatusOK, result: res}
	}
	desired := desiredDigest(h.p.r.o.DigestKey, name, mt.Args)
	change, err := mod.Plan(mt, observed)
	if _, unknown := hostq.IsUnknown(err); (unknown || askMore(err) != nil) && h.pendingChanges() && !h.checkMode(t) {
		// The queued changes leave what it asks unknown: apply them and
		// plan against the host.
		if o, halt := h.needHost(ctx); halt {
			return o
		}
		return h.runModule(ctx, t, name, raw, pos)
	}
	if more := askMore(err); more != nil && qs != nil {
		// The plan needs answers its questions could not name ahead (an
		// existing user's home, which only the accounts say): one more
		// round.
		if observed.Answers, err = h.answersFor(ctx, t, append(qs, more...)); err != nil {
			if pe, ok := err.(probeError); ok {
				return failf("%s: %v", name, pe.error)
			}
			return h.connectionLost(err)
		}
		change, err = mod.Plan(mt, observed)
	}
	if err != nil {
		o := h.planError(t, name, err, qs == nil)
		o.desired = desired
		return o
	}
	var planned string
	if change != nil {
		planned = plannedDigest(h.p.r.o.DigestKey, desired, change.Diffs)
	}
	o := h.planModule(ctx, t, name, mod, mt, observed, change, desired, planned)
	o.desired, o.planned = desired, planned
	return o
}

// askMore returns the questions a plan's error asks for (an error that
// wraps hostq.ErrNotAsked and says which questions it needs), or nil.
func askMore(err error) []hostq.Question {
	var more interface{ Questions() []hostq.Question }
	if errors.Is(err, hostq.ErrNotAsked) && errors.As(err, &more) {
		return more.Questions()
	}
	return nil
}

// planError is the outcome of a task whose plan failed. In check mode, a
// plan that needs what only applying earlier changes would tell is not a
// failure: the task is reported as a change known after apply. So is the
// failure of a module that probes with a script (legacy) after an earlier
// change the run could not predict (a package's install, a command): the
// host it probed is not the one the apply will meet.
func (h *hostRun) planError(t *load.Task, name string, err error, legacy bool) outcome {
	if h.checkMode(t) {
		if u, ok := hostq.IsUnknown(err); ok {
			return outcome{status: StatusChanged, unknown: u.Why, result: modules.Result{}}
		}
		if m := h.hs.model; legacy && m != nil && len(m.Opaque) > 0 {
			why := fmt.Sprintf("%s: %v; it may depend on %s, whose effects only applying will tell", name, err, m.Opaque[len(m.Opaque)-1])
			return outcome{status: StatusChanged, unknown: why, result: modules.Result{}}
		}
	}
	return failf("%s: %v", name, err)
}

// guard asks Options.Guard whether a change may be applied; once it
// refused one, the host applies nothing more.
func (h *hostRun) guard(t *load.Task, change *modules.Change, desired, planned string) error {
	if h.hs.refused != nil {
		return fmt.Errorf("not applied: an earlier change on this host was refused (%v)", h.hs.refused)
	}
	g := h.p.r.o.Guard
	if g == nil {
		return nil
	}
	e := h.current
	e.Status, e.Desired, e.Planned, e.Diffs = StatusChanged, desired, planned, change.Diffs
	if t.NoLog {
		e.Diffs = nil
	}
	if err := g(e); err != nil {
		h.hs.refused = err
		return err
	}
	return nil
}

// planModule carries out a task's plan: nothing, a check-mode report, or
// the apply and its result.
func (h *hostRun) planModule(ctx context.Context, t *load.Task, name string, mod modules.Module, mt *modules.Task, observed modules.Output, change *modules.Change, desired, planned string) outcome {
	var err error
	if change == nil {
		res := modules.Result{}
		if rep, ok := mod.(modules.Reporter); ok {
			if res, err = rep.Report(mt, observed); err != nil {
				return failf("%s: %v", name, err)
			}
		}
		return outcome{status: StatusOK, result: res}
	}
	if h.checkMode(t) {
		h.predict(t, name, mt, change)
		if change.CheckUnknown {
			// What the command prints and changes is known once it runs.
			return outcome{status: StatusChanged, diffs: change.Diffs, result: modules.Result{},
				unknown: fmt.Sprintf("%s %q at %s runs only when applied", name, h.current.Task, h.current.TaskPos)}
		}
		return outcome{status: StatusChanged, diffs: change.Diffs, result: modules.Result{}}
	}
	if err := h.guard(t, change, desired, planned); err != nil {
		return outcome{status: StatusFailed, msg: err.Error(), diffs: change.Diffs, result: modules.Result{}, refused: true}
	}
	user := h.becomeUser(t)
	if change.Stdin != nil {
		// A large copy streams on a channel of its own.
		if o, halt := h.needHost(ctx); halt {
			return o
		}
		start := time.Now()
		out, err := h.applyWithStdin(ctx, withEnv(h.env, change.Apply), user, change.Stdin)
		h.hs.recap.Apply += time.Since(start)
		if err != nil {
			return h.connectionLost(err)
		}
		return h.applied(name, change, out)
	}
	step := h.queueChange(t, name, change, user)
	if h.canQueue(t) && queued(name, change) {
		return outcome{status: StatusChanged, diffs: change.Diffs, result: modules.Result{}, step: step}
	}
	// It cannot wait: the queue runs now, this change last, with probes of
	// what follows (unless what follows may read what it registers).
	look := lookAhead{}
	if t.Register == "" {
		look = h.lookAfter()
		if t.Loop != nil {
			look.items = t
		}
	}
	h.runQueue(ctx, look)
	if err := h.flush(ctx, lookAhead{}); err != nil {
		return outcome{status: StatusSkipped, halt: err}
	}
	if lost := h.queue.lost; lost != nil {
		h.queue.lost = nil
		return h.connectionLost(lost)
	}
	return h.applied(name, change, step.out)
}

// moduleProbe checks a module's arguments and returns the module, its task
// and its probe: a script, or the questions of a modules.Asker.
func (h *hostRun) moduleProbe(t *load.Task, name string, raw map[string]any, env string) (modules.Module, *modules.Task, string, []hostq.Question, error) {
	mod, args, err := lookupChecked(name, raw)
	if err != nil {
		return nil, nil, "", nil, err
	}
	mt := &modules.Task{Args: args, Facts: h.moduleFacts(), Files: h.files(t, "files"), Diff: h.diffMode(t), Unread: h.resultUnread(t)}
	if a, ok := mod.(modules.Asker); ok {
		qs, err := a.Questions(mt)
		if err != nil {
			return nil, nil, "", nil, fmt.Errorf("%s: %v", name, err)
		}
		if qs != nil {
			return mod, mt, "", qs, nil
		}
	}
	probe, err := mod.Probe(mt)
	if err != nil {
		return nil, nil, "", nil, fmt.Errorf("%s: %v", name, err)
	}
	return mod, mt, withEnv(env, probe), nil, nil
}

// resultUnread says whether nothing reads a task's result beyond what the
// caller shows (Options.StatusOnly): the task does not register it, and no
// changed_when, failed_when or until reads it. (Ansible's rescue also
// reads a failed task's result, as ansible_failed_result; tend does not set
// it yet: when it does, a task in a block with a rescue reads its result.)
func (h *hostRun) resultUnread(t *load.Task) bool {
	return h.p.r.o.StatusOnly && t.Register == "" && len(t.ChangedWhen) == 0 && len(t.FailedWhen) == 0 && t.Until == ""
}

// exec runs a script on the host, as user when set, and collects its output.
func (h *hostRun) exec(ctx context.Context, script, user string) (modules.Output, error) {
	return h.runCmd(ctx, transport.Cmd{Script: script, User: user})
}

// runCmd runs cmd on the host and collects its output: exec's, or a
// contained one's (the question programs: no subshell).
func (h *hostRun) runCmd(ctx context.Context, cmd transport.Cmd) (modules.Output, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res, err := h.hs.conn.Run(ctx, cmd)
	return modules.Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: res.ExitCode}, err
}

// connectionLost turns a transport error into an unreachable outcome: the
// host is out of the run. A refused become is the task's failure instead: the
// connection is fine.
func (h *hostRun) connectionLost(err error) outcome {
	var be *transport.BecomeError
	if errors.As(err, &be) {
		return outcome{status: StatusFailed, msg: err.Error()}
	}
	return outcome{status: StatusUnreachable, msg: err.Error()}
}

// becomeUser is the user a task runs as, "" for the login user: the task's
// become (the loader folds the play's and blocks' into it), else the host's
// ansible_become; become_user defaults to root, as in Ansible.
func (h *hostRun) becomeUser(t *load.Task) string {
	become := false
	if t.Become != nil {
		become = *t.Become
	} else if b, ok := h.hs.host.Bool(inventory.VarBecome); ok {
		become = b
	} else if d := h.p.r.o.Connect.Become; d != nil {
		become = *d // ansible.cfg
	}
	if !become {
		return ""
	}
	if t.BecomeUser != "" {
		if !jinja.IsTemplate(t.BecomeUser) {
			return t.BecomeUser
		}
		vars, _ := h.vars(t)
		if u, err := h.p.r.jinja.Render(t.BecomeUser, vars); err == nil {
			return u
		}
		return t.BecomeUser // sudo will say that no such user exists
	}
	if u, ok := h.hs.host.String(inventory.VarBecomeUser); ok && u != "" {
		return u
	}
	return cmp.Or(h.p.r.o.Connect.BecomeUser, "root")
}

// checkMode is the task's effective check mode: its own check_mode, else
// the play's, else the run's.
func (h *hostRun) checkMode(t *load.Task) bool {
	if t.CheckMode != nil {
		return *t.CheckMode
	}
	if h.p.play.CheckMode != nil {
		return *h.p.play.CheckMode
	}
	return h.p.r.o.Check
}

func (h *hostRun) diffMode(t *load.Task) bool {
	if t.Diff != nil {
		return *t.Diff
	}
	if h.p.play.Diff != nil {
		return *h.p.play.Diff
	}
	return h.p.r.o.Diff
}

// taskName renders the task's name (names may hold templates); a task
// without one is named after its module, as in Ansible.
func (h *hostRun) taskName(t *load.Task, vars map[string]any) string {
	if t.Name == "" {
		return displayName(t, "")
	}
	if s, err := h.p.r.jinja.Render(t.Name, vars); err == nil {
		return displayName(t, s)
	}
	return displayName(t, t.Name)
}

// skippedDespiteLoop says whether a task whose loop failed with err is
// skipped all the same, and by which condition. As Ansible: a loop over
// something undefined (a skipped task's results) fails only if the task's
// condition, without the item, does not skip it first.
func (h *hostRun) skippedDespiteLoop(t *load.Task, vars map[string]any, err error) (string, bool) {
	var undef *jinja.UndefinedError
	if !errors.As(err, &undef) {
		return "", false
	}
	for _, cond := range t.When {
		ok, werr := h.p.r.jinja.Truthy(cond, vars)
		if werr != nil {
			return "", false
		}
		if !ok {
			return cond, true
		}
	}
	return "", false
}

// loopItems evaluates the loop; nil without one.
func (h *hostRun) loopItems(t *load.Task, vars map[string]any) ([]any, error) {
	if t.Loop == nil {
		return nil, nil
	}
	if t.LoopLookup != "" {
		return h.lookupItems(t, vars)
	}
	v, err := h.p.r.jinja.Value(t.Loop, vars)
	if err != nil {
		return nil, err
	}
	switch l := v.(type) {
	case []any:
		if t.LoopFlatten { // with_items flattens one level
			var flat []any
			for _, e := range l {
				if sub, ok := e.([]any); ok {
					flat = append(flat, sub...)
				} else {
					flat = append(flat, e)
				}
			}
			l = flat
		}
		if l == nil {
			l = []any{}
		}
		return l, nil
	case nil:
		return []any{}, nil
	}
	return nil, fmt.Errorf("loop must be a list, got %T", v)
}

func (h *hostRun) itemLabel(t *load.Task, vars map[string]any, item any) string {
	if t.NoLog {
		return "(censored due to no_log)"
	}
	if t.LoopLabel != "" {
		if s, err := h.p.r.jinja.Render(t.LoopLabel, vars); err == nil {
			return s
		}
	}
	return jinja.Str(item)
}

// dropOmitted removes arguments set to the omit placeholder.
func dropOmitted(args map[string]any) map[string]any {
	for k, v := range args {
		if s, ok := v.(string); ok && s == jinja.Omit {
			delete(args, k)
		}
	}
	return args
}

// withVar returns a copy of vars with one more variable.
func withVar(vars map[string]any, name string, v any) map[string]any {
	out := make(map[string]any, len(vars)+1)
	for k, x := range vars {
		out[k] = x
	}
	out[name] = v
	return out
}
