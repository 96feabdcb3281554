package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"tend/modules"
	"tend/playbooks"
)

// textRenderer prints a converge for people: per task, one line for each
// host that changed or failed (with diffs under it), the ok and skipped hosts
// counted on one line; a recap per host and a summary at the end.
//
// Hosts run independently, so their results for a task arrive at different
// times. The renderer holds each task's results until every host of the
// play has moved past it, then prints the task as one block, in playbook
// order.
type textRenderer struct {
	w       io.Writer
	p       painter
	check   bool
	diff    bool
	verbose int

	play    string
	cursor  map[string]int            // per host: the task index it has reached
	pending map[int][]playbooks.Event // task index -> results not yet printed
	hosts   []string
	// lost is why each unreachable host was lost, for the recap.
	lost map[string]string

	// live is set on a terminal: a progress line is kept at the bottom.
	live      bool
	liveShown bool
	done      int       // hosts finished in this play
	lastDraw  time.Time // progress redraws are throttled
}

func newTextRenderer(w io.Writer, check, diff bool, verbose int) *textRenderer {
	p := newPainter(w)
	return &textRenderer{w: w, p: p, check: check, diff: diff, verbose: verbose, live: p.on}
}

func (r *textRenderer) event(e playbooks.Event) {
	r.clearProgress()
	defer r.drawProgress(e.Kind != playbooks.EventTask)
	switch e.Kind {
	case playbooks.EventPlayStart:
		r.play, r.hosts, r.done = e.Play, e.Hosts, 0
		r.cursor, r.pending = map[string]int{}, map[int][]playbooks.Event{}
		for _, h := range e.Hosts {
			r.cursor[h] = -1
		}
		mode := ""
		if r.check {
			mode = " (check mode: nothing will be changed)"
		}
		fmt.Fprintf(r.w, "\n%s %s%s\n", r.p.bold("PLAY ["+e.Play+"]"), plural(len(e.Hosts), "host", "hosts"), mode)
		for _, w := range e.Warnings {
			fmt.Fprintln(r.w, "  "+r.p.yellow("warning: "+w))
		}
		if len(e.Hosts) == 0 {
			fmt.Fprintln(r.w, "  no hosts matched, skipping")
		}
	case playbooks.EventTask:
		if e.Status == playbooks.StatusUnreachable {
			if r.lost == nil {
				r.lost = map[string]string{}
			}
			r.lost[e.Host] = e.Msg
		}
		if e.TaskIndex < 0 { // connecting or gathering facts
			r.hostLine(e)
			return
		}
		r.pending[e.TaskIndex] = append(r.pending[e.TaskIndex], e)
		// Handlers flushed between sections are numbered after every task:
		// they must not move a host past tasks it has still to run.
		if !e.Handler {
			r.cursor[e.Host] = e.TaskIndex
		}
		r.flush(false)
	case playbooks.EventHostDone:
		r.cursor[e.Host] = math.MaxInt
		r.done++
		r.flush(false)
	case playbooks.EventPlayEnd:
		r.flush(true)
	}
}

// clearProgress removes the progress line before other output.
func (r *textRenderer) clearProgress() {
	if r.liveShown {
		fmt.Fprint(r.w, "\r\x1b[K")
		r.liveShown = false
	}
}

// drawProgress shows where the play is: hosts done, and the task the
// slowest host is on. Redraws are throttled unless forced.
func (r *textRenderer) drawProgress(force bool) {
	if !r.live || len(r.hosts) == 0 || r.done == len(r.hosts) {
		return
	}
	if !force && time.Since(r.lastDraw) < 100*time.Millisecond {
		return
	}
	r.lastDraw = time.Now()
	low := math.MaxInt
	for _, c := range r.cursor {
		low = min(low, c)
	}
	task := ""
	if low >= 0 && low != math.MaxInt {
		task = fmt.Sprintf(", slowest host past task %d", low+1)
	}
	fmt.Fprint(r.w, r.p.paint("2", fmt.Sprintf("  … %d/%d hosts done%s", r.done, len(r.hosts), task)))
	r.liveShown = true
}

// flush prints the tasks every host has moved past (all of them at the end
// of a play).
func (r *textRenderer) flush(all bool) {
	low := math.MaxInt
	for _, c := range r.cursor {
		low = min(low, c)
	}
	var ready []int
	for idx := range r.pending {
		if all || idx < low {
			ready = append(ready, idx)
		}
	}
	sort.Ints(ready)
	for _, idx := range ready {
		r.task(r.pending[idx])
		delete(r.pending, idx)
	}
}

// task prints one task's results across hosts.
func (r *textRenderer) task(events []playbooks.Event) {
	// Hosts in the play's order (the inventory's), not the order they
	// finished in; a host's loop items keep theirs.
	rank := make(map[string]int, len(r.hosts))
	for i, h := range r.hosts {
		rank[h] = i + 1
	}
	sort.SliceStable(events, func(i, j int) bool {
		a, b := rank[events[i].Host], rank[events[j].Host]
		return a != 0 && (b == 0 || a < b)
	})
	first := events[0]
	kind := "TASK"
	if first.Handler {
		kind = "HANDLER"
	}
	fmt.Fprintf(r.w, "\n%s %s\n", r.p.bold(kind+" ["+first.Task+"]"), r.p.paint("2", first.Module+"  "+first.TaskPos))
	// Hosts whose results are all ok (or all skipped) are only counted.
	// The others are shown, hosts with the same result (status, item,
	// message, diffs) in one block that names them all, placed where the
	// first of them comes.
	shown := map[string]bool{}
	quiet := map[playbooks.Status]map[string]bool{}
	var blocks []string // a result's text with "\x00" for the host names
	names := map[string][]string{}
	for _, e := range events {
		show := e.Status == playbooks.StatusChanged || e.Status == playbooks.StatusFailed || e.Status == playbooks.StatusUnreachable ||
			e.Status == playbooks.StatusInterrupted ||
			(e.Module == "debug" && e.Status == playbooks.StatusOK) || r.verbose > 0
		if show {
			b := r.hostBlock(e, "\x00")
			if names[b] == nil {
				blocks = append(blocks, b)
			}
			names[b] = append(names[b], e.Host)
			shown[e.Host] = true
		} else {
			if quiet[e.Status] == nil {
				quiet[e.Status] = map[string]bool{}
			}
			quiet[e.Status][e.Host] = true
		}
	}
	for _, b := range blocks {
		fmt.Fprint(r.w, strings.Replace(b, "\x00", strings.Join(names[b], ", "), 1))
	}
	var parts []string
	for _, s := range []playbooks.Status{playbooks.StatusOK, playbooks.StatusSkipped} {
		n := 0
		for h := range quiet[s] {
			// A host with some items ok and some skipped is ok, as in
			// the recap (and Ansible's line for the task).
			if !shown[h] && (s == playbooks.StatusOK || !quiet[playbooks.StatusOK][h]) {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", s, plural(n, "host", "hosts")))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintln(r.w, "  "+r.p.paint("2", strings.Join(parts, ", ")))
	}
}

// hostLine prints one host's result for a task, with its diffs.
func (r *textRenderer) hostLine(e playbooks.Event) {
	fmt.Fprint(r.w, r.hostBlock(e, e.Host))
}

// hostBlock is the text of a result for the hosts named names.
func (r *textRenderer) hostBlock(e playbooks.Event, names string) string {
	var b strings.Builder
	var label string
	switch e.Status {
	case playbooks.StatusChanged:
		label = "changed"
		if e.Check {
			label = "would change"
		}
		if e.Change != "" { // corrective or intentional (with --report-dir)
			label += " (" + e.Change + ")"
		}
		label = r.p.yellow(label)
	case playbooks.StatusFailed:
		label = r.p.red("failed")
		if e.Ignored {
			label = r.p.red("failed (ignored)")
		}
	case playbooks.StatusUnreachable:
		label = r.p.red("UNREACHABLE")
	case playbooks.StatusInterrupted:
		label = r.p.yellow("interrupted")
	case playbooks.StatusOK:
		label = r.p.green("ok")
	default:
		label = string(e.Status)
	}
	line := "  " + label + ": " + names
	if e.Item != "" {
		line += " (item=" + e.Item + ")"
	}
	if e.Msg != "" && (e.Status != playbooks.StatusChanged || e.Module == "debug") {
		line += " => " + r.message(e)
	}
	fmt.Fprintln(&b, line)
	if e.Unknown != "" {
		fmt.Fprintln(&b, "      "+r.p.paint("36", "known after apply: "+e.Unknown))
	}
	if r.diff || e.Status == playbooks.StatusChanged {
		r.diffs(&b, e.Diffs)
	}
	return b.String()
}

// message is an event's message as the text output shows it: a failure's
// is said in one line, with a few lines of error output under it (see
// failureText).
func (r *textRenderer) message(e playbooks.Event) string {
	if e.Status != playbooks.StatusFailed {
		return e.Msg
	}
	head, under := failureText(e, r.verbose)
	for _, l := range under {
		head += "\n      " + r.p.paint("2", "| ") + l
	}
	return head
}

// diffs shows attribute changes always, and content diffs with --diff.
func (r *textRenderer) diffs(w io.Writer, ds []modules.Diff) {
	for _, d := range ds {
		if d.Attr == "content" {
			if !r.diff {
				fmt.Fprintf(w, "      %s: content changed (--diff shows it)\n", d.Path)
				continue
			}
			for _, l := range strings.Split(strings.TrimSuffix(modules.UnifiedDiff(d.Path, d.Before, d.After), "\n"), "\n") {
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
					l = r.p.bold(l)
				case strings.HasPrefix(l, "+"):
					l = r.p.green(l)
				case strings.HasPrefix(l, "-"):
					l = r.p.red(l)
				case strings.HasPrefix(l, "@@"):
					l = r.p.paint("36", l)
				}
				fmt.Fprintln(w, "      "+l)
			}
			continue
		}
		before, after := d.Before, d.After
		if before == "" {
			before = "(none)"
		}
		if after == "" {
			after = "(none)"
		}
		fmt.Fprintf(w, "      %s: %s %s -> %s\n", d.Path, d.Attr, before, after)
	}
}

// summary prints the recap per host and one line for the run.
func (r *textRenderer) summary(s *playbooks.Summary) {
	r.clearProgress()
	fmt.Fprintf(r.w, "\n%s\n", r.p.bold("RECAP"))
	width := 0
	for _, h := range s.HostOrder {
		width = max(width, len(h))
	}
	for _, h := range s.HostOrder {
		rc := s.Hosts[h]
		name := fmt.Sprintf("%-*s", width, h)
		switch {
		case rc.Failed > 0 || rc.Unreachable > 0:
			name = r.p.red(name)
		case rc.Interrupted > 0:
			name = r.p.yellow(name)
		case rc.Changed > 0:
			name = r.p.yellow(name)
		default:
			name = r.p.green(name)
		}
		fmt.Fprintf(r.w, "%s  ok=%-3d changed=%-3d failed=%-3d skipped=%-3d unreachable=%d rescued=%d ignored=%d",
			name, rc.OK, rc.Changed, rc.Failed, rc.Skipped, rc.Unreachable, rc.Rescued, rc.Ignored)
		if rc.Interrupted > 0 {
			fmt.Fprint(r.w, "  interrupted")
		}
		if r.verbose > 0 {
			fmt.Fprintf(r.w, "  (%s, %s; connect %s, facts %s, probe %s, apply %s)",
				plural(int(rc.RoundTrips), "round trip", "round trips"), plural(int(rc.Probes), "probe", "probes"),
				round(rc.Connect), round(rc.Facts), round(rc.Probe), round(rc.Apply))
		}
		fmt.Fprintln(r.w)
		if why := r.lost[h]; why != "" && rc.Unreachable > 0 {
			fmt.Fprintln(r.w, "  "+r.p.red("unreachable: "+why))
		}
	}
	changed := s.Changed()
	what := fmt.Sprintf("%d changed", changed)
	if r.check {
		what = fmt.Sprintf("%d with changes pending (check mode: nothing was changed)", changed)
	}
	if n := s.Interrupted(); n > 0 {
		what += fmt.Sprintf(", %d interrupted", n)
	}
	fmt.Fprintln(r.w, r.p.bold(fmt.Sprintf("%s: %s, %d failed, %d unreachable in %s",
		plural(len(s.HostOrder), "host", "hosts"), what, s.Failed(), s.Unreachable(), round(s.Duration))))
}
