package playbooks

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"time"

	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/load"
	"tend/transport"
)

// Probing ahead: a converge in which nothing changes should cost a constant
// number of round trips per host, whatever the number of tasks. Before a run
// of tasks, the runner computes the probes of the tasks ahead (their loops,
// conditions and arguments rendered as they will be) and sends them in one
// batch. When a task then asks for a probe, the batch's answer is used if
// the probe script is exactly the same and the host has not been changed
// since; any apply drops everything probed ahead.
//
// A batch of changes (batch.go) carries, in its round trip, fresh probes of
// what follows it: its loop's next items and the tasks after it. Questions
// are asked for every task ahead: the changes they plan wait in the queue.
// Script probes (modules that ask no questions) go up to and including the
// first one that the answers from before the batch say will change; that
// task's own apply then looks further. So a converge costs about one round
// trip per script-probed change, and the changes of modules that ask
// questions cost a round trip together. When a forecast was wrong (the task
// that was to change did not), the next task finds nothing fetched and
// probes everything ahead in one batch again: one round trip more.
//
// The look-ahead stops where later tasks could depend on earlier ones in
// ways rendering cannot see now: at the tasks aheadable refuses, and when
// the become user changes. It goes past a task that registers: a task
// whose arguments read the registered result cannot be rendered now and is
// left out (it probes when it runs), one whose condition reads it is
// probed anyway (its arguments are known). A probe rendered from a value
// that changes before its task runs is never used: a task takes an answer
// only for the very script (or questions) it has when it runs.

// aheadable says whether a task may be probed before it runs. The look-ahead
// stops at tasks that change variables (set_fact, include_vars), the
// control flow (meta, includes; a block's tasks are looked at, see
// collectAhead), that run elsewhere (delegate_to,
// run_once), or whose loop or keywords need more than rendering to know
// (lookups, retries, templated keywords), and at tasks tend cannot run.
func aheadable(t *load.Task) bool {
	switch t.Module {
	case "", "set_fact", "meta", "include_vars":
		return false
	}
	return t.Include == nil && t.Unsupported == "" && t.Until == "" && !t.RunOnce &&
		t.DelegateTo == "" && (t.LoopLookup == "" || pureLookup(t.LoopLookup)) && len(t.Flags) == 0
}

// pureLookup says whether a with_X loop's lookup only reads (files, vars,
// its terms), so that running it ahead, and again when the task runs,
// gives the same items and changes nothing: not pipe, lines, password or
// random_choice.
func pureLookup(name string) bool {
	switch name[strings.LastIndex(name, ".")+1:] {
	case "items", "list", "flattened", "dict", "indexed_items", "subelements", "sequence", "nested",
		"cartesian", "together", "file", "fileglob", "first_found", "template", "env", "vars", "inventory_hostnames":
		return true
	}
	return false
}

// maxPrefetch bounds one batch, so a huge task list does not make one
// enormous command: 200 probe scripts, or 1000 tasks' questions (a
// question is a line or two of the one program, which costs the host the
// same few processes however many it answers).
const (
	maxPrefetch          = 200
	maxPrefetchQuestions = 1000
)

// full says whether a batch of probes ahead (of several lists) is as
// large as it may be.
func full(lists ...[]aheadProbe) bool {
	scripts, all := 0, 0
	for _, probes := range lists {
		for _, p := range probes {
			if p.qs == nil {
				scripts++
			}
		}
		all += len(probes)
	}
	return scripts >= maxPrefetch || all >= maxPrefetchQuestions
}

// probeKey identifies a probe: the same script for the same user.
// It is a digest, not the script: a host's answers ahead are kept for
// dozens of tasks, on hundreds of hosts at once.
func probeKey(user, script string) [sha256.Size]byte {
	return sha256.Sum256([]byte(user + "\x00" + script))
}

// aheadProbe is the probe of one task (or loop item) ahead, with what it
// takes to plan the task from an answer.
type aheadProbe struct {
	item   int // the loop item's index; 0 without a loop
	script string
	qs     []hostq.Question // instead of script, for a modules.Asker
	mod    modules.Module
	mt     *modules.Task
}

// batch turns probes ahead into the scripts of one round trip: one
// program for all their questions (and more: see askAhead), then the other
// probes' scripts. store keeps what they printed, and returns the
// program's answers (nil without questions).
func (h *hostRun) batch(user string, ps []aheadProbe, more []hostq.Question) (scripts []string, program bool, store func([]transport.Output) (*hostq.Set, error)) {
	prog, storeAnswers := h.askAhead(user, ps, more)
	if prog != "" {
		scripts, program = append(scripts, prog), true
	}
	var legacy []string
	for _, p := range ps {
		if p.qs == nil {
			legacy = append(legacy, p.script)
		}
	}
	scripts = append(scripts, legacy...)
	return scripts, program, func(outs []transport.Output) (set *hostq.Set, err error) {
		if prog != "" {
			set, err = storeAnswers(outs[0])
			outs = outs[1:]
		}
		if len(outs) == len(legacy) { // else only the program ran
			h.storeAhead(user, legacy, outs)
		}
		return set, err
	}
}

// takeProbe returns a probe's answer fetched ahead, once. The same script
// may be asked for more than once (loop items that read one file), so the
// answers queue up.
func (h *hostRun) takeProbe(user, script string) (modules.Output, bool) {
	k := probeKey(user, script)
	q := h.probes[k]
	if len(q) == 0 {
		return modules.Output{}, false
	}
	if len(q) == 1 {
		delete(h.probes, k)
		delete(h.forecasts, k) // it was for a task now behind
	} else {
		h.probes[k] = q[1:]
	}
	return q[0], true
}

// dropProbes forgets what was probed ahead: the host is about to change.
// The answers are kept as forecasts only (see forecastsChange).
func (h *hostRun) dropProbes() {
	h.dropAnswers()
	for k, q := range h.probes {
		if h.forecasts == nil {
			h.forecasts = map[[sha256.Size]byte]modules.Output{}
		}
		h.forecasts[k] = q[0]
	}
	h.probes = nil
	h.stale = true
}

// prefetch probes the tasks ahead in one round trip and returns how many
// tasks of the list it looked at.
func (h *hostRun) prefetch(ctx context.Context, tasks []*load.Task) int {
	h.stale = false
	h.forecasts = nil // this batch's answers will be the next ones
	probes, user, n := h.collectAhead(tasks, false)
	probes = h.unasked(user, probes)
	if len(probes) < 2 {
		// One probe costs the same round trip either way.
		return n
	}
	scripts, program, store := h.batch(user, probes, nil)
	start := time.Now()
	var outs []transport.Output
	var err error
	if len(scripts) == 1 {
		// One script: no batch framing, which would cost the host one more
		// process. The program of every question ahead (no legacy probe
		// with it) costs none: it is contained.
		var o modules.Output
		o, err = h.runCmd(ctx, transport.Cmd{Script: scripts[0], User: user, Contained: program})
		outs = []transport.Output{{Stdout: o.Stdout, Stderr: o.Stderr, ExitCode: o.ExitCode}}
	} else {
		outs, err = transport.RunBatch(ctx, h.hs.conn, user, scripts)
	}
	h.hs.recap.Probe += time.Since(start)
	h.hs.recap.Probes += int64(len(scripts))
	if err == nil { // else each task probes on its own, and reports the error
		store(outs)
	}
	return n
}

// collectAhead renders the tasks ahead and returns their probes, the user
// they run as, and how many tasks of the list it looked at. A block's tasks
// are looked at as the list's (they carry its keywords); a block with a
// rescue or an always ends the look after its tasks, since what runs next
// depends on how they went. With forecast it stops after the first item
// that the answers from before the last apply say will change.
func (h *hostRun) collectAhead(tasks []*load.Task, forecast bool) (probes []aheadProbe, user string, n int) {
	userSet, looked := false, 0
	// walk looks at tasks in order and says whether it looked at them all;
	// n counts those of the list itself (top).
	var walk func(tasks []*load.Task, top bool) bool
	walk = func(tasks []*load.Task, top bool) bool {
		seen := func() {
			looked++
			if top {
				n++
			}
		}
		for _, t := range tasks {
			switch {
			case isBlock(t):
				if !walk(t.Block, false) {
					return false
				}
				if top {
					n++
				}
				if len(t.Rescue) > 0 || len(t.Always) > 0 {
					return false
				}
				continue
			case !aheadable(t):
				// A set_fact, include... that its condition skips changes
				// nothing: the look goes on past it.
				if !h.skippedNow(t) {
					return false
				}
				seen()
				continue
			case !h.p.r.selected(t):
				seen()
				continue
			}
			u := h.becomeUser(t)
			if userSet && u != user {
				return false
			}
			user, userSet = u, true
			ps, rendered := h.probesAhead(t)
			if !rendered && looked > 0 {
				// It reads what a task before it registers: it is probed
				// when it starts (runList prefetches again there), all its
				// items in one round trip.
				return false
			}
			seen()
			for _, p := range ps {
				probes = append(probes, p)
				// Questions cost nothing more: the changes they plan wait
				// in the queue (batch.go). A script probe forecast to
				// change ends it.
				if full(probes) || forecast && h.forecastsChange(user, p) {
					return false
				}
			}
		}
		return true
	}
	walk(tasks, true)
	return probes, user, n
}

// skippedNow says whether a task's condition, as the variables are now,
// skips it (before anything else of it counts: a task tend cannot run is
// skipped too, see runOnce). A task before it that registers may yet
// change the answer; the look-ahead only fetches answers early, so a
// wrong guess costs the task's own probe, never a wrong plan.
func (h *hostRun) skippedNow(t *load.Task) bool {
	if len(t.When) == 0 {
		return false
	}
	vars, _ := h.vars(t)
	ok, err := h.allTrue(t.When, vars)
	return err == nil && !ok
}

// isBlock says whether a task is a block, which runList runs with runBlock
// (includes and modules name a module).
func isBlock(t *load.Task) bool { return t.Module == "" }

// unasked drops the probes the answers fetched ahead hold already (nothing
// changed the host since: an apply drops them): a block's tasks, which the
// look from before the block covered, are not asked again when the block's
// own list starts.
func (h *hostRun) unasked(user string, probes []aheadProbe) []aheadProbe {
	var out []aheadProbe
	queued := map[[sha256.Size]byte]int{}
	for _, p := range probes {
		if p.qs != nil {
			if h.answered(user, p.qs) {
				continue
			}
		} else if k := probeKey(user, p.script); queued[k] < len(h.probes[k]) {
			queued[k]++ // each answer fetched ahead is taken once (takeProbe)
			continue
		}
		out = append(out, p)
	}
	return out
}

// answered says whether the answers fetched ahead, as user, hold qs and
// the accounts that name owners in them (see answersFor).
func (h *hostRun) answered(user string, qs []hostq.Question) bool {
	return h.answers != nil && h.answersUser == user && h.answers.Has(append(slices.Clone(qs), hostq.Accounts{}))
}

// forecastsChange says whether a script probe's answer from before the
// last apply plans a change (or fails to plan). A probe without such an
// answer forecasts nothing. (Questions need no forecast: the changes they
// plan wait in the queue, see batch.go.)
func (h *hostRun) forecastsChange(user string, p aheadProbe) bool {
	out, ok := h.forecasts[probeKey(user, p.script)]
	if !ok || p.qs != nil {
		return false
	}
	if _, reader := p.mod.(modules.Reader); reader {
		return false
	}
	// A plan that fails changes nothing (and failed_when may ignore it).
	change, err := p.mod.Plan(p.mt, out)
	return err == nil && change != nil
}

func (h *hostRun) storeAhead(user string, scripts []string, outs []transport.Output) {
	if h.probes == nil {
		h.probes = map[[sha256.Size]byte][]modules.Output{}
	}
	for i, s := range scripts {
		k := probeKey(user, s)
		h.probes[k] = append(h.probes[k], modules.Output{Stdout: outs[i].Stdout, Stderr: outs[i].Stderr, ExitCode: outs[i].ExitCode})
	}
}

// probesAhead renders a task (each loop item) as runOnce will and returns
// its probes, and whether it could render them all (its loop, its
// arguments). Anything that fails here is left for the task's own run to
// report.
func (h *hostRun) probesAhead(t *load.Task) (out []aheadProbe, rendered bool) {
	if _, ctrl := controllerModules[t.Module]; ctrl && t.Module != "template" {
		return nil, true // debug, set_fact...: nothing to ask the host
	}
	vars, templated := h.vars(t)
	items, err := h.loopItems(t, vars)
	if err != nil {
		// Skipped whatever its items: nothing to ask, and the look goes on.
		_, skipped := h.skippedDespiteLoop(t, vars, err)
		return nil, skipped
	}
	each := []map[string]any{vars}
	if items != nil {
		each = each[:0]
		for i, item := range items {
			iv := withVar(vars, t.LoopVar, item)
			if t.IndexVar != "" {
				iv[t.IndexVar] = i
			}
			h.resolve(iv, templated)
			each = append(each, iv)
		}
	}
	rendered = true
	for i, v := range each {
		// A condition that cannot be decided now (it reads what a task
		// before registers) is asked about anyway: a task skipped in the
		// end leaves only an answer unused.
		if ok, err := h.allTrue(t.When, v); err == nil && !ok {
			continue
		}
		value, err := h.p.r.jinja.Value(map[string]any(t.Args), v)
		if err != nil {
			rendered = false
			continue
		}
		name, args := t.Module, dropOmitted(value.(map[string]any))
		if name == "template" {
			if args, err = h.renderTemplate(t, args, v); err != nil {
				rendered = false
				continue
			}
			name = "copy"
		} else if _, ctrl := controllerModules[name]; ctrl {
			continue
		}
		env, err := h.environment(t, v)
		if err != nil {
			continue
		}
		if mod, mt, probe, qs, err := h.moduleProbe(t, name, args, env); err == nil && (probe != "" || qs != nil) {
			out = append(out, aheadProbe{item: i, script: probe, qs: qs, mod: mod, mt: mt})
		}
	}
	return out, rendered
}
