package playbooks

import (
	"context"
	"crypto/sha256"
	"time"

	"tend/modules"
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
// The look-ahead stops where later tasks could depend on earlier ones in
// ways rendering cannot see now: after a task that registers a result, at
// set_fact, meta and blocks, and when the become user changes.

// maxPrefetch bounds one batch, so a huge task list does not make one
// enormous command.
const maxPrefetch = 200

// probeKey identifies a probe: the same script for the same user.
// It is a digest, not the script: a host's answers ahead are kept for
// dozens of tasks, on hundreds of hosts at once.
func probeKey(user, script string) [sha256.Size]byte {
	return sha256.Sum256([]byte(user + "\x00" + script))
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
	} else {
		h.probes[k] = q[1:]
	}
	return q[0], true
}

// dropProbes forgets what was probed ahead: the host is about to change.
func (h *hostRun) dropProbes() {
	if len(h.probes) > 0 {
		h.probes = nil
	}
	h.stale = true
}

// prefetch probes the tasks ahead in one round trip and returns how many
// tasks of the list it looked at.
func (h *hostRun) prefetch(ctx context.Context, tasks []*load.Task) int {
	h.stale = false
	scripts, user, n := h.collectAhead(tasks)
	if len(scripts) < 2 {
		// One probe costs the same round trip either way.
		return n
	}
	start := time.Now()
	outs, err := transport.RunBatch(ctx, h.hs.conn, user, scripts)
	h.hs.recap.Probe += time.Since(start)
	if err == nil { // else each task probes on its own, and reports the error
		h.storeAhead(user, scripts, outs)
	}
	return n
}

// collectAhead renders the tasks ahead and returns their probe scripts, the
// user they run as, and how many tasks it looked at.
func (h *hostRun) collectAhead(tasks []*load.Task) (scripts []string, user string, n int) {
	userSet := false
look:
	for _, t := range tasks {
		if t.Module == "" || t.Module == "set_fact" || t.Module == "meta" {
			break
		}
		n++
		if !h.p.r.selected(t) {
			continue
		}
		if u := h.becomeUser(t); userSet && u != user {
			n--
			break
		} else {
			user, userSet = u, true
		}
		for _, p := range h.probesAhead(t) {
			scripts = append(scripts, p)
			if len(scripts) >= maxPrefetch {
				break look
			}
		}
		if t.Register != "" {
			break
		}
	}
	return scripts, user, n
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

// applyAndLookAhead runs a change and, in the same round trip, the probes
// of the tasks after it: they run after the apply, so their answers are
// fresh. It looks ahead only from a task without a loop or register (the
// tasks after it cannot depend on it) whose user is theirs; otherwise it is
// a plain apply and the next task looks ahead itself.
func (h *hostRun) applyAndLookAhead(ctx context.Context, t *load.Task, apply, user string) (modules.Output, error) {
	h.dropProbes()
	var scripts []string
	n := 0
	if t.Loop == nil && t.Register == "" && h.ahead != nil {
		var aheadUser string
		scripts, aheadUser, n = h.collectAhead(h.ahead.tasks)
		if aheadUser != user {
			scripts = nil
		}
	}
	if len(scripts) == 0 {
		return h.exec(ctx, apply, user)
	}
	outs, err := transport.RunBatch(ctx, h.hs.conn, user, append([]string{apply}, scripts...))
	if err != nil {
		return modules.Output{ExitCode: -1}, err
	}
	h.storeAhead(user, scripts, outs[1:])
	h.stale = false
	h.ahead.covered = h.ahead.next + n
	return modules.Output{Stdout: outs[0].Stdout, Stderr: outs[0].Stderr, ExitCode: outs[0].ExitCode}, nil
}

// probesAhead renders a task (each loop item) as runOnce will and returns
// its probe scripts. Anything that fails here is left for the task's own run
// to report.
func (h *hostRun) probesAhead(t *load.Task) []string {
	vars, templated := h.vars(t)
	items, err := h.loopItems(t, vars)
	if err != nil {
		return nil
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
	var out []string
	for _, v := range each {
		if ok, err := h.allTrue(t.When, v); err != nil || !ok {
			continue
		}
		rendered, err := h.p.r.jinja.Value(map[string]any(t.Args), v)
		if err != nil {
			continue
		}
		name, args := t.Module, dropOmitted(rendered.(map[string]any))
		if name == "template" {
			if args, err = h.renderTemplate(t, args, v); err != nil {
				continue
			}
			name = "copy"
		} else if _, ctrl := controllerModules[name]; ctrl {
			continue
		}
		if _, _, probe, err := h.moduleProbe(t, name, args); err == nil && probe != "" {
			out = append(out, probe)
		}
	}
	return out
}
