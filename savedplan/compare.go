package savedplan

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"tend/playbooks"
)

// Compare checks the changes a check pass found on a host against the
// plan's, in order. It returns "" when they are the same, else what differs
// first, naming the task: what was planned and what was found.
func Compare(planned, found []Change) string {
	for i := 0; i < len(planned) || i < len(found); i++ {
		switch {
		case len(found) == 0:
			return fmt.Sprintf("task %s: planned %s, found no change on the host at all (was the plan applied already?)",
				planned[i], describe(planned[i]))
		case i >= len(found):
			return fmt.Sprintf("task %s: planned %s, found no change (%d of %d planned changes found)",
				planned[i], describe(planned[i]), i, len(planned))
		case i >= len(planned):
			return fmt.Sprintf("task %s: found %s, which the plan does not have", found[i], describe(found[i]))
		case planned[i].Planned != found[i].Planned:
			p, f := planned[i], found[i]
			if p.TaskPos == f.TaskPos && p.Item == f.Item {
				return fmt.Sprintf("task %s: planned %s, found %s", p, describe(p), describe(f))
			}
			return fmt.Sprintf("task %s: planned %s; found instead task %s: %s", p, describe(p), f, describe(f))
		}
	}
	return ""
}

// describe sums a change up: its diffs' paths and attributes, and its digest.
func describe(c Change) string {
	var parts []string
	switch {
	case c.Hidden:
		parts = append(parts, "a hidden change (no_log)")
	case len(c.Diffs) == 0:
		parts = append(parts, "a "+c.Module+" run")
	default:
		byPath := map[string][]string{}
		var paths []string
		for _, d := range c.Diffs {
			if _, ok := byPath[d.Path]; !ok {
				paths = append(paths, d.Path)
			}
			byPath[d.Path] = append(byPath[d.Path], d.Attr)
		}
		for _, p := range paths {
			attrs := byPath[p]
			sort.Strings(attrs)
			parts = append(parts, p+" "+strings.Join(attrs, ","))
		}
	}
	d := c.Planned
	if len(d) > 8 {
		d = d[:8]
	}
	return "[" + strings.Join(parts, "; ") + "] (" + d + ")"
}

// Guard lets a converge apply exactly a plan's changes. Its Allow method is
// a playbooks.Options.Guard; its Event method must also see every event of
// the run (after any other use), since changes of tasks that run in check
// mode (check_mode: true) are reported without passing the guard.
type Guard struct {
	mu    sync.Mutex
	hosts map[string]*guarded
}

type guarded struct {
	want []Change
	next int // index in want of the next change expected
	// approved counts changes allowed whose events are still to come (a
	// loop reports its items after all of them ran).
	approved int
	// stale is why the host may change nothing more.
	stale string
}

// NewGuard guards the plan's hosts; a host the plan does not know may
// change nothing.
func NewGuard(p *Plan) *Guard {
	g := &Guard{hosts: map[string]*guarded{}}
	for _, h := range p.Hosts {
		g.hosts[h.Name] = &guarded{want: h.Changes}
	}
	return g
}

// Allow is called before a change is applied: it allows the change only if
// its Planned digest is the next one planned for the host.
func (g *Guard) Allow(e playbooks.Event) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[e.Host]
	if h == nil {
		return fmt.Errorf("stale: the plan has no changes for this host")
	}
	if h.stale != "" {
		return fmt.Errorf("stale: %s", h.stale)
	}
	found := ChangeOf(e)
	if h.next >= len(h.want) {
		h.stale = fmt.Sprintf("task %s: found %s after all planned changes were applied", found, describe(found))
		return fmt.Errorf("stale: %s", h.stale)
	}
	if !h.take(found) {
		h.stale = Compare([]Change{h.want[h.next]}, []Change{found})
		return fmt.Errorf("stale: %s", h.stale)
	}
	h.approved++
	return nil
}

// take moves past the planned change found matches, and returns whether
// there was one. A change the plan holds as known after apply is re-planned
// now: it matches the same task (and loop item, when the plan could name
// it) with the same arguments (when the plan could render them), whatever
// its diffs; and such a change may turn out not to be needed (its task now
// changes nothing), so the next planned change may match instead.
func (h *guarded) take(found Change) bool {
	for i := h.next; i < len(h.want); i++ {
		want := h.want[i]
		if want.Planned == found.Planned || want.Unknown != "" && replanned(want, found) {
			h.next = i + 1
			return true
		}
		if want.Unknown == "" {
			return false
		}
	}
	return false
}

// replanned says whether found is what a change known after apply turned
// out to be.
func replanned(want, found Change) bool {
	return want.PlayIndex == found.PlayIndex && want.TaskIndex == found.TaskIndex && want.TaskPos == found.TaskPos &&
		want.Handler == found.Handler && (want.Item == "" || want.Item == found.Item) &&
		(want.Desired == "" || want.Desired == found.Desired)
}

// Event follows the run's events: a change reported without passing Allow
// (a task in check mode) takes its place in the plan too.
func (g *Guard) Event(e playbooks.Event) {
	if e.Kind != playbooks.EventTask || e.Planned == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[e.Host]
	if h == nil || h.stale != "" {
		return
	}
	if h.approved > 0 {
		h.approved--
		return
	}
	found := ChangeOf(e)
	switch {
	case h.next >= len(h.want):
		h.stale = fmt.Sprintf("task %s: found %s after all planned changes", found, describe(found))
	case !h.take(found):
		h.stale = Compare(h.want[h.next:h.next+1], []Change{found})
	}
}

// Left returns the planned changes of a host that the run did not meet (the
// host may have been changed to the desired state meanwhile), and why the
// host was stopped, if it was.
func (g *Guard) Left(host string) (left []Change, stale string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[host]
	if h == nil {
		return nil, ""
	}
	return h.want[h.next:], h.stale
}
