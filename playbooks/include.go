package playbooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"tend/playbooks/jinja"
	"tend/playbooks/load"
)

// runInclude carries out include_tasks and include_role: for each loop item
// (once without a loop) whose when holds, it loads the file when its name
// is templated, then runs the tasks with the item bound, as Ansible does.
// orig is the task as loaded (t may be a copy with its keywords decided).
func (h *hostRun) runInclude(ctx context.Context, orig, t *load.Task, vars map[string]any, base Event, pos string) error {
	start := time.Now()
	items, err := h.loopItems(t, vars)
	if err != nil {
		return h.finish(t, base, start, []outcome{failf("%s: loop: %v", pos, err)}, nil, false)
	}
	looped := items != nil
	if !looped {
		items = []any{nil}
	}
	for i, item := range items {
		iv := vars
		bound := map[string]any{}
		if looped {
			bound[t.LoopVar] = item
			if t.IndexVar != "" {
				bound[t.IndexVar] = i
			}
			if t.LoopExtended {
				bound["ansible_loop"] = loopInfo(items, i)
			}
			iv = withVars(vars, bound)
		}
		e := base
		if looped {
			e.Item = h.itemLabel(t, iv, item)
		}
		tasks, o := h.includedTasks(orig, t, iv, pos)
		if o.status != StatusOK {
			if o.status == StatusSkipped {
				e.Status, e.Msg = StatusSkipped, o.msg
				h.p.r.emit(e)
				continue
			}
			return h.finish(t, e, start, []outcome{o}, []string{e.Item}, looped)
		}
		e.Status, e.Msg = StatusOK, "included: "+o.msg
		h.p.r.emit(e)
		if r := t.Include.Public; r != nil && !slices.Contains(h.public, r) {
			h.public = append(h.public, r)
		}
		h.scopes = append(h.scopes, bound)
		err := h.runList(ctx, tasks)
		h.scopes = h.scopes[:len(h.scopes)-1]
		if err != nil {
			return err
		}
		if looped && t.LoopPause > 0 && i < len(items)-1 {
			if err := sleepCtx(ctx, t.LoopPause); err != nil {
				return err
			}
		}
	}
	return nil
}

// includedTasks decides an include for one item: skipped (its when is
// false), failed (the file cannot be had), or ok with the tasks to run and
// the file's name in msg.
func (h *hostRun) includedTasks(orig, t *load.Task, vars map[string]any, pos string) ([]*load.Task, outcome) {
	for _, cond := range t.When {
		ok, err := h.p.r.jinja.Truthy(cond, vars)
		if err != nil {
			return nil, failf("%s: when: %v", pos, err)
		}
		if !ok {
			return nil, outcome{status: StatusSkipped, msg: "conditional result was False"}
		}
	}
	if t.Unsupported != "" {
		return nil, failf("%s: %s", pos, t.Unsupported)
	}
	inc := t.Include
	if inc.Missing != "" {
		return nil, failf("%s: %s", pos, inc.Missing)
	}
	if !inc.Dynamic() {
		return inc.Tasks, outcome{status: StatusOK, msg: inc.File}
	}
	name, err := h.p.r.jinja.Render(inc.File, vars)
	if err != nil {
		return nil, failf("%s: %s: %v", pos, t.Module, err)
	}
	tasks, err := inc.Load(name)
	if err != nil {
		var list load.ErrorList
		if errors.As(err, &list) {
			return nil, failf("%s: %s %s:\n%v", pos, t.Module, name, err)
		}
		return nil, failf("%s: %s: %v", pos, t.Module, err)
	}
	h.p.number(orig, tasks)
	return tasks, outcome{status: StatusOK, msg: name}
}

// loopInfo is ansible_loop for item i (loop_control: extended).
func loopInfo(items []any, i int) map[string]any {
	n := len(items)
	info := map[string]any{
		"index": i + 1, "index0": i, "revindex": n - i, "revindex0": n - i - 1,
		"first": i == 0, "last": i == n-1, "length": n, "allitems": items,
	}
	if i > 0 {
		info["previtem"] = items[i-1]
	}
	if i < n-1 {
		info["nextitem"] = items[i+1]
	}
	return info
}

// withVars returns a copy of vars with more variables.
func withVars(vars, more map[string]any) map[string]any {
	out := make(map[string]any, len(vars)+len(more))
	for k, x := range vars {
		out[k] = x
	}
	for k, x := range more {
		out[k] = x
	}
	return out
}

func sleepCtx(ctx context.Context, seconds float64) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(seconds * float64(time.Second))):
		return nil
	}
}

// lookupItems runs a with_X loop's lookup: its terms rendered (with
// first_found, a term that cannot be rendered is kept as written, as in
// Ansible, and simply not found).
func (h *hostRun) lookupItems(t *load.Task, vars map[string]any) ([]any, error) {
	var terms []any
	if list, ok := t.Loop.([]any); ok {
		for _, term := range list {
			v, err := h.p.r.jinja.Value(term, vars)
			if err != nil {
				if t.LoopLookup != "first_found" {
					return nil, err
				}
				v = term
			}
			terms = append(terms, v)
		}
	} else {
		v, err := h.p.r.jinja.Value(t.Loop, vars)
		if err != nil {
			return nil, err
		}
		terms = jinja.LookupTerms(v)
	}
	kw := map[string]any{"_subdir": jinja.FirstFoundSubdir(t.Module)}
	items, err := h.p.r.jinja.RunLookup(t.LoopLookup, terms, kw, vars)
	if err != nil {
		return nil, fmt.Errorf("with_%s: %v", t.LoopLookup, err)
	}
	return items, nil
}
